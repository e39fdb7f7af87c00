/**
 * A crash in the middle of a big apply: SIGKILL the CLI after its first chunks landed, then check
 * that the state it left is whole and true, and that the next apply converges without a duplicate.
 *
 * What "the users the emulator confirmed" can mean under SIGKILL: the requests in flight at the
 * kill are processed by the server after the client is gone, so the emulator may hold users that
 * no reply ever reached the CLI with. The test therefore checks: state ⊆ emulator, with the
 * emulator's serials; the users only the emulator holds are at most the requests in flight
 * (parallelism × chunk size); and the next apply records exactly those by reading them back.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-crash-token-9d41";
const USERS = 3000;
const CHUNK = 50;
const PARALLELISM = 4;
const LATENCY_MS = 150;

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, faults: { latencyMs: LATENCY_MS } });
  work = await makeWorkdir();
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 25 ms until it holds, failing after `limitMs`. */
async function until(what: string, done: () => boolean, limitMs = 60_000): Promise<void> {
  for (let waited = 0; !done(); waited += 25) {
    if (waited > limitMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

describe("apply killed with SIGKILL mid-run", () => {
  it("leaves a valid state of confirmed users, and the next apply converges with each user once", async () => {
    const users = makeUsers("CR", USERS);
    await writeText(join(work.dir, "users/everyone.yaml"), usersYaml(users));
    const env = { PATH: process.env.PATH ?? "", NO_COLOR: "1", RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };

    const child = spawn(
      process.execPath,
      [CLI, "apply", "--auto-approve", "--json", "--chunk-size", String(CHUNK), "--parallelism", String(PARALLELISM)],
      { cwd: work.dir, env, stdio: ["ignore", "ignore", "ignore"] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const safety = setTimeout(() => child.kill("SIGKILL"), 120_000);
    try {
      // After a few chunks, well before the 60 the run needs.
      await until("the first chunks", () => (emulator.requestCounts()["create-bulk"] ?? 0) >= 3 * PARALLELISM);
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
    } finally {
      clearTimeout(safety);
    }

    // The requests in flight at the kill still land in the emulator (it cannot know the client died): wait for them.
    let previous = -1;
    await until("the requests in flight to settle", () => {
      const now = emulator.users().length;
      const settled = now === previous;
      previous = now;
      return settled;
    });
    await sleep(LATENCY_MS * 3);
    await until("the requests in flight to settle", () => {
      const now = emulator.users().length;
      const settled = now === previous;
      previous = now;
      return settled;
    });

    const statePath = join(work.dir, ".ruangkerja/state.json");
    const state = JSON.parse(await readFile(statePath, "utf8")) as {
      serial: number;
      lineage: string;
      users: { employeeID: string; serial: string }[];
    };
    expect(typeof state.lineage).toBe("string");
    expect(state.serial).toBeGreaterThan(0);
    const held = new Map(emulator.users().map((u) => [u.employeeID, u.serial]));
    expect(held.size).toBeLessThan(USERS);
    expect(state.users.length).toBeGreaterThan(0);
    // Everything state records, the emulator holds, under the serial its reply gave.
    for (const user of state.users) expect(held.get(user.employeeID)).toBe(user.serial);
    const inState = new Set(state.users.map((u) => u.employeeID));
    const onlyInEmulator = [...held.keys()].filter((id) => !inState.has(id));
    // How many landed without reaching state is bounded by time, not by calls (src/apply/state-saver.ts:
    // writes are spaced by ten write-durations once they are expensive); what matters is that the next
    // apply reads back exactly these, below.
    expect(onlyInEmulator.length).toBeLessThan(held.size);

    // The killed run's lock stays behind; its holder is provably dead on this host, so the next apply takes it over.
    expect(existsSync(`${statePath}.lock`)).toBe(true);

    emulator.setFaults({});
    const again = await runCli(["apply", "--auto-approve", "--json", "--chunk-size", String(CHUNK)], {
      cwd: work.dir,
      env,
      timeoutMs: 120_000,
    });
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout);
    expect(result).toMatchObject({ failed: 0, succeeded: USERS - inState.size });
    // Exactly the users that landed without their reply reaching the killed run were read back.
    expect(result.confirmedByReadBack ?? 0).toBe(onlyInEmulator.length);

    const ids = emulator.users().map((u) => u.employeeID);
    expect(ids).toHaveLength(USERS);
    expect(new Set(ids).size).toBe(USERS);
    const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  }, 240_000);
});
