import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import {
  type CurrentBasis,
  encodeSavedPlan,
  type SavedPlan,
  type SavedPlanFile,
  savedPlanDifference,
  stalePlanReasons,
} from "../../../src/plan/saved-plan.js";
import { decodeSavedPlan } from "../../../src/plan/saved-plan-reader.js";
import { applied, desired, reverseKeys, stateOf } from "../../builders.js";

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
  it("round-trip: the decoded file is the envelope, and its plan is exactly the plan encoded, every kind of action included", () => {
    const saved = savedPlan();
    expect(saved.plan.actions.map((a) => a.action).sort()).toEqual(["create", "deactivate", "rename", "update"]);
    expect(saved.plan.actions.find((a) => a.action === "create")?.passwordEnv?.name).toBe("B2_PASSWORD");
    expect(saved.plan.actions.some((a) => a.resetsPassword)).toBe(true);
    const decoded = decodeSavedPlan("p.json", encodeSavedPlan(saved));
    const { plan: _plan, ...envelope } = saved;
    expect(decoded).toMatchObject(envelope);
    expect(savedPlanDifference(decoded, saved.plan)).toBeUndefined();
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

  it("refuses what is not a saved plan, located in the file, without quoting it", () => {
    expect(decodeError("{")).toMatch(/^p\.json:1: the saved plan is not valid JSON/);
    expect(decodeError("RUANGKERJA_TOKEN=s3cret\n")).not.toContain("s3cret");
    expect(decodeError('{"formatVersion":1}')).toContain("this is not a plan saved by `ruangkerja-users plan --out`");
    expect(decodeError('{"kind":"ruangkerja-users-plan","formatVersion":9}')).toContain("format version 9");
  });

  it("refuses a repeated key, located at the second one", () => {
    const text = encodeSavedPlan(savedPlan()).replace('"toolVersion": "1.2.3",', '"toolVersion": "1.2.3",\n "toolVersion": "9.9.9",');
    const line = text.split("\n").findIndex((l) => l.includes("9.9.9")) + 1;
    expect(decodeError(text)).toBe(
      `p.json:${line}: the saved plan repeats the key "toolVersion" in one object (at toolVersion): JSON readers disagree on which one counts`,
    );
    const nested = encodeSavedPlan(savedPlan()).replace('"name": "Baru"', '"name": "Baru", "name": "Lain"');
    expect(decodeError(nested)).toMatch(/repeats the key "name" in one object \(at plan\.actions\[\d+\]\.after\.name\)/);
  });

  it("refuses a damaged envelope through its schema, each problem at its line", () => {
    const doc = JSON.parse(encodeSavedPlan(savedPlan()));
    doc.state.serial = "7";
    doc.extra = true;
    delete doc.declarationsDir;
    const text = JSON.stringify(doc, null, 1);
    const errors = decodeError(text);
    const serialLine = text.split("\n").findIndex((l) => l.includes('"serial": "7"')) + 1;
    expect(errors).toContain(`p.json:${serialLine}: the saved plan is damaged: state.serial must be integer`);
    expect(errors).toContain("extra is not part of a saved plan");
    expect(errors).toContain('has no "declarationsDir"');
  });

  it("refuses a serial beyond the safe integers", () => {
    const text = encodeSavedPlan(savedPlan()).replace('"serial": 7', '"serial": 9007199254740993');
    expect(decodeError(text)).toContain("state.serial must be <= 9007199254740991");
  });
});

describe("savedPlanDifference", () => {
  const decoded = (
    edit: (doc: { plan: { actions: Record<string, unknown>[]; summary: Record<string, number> } }) => void,
  ): SavedPlanFile => {
    const doc = JSON.parse(encodeSavedPlan(savedPlan()));
    edit(doc);
    return decodeSavedPlan("p.json", JSON.stringify(doc));
  };
  const fresh = savedPlan().plan;
  const index = (kind: string) => fresh.actions.findIndex((a) => a.action === kind);

  it("is none for the same content in another key order and layout", () => {
    const doc = JSON.parse(encodeSavedPlan(savedPlan())) as Record<string, unknown>;
    expect(savedPlanDifference(decodeSavedPlan("p.json", JSON.stringify(reverseKeys(doc))), fresh)).toBeUndefined();
  });

  it("names the first field that differs, with both values: an edited e-mail, name, kind, serial", () => {
    const update = index("update");
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan.actions[update]?.after as Record<string, unknown>).email = "evil@example.com")),
        fresh,
      ),
    ).toEqual({
      path: `plan.actions[${update}].after.email`,
      saved: '"evil@example.com"',
      fresh: JSON.stringify(fresh.actions[update]?.after.email),
    });
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan.actions[0]?.after as Record<string, unknown>).name = "Lain")),
        fresh,
      )?.path,
    ).toBe("plan.actions[0].after.name");
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan.actions[index("deactivate")] as Record<string, unknown>).action = "update")),
        fresh,
      )?.path,
    ).toBe(`plan.actions[${index("deactivate")}].action`);
    expect(
      savedPlanDifference(
        decoded((d) => (((d.plan.actions[update] as Record<string, unknown>).before as Record<string, unknown>).serial = "x")),
        fresh,
      )?.path,
    ).toBe(`plan.actions[${update}].before.serial`);
  });

  it("sees an added or removed action, an added key, and a summary that does not match", () => {
    const extra = { action: "deactivate", employeeID: "A1", changes: [], after: { employeeID: "A1", name: "x", isActive: false } };
    expect(
      savedPlanDifference(
        decoded((d) => d.plan.actions.push(extra)),
        fresh,
      ),
    ).toEqual({ path: `plan.actions[${fresh.actions.length}]`, saved: `${JSON.stringify(extra).slice(0, 77)}…` });
    expect(
      savedPlanDifference(
        decoded((d) => d.plan.actions.pop()),
        fresh,
      ),
    ).toMatchObject({ path: `plan.actions[${fresh.actions.length - 1}]` });
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan.actions[0] as Record<string, unknown>).extra = 1)),
        fresh,
      )?.path,
    ).toBe("plan.actions[0].extra");
    expect(
      savedPlanDifference(
        decoded((d) => (d.plan.summary.unchanged = 99)),
        fresh,
      )?.path,
    ).toBe("plan.summary.unchanged");
    const create = index("create");
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan.actions[create]?.passwordEnv as Record<string, unknown>).name = "RUANGKERJA_TOKEN")),
        fresh,
      )?.path,
    ).toBe(`plan.actions[${create}].passwordEnv.name`);
  });

  it("ignores the warnings, which are made again from the declarations", () => {
    expect(
      savedPlanDifference(
        decoded((d) => ((d.plan as Record<string, unknown>).warnings = [])),
        fresh,
      ),
    ).toBeUndefined();
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
