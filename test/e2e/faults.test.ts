/**
 * Each API fault through the CLI, the way a user meets it: the emulator injects it (switched on
 * through its admin endpoint, or by the `emulator` command's flags), `apply` survives it, the
 * emulator ends with each user once, and the next plan is empty.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { CLI, makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText, setEmulatorFaults } from "./helpers.js";

const TOKEN = "e2e-faults-token-51c2";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await work?.cleanup();
  work = await makeWorkdir();
  await setFaults({});
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(10_000) });
});
afterAll(() => work?.cleanup());

const setFaults = (settings: object) => setEmulatorFaults(emulator.url, settings);

async function declare(users: UserSpec[]): Promise<void> {
  await writeText(join(work.dir, "users/people.yaml"), usersYaml(users));
}

async function applyJson(extra: string[] = [], cwd = work.dir, environment = env) {
  const result = await runCli(["apply", "--auto-approve", "--json", ...extra], { cwd, env: environment, timeoutMs: 120_000 });
  return { ...result, json: result.stdout ? JSON.parse(result.stdout) : undefined };
}

/** The emulator holds exactly these users, each once, and the next plan is empty. */
async function expectConverged(users: UserSpec[], cwd = work.dir, environment = env, held = emulator.users().map((u) => u.employeeID)) {
  expect(new Set(held).size).toBe(held.length);
  expect([...held].sort()).toEqual(users.map((u) => u.employeeID).sort());
  const plan = await runCli(["plan", "--detailed-exitcode"], { cwd, env: environment });
  expect(plan.stdout).toContain("No changes.");
  expect(plan.code).toBe(0);
}

describe("apply through API faults", () => {
  it("waits out a 429 storm, honouring Retry-After", async () => {
    const users = makeUsers("RL", 120);
    await declare(users);
    await setFaults({ retryAfterSeconds: 1, next: [{ fault: "429", count: 3 }] });
    const { code, json } = await applyJson(["--chunk-size", "60", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 120, failed: 0, requests: { "create-bulk": 2 } });
    // Each 429 was a request that the emulator refused unprocessed: 2 calls + 3 repeats.
    expect(emulator.requestCounts()["create-bulk"]).toBe(5);
    expect(emulator.faults().injected["429"]).toBe(3);
    await expectConverged(users);
  });

  it("retries through 503s and 500s at a seeded rate", async () => {
    const users = makeUsers("SU", 200);
    await declare(users);
    await setFaults({ seed: 11, rate503: 0.3, rate500: 0.1, retryAfterSeconds: 0 });
    const { code, json } = await applyJson(["--chunk-size", "20", "--max-attempts", "10"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 200, failed: 0 });
    const injected = emulator.faults().injected;
    expect(injected["503"] + injected["500"]).toBeGreaterThan(0);
    await setFaults({});
    await expectConverged(users);
  });

  it("a create-bulk whose reply is lost after it landed: read back, recorded once, no failure", async () => {
    const users = makeUsers("DR", 150);
    await declare(users);
    await setFaults({ next: [{ fault: "drop", route: "create-bulk", skip: 1 }] });
    const { code, json } = await applyJson(["--chunk-size", "50", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 150, failed: 0, confirmedByReadBack: 50 });
    expect(emulator.faults().injected.drop).toBe(1);
    await expectConverged(users);
    const text = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(text.code).toBe(0);
  });

  it("a rename whose reply is lost after it landed: the new id is read back, nothing fails", async () => {
    const users = makeUsers("RN", 5);
    await declare(users);
    expect((await applyJson()).code).toBe(0);
    const renamed = users.map((u, i) => (i === 2 ? { ...u, employeeID: "RNNEW2", previousEmployeeIDs: [u.employeeID] } : u));
    await declare(renamed);
    await setFaults({ next: [{ fault: "drop", route: "update-bulk" }] });
    const text = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "1 user(s) already held what was sent (an earlier attempt had landed, its reply lost): read back and recorded as applied.",
    );
    expect(text.stdout).toContain("Apply complete: 1 succeeded, 0 failed");
    await expectConverged(renamed);
  });

  it("a bulk call refused for its size is split, not failed", async () => {
    const users = makeUsers("SZ", 100);
    await declare(users);
    await setFaults({ maxBulkItems: 30 });
    const { code, json } = await applyJson(["--chunk-size", "100"]);
    expect(code).toBe(0);
    // 100 → 50 + 50 → 4 × 25.
    expect(json).toMatchObject({ succeeded: 100, failed: 0, batchesSplit: 3, requests: { "create-bulk": 7 } });
    await expectConverged(users);
  });

  it("Ctrl-C during a long Retry-After ends the wait: exit 130, nothing sent again, the next apply converges", async () => {
    const users = makeUsers("IN", 10);
    await declare(users);
    await setFaults({ rate429: 1, retryAfterSeconds: 50 });
    const child = spawn(process.execPath, [CLI, "apply", "--auto-approve", "--json"], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    // Bounded below the 50 s the API asked for: an apply that waited it out would be killed and fail the test.
    const killer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    for (let i = 0; i < 400 && (emulator.requestCounts()["create-bulk"] ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGINT");
    const code = await exited;
    clearTimeout(killer);
    expect(code).toBe(130);
    expect(emulator.requestCounts()["create-bulk"]).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.failures[0].detail).toContain("gave up after 1 attempt (interrupted): last reply HTTP 429 RATE_LIMITED (42901)");
    await setFaults({});
    expect((await applyJson()).code).toBe(0);
    await expectConverged(users);
  });

  it("gives up after --max-attempts with a clear message, and the next apply converges", async () => {
    const users = makeUsers("GU", 10);
    await declare(users);
    await setFaults({ retryAfterSeconds: 0, next: [{ fault: "503", count: 2 }] });
    const first = await runCli(["apply", "--auto-approve", "--max-attempts", "2"], { cwd: work.dir, env });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(
      "failed: create GU0000: SERVICE_UNAVAILABLE (50301): POST /ruangkerja/users/create-bulk: gave up after 2 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE (50301)",
    );
    expect(emulator.users()).toEqual([]);
    const second = await applyJson(["--max-attempts", "2"]);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ succeeded: 10, failed: 0 });
    await expectConverged(users);
  });
});

describe("the emulator command's fault flags", () => {
  it("refuses bad fault flags with a clear message and exit 1", async () => {
    const rates = await runCli(["emulator", "--rate-429", "0.7", "--rate-503", "0.7"], { cwd: work.dir, timeoutMs: 30_000 });
    expect(rates.code).toBe(1);
    expect(rates.stderr).toContain("invalid fault settings: the rates add up to 1.4; together they must not exceed 1");
    const share = await runCli(["emulator", "--drop-rate", "2"], { cwd: work.dir, timeoutMs: 30_000 });
    expect(share.code).toBe(1);
    expect(share.stderr).toContain("--drop-rate must be a number from 0 to 1");
    const json = await runCli(["emulator", "--faults", '{"next":[{"fault":"404"}]}'], { cwd: work.dir, timeoutMs: 30_000 });
    expect(json.code).toBe(1);
    expect(json.stderr).toContain('next[0].fault: must be one of "429", "500", "503", "drop"');
    const attempts = await runCli(["apply", "--auto-approve", "--max-attempts", "0"], { cwd: work.dir, env, timeoutMs: 30_000 });
    expect(attempts.code).toBe(1);
    expect(attempts.stderr).toContain("--max-attempts must be a whole number from 1 to 100");
  });

  it("injects 503s, drops and a batch limit from its flags, and apply still converges", async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "emulator",
        "--token",
        TOKEN,
        "--rate-503",
        "0.2",
        "--drop-rate",
        "0.1",
        "--retry-after",
        "0",
        "--fault-seed",
        "3",
        "--max-bulk-items",
        "40",
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "" } },
    );
    const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const faults = (await (await fetch(`${url}/_emulator/faults`, { signal: AbortSignal.timeout(10_000) })).json()) as {
        settings: object;
      };
      expect(faults.settings).toEqual({ rate503: 0.2, dropRate: 0.1, retryAfterSeconds: 0, seed: 3, maxBulkItems: 40 });
      const users = makeUsers("FL", 200);
      await declare(users);
      const childEnv = { RUANGKERJA_API_URL: url, RUANGKERJA_TOKEN: TOKEN };
      const { code, json } = await applyJson(["--chunk-size", "100", "--max-attempts", "10"], work.dir, childEnv);
      expect(code).toBe(0);
      expect(json).toMatchObject({ succeeded: 200, failed: 0 });
      expect(json.batchesSplit).toBeGreaterThanOrEqual(2);
      const held = (await (await fetch(`${url}/_emulator/users`, { signal: AbortSignal.timeout(10_000) })).json()) as {
        users: { employeeID: string }[];
      };
      await expectConverged(
        users,
        work.dir,
        childEnv,
        held.users.map((u) => u.employeeID),
      );
    } finally {
      clearTimeout(killer);
      child.kill("SIGTERM");
    }
  });
});
