/** Apply's e-mail step (update-email-bulk after the record) and `--adopt`, against a fake API with state in memory. */
import { describe, expect, it } from "vitest";
import type { RequestKind, SingleResult } from "../../../src/api/client.js";
import type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateEmailItem, UpdateUserBody, UserView } from "../../../src/api/types.js";
import type { ApplyClient } from "../../../src/apply/apply-client.js";
import { applyPlan } from "../../../src/apply/apply-plan.js";
import type { AppliedUser } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, desired, MemoryStateStore as MemoryStore, stateOf } from "../../builders.js";

type Failure = { errorCode: number; message: string; detail: string };

/** A fake API: answers every item with success unless `failures` names its employeeID for that kind of call. */
class FakeApi implements ApplyClient {
  counts: Partial<Record<RequestKind, number>> = {};
  calls: { kind: RequestKind; body: unknown }[] = [];
  /** Per call kind, employeeID → failures to answer, one per call (then success). */
  failures: Partial<Record<RequestKind, Map<string, Failure[]>>> = {};
  liveEmails = new Map<string, string>();

  private answer<T extends { employeeID: string }>(kind: RequestKind, items: T[]): BulkResult<T> {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    this.calls.push({ kind, body: items });
    const result: BulkResult<T> = { successItems: [], failedItems: [] };
    for (const payload of items) {
      const error = this.failures[kind]?.get(payload.employeeID)?.shift();
      if (error) result.failedItems.push({ payload, error });
      else result.successItems.push({ payload, response: { serial: `S-${payload.employeeID}` } });
    }
    return result;
  }
  async createBulk(items: CreateUserBody[]) {
    return this.answer("create-bulk", items);
  }
  async updateBulk(items: UpdateBulkItem[]) {
    return this.answer("update-bulk", items);
  }
  async updateEmailBulk(items: UpdateEmailItem[]) {
    return this.answer("update-email-bulk", items);
  }
  async updateUser(employeeID: string, body: UpdateUserBody): Promise<SingleResult> {
    this.answer("update", [{ ...body, employeeID }]);
    return { ok: true, serial: `S-${employeeID}` };
  }
  async getUser(employeeID: string): Promise<UserView | undefined> {
    this.counts.get = (this.counts.get ?? 0) + 1;
    const email = this.liveEmails.get(employeeID);
    return { employeeID, name: "live", username: null, email: email ?? null, phone: null, isActive: true };
  }
  fail(kind: RequestKind, employeeID: string, error: Failure, times = 1) {
    const byId = (this.failures[kind] ??= new Map());
    byId.set(
      employeeID,
      Array.from({ length: times }, () => error),
    );
  }
}

const EMAIL_TAKEN = { errorCode: 10102, message: "USER_EMAIL_EXISTS", detail: "user email already been taken" };
const ID_TAKEN = { errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" };

function sessionOf(store: MemoryStore, ...users: AppliedUser[]) {
  return new StateSession(store, { ...newStateDocument(), users: stateOf(...users) });
}

describe("e-mail changes in apply", () => {
  it("sends an e-mail-only change through update-email-bulk alone, and keeps the new address in state", async () => {
    const plan = planChanges([desired("E1", { email: "new@example.co.id" })], stateOf(applied("E1")));
    const api = new FakeApi();
    const store = new MemoryStore();
    const result = await applyPlan(plan, api, sessionOf(store, applied("E1")));
    expect(result).toMatchObject({ succeeded: 1, failed: 0, requests: { "update-bulk": 0, "update-email-bulk": 1 } });
    expect(api.calls).toEqual([{ kind: "update-email-bulk", body: [{ employeeID: "E1", email: "new@example.co.id" }] }]);
    expect(store.writes.at(-1)?.users.get("E1")).toMatchObject({ email: "new@example.co.id", serial: "S-E1" });
  });

  it("sends the rest of an update first, then the e-mail under the new id of a rename; chunks the e-mails", async () => {
    const plan = planChanges(
      [
        desired("E1", { name: "Changed", email: "one@example.co.id" }),
        desired("R2", { previousEmployeeIDs: ["R1"], email: "two@example.co.id" }),
        desired("E3", { email: "three@example.co.id" }),
      ],
      stateOf(applied("E1"), applied("R1"), applied("E3")),
    );
    const api = new FakeApi();
    const store = new MemoryStore();
    const progress: number[] = [];
    const result = await applyPlan(plan, api, sessionOf(store, applied("E1"), applied("R1"), applied("E3")), {
      chunkSize: 2,
      parallelism: 1,
      onProgress: (done) => progress.push(done),
    });
    expect(result).toMatchObject({ succeeded: 3, failed: 0 });
    expect(api.calls.map((c) => c.kind)).toEqual(["update-bulk", "update-email-bulk", "update-email-bulk"]);
    const first = api.calls[0]?.body as UpdateBulkItem[];
    expect(first.map((i) => i.employeeID)).toEqual(["E1", "R1"]);
    expect(first[0]).not.toHaveProperty("email");
    const emails = [...(api.calls[1]?.body as UpdateEmailItem[]), ...(api.calls[2]?.body as UpdateEmailItem[])];
    expect(emails).toEqual([
      { employeeID: "E3", email: "three@example.co.id" },
      { employeeID: "E1", email: "one@example.co.id" },
      { employeeID: "R2", email: "two@example.co.id" },
    ]);
    const final = store.writes.at(-1)?.users;
    expect(final?.has("R1")).toBe(false);
    expect(final?.get("R2")).toMatchObject({ email: "two@example.co.id" });
    expect(final?.get("E1")).toMatchObject({ name: "Changed", email: "one@example.co.id" });
    expect(progress.at(-1)).toBe(3);
    expect(Math.max(...progress)).toBe(3);
  });

  it("reports USER_EMAIL_EXISTS for that user, keeping its other changes with the old address in state", async () => {
    const plan = planChanges(
      [desired("E1", { name: "Changed", email: "taken@example.co.id" }), desired("E2", { email: "free@example.co.id" })],
      stateOf(applied("E1"), applied("E2")),
    );
    const api = new FakeApi();
    api.fail("update-email-bulk", "E1", EMAIL_TAKEN, 2);
    const store = new MemoryStore();
    const result = await applyPlan(plan, api, sessionOf(store, applied("E1"), applied("E2")));
    expect(result.succeeded).toBe(1);
    expect(result.failures).toEqual([
      expect.objectContaining({ action: "update", employeeID: "E1", errorCode: 10102, message: "USER_EMAIL_EXISTS" }),
    ]);
    // Tried once more after the others (another user may have been giving the address up), then reported.
    expect(api.calls.filter((c) => c.kind === "update-email-bulk")).toHaveLength(2);
    const final = store.writes.at(-1)?.users;
    expect(final?.get("E1")).toMatchObject({ name: "Changed", email: "e1@example.co.id" });
    expect(final?.get("E2")?.email).toBe("free@example.co.id");
  });

  it("moves an address from one user to another in one plan: the refused one succeeds on the retry", async () => {
    const plan = planChanges(
      [desired("A", { email: "b@example.co.id" }), desired("B", { email: "b.new@example.co.id" })],
      stateOf(applied("A"), applied("B", { email: "b@example.co.id" })),
    );
    const api = new FakeApi();
    api.fail("update-email-bulk", "A", EMAIL_TAKEN, 1);
    const store = new MemoryStore();
    const result = await applyPlan(plan, api, sessionOf(store, applied("A"), applied("B", { email: "b@example.co.id" })));
    expect(result).toMatchObject({ succeeded: 2, failed: 0 });
    expect(store.writes.at(-1)?.users.get("A")?.email).toBe("b@example.co.id");
  });

  it("sends no e-mail for a user whose other changes failed", async () => {
    const plan = planChanges([desired("E1", { name: "Changed", email: "new@example.co.id" })], stateOf(applied("E1")));
    const api = new FakeApi();
    api.fail("update-bulk", "E1", { errorCode: 40001, message: "VALIDATION_ERROR", detail: "name: bad" });
    const result = await applyPlan(plan, api, sessionOf(new MemoryStore(), applied("E1")));
    expect(result.failures.map((f) => f.message)).toEqual(["VALIDATION_ERROR"]);
    expect(api.calls.map((c) => c.kind)).toEqual(["update-bulk"]);
  });
});

describe("apply --adopt", () => {
  it("without it, a create that meets USER_EMPLOYEE_ID_EXISTS fails and suggests --adopt or import", async () => {
    const api = new FakeApi();
    api.fail("create-bulk", "OLD1", ID_TAKEN);
    const result = await applyPlan(planChanges([desired("OLD1")], new Map()), api, sessionOf(new MemoryStore()));
    expect(result.failed).toBe(1);
    expect(result.failures[0]?.detail).toMatch(/--adopt.*import/);
    expect(api.calls.map((c) => c.kind)).toEqual(["create-bulk"]);
  });

  it("with it, updates that user to the declaration and keeps it in state with the e-mail RuangKerja holds", async () => {
    const api = new FakeApi();
    api.fail("create-bulk", "OLD1", ID_TAKEN);
    api.liveEmails.set("OLD1", "live@example.co.id");
    const store = new MemoryStore();
    const plan = planChanges([desired("OLD1", { username: "oldone" }), desired("NEW1")], new Map());
    const result = await applyPlan(plan, api, sessionOf(store), { adopt: true });
    expect(result).toMatchObject({ succeeded: 2, failed: 0, requests: { "create-bulk": 1, "update-bulk": 1 } });
    expect(api.calls[1]).toEqual({
      kind: "update-bulk",
      body: [{ employeeID: "OLD1", name: "Name OLD1", username: "oldone", phone: null, isActive: true, tagSerials: [] }],
    });
    const final = store.writes.at(-1)?.users;
    expect(final?.get("OLD1")).toMatchObject({ username: "oldone", email: "live@example.co.id", serial: "S-OLD1" });
    expect(final?.get("NEW1")?.email).toBe("new1@example.co.id");
    // The next plan offers the declared address as an e-mail change, with its warning.
    const next = planChanges([desired("OLD1", { username: "oldone" }), desired("NEW1")], final ?? new Map());
    expect(next.actions.map((a) => [a.action, a.employeeID, a.changes.map((c) => c.field)])).toEqual([["update", "OLD1", ["email"]]]);
  });

  it("adopts through PUT when the declaration has an organizationSerial, and reports a failed adoption", async () => {
    const api = new FakeApi();
    api.fail("create-bulk", "ORG1", ID_TAKEN);
    api.fail("create-bulk", "BAD1", ID_TAKEN);
    api.fail("update-bulk", "BAD1", { errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "username already been taken" });
    const plan = planChanges([desired("ORG1", { organizationSerial: "COMPX" }), desired("BAD1", { username: "dup" })], new Map());
    const result = await applyPlan(plan, api, sessionOf(new MemoryStore()), { adopt: true });
    expect(api.calls.filter((c) => c.kind === "update")).toEqual([
      { kind: "update", body: [expect.objectContaining({ employeeID: "ORG1", organizationSerial: "COMPX" })] },
    ]);
    expect(result.succeeded).toBe(1);
    expect(result.failures).toEqual([expect.objectContaining({ action: "create", employeeID: "BAD1", message: "USER_USERNAME_EXISTS" })]);
  });
});

describe("apply progress", () => {
  it("never steps back while retries, e-mail steps and adoptions settle, and ends at the plan's action count", async () => {
    const users = [applied("E1"), applied("R1"), applied("E3"), applied("A", { username: "budi" }), applied("B", { username: "sari" })];
    const plan = planChanges(
      [
        desired("E1", { name: "Changed", email: "one@example.co.id" }),
        desired("R2", { previousEmployeeIDs: ["R1"], email: "two@example.co.id" }),
        desired("E3", { email: "three@example.co.id" }),
        desired("A", { username: "budi2" }),
        desired("B", { username: "budi" }),
        desired("OLD1"),
        desired("NEW1"),
      ],
      stateOf(...users),
    );
    for (const parallelism of [1, 3]) {
      const api = new FakeApi();
      api.fail("update-bulk", "B", { errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "username already been taken" });
      api.fail("create-bulk", "OLD1", ID_TAKEN);
      const progress: [number, number, number][] = [];
      const result = await applyPlan(plan, api, sessionOf(new MemoryStore(), ...users), {
        chunkSize: 1,
        parallelism,
        adopt: true,
        onProgress: (done, total, failed) => progress.push([done, total, failed]),
      });
      expect(result).toMatchObject({ succeeded: 7, failed: 0 });
      // Every request reported: 4 records, B once more, 3 e-mails, 2 creates, 1 adoption.
      expect(progress).toHaveLength(11);
      const done = progress.map(([d]) => d);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(progress.every(([d, total]) => total === 7 && d <= total)).toBe(true);
      expect(done.at(-1)).toBe(7);
    }
  });

  it("counts an action that also changes its e-mail once, when the e-mail has landed", async () => {
    const plan = planChanges(
      [desired("E1", { name: "Changed", email: "one@example.co.id" }), desired("E3", { email: "three@example.co.id" })],
      stateOf(applied("E1"), applied("E3")),
    );
    const progress: number[] = [];
    await applyPlan(plan, new FakeApi(), sessionOf(new MemoryStore(), applied("E1"), applied("E3")), {
      chunkSize: 1,
      parallelism: 1,
      onProgress: (done) => progress.push(done),
    });
    // The record of E1 (nothing settled yet), then the e-mails of E3 and E1.
    expect(progress).toEqual([0, 1, 2]);
  });
});
