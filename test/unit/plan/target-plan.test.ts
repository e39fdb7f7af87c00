import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { targetPlan, unknownTargets } from "../../../src/plan/target-plan.js";
import { applied, desired, stateOf } from "../../builders.js";

const users = [
  desired("A1", { name: "Baru", source: { file: "users/a.yaml", line: 2, column: 5 } }),
  desired("B2", { source: { file: "users/a.yaml", line: 6, column: 5 } }),
  desired("N3", { previousEmployeeIDs: ["O3"], source: { file: "users/b.yaml", line: 2, column: 5 } }),
  // Lists an id that is in state as a user of its own: the planner warns, at this declaration.
  desired("E4", { previousEmployeeIDs: ["P5"], source: { file: "users/b.yaml", line: 8, column: 5 } }),
  desired("C6", { source: { file: "users/b.yaml", line: 12, column: 5 } }),
];
const state = stateOf(applied("A1"), applied("O3"), applied("E4"), applied("P5"), applied("C6"), applied("GONE"));
const whole = planChanges(users, state);

describe("targetPlan", () => {
  it("keeps only the targeted users' actions and recounts the summary", () => {
    const plan = targetPlan(whole, ["A1", "GONE"], users);
    expect(plan.actions.map((a) => `${a.action} ${a.employeeID}`)).toEqual(["update A1", "deactivate GONE"]);
    expect(plan.summary).toEqual({ create: 0, update: 1, rename: 0, deactivate: 1, unchanged: 0 });
  });

  it("matches a rename by its old or its new id", () => {
    for (const id of ["O3", "N3"]) {
      expect(targetPlan(whole, [id], users).actions.map((a) => a.action)).toEqual(["rename"]);
    }
  });

  it("counts a targeted user with nothing to do as unchanged", () => {
    expect(targetPlan(whole, ["C6"], users).summary).toEqual({ create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 1 });
  });

  it("warns first that the plan is partial, and keeps only the targeted users' warnings", () => {
    expect(whole.warnings.some((w) => w.summary.includes("E4"))).toBe(true);
    const other = targetPlan(whole, ["A1"], users);
    expect(other.warnings.map((w) => w.summary)).toEqual(["the plan is limited to --target A1: changes to other users are left out"]);
    const own = targetPlan(whole, ["E4"], users);
    expect(own.warnings).toHaveLength(2);
    expect(own.warnings[1]?.summary).toContain("E4");
  });

  it("does not change the whole plan", () => {
    const before = JSON.stringify(whole);
    targetPlan(whole, ["A1"], users);
    expect(JSON.stringify(whole)).toBe(before);
  });
});

describe("unknownTargets", () => {
  it("knows declared ids, ids in state and declared previous ids", () => {
    expect(unknownTargets(["A1", "GONE", "O3", "N3", "P5", "ZZ9", "ZZ9"], users, state)).toEqual(["ZZ9"]);
  });
});
