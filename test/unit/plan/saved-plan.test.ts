import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { type CurrentBasis, decodeSavedPlan, encodeSavedPlan, type SavedPlan, stalePlanReasons } from "../../../src/plan/saved-plan.js";
import { applied, desired, stateOf } from "../../builders.js";

function savedPlan(overrides: Partial<SavedPlan> = {}): SavedPlan {
  const plan = planChanges(
    [
      desired("A1", { name: "Baru" }),
      desired("B2", { passwordEnv: { name: "B2_PASSWORD", source: { file: "users/team.yaml", line: 9, column: 5 } } }),
      desired("R3", { previousEmployeeIDs: ["R2"], tagSerials: ["T1", "T2"] }),
    ],
    stateOf(applied("A1"), applied("R2"), applied("GONE")),
  );
  return {
    formatVersion: 1,
    toolVersion: "1.2.3",
    createdAt: "2026-11-23T10:00:00.000Z",
    state: { lineage: "lin-1", serial: 7 },
    declarationsDigest: "sha256:abc",
    declarationsDir: "users",
    targets: [],
    plan,
    ...overrides,
  };
}

const current: CurrentBasis = {
  toolVersion: "1.2.3",
  state: { lineage: "lin-1", serial: 7 },
  declarationsDigest: "sha256:abc",
  stateLocation: ".ruangkerja/state.json",
  declarationsDir: "users",
};

function decodeError(text: string): string {
  try {
    decodeSavedPlan("p.json", text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).diagnostics.map((d) => `${d.location?.file}:${d.location?.line}: ${d.summary}`).join("\n");
  }
  throw new Error("expected the plan to be refused");
}

describe("saved plans", () => {
  it("round-trip: decode(encode(x)) is x, every kind of action included", () => {
    const saved = savedPlan();
    expect(saved.plan.actions.map((a) => a.action).sort()).toEqual(["create", "deactivate", "rename", "update"]);
    expect(saved.plan.actions.find((a) => a.action === "create")?.passwordEnv?.name).toBe("B2_PASSWORD");
    expect(saved.plan.actions.some((a) => a.resetsPassword)).toBe(true);
    expect(decodeSavedPlan("p.json", encodeSavedPlan(saved))).toEqual(saved);
  });

  it("keeps targets and a null state (no state yet)", () => {
    const saved = savedPlan({ state: null, targets: ["A1"] });
    expect(decodeSavedPlan("p.json", encodeSavedPlan(saved))).toMatchObject({ state: null, targets: ["A1"] });
  });

  it("writes only the known user fields: nothing else added to a record reaches the file", () => {
    const saved = savedPlan();
    const first = saved.plan.actions[0];
    const tampered = {
      ...saved,
      plan: { ...saved.plan, actions: [{ ...first, after: { ...first?.after, password: "hunter2" } }, ...saved.plan.actions.slice(1)] },
    } as unknown as SavedPlan;
    expect(encodeSavedPlan(tampered)).not.toContain("hunter2");
  });

  it("drops unknown keys a hand edit adds, on decode too", () => {
    const doc = JSON.parse(encodeSavedPlan(savedPlan()));
    doc.plan.actions[0].after.password = "hunter2";
    doc.plan.actions[0].extra = true;
    const decoded = decodeSavedPlan("p.json", JSON.stringify(doc));
    expect(JSON.stringify(decoded)).not.toContain("hunter2");
    expect(decoded.plan.actions[0]).not.toHaveProperty("extra");
  });

  it("refuses what is not a saved plan, located in the file", () => {
    expect(decodeError("{")).toMatch(/^p\.json:1: the saved plan is not valid JSON/);
    expect(decodeError('{"formatVersion":1}')).toContain("this is not a plan saved by ruangkerja-users plan --out");
    expect(decodeError('{"kind":"ruangkerja-users-plan","formatVersion":9}')).toContain("format version 9");
  });

  it("refuses a damaged plan: unknown action, summary that does not add up, missing before", () => {
    const doc = JSON.parse(encodeSavedPlan(savedPlan()));
    doc.plan.actions[0].action = "delete";
    expect(decodeError(JSON.stringify(doc))).toContain('plan.actions[0] has an unknown action "delete"');
    const doc2 = JSON.parse(encodeSavedPlan(savedPlan()));
    doc2.plan.summary.create = 5;
    expect(decodeError(JSON.stringify(doc2))).toContain("plan.summary.create does not match the actions");
    const doc3 = JSON.parse(encodeSavedPlan(savedPlan()));
    const update = doc3.plan.actions.findIndex((a: { action: string }) => a.action === "update");
    delete doc3.plan.actions[update].before;
    expect(decodeError(JSON.stringify(doc3))).toContain(`plan.actions[${update}] has no before`);
  });
});

describe("stalePlanReasons", () => {
  it("is empty when nothing moved", () => {
    expect(stalePlanReasons(savedPlan(), current)).toEqual([]);
    expect(stalePlanReasons(savedPlan({ state: null }), { ...current, state: null })).toEqual([]);
  });

  it("names each change: serial, lineage, state appeared or vanished, declarations, tool version", () => {
    expect(stalePlanReasons(savedPlan(), { ...current, state: { lineage: "lin-1", serial: 8 } })).toEqual([
      "the state changed since (serial 7 then, 8 now in .ruangkerja/state.json)",
    ]);
    expect(stalePlanReasons(savedPlan(), { ...current, state: { lineage: "lin-2", serial: 7 } })[0]).toContain("another state");
    expect(stalePlanReasons(savedPlan({ state: null }), current)[0]).toContain("there was no state when it was made");
    expect(stalePlanReasons(savedPlan(), { ...current, state: null })[0]).toContain("now holds no state");
    expect(stalePlanReasons(savedPlan(), { ...current, declarationsDigest: "sha256:def" })).toEqual([
      "the declarations in users changed since",
    ]);
    expect(stalePlanReasons(savedPlan(), { ...current, toolVersion: "1.3.0" })).toEqual([
      "it was made by ruangkerja-users 1.2.3, and this is 1.3.0",
    ]);
  });
});
