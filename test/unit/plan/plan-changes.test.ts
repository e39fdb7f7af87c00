import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { planToJson } from "../../../src/plan/render-json.js";
import { renderPlanText, summaryLine } from "../../../src/plan/render-text.js";
import { applied, desired, stateOf } from "../../builders.js";
import { USER_FIELDS } from "../../../src/model.js";

describe("planChanges", () => {
  it("creates a declared user that state does not know, with every set field", () => {
    const plan = planChanges([desired("E1", { phone: "628111", tagSerials: ["T1"] })], new Map());
    expect(plan.summary).toEqual({ create: 1, update: 0, rename: 0, deactivate: 0, unchanged: 0 });
    const [action] = plan.actions;
    expect(action?.action).toBe("create");
    expect(action?.source).toEqual({ file: "users/team.yaml", line: 3, column: 5 });
    expect(action?.changes.map((c) => c.field)).toEqual(["employeeID", "name", "email", "phone", "isActive", "tagSerials"]);
    expect(action?.changes.every((c) => c.before === null)).toBe(true);
  });

  it("records only the managed fields in after, for a create, an update and a rename with no other change", () => {
    const passwordEnv = { name: "RUANGKERJA_PASSWORD_E1", source: { file: "users/team.yaml", line: 4, column: 5 } };
    const fields = { employeeID: "E1", name: "Name E1", email: "e1@example.co.id", isActive: true, tagSerials: ["A", "B"] };
    const created = planChanges([desired("E1", { tagSerials: ["A", "B"], passwordEnv })], new Map());
    expect(created.actions[0]?.after).toStrictEqual(fields);
    expect(created.actions[0]?.passwordEnv).toBe(passwordEnv);
    const updated = planChanges([desired("E1", { tagSerials: ["A", "B"] })], stateOf(applied("E1", { tagSerials: ["A"] })));
    expect(updated.actions[0]?.after).toStrictEqual(fields);
    const renamed = planChanges(
      [desired("E2", { previousEmployeeIDs: ["E1"], name: "Name E1", email: "e1@example.co.id" })],
      stateOf(applied("E1")),
    );
    expect(renamed.actions[0]?.changes).toEqual([{ field: "employeeID", before: "E1", after: "E2" }]);
    expect(renamed.actions[0]?.after).toStrictEqual({ employeeID: "E2", name: "Name E1", email: "e1@example.co.id", isActive: true });
  });

  it("records after in USER_FIELDS order, the order state and saved plans write", () => {
    const every = { username: "e1", phone: "628111", isActive: false, tagSerials: ["T1"], organizationSerial: "ORG1" };
    const created = planChanges([desired("E1", every)], new Map());
    expect(Object.keys(created.actions[0]?.after ?? {})).toEqual([...USER_FIELDS]);
    const fewer = planChanges([desired("E1", { username: "e1", organizationSerial: "ORG1" })], new Map());
    expect(Object.keys(fewer.actions[0]?.after ?? {})).toEqual(USER_FIELDS.filter((f) => f !== "phone" && f !== "tagSerials"));
  });

  it("gives each create the values of its own fields, whichever values the creates before it had", () => {
    const users = [
      desired("E1", { tagSerials: ["A"], organizationSerial: "O1", isActive: true }),
      desired("E2", { tagSerials: ["A"], organizationSerial: "O1", isActive: true }),
      desired("E3", { tagSerials: ["B"], organizationSerial: "O2", isActive: false }),
      desired("E4", { tagSerials: ["A", "B"], organizationSerial: "O1" }),
      desired("E5", { tagSerials: ["A", "C"] }),
    ];
    const plan = planChanges(users, new Map());
    for (const action of plan.actions) {
      const expected = Object.entries(action.after).map(([field, after]) => ({ field, before: null, after }));
      expect(action.changes, action.employeeID).toEqual(expected);
      expect(action.changes).toHaveLength(expected.length);
    }
  });

  it("reports an unchanged user as unchanged, with no action", () => {
    const plan = planChanges([desired("E1")], stateOf(applied("E1")));
    expect(plan.actions).toEqual([]);
    expect(plan.summary.unchanged).toBe(1);
  });

  it("updates field by field, with before and after", () => {
    const plan = planChanges([desired("E1", { name: "New", phone: "62822" })], stateOf(applied("E1", { phone: "62811" })));
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]?.action).toBe("update");
    expect(plan.actions[0]?.changes).toEqual([
      { field: "name", before: "Name E1", after: "New" },
      { field: "phone", before: "62811", after: "62822" },
    ]);
  });

  it("compares tagSerials as a set: order and repeats are no change", () => {
    const plan = planChanges([desired("E1", { tagSerials: ["B", "A"] })], stateOf(applied("E1", { tagSerials: ["A", "B", "A"] })));
    expect(plan.actions).toEqual([]);
  });

  it("shows a removed optional field as a change to null", () => {
    const plan = planChanges([desired("E1")], stateOf(applied("E1", { username: "budi", tagSerials: ["T"] })));
    expect(plan.actions[0]?.changes).toEqual([
      { field: "username", before: "budi", after: null },
      { field: "tagSerials", before: ["T"], after: null },
    ]);
  });

  it("renames a user whose previousEmployeeIDs names an id in state", () => {
    const plan = planChanges(
      [desired("E2", { previousEmployeeIDs: ["E0", "E1"], name: "Renamed", email: "e1@example.co.id" })],
      stateOf(applied("E1")),
    );
    expect(plan.summary).toMatchObject({ rename: 1, create: 0, deactivate: 0 });
    const [action] = plan.actions;
    expect(action?.action).toBe("rename");
    expect(action?.previousEmployeeID).toBe("E1");
    expect(action?.employeeID).toBe("E2");
    expect(action?.changes).toEqual([
      { field: "employeeID", before: "E1", after: "E2" },
      { field: "name", before: "Name E1", after: "Renamed" },
    ]);
    expect(action?.before?.serial).toBe("SERIALE1");
  });

  it("deactivates an active user that is no longer declared, and leaves an inactive one alone", () => {
    const plan = planChanges([], stateOf(applied("GONE"), applied("OLD", { isActive: false })));
    expect(plan.actions.map((a) => [a.action, a.employeeID])).toEqual([["deactivate", "GONE"]]);
    expect(plan.actions[0]?.changes).toEqual([{ field: "isActive", before: true, after: false }]);
    expect(plan.actions[0]?.after.isActive).toBe(false);
    expect(plan.actions[0]?.after.name).toBe("Name GONE");
    expect(plan.summary.unchanged).toBe(1);
  });

  it("reactivates a declared user that state has as inactive", () => {
    const plan = planChanges([desired("E1")], stateOf(applied("E1", { isActive: false })));
    expect(plan.actions[0]?.action).toBe("update");
    expect(plan.actions[0]?.changes).toEqual([{ field: "isActive", before: false, after: true }]);
  });

  it("plans an e-mail change as a change of the update, marked and warned as resetting the password", () => {
    const plan = planChanges([desired("E1", { email: "new@example.co.id", name: "X" })], stateOf(applied("E1")));
    expect(plan.actions[0]?.action).toBe("update");
    expect(plan.actions[0]?.changes).toEqual([
      { field: "name", before: "Name E1", after: "X" },
      { field: "email", before: "e1@example.co.id", after: "new@example.co.id" },
    ]);
    expect(plan.actions[0]?.after.email).toBe("new@example.co.id");
    expect(plan.actions[0]?.resetsPassword).toBe(true);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]?.location).toEqual({ file: "users/team.yaml", line: 3, column: 5 });
    expect(plan.warnings[0]?.field).toBe("email");
    expect(plan.warnings[0]?.summary).toBe(
      'the e-mail of E1 changes from "e1@example.co.id" to "new@example.co.id": RuangKerja resets this user\'s password',
    );
  });

  it("an e-mail change alone is an update with that one change", () => {
    const plan = planChanges([desired("E1", { email: "new@example.co.id" })], stateOf(applied("E1")));
    expect(plan.actions.map((a) => [a.action, a.changes.map((c) => c.field)])).toEqual([["update", ["email"]]]);
    expect(plan.summary).toMatchObject({ update: 1, unchanged: 0 });
  });

  it("an e-mail added where there was none is a change too; a user without an e-mail change is not marked", () => {
    const plan = planChanges(
      [desired("E1", { email: "e1@example.co.id", phone: "62811" }), desired("E2", { name: "Y" })],
      stateOf(applied("E1", { email: undefined, phone: "62811" }), applied("E2")),
    );
    expect(plan.actions.find((a) => a.employeeID === "E1")?.changes).toEqual([{ field: "email", before: null, after: "e1@example.co.id" }]);
    expect(plan.actions.find((a) => a.employeeID === "E2")?.resetsPassword).toBeUndefined();
    expect(plan.warnings.map((w) => w.field)).toEqual(["email"]);
  });

  it("a removed e-mail cannot be carried out: a warning, no change, and state keeps the old address", () => {
    const plan = planChanges([desired("E1", { email: undefined, phone: "62811" })], stateOf(applied("E1", { phone: "62811" })));
    expect(plan.actions).toEqual([]);
    expect(plan.summary.unchanged).toBe(1);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]?.summary).toContain("which apply cannot carry out");
    expect(plan.warnings[0]?.detail).toContain("not remove it");
  });

  it("a rename that also changes the e-mail carries both, marked", () => {
    const plan = planChanges([desired("E2", { previousEmployeeIDs: ["E1"], email: "two@example.co.id" })], stateOf(applied("E1")));
    expect(plan.actions[0]).toMatchObject({ action: "rename", previousEmployeeID: "E1", resetsPassword: true });
    expect(plan.actions[0]?.changes.map((c) => c.field)).toEqual(["employeeID", "name", "email"]);
  });

  it("warns when a previous id and the current id are both in state, and deactivates the previous one", () => {
    const plan = planChanges([desired("E2", { previousEmployeeIDs: ["E1"] })], stateOf(applied("E1"), applied("E2")));
    expect(plan.actions.map((a) => [a.action, a.employeeID])).toEqual([["deactivate", "E1"]]);
    expect(plan.warnings[0]?.summary).toContain("both are in state");
  });

  it("warns when two previous ids are in state: the first is renamed, the other deactivated", () => {
    const plan = planChanges([desired("E3", { previousEmployeeIDs: ["E1", "E2"] })], stateOf(applied("E1"), applied("E2")));
    expect(plan.actions.map((a) => [a.action, a.employeeID])).toEqual([
      ["rename", "E3"],
      ["deactivate", "E2"],
    ]);
    expect(plan.warnings[0]?.summary).toContain("E1 (listed too) is the one renamed");
  });

  it("warns when a create takes the e-mail of a user the plan deactivates: a rename without previousEmployeeIDs", () => {
    const plan = planChanges([desired("NEW9", { email: "E1@example.co.id" })], stateOf(applied("E1")));
    expect(plan.actions.map((a) => a.action)).toEqual(["create", "deactivate"]);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]?.summary).toBe("NEW9 is created with the e-mail or username of E1, which this plan deactivates");
    expect(plan.warnings[0]?.detail).toContain("previousEmployeeIDs: [E1]");
    expect(plan.warnings[0]?.location).toEqual({ file: "users/team.yaml", line: 3, column: 5 });
  });

  it("sorts actions by kind, then employeeID, and counts every kind", () => {
    const plan = planChanges(
      [desired("B"), desired("A"), desired("U", { name: "changed" }), desired("R2", { previousEmployeeIDs: ["R1"] })],
      stateOf(applied("U"), applied("R1"), applied("D")),
    );
    expect(plan.actions.map((a) => `${a.action}:${a.employeeID}`)).toEqual([
      "create:A",
      "create:B",
      "update:U",
      "rename:R2",
      "deactivate:D",
    ]);
    expect(plan.summary).toEqual({ create: 2, update: 1, rename: 1, deactivate: 1, unchanged: 0 });
  });

  it("does no I/O and gives the same plan for the same input", () => {
    const input = [desired("A"), desired("B", { phone: "62" })];
    const state = stateOf(applied("B"), applied("C"));
    expect(planChanges(input, state)).toEqual(planChanges(input, state));
  });
});

describe("plan renderers", () => {
  const plan = planChanges(
    [desired("NEW1", { phone: "62811" }), desired("U1", { name: "Changed" }), desired("R2", { previousEmployeeIDs: ["R1"] })],
    stateOf(applied("U1"), applied("R1"), applied("GONE")),
  );

  it("renders text in the Terraform style with a summary line and no colour codes when asked", () => {
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain("+ create NEW1");
    expect(text).toContain("~ update U1");
    expect(text).toContain("→ rename R1 → R2");
    expect(text).toContain("- deactivate GONE");
    expect(text).toContain('name  "Name U1" → "Changed"');
    expect(text).toContain("(users/team.yaml:3)");
    expect(text.trimEnd().split("\n").at(-1)).toBe("Plan: 1 to create, 1 to update, 1 to rename, 1 to deactivate.");
    // eslint-disable-next-line no-control-regex -- looking for ANSI escapes
    expect(text).not.toMatch(/\u001b\[/);
  });

  it("colours text only when asked", () => {
    // eslint-disable-next-line no-control-regex -- looking for ANSI escapes
    expect(renderPlanText(plan, { color: true })).toMatch(/\u001b\[/);
  });

  it("says so when nothing changes", () => {
    expect(summaryLine(planChanges([desired("A")], stateOf(applied("A"))))).toMatch(/^No changes\./);
  });

  it("gives the stable JSON form", () => {
    const json = planToJson(plan);
    expect(Object.keys(json)).toEqual(["formatVersion", "summary", "actions", "warnings"]);
    expect(json.formatVersion).toBe(1);
    expect(json.summary).toEqual({ create: 1, update: 1, rename: 1, deactivate: 1, unchanged: 0 });
    expect(json.actions[0]).toEqual({
      action: "create",
      employeeID: "NEW1",
      source: { file: "users/team.yaml", line: 3 },
      changes: [
        { field: "employeeID", before: null, after: "NEW1" },
        { field: "name", before: null, after: "Name NEW1" },
        { field: "email", before: null, after: "new1@example.co.id" },
        { field: "phone", before: null, after: "62811" },
        { field: "isActive", before: null, after: true },
      ],
    });
    expect(json.actions.find((a) => a.action === "rename")).toMatchObject({ employeeID: "R2", previousEmployeeID: "R1" });
    expect(json.actions.find((a) => a.action === "deactivate")?.source).toBeNull();
  });
});
