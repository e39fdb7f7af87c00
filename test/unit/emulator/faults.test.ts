/** Fault injection: the schedule, the seeded rates, the dropped reply, and the admin endpoint. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FaultInjector, parseFaultSettings } from "../../../src/emulator/faults.js";
import { startTestEmulator, type TestEmulator, user } from "./helpers.js";

describe("FaultInjector", () => {
  it("applies a scheduled fault to the matching requests only, after the skipped ones", () => {
    const faults = new FaultInjector({ next: [{ fault: "drop", route: "create-bulk", skip: 1, count: 2 }] });
    const fates = ["get", "create-bulk", "update-bulk", "create-bulk", "create-bulk", "create-bulk"].map(
      (route) => faults.decide(route as "get").fault,
    );
    expect(fates).toEqual([undefined, undefined, undefined, "drop", "drop", undefined]);
    expect(faults.describe().injected).toEqual({ "429": 0, "500": 0, "503": 0, drop: 2 });
    expect(faults.describe().settings.next).toBeUndefined();
  });

  it("draws the same faults from the same seed, at about the rates asked", () => {
    const draw = () => {
      const faults = new FaultInjector({ seed: 42, rate429: 0.2, rate503: 0.1, dropRate: 0.1 });
      return Array.from({ length: 2000 }, () => faults.decide("create-bulk").fault);
    };
    const first = draw();
    expect(draw()).toEqual(first);
    const share = (kind: string) => first.filter((f) => f === kind).length / first.length;
    expect(share("429")).toBeGreaterThan(0.15);
    expect(share("429")).toBeLessThan(0.25);
    expect(share("503")).toBeGreaterThan(0.06);
    expect(share("drop")).toBeGreaterThan(0.06);
    expect(share("500")).toBe(0);
  });

  it("reports every bad setting at once", () => {
    const parsed = parseFaultSettings({ rate429: 0.8, rate500: 0.5, latencyMs: -1, colour: "red", next: [{ fault: "404", route: "x" }] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      "colour: not a fault setting",
      "latencyMs: must be a whole number from 0 to 600000",
      "the rates add up to 1.3; together they must not exceed 1",
      'next[0].fault: must be one of "429", "500", "503", "drop"',
      "next[0].route: must be one of create, create-bulk, update, update-bulk, list, get, update-email-bulk, token",
    ]);
  });
});

describe("faults over HTTP", () => {
  let t: TestEmulator;
  const faultsUrl = () => `${t.emulator.url}/_emulator/faults`;
  const putFaults = (body: unknown) =>
    fetch(faultsUrl(), { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.emulator.close());
  beforeEach(async () => {
    await t.reset();
    t.emulator.setFaults({});
  });

  it("drops the reply of the 2nd create-bulk after creating its users", async () => {
    const put = await putFaults({ next: [{ fault: "drop", route: "create-bulk", skip: 1 }] });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      settings: { next: [{ fault: "drop", route: "create-bulk", skip: 1, count: 1 }] },
      injected: { "429": 0, "500": 0, "503": 0, drop: 0 },
    });
    expect((await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("D1")] })).status).toBe(200);
    await expect(t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("D2")] })).rejects.toThrow(/fetch failed/);
    expect(t.emulator.users().map((u) => u.employeeID)).toEqual(["D1", "D2"]);
    // The next one is answered again, and the retry of D2 meets the user its lost reply created.
    const retry = await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("D2")] });
    expect(retry.body.data.failedItems[0].error.message).toBe("USER_EMPLOYEE_ID_EXISTS");
    const state = (await (await fetch(faultsUrl())).json()) as { injected: { drop: number }; settings: object };
    expect(state).toEqual({ settings: {}, injected: { "429": 0, "500": 0, "503": 0, drop: 1 } });
  });

  it("refuses bad settings with every problem, keeping the old ones", async () => {
    await putFaults({ rate503: 0.5 });
    const bad = await putFaults({ rate429: 2 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errorCode: 40001, message: "VALIDATION_ERROR", detail: "rate429: must be a number from 0 to 1" });
    expect(t.emulator.faults().settings).toEqual({ rate503: 0.5 });
    expect(() => t.emulator.setFaults({ rate500: 1.5 })).toThrow("invalid fault settings: rate500: must be a number from 0 to 1");
  });

  it("sets maxBulkItems at run time: a bigger batch is refused with 413, a smaller one served", async () => {
    await putFaults({ maxBulkItems: 2 });
    const refused = await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("M1"), user("M2"), user("M3")] });
    expect(refused.status).toBe(413);
    expect(refused.body.message).toBe("TOO_MANY_ITEMS");
    expect((await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("M1"), user("M2")] })).status).toBe(200);
    await putFaults({});
    expect((await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("M3"), user("M4"), user("M5")] })).status).toBe(200);
  });

  it("adds latency to API requests and leaves admin requests alone", async () => {
    t.emulator.setFaults({ latencyMs: 300 });
    const started = performance.now();
    await t.call("GET", "/ruangkerja/users");
    // A lower bound only: a slow machine can make it longer, never shorter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(t.emulator.faults().settings).toEqual({ latencyMs: 300 });
  });

  it("takes its switches from startEmulator options", async () => {
    const other = await startTestEmulator({ maxBulkItems: 3, faults: { rate429: 1, retryAfterSeconds: 2, seed: 1 } });
    try {
      const reply = await other.call("GET", "/ruangkerja/users");
      expect(reply.status).toBe(429);
      expect(reply.headers.get("retry-after")).toBe("2");
      expect(other.emulator.faults().settings).toEqual({ maxBulkItems: 3, rate429: 1, retryAfterSeconds: 2, seed: 1 });
    } finally {
      await other.emulator.close();
    }
  });
});
