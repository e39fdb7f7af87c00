/** The run's tallies, from plain steps and errors: no client, no state. */
import { describe, expect, it } from "vitest";
import { ApplyRun, NOT_ATTEMPTED } from "../../../src/apply/apply-run.js";
import type { Step } from "../../../src/apply/schedule.js";
import type { ApiReplyError } from "../../../src/errors.js";
import type { Plan, PlannedAction } from "../../../src/plan/plan-types.js";

function action(kind: PlannedAction["action"], employeeID: string, fields: string[] = ["name"]): PlannedAction {
  return {
    action: kind,
    employeeID,
    changes: fields.map((field) => ({ field, before: null, after: "x" }) as PlannedAction["changes"][number]),
    after: { employeeID, name: "N", email: `${employeeID}@example.co.id`, isActive: true },
  };
}

function planOf(...actions: PlannedAction[]): Plan {
  return { formatVersion: 1, summary: { create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 0 }, actions, warnings: [] };
}

const step = (stage: Step["stage"], a: PlannedAction): Step => ({ stage, action: a, sent: a });
const user = (a: PlannedAction) => ({ ...a.after, serial: "S" });
const HELD: ApiReplyError = { errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "taken" };
const ID_TAKEN: ApiReplyError = { errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "taken" };

describe("ApplyRun", () => {
  it("settles an action that changes its e-mail only when the e-mail lands, and counts progress in the plan's actions", () => {
    const both = action("update", "E1", ["name", "email"]);
    const plain = action("update", "U1");
    const run = new ApplyRun(planOf(both, plain), { counts: {} });
    run.landed(step("record", both), user(both));
    run.landed(step("record", plain), user(plain));
    expect(run.progress()).toEqual({ done: 1, total: 2, failed: 0 });
    expect(run.takeHandedOn("email")).toEqual([step("email", both)]);
    expect(run.takeHandedOn("email")).toEqual([]);
    run.landed(step("email", both), user(both));
    expect(run.progress()).toEqual({ done: 2, total: 2, failed: 0 });
    expect(run.result()).toMatchObject({ succeeded: 2, failed: 0, failures: [] });
    expect(run.succeededOf("update")).toBe(2);
  });

  it("holds a value another user held for one more try, and reports it with the API's error once the run is stopping", () => {
    const a = action("update", "A");
    const b = action("update", "B");
    const run = new ApplyRun(planOf(a, b), { counts: {} });
    run.failed(step("record", a), HELD);
    expect(run.failures).toHaveLength(1);

    run.holdRetries();
    run.failed(step("record", b), HELD);
    expect(run.progress()).toEqual({ done: 1, total: 2, failed: 1 });
    expect(run.retryHeld()).toEqual([step("record", b)]);
    // Not held any more: the second refusal is reported.
    run.failed(step("record", b), HELD);
    expect(run.failures.map((f) => f.employeeID)).toEqual(["A", "B"]);

    const stopped = new ApplyRun(planOf(a), { counts: {} });
    stopped.holdRetries();
    stopped.failed(step("record", a), HELD);
    stopped.stop("token rejected");
    expect(stopped.retryHeld()).toEqual([]);
    expect(stopped.result()).toMatchObject({ stoppedBecause: "token rejected", failures: [{ employeeID: "A", errorCode: 10103 }] });
  });

  it("hands a create whose id is taken on to adoption with --adopt, and otherwise reports it with the hint", () => {
    const c = action("create", "C1");
    const adopting = new ApplyRun(planOf(c), { counts: {}, adopt: true });
    adopting.failed(step("create", c), ID_TAKEN);
    expect(adopting.progress().done).toBe(0);
    const [adopt] = adopting.takeHandedOn("adopt");
    expect(adopt).toEqual(step("adopt", c));
    // An adoption refused for the id again is a failure, not another adoption.
    adopting.failed(adopt as Step, ID_TAKEN);
    expect(adopting.takeHandedOn("adopt")).toEqual([]);
    expect(adopting.failures).toMatchObject([{ employeeID: "C1", detail: "taken" }]);

    const plain = new ApplyRun(planOf(c), { counts: {} });
    plain.failed(step("create", c), ID_TAKEN);
    expect(plain.failures[0]?.detail).toMatch(/^taken: .*--adopt/);
  });

  it("keeps adopted users for the e-mail read-back, and counts confirmations and splits", () => {
    const c = action("create", "C1");
    const r = action("rename", "R2");
    const run = new ApplyRun(planOf(c, r), { counts: {} });
    run.landed(step("adopt", c), user(c));
    run.confirmed(step("record", r), user(r));
    run.split();
    expect(run.adopted).toEqual([user(c)]);
    expect(run.result()).toMatchObject({ succeeded: 2, confirmedByReadBack: 1, batchesSplit: 1 });
  });

  it("reports every action not settled as not attempted, once, and says an aborted run was interrupted", () => {
    const a = action("update", "A");
    const b = action("create", "B");
    const c = action("create", "C");
    const controller = new AbortController();
    const run = new ApplyRun(planOf(a, b, c), { counts: {}, signal: controller.signal });
    expect(run.stopping).toBe(false);
    controller.abort();
    expect(run.stopping).toBe(true);
    run.notSent([step("adopt", c)], "the run stopped before this existing user was adopted");
    const result = run.result();
    expect(result.stoppedBecause).toBe("interrupted");
    expect(result.failures.map((f) => [f.employeeID, f.errorCode, f.detail])).toEqual([
      ["C", NOT_ATTEMPTED, "the run stopped before this existing user was adopted"],
      ["A", NOT_ATTEMPTED, "the run stopped before this user was sent"],
      ["B", NOT_ATTEMPTED, "the run stopped before this user was sent"],
    ]);
    expect(run.result().failures).toHaveLength(3);
    expect(run.progress()).toEqual({ done: 3, total: 3, failed: 3 });
  });

  it("counts the requests sent since it started, and keeps the first stop reason", () => {
    const counts = { "create-bulk": 2, "update-bulk": 1, update: 0 };
    const run = new ApplyRun(planOf(), { counts });
    counts["create-bulk"] += 3;
    counts.update += 1;
    run.stateWriteFailed(new Error("disk full"));
    run.stop("later");
    expect(run.result()).toEqual({
      succeeded: 0,
      failed: 0,
      failures: [],
      requests: { "create-bulk": 3, "update-bulk": 0, update: 1 },
      stoppedBecause:
        "the state could not be written (disk full); users applied since it was last written may be missing from it (the next apply meets them as already existing and reads them back)",
      stateNotWritten: true,
    });
  });
});
