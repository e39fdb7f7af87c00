import { describe, expect, it } from "vitest";
import type { RequestKind, SingleResult } from "../../../src/api/client.js";
import type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateUserBody } from "../../../src/api/types.js";
import type { ApplyClient } from "../../../src/apply/apply-client.js";
import { applyPlan, NOT_ATTEMPTED } from "../../../src/apply/apply-plan.js";
import { ApiError } from "../../../src/errors.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, desired, MemoryStateStore as MemoryStore, stateOf } from "../../builders.js";

/** A fake API for unit tests: records calls; fails items whose id is in `reject`. */
class FakeClient implements ApplyClient {
  counts: Record<RequestKind, number> = { "create-bulk": 0, "update-bulk": 0, update: 0, get: 0, list: 0, "update-email-bulk": 0 };
  calls: { kind: string; body: unknown }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly reject: Set<string> = new Set(),
    private readonly throwOn?: (kind: string) => Error | undefined,
  ) {}

  private async bulk<T extends { employeeID: string }>(kind: RequestKind, items: T[]): Promise<BulkResult<T>> {
    this.counts[kind]++;
    this.calls.push({ kind, body: items });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 2));
    this.inFlight--;
    const error = this.throwOn?.(kind);
    if (error) throw error;
    return {
      successItems: items
        .filter((i) => !this.reject.has(i.employeeID))
        .map((payload) => ({ payload, response: { serial: `S-${payload.employeeID}` } })),
      failedItems: items
        .filter((i) => this.reject.has(i.employeeID))
        .map((payload) => ({
          payload,
          error: { errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" },
        })),
    };
  }
  createBulk(items: CreateUserBody[]) {
    return this.bulk("create-bulk", items);
  }
  updateBulk(items: UpdateBulkItem[]) {
    return this.bulk("update-bulk", items);
  }
  async updateUser(employeeID: string, body: UpdateUserBody): Promise<SingleResult> {
    this.counts.update++;
    this.calls.push({ kind: "update", body: { ...body, path: employeeID } });
    return { ok: true, serial: `S-${employeeID}` };
  }
  /** Someone else's user under each rejected id: a real conflict. */
  async getUser(employeeID: string) {
    this.counts.get++;
    if (!this.reject.has(employeeID)) return undefined;
    return { employeeID, name: "Someone Else", username: null, email: null, phone: "6280000", isActive: true };
  }
}

function many(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => desired(`${prefix}${i}`));
}

describe("applyPlan", () => {
  it("sends creates in chunks, keeps at most `parallelism` in flight, and saves state after every call", async () => {
    const plan = planChanges(many("E", 250), new Map());
    const client = new FakeClient();
    const store = new MemoryStore();
    const result = await applyPlan(plan, client, new StateSession(store, newStateDocument()), {
      chunkSize: 100,
      parallelism: 2,
    });
    expect(result).toMatchObject({ succeeded: 250, failed: 0, requests: { "create-bulk": 3, "update-bulk": 0, update: 0 } });
    expect(client.calls.map((c) => (c.body as unknown[]).length)).toEqual([100, 100, 50]);
    expect(client.maxInFlight).toBeLessThanOrEqual(2);
    expect(store.writes.map((w) => w.serial)).toEqual([1, 2, 3]);
    expect(store.writes.at(-1)?.users.get("E7")?.serial).toBe("S-E7");
  });

  it("reports each failed item with its code and source, and keeps the successes", async () => {
    const plan = planChanges(
      [desired("OK1"), desired("TAKEN", { source: { file: "users/x.yaml", line: 9, column: 5 } }), desired("OK2")],
      new Map(),
    );
    const store = new MemoryStore();
    const result = await applyPlan(plan, new FakeClient(new Set(["TAKEN"])), new StateSession(store, newStateDocument()));
    expect(result.succeeded).toBe(2);
    expect(result.failures).toEqual([
      {
        action: "create",
        employeeID: "TAKEN",
        errorCode: 10101,
        message: "USER_EMPLOYEE_ID_EXISTS",
        detail: expect.stringMatching(
          /^employee id already been taken; read back, TAKEN differs from this declaration \(name: .*apply --adopt/,
        ),
        source: { file: "users/x.yaml", line: 9, column: 5 },
      },
    ]);
    expect([...(store.writes.at(-1)?.users.keys() ?? [])].sort()).toEqual(["OK1", "OK2"]);
  });

  it("sends updates, renames and deactivations through update-bulk with the full record, before creates", async () => {
    const plan = planChanges(
      [desired("NEW"), desired("U", { name: "Changed" }), desired("R2", { previousEmployeeIDs: ["R1"], email: "r1@example.co.id" })],
      stateOf(applied("U", { username: "uu" }), applied("R1"), applied("GONE", { phone: "62811" })),
    );
    const client = new FakeClient();
    const store = new MemoryStore();
    const result = await applyPlan(
      plan,
      client,
      new StateSession(store, { ...newStateDocument(), users: stateOf(applied("U"), applied("R1"), applied("GONE")) }),
    );
    expect(result.failed).toBe(0);
    expect(client.calls.map((c) => c.kind)).toEqual(["update-bulk", "create-bulk"]);
    const items = client.calls[0]?.body as UpdateBulkItem[];
    expect(items).toContainEqual({ employeeID: "U", name: "Changed", username: null, phone: null, isActive: true, tagSerials: [] });
    expect(items).toContainEqual({
      employeeID: "R1",
      newEmployeeID: "R2",
      name: "Name R2",
      username: null,
      phone: null,
      isActive: true,
      tagSerials: [],
    });
    expect(items).toContainEqual({
      employeeID: "GONE",
      name: "Name GONE",
      username: null,
      phone: "62811",
      isActive: false,
      tagSerials: [],
    });
    const final = store.writes.at(-1)?.users;
    expect(final?.has("R1")).toBe(false);
    expect(final?.get("R2")?.serial).toBe("S-R1");
    expect(final?.get("GONE")?.isActive).toBe(false);
  });

  it("sends a change of organizationSerial through PUT, since update-bulk does not take it", async () => {
    const plan = planChanges([desired("U", { organizationSerial: "ORG2" })], stateOf(applied("U", { organizationSerial: "ORG1" })));
    const client = new FakeClient();
    const result = await applyPlan(plan, client, new StateSession(new MemoryStore(), newStateDocument()));
    expect(result.requests).toEqual({ "create-bulk": 0, "update-bulk": 0, update: 1 });
    expect(client.calls[0]?.body).toMatchObject({ employeeID: "U", organizationSerial: "ORG2" });
  });

  it("stops sending after a rejected token and reports the rest as not attempted", async () => {
    const plan = planChanges(many("E", 500), new Map());
    const unauthorized = new ApiError("token is not valid", {
      request: { method: "POST", path: "/x" },
      status: 401,
      reply: { errorCode: 123, message: "Token is not valid", detail: "Token is not valid" },
    });
    const client = new FakeClient(new Set(), () => unauthorized);
    const store = new MemoryStore();
    const result = await applyPlan(plan, client, new StateSession(store, newStateDocument()), { chunkSize: 100, parallelism: 1 });
    expect(client.counts["create-bulk"]).toBe(1);
    expect(result.failed).toBe(500);
    expect(result.failures.filter((f) => f.errorCode === 123)).toHaveLength(100);
    expect(result.failures.filter((f) => f.errorCode === NOT_ATTEMPTED)).toHaveLength(400);
    expect(result.stoppedBecause).toContain("token");
    expect(store.writes).toHaveLength(0);
  });

  it("keeps going after a chunk that failed as a whole with an HTTP error", async () => {
    const plan = planChanges(many("E", 300), new Map());
    let n = 0;
    const client = new FakeClient(new Set(), () =>
      n++ === 0 ? new ApiError("boom", { request: { method: "POST", path: "/x" }, status: 500 }) : undefined,
    );
    const result = await applyPlan(plan, client, new StateSession(new MemoryStore(), newStateDocument()), {
      chunkSize: 100,
      parallelism: 1,
    });
    expect(result.succeeded).toBe(200);
    expect(result.failures.every((f) => f.errorCode === "HTTP_500")).toBe(true);
    expect(result.failed).toBe(100);
  });

  it("starts no new request once the signal is aborted", async () => {
    const plan = planChanges(many("E", 500), new Map());
    const controller = new AbortController();
    const client = new FakeClient();
    const result = await applyPlan(plan, client, new StateSession(new MemoryStore(), newStateDocument()), {
      chunkSize: 100,
      parallelism: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(client.counts["create-bulk"]).toBe(1);
    expect(result.succeeded).toBe(100);
    expect(result.failures.every((f) => f.errorCode === NOT_ATTEMPTED)).toBe(true);
    expect(result.stoppedBecause).toBe("interrupted");
  });

  it("stops, and says so, when state cannot be written", async () => {
    const plan = planChanges(many("E", 300), new Map());
    const store = new MemoryStore();
    store.write = async () => {
      throw new Error("disk full");
    };
    const client = new FakeClient();
    const result = await applyPlan(plan, client, new StateSession(store, newStateDocument()), { chunkSize: 100, parallelism: 1 });
    expect(result.stoppedBecause).toContain("the state could not be written (disk full)");
    expect(client.counts["create-bulk"]).toBe(1);
    expect(result.failures.filter((f) => f.errorCode === NOT_ATTEMPTED)).toHaveLength(200);
  });

  it("retries once an update refused because another user of the same plan still held the username", async () => {
    const plan = planChanges(
      [desired("A", { username: "budi2" }), desired("B", { username: "budi" })],
      stateOf(applied("A", { username: "budi" }), applied("B", { username: "sari" })),
    );
    // B (claims "budi") comes first in each call; A (frees it) lands in the same call.
    const held = new Set(["budi"]);
    const client = new FakeClient();
    client.updateBulk = async (items) => {
      client.counts["update-bulk"]++;
      const successItems = [];
      const failedItems = [];
      for (const item of [...items].reverse()) {
        if (item.username && held.has(item.username) && item.employeeID !== "A") {
          failedItems.push({
            payload: item,
            error: { errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "username already been taken" },
          });
        } else {
          if (item.employeeID === "A") held.delete("budi");
          successItems.push({ payload: item, response: { serial: `S-${item.employeeID}` } });
        }
      }
      return { successItems, failedItems };
    };
    const result = await applyPlan(plan, client, new StateSession(new MemoryStore(), newStateDocument()));
    expect(result.failed).toBe(0);
    expect(result.succeeded).toBe(2);
    expect(result.requests["update-bulk"]).toBe(2);
  });

  it("gives up on a username still held after the retry, with the API's error", async () => {
    const plan = planChanges([desired("B", { username: "taken" })], stateOf(applied("B")));
    const client = new FakeClient();
    client.updateBulk = async (items) => {
      client.counts["update-bulk"]++;
      return {
        successItems: [],
        failedItems: items.map((payload) => ({ payload, error: { errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "taken" } })),
      };
    };
    const result = await applyPlan(plan, client, new StateSession(new MemoryStore(), newStateDocument()));
    expect(result.requests["update-bulk"]).toBe(2);
    expect(result.failures).toMatchObject([{ employeeID: "B", errorCode: 10103, message: "USER_USERNAME_EXISTS" }]);
  });

  it("reports a user whose bulk result is missing as NO_RESULT, not as applied", async () => {
    const plan = planChanges([desired("A"), desired("B")], new Map());
    const client = new FakeClient();
    client.createBulk = async (items) => {
      client.counts["create-bulk"]++;
      return { successItems: [{ payload: items[0] as CreateUserBody, response: { serial: "S-A" } }], failedItems: [] };
    };
    const store = new MemoryStore();
    const result = await applyPlan(plan, client, new StateSession(store, newStateDocument()));
    expect(result.failures).toMatchObject([{ employeeID: "B", errorCode: "NO_RESULT" }]);
    expect([...(store.writes.at(-1)?.users.keys() ?? [])]).toEqual(["A"]);
  });
});
