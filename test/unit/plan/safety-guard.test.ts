import { describe, expect, it } from "vitest";
import type { AppliedUser } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import {
  checkMassDeactivation,
  DEFAULT_DEACTIVATION_LIMIT,
  type DeactivationLimit,
  deactivatedBy,
  massDeactivationDiagnostic,
  parseDeactivationLimit,
} from "../../../src/plan/safety-guard.js";
import { applied, desired, stateOf } from "../../builders.js";

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);

/** A state of `total` active users, of whom the first `dropped` are no longer declared. */
function planDropping(total: number, dropped: number) {
  const all = ids("E", total);
  const state = stateOf(...all.map((id) => applied(id)));
  return {
    plan: planChanges(
      all.slice(dropped).map((id) => desired(id)),
      state,
    ),
    managed: state.size,
  };
}

function check(total: number, dropped: number, limit: DeactivationLimit = DEFAULT_DEACTIVATION_LIMIT) {
  const { plan, managed } = planDropping(total, dropped);
  return checkMassDeactivation(plan, { managed, limit, files: ["users/a.yaml"], dir: "users" });
}

describe("the mass-deactivation guard", () => {
  it.each([
    [100, 10, false, "10% exactly is within the default limit"],
    [100, 11, true, "11% is over it"],
    [20, 4, false, "4 of 20 (20%) is under the 5-user floor"],
    [20, 5, true, "5 of 20 trips it"],
    [5, 5, true, "an emptied folder of a small company trips it"],
    [4, 4, false, "fewer than 5 users can never trip a percentage limit"],
  ])("%i users, %i deactivated → refused: %s (%s)", (total, dropped, refused) => {
    expect(check(total, dropped) !== undefined).toBe(refused);
  });

  it("a count limit is exact, without the 5-user floor", () => {
    expect(check(100, 3, { count: 2 })).toBeDefined();
    expect(check(100, 2, { count: 2 })).toBeUndefined();
    expect(check(100, 1, { count: 0 })).toBeDefined();
  });

  it("a percentage limit can be raised or lowered", () => {
    expect(check(100, 30, { percent: 30 })).toBeUndefined();
    expect(check(100, 6, { percent: 5 })).toBeDefined();
    expect(check(100, 100, { percent: 100 })).toBeUndefined();
  });

  it("counts declared isActive: false as deactivation too, but not users already inactive", () => {
    const state = stateOf(...ids("E", 10).map((id) => applied(id)), applied("OLD", { isActive: false }));
    const plan = planChanges(
      ids("E", 10).map((id, i) => desired(id, { isActive: i >= 6 })),
      state,
    );
    expect(deactivatedBy(plan)).toEqual(ids("E", 6));
    expect(checkMassDeactivation(plan, { managed: state.size, limit: DEFAULT_DEACTIVATION_LIMIT, files: [], dir: "users" })).toBeDefined();
  });

  it("says how many, of how many, which files were read and what to do", () => {
    const found = check(40, 10);
    expect(found).toBeDefined();
    if (!found) return;
    const d = massDeactivationDiagnostic(found, "error");
    expect(d.summary).toBe(
      "this plan deactivates 10 of the 40 users in state (25%), more than the safety limit of 10% of the users in state",
    );
    expect(d.detail).toContain("Declaration files read (1): users/a.yaml.");
    expect(d.detail).toContain("Deactivated: E000, E001, E002, E003, E004, E005, E006, E007, E008, E009.");
    expect(d.detail).toContain("a whole YAML file deleted");
    expect(d.detail).toContain("--allow-mass-deactivation");
    expect(massDeactivationDiagnostic(found, "warning").detail).toContain("apply will refuse this plan");
  });

  it("names an empty folder when no file was read, and lists only the first users", () => {
    const state: Map<string, AppliedUser> = stateOf(...ids("E", 30).map((id) => applied(id)));
    const plan = planChanges([], state);
    const found = checkMassDeactivation(plan, { managed: 30, limit: DEFAULT_DEACTIVATION_LIMIT, files: [], dir: "people" });
    const detail = found ? massDeactivationDiagnostic(found, "error").detail : "";
    expect(detail).toContain("No declaration files were found under people.");
    expect(detail).toContain("E009 and 20 more");
  });

  it.each([
    ["10%", { percent: 10 }],
    ["0%", { percent: 0 }],
    ["100%", { percent: 100 }],
    ["25", { count: 25 }],
    ["0", { count: 0 }],
    ["101%", undefined],
    ["-1", undefined],
    ["ten", undefined],
    ["5.5", undefined],
    ["", undefined],
  ])("reads --max-deactivate %j", (text, limit) => {
    expect(parseDeactivationLimit(text)).toEqual(limit);
  });
});
