/** The apply schedule is pure: plain plan actions in, phases and requests out. */
import { describe, expect, it } from "vitest";
import type { FieldChange, Plan, PlannedAction } from "../../../src/plan/plan-types.js";
import {
  adoptStep,
  appliedUser,
  isHeldByAnother,
  nextStep,
  type Phase,
  type Step,
  scheduleApply,
  tasksFor,
} from "../../../src/apply/schedule.js";

const before = { employeeID: "X", name: "Old", email: "old@example.co.id", isActive: true, serial: "S0" };

function action(
  kind: PlannedAction["action"],
  employeeID: string,
  changes: FieldChange[],
  extra: Partial<PlannedAction> = {},
): PlannedAction {
  return {
    action: kind,
    employeeID,
    changes,
    after: { employeeID, name: "New", email: "new@example.co.id", isActive: true },
    ...(kind === "create" ? {} : { before: { ...before, employeeID: extra.previousEmployeeID ?? employeeID } }),
    ...extra,
  };
}

const name: FieldChange = { field: "name", before: "Old", after: "New" };
const email: FieldChange = { field: "email", before: "old@example.co.id", after: "new@example.co.id" };
const organization: FieldChange = { field: "organizationSerial", before: "ORG1", after: "ORG2" };

function planOf(...actions: PlannedAction[]): Plan {
  return { formatVersion: 1, summary: { create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 0 }, actions, warnings: [] };
}

/** Each phase as [stage, [employeeID, what is sent of the e-mail]…]. */
function shape(phases: Phase[]) {
  return phases.map((p) => [p.stage, p.retriesHeld, p.steps.map((s) => [s.action.employeeID, s.sent.after.email])]);
}

describe("scheduleApply", () => {
  it("puts records first, e-mail-only changes next, creates last, and leaves relocations and adoptions to what the run hands on", () => {
    const create = action("create", "C1", []);
    const update = action("update", "U1", [name]);
    const emailOnly = action("update", "M1", [email]);
    const deactivate = action("deactivate", "D1", [{ field: "isActive", before: true, after: false }]);
    expect(shape(scheduleApply(planOf(create, update, emailOnly, deactivate)))).toEqual([
      [
        "record",
        true,
        [
          ["U1", "new@example.co.id"],
          ["D1", "new@example.co.id"],
        ],
      ],
      ["relocate", true, []],
      ["email", true, [["M1", "new@example.co.id"]]],
      ["create", false, [["C1", "new@example.co.id"]]],
      ["adopt", false, []],
    ]);
  });

  it("splits an action that changes the record and the e-mail: the record keeps the old address, the e-mail follows once it lands", () => {
    const both = action("rename", "R2", [{ field: "employeeID", before: "R1", after: "R2" }, name, email], { previousEmployeeID: "R1" });
    const [records] = scheduleApply(planOf(both));
    const step = records?.steps[0] as Step;
    expect(step.action).toBe(both);
    expect(step.sent).toMatchObject({ previousEmployeeID: "R1", after: { employeeID: "R2", email: "old@example.co.id" } });
    expect(step.sent.changes.map((c) => c.field)).toEqual(["employeeID", "name"]);
    expect(nextStep(step)).toEqual({ stage: "email", action: both, sent: both });
    expect(nextStep({ stage: "email", action: both, sent: both })).toBeUndefined();
    expect(nextStep({ stage: "record", action: action("update", "U1", [name]), sent: action("update", "U1", [name]) })).toBeUndefined();
  });
});

describe("tasksFor", () => {
  const steps = (stage: Step["stage"], actions: PlannedAction[]): Step[] => actions.map((a) => ({ stage, action: a, sent: a }));
  const ids = (tasks: ReturnType<typeof tasksFor>) => tasks.map((t) => [t.kind, t.steps.map((s) => s.action.employeeID)]);

  it("chunks records by the chunk size and sends organizationSerial changes through PUT, one by one, after them", () => {
    const actions = [
      action("update", "A", [name]),
      action("update", "O1", [organization]),
      action("update", "B", [name]),
      action("update", "C", [name]),
      action("update", "O2", [name, organization]),
    ];
    expect(ids(tasksFor("record", steps("record", actions), 2))).toEqual([
      ["update-bulk", ["A", "B"]],
      ["update-bulk", ["C"]],
      ["update", ["O1"]],
      ["update", ["O2"]],
    ]);
  });

  it("sends adoptions as records are sent, e-mails through update-email-bulk and creates through create-bulk", () => {
    const creates = [action("create", "C1", [organization]), action("create", "C2", []), action("create", "C3", [])];
    expect(ids(tasksFor("create", steps("create", creates), 2))).toEqual([
      ["create-bulk", ["C1", "C2"]],
      ["create-bulk", ["C3"]],
    ]);
    expect(ids(tasksFor("adopt", steps("adopt", creates), 5))).toEqual([
      ["update-bulk", ["C2", "C3"]],
      ["update", ["C1"]],
    ]);
    const emails = [action("update", "M1", [email]), action("update", "M2", [email]), action("update", "M3", [email])];
    expect(ids(tasksFor("email", steps("email", emails), 2))).toEqual([
      ["update-email-bulk", ["M1", "M2"]],
      ["update-email-bulk", ["M3"]],
    ]);
    expect(tasksFor("create", [], 100)).toEqual([]);
  });
});

describe("step helpers", () => {
  it("adopts a create as an update of the same action, and keeps it in state without the declared e-mail", () => {
    const create = action("create", "C1", []);
    const adopt = adoptStep({ stage: "create", action: create, sent: create });
    expect(adopt).toEqual({ stage: "adopt", action: create, sent: create });
    expect(appliedUser(adopt, "S1")).toEqual({ employeeID: "C1", name: "New", isActive: true, serial: "S1" });
    expect(appliedUser({ stage: "create", action: create, sent: create }, "S1")).toEqual({ ...create.after, serial: "S1" });
  });

  it("retries only the values another user may be giving up", () => {
    expect(isHeldByAnother({ errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "" })).toBe(true);
    expect(isHeldByAnother({ errorCode: 10102, message: "USER_EMAIL_EXISTS", detail: "" })).toBe(true);
    expect(isHeldByAnother({ errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "" })).toBe(false);
  });
});
