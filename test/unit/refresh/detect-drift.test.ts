import { describe, expect, it } from "vitest";
import type { UserFields } from "../../../src/model.js";
import { detectDrift } from "../../../src/refresh/detect-drift.js";
import { driftToJson, renderDriftText } from "../../../src/refresh/render-drift.js";
import { applied, stateOf } from "../../builders.js";

function live(...users: [string, UserFields | undefined][]): Map<string, UserFields | undefined> {
  return new Map(users);
}

function fieldsOf(employeeID: string, overrides: Partial<UserFields> = {}): UserFields {
  const { serial: _serial, ...fields } = applied(employeeID);
  return { ...fields, ...overrides };
}

describe("detectDrift", () => {
  it("finds no drift when RuangKerja holds what state remembers (tags compared as a set)", () => {
    const state = stateOf(applied("E1", { tagSerials: ["A", "B"] }), applied("E2"));
    const result = detectDrift(state, live(["E1", fieldsOf("E1", { tagSerials: ["B", "A"] })], ["E2", fieldsOf("E2")]));
    expect(result.drift).toEqual({ users: [], checked: 2 });
    expect(result.users).toEqual(state);
  });

  it("reports changed fields state → RuangKerja, and the refreshed entry takes the live fields but keeps state's serial", () => {
    const state = stateOf(applied("E1", { phone: "62811", username: "budi" }));
    const result = detectDrift(state, live(["E1", fieldsOf("E1", { phone: "62822", tagSerials: ["T"] })]));
    expect(result.drift.users).toEqual([
      {
        kind: "changed",
        employeeID: "E1",
        name: "Name E1",
        changes: [
          { field: "username", before: "budi", after: null },
          { field: "phone", before: "62811", after: "62822" },
          { field: "tagSerials", before: null, after: ["T"] },
        ],
      },
    ]);
    expect(result.users.get("E1")).toEqual({ ...fieldsOf("E1", { phone: "62822", tagSerials: ["T"] }), serial: "SERIALE1" });
  });

  it("calls a user made inactive outside git deactivated", () => {
    const result = detectDrift(stateOf(applied("E1")), live(["E1", fieldsOf("E1", { isActive: false })]));
    expect(result.drift.users[0]).toMatchObject({ kind: "deactivated", changes: [{ field: "isActive", before: true, after: false }] });
    expect(result.users.get("E1")?.isActive).toBe(false);
  });

  it("calls a reactivated user changed, not deactivated", () => {
    const result = detectDrift(stateOf(applied("E1", { isActive: false })), live(["E1", fieldsOf("E1")]));
    expect(result.drift.users[0]?.kind).toBe("changed");
  });

  it("drops a user RuangKerja does not know from the refreshed state, reported missing", () => {
    const result = detectDrift(stateOf(applied("E1"), applied("E2")), live(["E1", fieldsOf("E1")], ["E2", undefined]));
    expect(result.drift.users).toEqual([{ kind: "missing", employeeID: "E2", name: "Name E2", changes: [] }]);
    expect([...result.users.keys()]).toEqual(["E1"]);
  });

  it("keeps a user that was not read as it is, and does not count it as checked", () => {
    const result = detectDrift(stateOf(applied("E1"), applied("E2")), live(["E1", fieldsOf("E1", { name: "X" })]));
    expect(result.drift.checked).toBe(1);
    expect(result.users.get("E2")).toEqual(applied("E2"));
  });

  it("sorts the report by employeeID", () => {
    const state = stateOf(applied("E3"), applied("E1"), applied("E2"));
    const result = detectDrift(state, live(["E3", undefined], ["E1", undefined], ["E2", fieldsOf("E2")]));
    expect(result.drift.users.map((u) => u.employeeID)).toEqual(["E1", "E3"]);
  });
});

describe("drift views", () => {
  const { drift } = detectDrift(
    stateOf(applied("E1", { phone: "62811" }), applied("E2"), applied("E3")),
    live(["E1", fieldsOf("E1", { phone: "62822" })], ["E2", fieldsOf("E2", { isActive: false })], ["E3", undefined]),
  );

  it("JSON: counts per kind and changes per user", () => {
    expect(driftToJson(drift)).toEqual({
      checked: 3,
      summary: { changed: 1, deactivated: 1, missing: 1 },
      users: [
        { employeeID: "E1", kind: "changed", name: "Name E1", changes: [{ field: "phone", before: "62811", after: "62822" }] },
        { employeeID: "E2", kind: "deactivated", name: "Name E2", changes: [{ field: "isActive", before: true, after: false }] },
        { employeeID: "E3", kind: "missing", name: "Name E3", changes: [] },
      ],
    });
  });

  it("text: one block per user with its mark, and a summary line", () => {
    const text = renderDriftText(drift, { color: false });
    expect(text).toContain('  ~ E1 "Name E1" changed in RuangKerja\n      phone  "62811" → "62822"');
    expect(text).toContain('  - E2 "Name E2" deactivated in RuangKerja\n      isActive  true → false');
    expect(text).toContain('  ! E3 "Name E3" missing from RuangKerja');
    expect(text).toContain("Drift: 1 changed, 1 deactivated, 1 missing (of 3 users in state).");
  });

  it("text without drift says so", () => {
    expect(renderDriftText({ users: [], checked: 1 }, { color: false })).toBe("No drift: the 1 user in state matches RuangKerja.");
  });
});
