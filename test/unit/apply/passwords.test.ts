import { describe, expect, it } from "vitest";
import type { CreateUserBody } from "../../../src/api/types.js";
import type { ApplyClient } from "../../../src/apply/apply-client.js";
import { applyPlan } from "../../../src/apply/apply-plan.js";
import { resolvePasswords } from "../../../src/apply/passwords.js";
import { createBody } from "../../../src/apply/payloads.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument, type StateDocument, stateToJson } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, desired, stateOf } from "../../builders.js";

const at = (line: number) => ({ file: "users/pw.yaml", line, column: 5 });

describe("initial passwords from passwordEnv", () => {
  const users = [
    desired("E1", { passwordEnv: { name: "PW_E1", source: at(7) } }),
    desired("E2", { passwordEnv: { name: "PW_E2", source: at(12) } }),
    desired("E3"),
    desired("E4", { name: "Renamed", passwordEnv: { name: "PW_E4", source: at(20) } }),
  ];
  // E4 exists already: an update never sends a password, so its variable is not needed.
  const plan = planChanges(users, stateOf(applied("E4")));

  it("reads the variable of each create, and only of creates", () => {
    const asked: string[] = [];
    const { passwords, diagnostics } = resolvePasswords(plan, (name) => {
      asked.push(name);
      return `secret-of-${name}`;
    });
    expect(diagnostics).toEqual([]);
    expect(asked.sort()).toEqual(["PW_E1", "PW_E2"]);
    expect([...passwords]).toEqual([
      ["E1", "secret-of-PW_E1"],
      ["E2", "secret-of-PW_E2"],
    ]);
  });

  it("a missing or empty variable is an error located at its passwordEnv, naming the variable and never a value", () => {
    const { diagnostics } = resolvePasswords(plan, (name) => (name === "PW_E2" ? "" : undefined));
    expect(diagnostics.map((d) => [d.location?.line, d.summary])).toEqual([
      [7, "the environment variable PW_E1 (passwordEnv of E1) is not set"],
      [12, "the environment variable PW_E2 (passwordEnv of E2) is empty"],
    ]);
    expect(diagnostics.every((d) => d.severity === "error" && d.field === "passwordEnv")).toBe(true);
  });

  it("the create body carries the password; state after apply does not", async () => {
    const [create] = plan.actions;
    expect(create && createBody(create, "pw-1")).toMatchObject({ employeeID: "E1", password: "pw-1" });
    expect(create && createBody(create)).not.toHaveProperty("password");

    const sent: CreateUserBody[] = [];
    const client: ApplyClient = {
      counts: { "create-bulk": 0, "update-bulk": 0, update: 0, get: 0, list: 0 },
      async createBulk(items) {
        sent.push(...items);
        return { successItems: items.map((payload) => ({ payload, response: { serial: `S${payload.employeeID}` } })), failedItems: [] };
      },
      async updateBulk(items) {
        return { successItems: items.map((payload) => ({ payload, response: { serial: `S${payload.employeeID}` } })), failedItems: [] };
      },
      async updateUser(employeeID) {
        return { ok: true, serial: `S${employeeID}` };
      },
      async getUser() {
        return undefined;
      },
    };
    const writes: StateDocument[] = [];
    const store = {
      location: "memory",
      read: async () => writes.at(-1),
      write: async (state: StateDocument) => void writes.push(state),
      lock: async () => ({ release: async () => undefined, releaseSync: () => undefined }),
    };
    const { passwords } = resolvePasswords(plan, (name) => `MARKER-${name}`);
    const result = await applyPlan(plan, client, new StateSession(store, newStateDocument()), { passwords });
    expect(result.failed).toBe(0);
    expect(sent.map((b) => [b.employeeID, b.password])).toEqual([
      ["E1", "MARKER-PW_E1"],
      ["E2", "MARKER-PW_E2"],
      ["E3", undefined],
    ]);
    const last = writes.at(-1);
    expect(last && JSON.stringify(stateToJson(last))).not.toContain("MARKER");
    expect(last && JSON.stringify([...last.users.values()])).not.toContain("PW_E");
  });
});
