/**
 * A crash in the middle of a big apply: SIGKILL the CLI after its first chunks landed, then check
 * that the state it left is whole and true, and that the next apply converges without a duplicate;
 * for a state file and for a PostgreSQL state. State is journaled after every bulk call
 * (src/apply/state-saver.ts), so what a kill loses is the replies in flight and nothing more.
 *
 * What "the users the emulator confirmed" can mean under SIGKILL: the requests in flight at the
 * kill are processed by the server after the client is gone, so the emulator may hold users that
 * no reply ever reached the CLI with. The test therefore checks: state ⊆ emulator, with the
 * emulator's serials; the users only the emulator holds are at most the requests in flight
 * (parallelism × chunk size); and the next apply records exactly those by reading them back.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { openStateStore } from "../../src/state/open-state-store.js";
import { freshWorkspace, PG_URL, skipWithoutPostgres } from "../postgres.js";
import { CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-crash-token-9d41";
const USERS = 3000;
const CHUNK = 50;
const PARALLELISM = 4;
const LATENCY_MS = 150;

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
const skipPostgres = skipWithoutPostgres("test/e2e/crash.test.ts");

beforeEach(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, faults: { latencyMs: LATENCY_MS } });
  work = await makeWorkdir();
});
afterEach(async () => {
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

interface Target {
  readonly flags: string[];
  readonly location: string;
  readonly workspace?: string;
}

const backends: { name: string; state: () => Target; skip: boolean }[] = [
  { name: "a state file", state: () => ({ flags: [], location: join(work.dir, ".ruangkerja/state.json") }), skip: false },
  {
    name: "a PostgreSQL state",
    state: () => {
      const workspace = freshWorkspace("crash");
      return { flags: ["--state", PG_URL, "--workspace", workspace], location: PG_URL, workspace };
    },
    skip: skipPostgres,
  },
];

describe.each(backends)("apply killed with SIGKILL mid-run, with $name", ({ name, state: stateOf, skip }) => {
  it.skipIf(skip)(
    "leaves a state of every confirmed user, and the next apply converges with each user once",
    async () => {
      const users = makeUsers(name.includes("PostgreSQL") ? "CP" : "CF", USERS);
      await writeText(join(work.dir, "users/everyone.yaml"), usersYaml(users));
      const env = { PATH: process.env.PATH ?? "", NO_COLOR: "1", RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
      const target = stateOf();

      const child = spawn(
        process.execPath,
        [CLI, "apply", "--auto-approve", "--json", "--chunk-size", String(CHUNK), "--parallelism", String(PARALLELISM), ...target.flags],
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
      const settled = () => {
        const now = emulator.users().length;
        const same = now === previous;
        previous = now;
        return same;
      };
      await until("the requests in flight to settle", settled);
      await sleep(LATENCY_MS * 3);
      await until("the requests in flight to settle", settled);

      // Read as the CLI reads it: the state with its journal folded in.
      const store = openStateStore(target.location, target.workspace ? { workspace: target.workspace } : {});
      const state = await store.read();
      expect(state).toBeDefined();
      const held = new Map(emulator.users().map((u) => [u.employeeID, u.serial]));
      expect(held.size).toBeLessThan(USERS);
      const recorded = [...(state?.users.values() ?? [])];
      expect(recorded.length).toBeGreaterThan(0);
      // Everything state records, the emulator holds, under the serial its reply gave.
      for (const user of recorded) expect(held.get(user.employeeID)).toBe(user.serial);
      const inState = new Set(recorded.map((u) => u.employeeID));
      const onlyInEmulator = [...held.keys()].filter((id) => !inState.has(id));
      // Every call whose reply arrived was journaled before the next began: only the calls in flight
      // at the kill can be missing (before the journal, hundreds of users could be).
      expect(onlyInEmulator.length).toBeLessThanOrEqual(PARALLELISM * CHUNK);

      emulator.setFaults({});
      const countsBefore = emulator.requestCounts();
      const again = await runCli(["apply", "--auto-approve", "--json", "--chunk-size", String(CHUNK), ...target.flags], {
        cwd: work.dir,
        env,
        timeoutMs: 120_000,
      });
      expect(again.code).toBe(0);
      const result = JSON.parse(again.stdout);
      expect(result).toMatchObject({ failed: 0, succeeded: USERS - inState.size });
      // Exactly the users that landed without their reply reaching the killed run were read back, one GET each.
      expect(result.confirmedByReadBack ?? 0).toBe(onlyInEmulator.length);
      expect((emulator.requestCounts().get ?? 0) - (countsBefore.get ?? 0)).toBeLessThanOrEqual(PARALLELISM * CHUNK);

      const ids = emulator.users().map((u) => u.employeeID);
      expect(ids).toHaveLength(USERS);
      expect(new Set(ids).size).toBe(USERS);
      const plan = await runCli(["plan", "--detailed-exitcode", ...target.flags], { cwd: work.dir, env });
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain("No changes.");
    },
    240_000,
  );
});
