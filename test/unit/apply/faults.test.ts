/**
 * Apply against faults over real HTTP: the emulator injects them, the real client retries, and
 * apply settles what is ambiguous. Retries sleep 0 ms here (the backoff itself is tested in
 * test/unit/api), so these tests wait on nothing but the loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import { applyPlan } from "../../../src/apply/apply-plan.js";
import { type FaultSettings, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import type { AppliedUser, DesiredUser } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { desired, MemoryStateStore } from "../../builders.js";

class MemoryStore extends MemoryStateStore {
  users(): ReadonlyMap<string, AppliedUser> {
    return this.writes.at(-1)?.users ?? new Map();
  }
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.setFaults({});
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
});

function client(maxAttempts = 5) {
  return new RuangkerjaClient({
    baseUrl: emulator.url,
    token: emulator.token,
    maxAttempts,
    timeoutMs: 5000,
    retryTiming: { sleep: async () => undefined },
  });
}

function people(prefix: string, n: number): DesiredUser[] {
  return Array.from({ length: n }, (_, i) =>
    desired(`${prefix}${i}`, { username: `${prefix.toLowerCase()}u${i}`, tagSerials: ["T1", "T2"], organizationSerial: "ORG1" }),
  );
}

/** Applies `declared` over `state` with the given faults; returns the result and what state and the emulator hold. */
async function applyWith(
  declared: DesiredUser[],
  faults: FaultSettings,
  options: { state?: StateDocument; chunkSize?: number; maxAttempts?: number } = {},
) {
  const start = options.state ?? newStateDocument();
  const store = new MemoryStore();
  const c = client(options.maxAttempts);
  emulator.setFaults(faults);
  const result = await applyPlan(planChanges(declared, start.users), c, new StateSession(store, start), {
    chunkSize: options.chunkSize ?? 2,
    parallelism: 1,
  });
  emulator.setFaults({});
  return { result, store, client: c, ids: emulator.users().map((u) => u.employeeID) };
}

/** Applies without faults and returns the state it leaves. */
async function seed(declared: DesiredUser[]): Promise<StateDocument> {
  const { store, result } = await applyWith(declared, {});
  expect(result.failed).toBe(0);
  return store.writes.at(-1) as StateDocument;
}

describe("apply under faults", () => {
  it("a create-bulk whose reply was lost is sent again, and its users are read back and recorded once", async () => {
    const declared = people("C", 6);
    const { result, store, ids, client: c } = await applyWith(declared, { next: [{ fault: "drop", route: "create-bulk", skip: 1 }] });
    expect(result).toMatchObject({ succeeded: 6, failed: 0, confirmedByReadBack: 2 });
    expect(ids).toEqual(declared.map((u) => u.employeeID));
    expect([...store.users().keys()].sort()).toEqual(declared.map((u) => u.employeeID).sort());
    // The two users of the lost reply were read back; their serial is not in the GET view.
    expect(c.counts.get).toBe(2);
    expect(store.users().get("C2")?.serial).toBe("");
    expect(store.users().get("C0")?.serial).toBe(emulator.users()[0]?.serial);
  });

  it("a rename through update-bulk whose reply was lost is read back under the new id and keeps its serial", async () => {
    const state = await seed([desired("OLD1"), desired("KEEP")]);
    const serial = state.users.get("OLD1")?.serial;
    const renamed = desired("NEW1", { previousEmployeeIDs: ["OLD1"], name: "Renamed" });
    const { result, store, ids } = await applyWith(
      [renamed, desired("KEEP")],
      { next: [{ fault: "drop", route: "update-bulk" }] },
      { state },
    );
    expect(result).toMatchObject({ succeeded: 1, failed: 0, confirmedByReadBack: 1 });
    expect(ids.sort()).toEqual(["KEEP", "NEW1"]);
    expect(store.users().has("OLD1")).toBe(false);
    expect(store.users().get("NEW1")).toMatchObject({ name: "Renamed", serial });
  });

  it("a rename through PUT whose reply was lost is read back too", async () => {
    const state = await seed([desired("OLD2", { organizationSerial: "ORG1" })]);
    const renamed = desired("NEW2", { previousEmployeeIDs: ["OLD2"], organizationSerial: "ORG2" });
    const { result, store, ids } = await applyWith([renamed], { next: [{ fault: "drop", route: "update" }] }, { state });
    expect(result).toMatchObject({ succeeded: 1, failed: 0, confirmedByReadBack: 1 });
    expect(ids).toEqual(["NEW2"]);
    expect(store.users().get("NEW2")?.organizationSerial).toBe("ORG2");
  });

  it("a create meeting someone else's user under its id fails as a conflict, naming the differences", async () => {
    await seed([desired("TAKEN", { name: "Someone Else", email: "other@example.co.id" })]);
    const { result, store, ids } = await applyWith([desired("TAKEN")], {});
    expect(result.failed).toBe(1);
    expect(result.confirmedByReadBack).toBeUndefined();
    expect(result.failures[0]).toMatchObject({ errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS" });
    expect(result.failures[0]?.detail).toContain('name: sent "Name TAKEN", found "Someone Else"');
    expect(ids).toEqual(["TAKEN"]);
    expect(store.users().size).toBe(0);
  });

  it("a bulk call refused for its size is split in halves until it fits", async () => {
    const declared = people("S", 10);
    const { result, ids } = await applyWith(declared, { maxBulkItems: 3 }, { chunkSize: 10 });
    expect(result).toMatchObject({ succeeded: 10, failed: 0, batchesSplit: 3 });
    // 10 → 5 + 5 → (3 + 2) + (3 + 2): 1 + 2 + 4 calls.
    expect(result.requests["create-bulk"]).toBe(7);
    expect(ids).toEqual(declared.map((u) => u.employeeID));
  });

  it("splits down to single users when only one fits", async () => {
    const { result, ids } = await applyWith(people("O", 4), { maxBulkItems: 1 }, { chunkSize: 4 });
    expect(result).toMatchObject({ succeeded: 4, failed: 0, batchesSplit: 3 });
    expect(ids).toHaveLength(4);
  });

  it("rides out a storm of 429s and 503s", async () => {
    const declared = people("R", 8);
    const storm: FaultSettings = {
      retryAfterSeconds: 0,
      next: [
        { fault: "429", count: 3 },
        { fault: "503", route: "create-bulk", skip: 1, count: 2 },
        { fault: "500", route: "create-bulk", skip: 2, count: 1 },
      ],
    };
    const { result, ids } = await applyWith(declared, storm);
    expect(result).toMatchObject({ succeeded: 8, failed: 0 });
    expect(ids).toEqual(declared.map((u) => u.employeeID));
    expect(emulator.faults().injected).toEqual({ "429": 3, "500": 1, "503": 2, drop: 0 });
  });

  it("gives up after maxAttempts with the count in each failure, and the next apply converges", async () => {
    const declared = people("G", 4);
    const first = await applyWith(
      declared,
      { retryAfterSeconds: 0, next: [{ fault: "503", route: "create-bulk", count: 3 }] },
      { maxAttempts: 3 },
    );
    expect(first.result.failed).toBe(2);
    expect(first.result.failures[0]).toMatchObject({ errorCode: 50301, message: "SERVICE_UNAVAILABLE" });
    expect(first.result.failures[0]?.detail).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 3 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE \(50301\): the service is unavailable; retry after 0 seconds; the whole request failed/,
    );
    expect(first.ids).toEqual(["G2", "G3"]);
    const second = await applyWith(declared, {}, { state: first.store.writes.at(-1) });
    expect(second.result).toMatchObject({ succeeded: 2, failed: 0 });
    expect(second.ids).toEqual(["G2", "G3", "G0", "G1"]);
  });

  it("a run killed after its create landed: the next run reads the users back instead of failing", async () => {
    const declared = people("K", 3);
    // The first run "dies" with its reply: every attempt's reply is dropped.
    const first = await applyWith(declared, { next: [{ fault: "drop", count: 2 }] }, { chunkSize: 3, maxAttempts: 2 });
    expect(first.result.failed).toBe(3);
    expect(first.store.writes).toHaveLength(0);
    expect(first.ids).toEqual(["K0", "K1", "K2"]);
    const second = await applyWith(declared, {}, { chunkSize: 3 });
    expect(second.result).toMatchObject({ succeeded: 3, failed: 0, confirmedByReadBack: 3 });
    expect(second.ids).toEqual(["K0", "K1", "K2"]);
  });
});
