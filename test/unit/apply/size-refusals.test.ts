/**
 * A bulk call refused for its size is split in halves, whatever says so: HTTP 413, or the API's
 * `TOO_MANY_ITEMS` / `PAYLOAD_TOO_LARGE` (its reply's message; errorCode is the number) on
 * another status. A fake client refuses any call with more than `limit` items, as the real client
 * would throw it (an ApiError with the status and the reply).
 */
import { describe, expect, it } from "vitest";
import type { RequestKind, SingleResult } from "../../../src/api/client.js";
import type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateUserBody } from "../../../src/api/types.js";
import type { ApplyClient } from "../../../src/apply/apply-client.js";
import { applyPlan } from "../../../src/apply/apply-plan.js";
import { type ApiReplyError, ApiError } from "../../../src/errors.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, desired, MemoryStateStore, stateOf } from "../../builders.js";

class SizeLimitedClient implements ApplyClient {
  counts: Record<RequestKind, number> = { "create-bulk": 0, "update-bulk": 0, update: 0, get: 0, list: 0, "update-email-bulk": 0 };
  sizes: { kind: string; size: number }[] = [];
  constructor(
    private readonly limit: number,
    private readonly status: number,
    private readonly reply: ApiReplyError | undefined,
  ) {}

  private async bulk<T extends { employeeID: string }>(kind: "create-bulk" | "update-bulk", items: T[]): Promise<BulkResult<T>> {
    this.counts[kind]++;
    this.sizes.push({ kind, size: items.length });
    await Promise.resolve();
    if (items.length > this.limit) {
      throw new ApiError(`POST /ruangkerja/users/${kind} failed: ${this.reply?.message ?? `HTTP ${this.status}`}`, {
        request: { method: "POST", path: `/ruangkerja/users/${kind}` },
        status: this.status,
        ...(this.reply ? { reply: this.reply } : {}),
      });
    }
    return { successItems: items.map((payload) => ({ payload, response: { serial: `S-${payload.employeeID}` } })), failedItems: [] };
  }
  createBulk(items: CreateUserBody[]) {
    return this.bulk("create-bulk", items);
  }
  updateBulk(items: UpdateBulkItem[]) {
    return this.bulk("update-bulk", items);
  }
  updateUser(employeeID: string, _body: UpdateUserBody): Promise<SingleResult> {
    this.counts.update++;
    return Promise.resolve({ ok: true, serial: `S-${employeeID}` });
  }
  getUser() {
    this.counts.get++;
    return Promise.resolve(undefined);
  }
}

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => desired(`${prefix}${i}`));
const payloadTooLarge = { errorCode: 41301, message: "PAYLOAD_TOO_LARGE", detail: "request body exceeds 10485760 bytes" };
const tooManyItems = { errorCode: 40006, message: "TOO_MANY_ITEMS", detail: "items has 10 entries; at most 3 are allowed per call" };

async function createAll(n: number, client: SizeLimitedClient) {
  const store = new MemoryStateStore();
  const result = await applyPlan(planChanges(many("P", n), new Map()), client, new StateSession(store, newStateDocument()), {
    chunkSize: n,
    parallelism: 1,
  });
  return { result, kept: [...(store.writes.at(-1)?.users.keys() ?? [])].sort() };
}

describe("a bulk call refused for its size", () => {
  const cases: [string, number, ApiReplyError | undefined][] = [
    ["PAYLOAD_TOO_LARGE with HTTP 413", 413, payloadTooLarge],
    ["PAYLOAD_TOO_LARGE without HTTP 413 (400)", 400, payloadTooLarge],
    ["TOO_MANY_ITEMS without HTTP 413 (400)", 400, tooManyItems],
    ["TOO_MANY_ITEMS without HTTP 413 (422)", 422, tooManyItems],
    ["a bare 413 without a reply body", 413, undefined],
  ];
  for (const [name, status, reply] of cases) {
    it(`${name}: split in halves until it fits`, async () => {
      const client = new SizeLimitedClient(3, status, reply);
      const { result, kept } = await createAll(10, client);
      expect(result).toMatchObject({ succeeded: 10, failed: 0, batchesSplit: 3 });
      expect(result.stoppedBecause).toBeUndefined();
      // 10 → 5 + 5 → (3 + 2) + (3 + 2), depth first.
      expect(client.sizes.map((s) => s.size)).toEqual([10, 5, 3, 2, 5, 3, 2]);
      expect(kept).toEqual(
        many("P", 10)
          .map((u) => u.employeeID)
          .sort(),
      );
    });
  }

  it("PAYLOAD_TOO_LARGE on 400 splits down to single users when only one fits", async () => {
    const client = new SizeLimitedClient(1, 400, payloadTooLarge);
    const { result } = await createAll(4, client);
    expect(result).toMatchObject({ succeeded: 4, failed: 0, batchesSplit: 3 });
    expect(client.sizes.map((s) => s.size)).toEqual([4, 2, 1, 1, 2, 1, 1]);
  });

  it("an update-bulk refused with TOO_MANY_ITEMS on 400 is split the same way", async () => {
    const ids = ["U0", "U1", "U2", "U3"];
    const state = stateOf(...ids.map((id) => applied(id)));
    const client = new SizeLimitedClient(2, 400, tooManyItems);
    const store = new MemoryStateStore();
    const result = await applyPlan(
      planChanges(
        ids.map((id) => desired(id, { name: "Changed" })),
        state,
      ),
      client,
      new StateSession(store, { ...newStateDocument(), users: state }),
      { chunkSize: 4, parallelism: 1 },
    );
    expect(result).toMatchObject({ succeeded: 4, failed: 0, batchesSplit: 1 });
    expect(client.sizes).toEqual([
      { kind: "update-bulk", size: 4 },
      { kind: "update-bulk", size: 2 },
      { kind: "update-bulk", size: 2 },
    ]);
  });

  it("a single user refused for its size is not split further: it fails with the API's reply", async () => {
    const client = new SizeLimitedClient(0, 400, payloadTooLarge);
    const { result } = await createAll(2, client);
    expect(result).toMatchObject({ succeeded: 0, failed: 2, batchesSplit: 1 });
    expect(client.sizes.map((s) => s.size)).toEqual([2, 1, 1]);
    expect(result.failures.map((f) => f.message)).toEqual(["PAYLOAD_TOO_LARGE", "PAYLOAD_TOO_LARGE"]);
  });

  it("another 400 refusal is not a size refusal: the chunk fails whole, unsplit", async () => {
    const client = new SizeLimitedClient(3, 400, { errorCode: 40001, message: "INVALID_PAYLOAD", detail: "bad" });
    const { result } = await createAll(10, client);
    expect(result).toMatchObject({ succeeded: 0, failed: 10 });
    expect(result.batchesSplit).toBeUndefined();
    expect(client.sizes.map((s) => s.size)).toEqual([10]);
  });
});
