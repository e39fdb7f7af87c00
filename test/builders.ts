/** Builders for the plain objects unit tests feed the planner, state and apply. */
import type { AppliedUser, DesiredUser } from "../src/model.js";

export function desired(employeeID: string, overrides: Partial<DesiredUser> = {}): DesiredUser {
  return {
    employeeID,
    name: `Name ${employeeID}`,
    email: `${employeeID.toLowerCase()}@example.co.id`,
    isActive: true,
    source: { file: "users/team.yaml", line: 3, column: 5 },
    ...overrides,
  };
}

export function applied(employeeID: string, overrides: Partial<AppliedUser> = {}): AppliedUser {
  return {
    employeeID,
    name: `Name ${employeeID}`,
    email: `${employeeID.toLowerCase()}@example.co.id`,
    isActive: true,
    serial: `SERIAL${employeeID.toUpperCase()}`,
    ...overrides,
  };
}

export function stateOf(...users: AppliedUser[]): Map<string, AppliedUser> {
  return new Map(users.map((u) => [u.employeeID, u]));
}
