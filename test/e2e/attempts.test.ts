/**
 * `apply --json` counts HTTP attempts beside calls: `requests` stays what it was (calls, one per
 * batch or user), `attempts` counts every request sent, each retry included. The emulator injects
 * a known number of faults from its schedule, so the difference between the two is exact, and
 * the emulator's own request counts say what was really sent.
 */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, setEmulatorFaults, type UserSpec, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-attempts-token-7d0e";
const KINDS = ["create-bulk", "update-bulk", "update", "update-email-bulk", "get", "list", "token"] as const;
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(async () => {
  await emulator.close();
  await work?.cleanup();
});
beforeEach(async () => {
  await work?.cleanup();
  work = await makeWorkdir();
  await setEmulatorFaults(emulator.url, {});
});

async function declare(users: UserSpec[]): Promise<void> {
  await writeText(join(work.dir, "users/people.yaml"), usersYaml(users));
}

/** Runs `apply --json --auto-approve` with these faults scheduled (Retry-After 0); with the emulator's counts and injected faults of that run alone. */
async function applyJson(next: object[], extra: string[] = []) {
  await setEmulatorFaults(emulator.url, { retryAfterSeconds: 0, next });
  const before = { counts: emulator.requestCounts(), injected: emulator.faults().injected };
  const result = await runCli(["apply", "--auto-approve", "--json", ...extra], { cwd: work.dir, env, timeoutMs: 120_000 });
  const counts = emulator.requestCounts();
  const injected = emulator.faults().injected;
  return {
    code: result.code,
    stderr: result.stderr,
    json: JSON.parse(result.stdout) as {
      succeeded: number;
      failed: number;
      requests: Record<string, number>;
      attempts: Record<string, number>;
      confirmedByReadBack?: number;
    },
    /** Requests the emulator received during the run, by route. */
    received: Object.fromEntries(KINDS.map((kind) => [kind, (counts[kind] ?? 0) - (before.counts[kind] ?? 0)])),
    injected: (fault: "429" | "500" | "503" | "drop") => injected[fault] - before.injected[fault],
  };
}

describe("apply --json attempts", () => {
  it("counts each retry through injected 503s: attempts exceed requests by exactly the faults", async () => {
    await declare(makeUsers("AT", 6));
    const run = await applyJson([{ fault: "503", route: "create-bulk", skip: 1, count: 2 }], ["--chunk-size", "2", "--parallelism", "1"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ succeeded: 6, failed: 0 });
    // The contract of requests is unchanged: calls, not attempts.
    expect(run.json.requests).toEqual({ "create-bulk": 3, "update-bulk": 0, update: 0 });
    expect(run.json.attempts).toEqual({ "create-bulk": 5, "update-bulk": 0, update: 0, "update-email-bulk": 0, get: 0, list: 0, token: 0 });
    expect(run.injected("503")).toBe(2);
    expect(run.json.attempts["create-bulk"]! - run.json.requests["create-bulk"]!).toBe(run.injected("503"));
    expect(run.json.attempts).toEqual(run.received);
  });

  it("counts updates and PUTs retried, and the reads that settle a lost reply", async () => {
    const users = makeUsers("AU", 4);
    await declare(users);
    expect((await applyJson([])).code).toBe(0);
    // Names change through update-bulk; an organizationSerial only through PUT.
    const changed = users.map((u, i) => ({ ...u, name: `${u.name} Renamed`, ...(i === 0 ? { organizationSerial: "ORGNEW01" } : {}) }));
    await declare(changed);
    const updates = await applyJson([
      { fault: "503", route: "update-bulk", count: 2 },
      { fault: "503", route: "update", count: 1 },
    ]);
    expect(updates.code).toBe(0);
    expect(updates.json).toMatchObject({ succeeded: 4, failed: 0 });
    const { requests, attempts } = updates.json;
    expect(attempts["update-bulk"]! - requests["update-bulk"]!).toBe(2);
    expect(attempts.update! - requests.update!).toBe(1);
    expect(updates.injected("503")).toBe(3);
    expect(attempts).toEqual(updates.received);

    // A create-bulk processed but its reply lost: sent again, it meets each user, read back with a GET each (one GET 503s once).
    const more = makeUsers("AD", 3);
    await declare([...changed, ...more]);
    const lost = await applyJson([
      { fault: "drop", route: "create-bulk", count: 1 },
      { fault: "503", route: "get", count: 1 },
    ]);
    expect(lost.code).toBe(0);
    expect(lost.json).toMatchObject({ succeeded: 3, failed: 0, confirmedByReadBack: 3, requests: { "create-bulk": 1 } });
    expect(lost.json.attempts).toMatchObject({ "create-bulk": 2, get: 4 });
    expect(lost.injected("drop") + lost.injected("503")).toBe(2);
    expect(lost.json.attempts).toEqual(lost.received);
  });
});
