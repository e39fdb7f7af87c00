/**
 * The PostgreSQL state backend end to end: the built CLI, the emulator on 127.0.0.1 and a real
 * PostgreSQL server (RUANGKERJA_TEST_PG_URL, started by scripts/with-postgres.sh). Every test has
 * its own workspace and, where it counts requests, its own emulator. No CLI output may contain
 * the database password.
 */
import type { ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import {
  freshWorkspace,
  lockHolders,
  PG_URL,
  pgPassword,
  pgQuery,
  pgUrlWith,
  skipWithoutPostgres,
  skipWithoutTls,
  waitFor,
} from "../postgres.js";
import { startGateProxy } from "./gate-proxy.js";
import { CLI, type CliResult, makeUsers, makeWorkdir, runCli, runProcess, usersYaml, writeText } from "./helpers.js";

const skip = skipWithoutPostgres("test/e2e/postgres.test.ts");
const skipTls = skipWithoutTls("test/e2e/postgres.test.ts");
const TOKEN = "e2e-pg-token-41c9";

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
});
afterEach(async () => {
  await emulator.close();
  await work.cleanup();
});

/** Runs the CLI and checks that the database password appears nowhere in what it printed. */
async function cli(args: string[], options: { api?: string; env?: Record<string, string>; onChild?: (child: ChildProcess) => void } = {}) {
  const result = await runCli(args, {
    cwd: work.dir,
    env: { RUANGKERJA_API_URL: options.api ?? emulator.url, RUANGKERJA_TOKEN: TOKEN, ...options.env },
    onChild: options.onChild,
  });
  expectNoPassword(result);
  return result;
}

function expectNoPassword(result: CliResult): void {
  if (skip) return;
  const password = pgPassword();
  expect(password.length).toBeGreaterThan(3);
  expect(result.stdout).not.toContain(password);
  expect(result.stderr).not.toContain(password);
}

async function declare(count: number, prefix = "PGU", dir = "users"): Promise<void> {
  await writeText(join(work.dir, dir, "people.yaml"), usersYaml(makeUsers(prefix, count)));
}

async function stateRow(workspace: string): Promise<{ lineage: string; serial: number; count: number } | undefined> {
  const rows = await pgQuery<{ lineage: string; serial: string; count: number }>(
    "SELECT lineage, serial::text AS serial, jsonb_array_length(users) AS count FROM ruangkerja_state WHERE workspace = $1",
    [workspace],
  );
  const row = rows[0];
  return row ? { lineage: row.lineage, serial: Number(row.serial), count: row.count } : undefined;
}

/** How many users the workspace's journal holds (results recorded after each call, not yet in the state row). */
async function journaledUsers(workspace: string): Promise<number> {
  const rows = await pgQuery<{ count: string | null }>(
    "SELECT sum(jsonb_array_length(changes))::text AS count FROM ruangkerja_state_journal WHERE workspace = $1",
    [workspace],
  );
  return Number(rows[0]?.count ?? 0);
}

/**
 * Starts `apply --json` in 20-user chunks, one request at a time, through a gate that lets
 * `allow` requests pass: resolves once the run has saved the users of all of them and its next
 * request waits at the gate (it is mid-apply, holding the lock).
 */
async function startHeldApply(workspace: string, allow: number) {
  const gate = await startGateProxy(emulator.url, allow);
  let child: ChildProcess | undefined;
  const args = [
    "apply",
    "--auto-approve",
    "--json",
    "--chunk-size",
    "20",
    "--parallelism",
    "1",
    "--state",
    PG_URL,
    "--workspace",
    workspace,
  ];
  const running = cli(args, { api: gate.url, onChild: (c) => (child = c) });
  // Each call's results are journaled (a row per call) before the next call is sent.
  await waitFor("the apply to be held mid-apply", async () => gate.held() === 1 && (await journaledUsers(workspace)) === allow * 20);
  return { gate, running, child: child as ChildProcess };
}

function createdOnce(): void {
  const ids = emulator.users().map((u) => u.employeeID);
  expect(new Set(ids).size).toBe(ids.length);
}

describe.skipIf(skip)("PostgreSQL state", () => {
  it("applies with --state postgres://… and plans against it with RUANGKERJA_STATE / RUANGKERJA_WORKSPACE", async () => {
    const workspace = freshWorkspace();
    await declare(120);
    const apply = await cli(["apply", "--auto-approve", "--state", PG_URL, "--workspace", workspace]);
    expect(apply.code).toBe(0);
    expect(apply.stderr).toMatch(new RegExp(`State saved to postgres://\\w+@127\\.0\\.0\\.1:\\d+/\\w+ \\(workspace "${workspace}"\\)`));
    expect(await stateRow(workspace)).toMatchObject({ count: 120 });
    expect(emulator.users()).toHaveLength(120);

    const plan = await cli(["plan", "--detailed-exitcode"], { env: { RUANGKERJA_STATE: PG_URL, RUANGKERJA_WORKSPACE: workspace } });
    expect(plan.stdout).toContain("No changes");
    expect(plan.code).toBe(0);
    const list = await cli(["state", "list", "--json", "--state", PG_URL, "--workspace", workspace]);
    expect(JSON.parse(list.stdout)).toMatchObject({ serial: (await stateRow(workspace))?.serial });
    expect(JSON.parse(list.stdout).users).toHaveLength(120);
    // After the apply nothing holds the lock or claims to.
    expect(await lockHolders(workspace)).toEqual([]);
    expect(await pgQuery("SELECT 1 FROM ruangkerja_state_lock WHERE workspace = $1", [workspace])).toEqual([]);
  });

  it("keeps workspaces independent in one database", async () => {
    const [east, west] = [freshWorkspace("east"), freshWorkspace("west")];
    await declare(30, "EAST", "east");
    await declare(20, "WEST", "west");
    expect((await cli(["apply", "--auto-approve", "--dir", "east", "--state", PG_URL, "--workspace", east])).code).toBe(0);
    expect((await cli(["apply", "--auto-approve", "--dir", "west", "--state", PG_URL, "--workspace", west])).code).toBe(0);
    expect(await stateRow(east)).toMatchObject({ count: 30 });
    expect(await stateRow(west)).toMatchObject({ count: 20 });
    const eastPlan = await cli(["plan", "--dir", "east", "--state", PG_URL, "--workspace", east, "--detailed-exitcode"]);
    expect(eastPlan.code).toBe(0);
    // West's state knows nothing of east's users.
    const crossed = await cli(["plan", "--json", "--dir", "east", "--state", PG_URL, "--workspace", west]);
    expect(JSON.parse(crossed.stdout).summary).toMatchObject({ create: 30, deactivate: 20 });
  });

  it("lets one apply run at a time: a second fails at once naming the holder, a third waits with --lock-timeout; every user is created once", async () => {
    const workspace = freshWorkspace();
    await declare(200);
    const { gate, running, child: first } = await startHeldApply(workspace, 2);
    try {
      const second = await cli(["apply", "--auto-approve", "--state", PG_URL, "--workspace", workspace]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/state postgres:\/\/.* is locked by .* \(pid \d+ on .+, operation "apply"\) since \d{4}-/);
      expect(second.stderr).toContain(`pid ${first.pid} on`);
      expect(emulator.requestCounts()["create-bulk"]).toBe(2);
      // A live session's lock is not for force-unlock to take.
      const [row] = await pgQuery<{ holder_id: string }>("SELECT holder_id FROM ruangkerja_state_lock WHERE workspace = $1", [workspace]);
      const unlock = await cli(["force-unlock", row?.holder_id ?? "?", "--force", "--state", PG_URL, "--workspace", workspace]);
      expect(unlock.code).toBe(1);
      expect(unlock.stderr).toMatch(/session \(backend pid \d+\) is alive.*nothing was removed/);
      expect(await lockHolders(workspace)).toHaveLength(1);

      // A third one waits (--lock-timeout), named so the test can see it trying.
      const waiterName = `waiter-${workspace}`;
      const waiting = cli([
        "apply",
        "--auto-approve",
        "--json",
        "--lock-timeout",
        "2m",
        "--state",
        pgUrlWith({ application_name: waiterName }),
        "--workspace",
        workspace,
      ]);
      await waitFor("the third apply to try for the lock", async () => {
        const rows = await pgQuery("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_try_advisory_lock%'", [
          waiterName,
        ]);
        return rows.length === 1;
      });

      gate.open();
      const result = await running;
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: 200, failed: 0, requests: { "create-bulk": 10 } });
      // It got the lock once the first was done, and found nothing left to do.
      const third = await waiting;
      expect(third.code).toBe(0);
      expect(JSON.parse(third.stdout)).toMatchObject({ succeeded: 0, failed: 0 });
    } finally {
      gate.open();
      await gate.close();
    }
    expect(emulator.users()).toHaveLength(200);
    expect(emulator.requestCounts()["create-bulk"]).toBe(10);
    createdOnce();
    expect(await stateRow(workspace)).toMatchObject({ count: 200 });
  });

  it("frees the lock of an apply killed mid-run (its connection ends), and the next apply converges", async () => {
    const workspace = freshWorkspace();
    await declare(200);
    const { gate, running, child: victim } = await startHeldApply(workspace, 3);
    try {
      expect(await lockHolders(workspace)).toHaveLength(1);
      victim.kill("SIGKILL");
      const killed = await running;
      expect(killed.code).toBeNull();
      // Nobody deleted anything: PostgreSQL ended the lock when the connection went.
      await waitFor("PostgreSQL to end the killed run's lock", async () => (await lockHolders(workspace)).length === 0);
    } finally {
      await gate.close();
    }
    expect(emulator.users()).toHaveLength(60);

    const next = await cli(["apply", "--auto-approve", "--json", "--chunk-size", "20", "--state", PG_URL, "--workspace", workspace]);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ succeeded: 140, failed: 0, requests: { "create-bulk": 7 } });
    expect(emulator.users()).toHaveLength(200);
    createdOnce();
    const plan = await cli(["plan", "--detailed-exitcode", "--state", PG_URL, "--workspace", workspace]);
    expect(plan.code).toBe(0);
  });

  it("migrates file → PostgreSQL → file without loss, and refuses to overwrite another lineage without --force", async () => {
    const workspace = freshWorkspace();
    await declare(50);
    expect((await cli(["apply", "--auto-approve"])).code).toBe(0);
    const original = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8");

    const toDb = await cli(["state", "migrate", "--from", ".ruangkerja/state.json", "--to", PG_URL, "--workspace", workspace]);
    expect(toDb.code).toBe(0);
    expect(toDb.stderr).toMatch(/Migrated 50 users \(lineage [0-9a-f-]+, serial \d+\)/);
    expect((await cli(["plan", "--detailed-exitcode", "--state", PG_URL, "--workspace", workspace])).code).toBe(0);

    const back = await cli(["state", "migrate", "--from", PG_URL, "--from-workspace", workspace, "--to", "back/state.json"]);
    expect(back.code).toBe(0);
    expect(await readFile(join(work.dir, "back/state.json"), "utf8")).toBe(original);

    // A workspace that already has a history of its own is not overwritten by accident.
    const other = freshWorkspace();
    await declare(5, "OTHER", "other");
    expect((await cli(["apply", "--auto-approve", "--dir", "other", "--state", PG_URL, "--workspace", other])).code).toBe(0);
    const before = await stateRow(other);
    const refused = await cli(["state", "migrate", "--from", ".ruangkerja/state.json", "--to", PG_URL, "--to-workspace", other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds a state of another lineage.*--force/);
    expect(await stateRow(other)).toEqual(before);
    const forced = await cli(["state", "migrate", "--from", ".ruangkerja/state.json", "--to", PG_URL, "--to-workspace", other, "--force"]);
    expect(forced.code).toBe(0);
    expect(await stateRow(other)).toMatchObject({ lineage: JSON.parse(original).lineage, count: 50 });
    expect(forced.stderr).toMatch(/It replaced lineage \S+, serial \d+ \(5 users\)\./);
  });

  it("export and import write their state to PostgreSQL too", async () => {
    const workspace = freshWorkspace();
    await declare(12);
    expect((await cli(["apply", "--auto-approve", "--state", "seed.json"])).code).toBe(0);
    const exported = await cli(["export", "--out", "exported", "--state", PG_URL, "--workspace", workspace]);
    expect(exported.code).toBe(0);
    expect(await stateRow(workspace)).toMatchObject({ count: 12 });
    const plan = await cli(["plan", "--detailed-exitcode", "--dir", "exported", "--state", PG_URL, "--workspace", workspace]);
    expect(plan.code).toBe(0);

    const other = freshWorkspace();
    const imported = await cli(["import", "PGU0000", "PGU0001", "--state", PG_URL, "--workspace", other]);
    expect(imported.code).toBe(0);
    expect(await stateRow(other)).toMatchObject({ count: 2 });
  });

  it.skipIf(skipTls)("honours PGSSLMODE from the environment when the URL has no sslmode", async () => {
    await declare(3);
    const checked = await cli(["plan", "--state", PG_URL], { env: { PGSSLMODE: "verify-full" } });
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/self[- ]signed certificate/);
    const unchecked = await cli(["plan", "--state", PG_URL], { env: { PGSSLMODE: "no-verify" } });
    expect(unchecked.code).toBe(0);
  });

  it("never prints the password: a refused login and a workspace given to a state file fail plainly", async () => {
    await declare(3);
    const wrong = new URL(PG_URL);
    wrong.password = `${pgPassword()}-wrong`;
    const refused = await cli(["plan", "--state", wrong.toString()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot read the state at postgres:\/\/\w+@127\.0\.0\.1:\d+\/\w+ .*password authentication failed/);
    expect(refused.stderr).not.toContain(wrong.password);

    const file = await cli(["plan", "--workspace", "prod"]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('workspace "prod" needs a PostgreSQL state');
  });
});

describe("state migrate between files (no server needed)", () => {
  it("replaces a state file of another lineage only with --force, keeping the old file beside it", async () => {
    await declare(4);
    expect((await cli(["apply", "--auto-approve"])).code).toBe(0);
    const original = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8");
    await declare(2, "OTHER", "other");
    expect((await cli(["apply", "--auto-approve", "--dir", "other", "--state", "other.json"])).code).toBe(0);
    const other = await readFile(join(work.dir, "other.json"), "utf8");

    const refused = await cli(["state", "migrate", "--from", ".ruangkerja/state.json", "--to", "other.json"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("holds a state of another lineage");
    expect(await readFile(join(work.dir, "other.json"), "utf8")).toBe(other);

    const forced = await cli(["state", "migrate", "--from", ".ruangkerja/state.json", "--to", "other.json", "--force"]);
    expect(forced.code).toBe(0);
    expect(await readFile(join(work.dir, "other.json"), "utf8")).toBe(original);
    const kept = /kept as (\S+)\.$/m.exec(forced.stderr)?.[1] as string;
    expect(kept).toMatch(/^other\.json\..*\.replaced$/);
    expect(await readFile(join(work.dir, kept), "utf8")).toBe(other);
  });

  it("puts the replaced state file back when the new one cannot be written", async () => {
    await declare(40);
    expect((await cli(["apply", "--auto-approve"])).code).toBe(0);
    await declare(2, "OTHER", "other");
    expect((await cli(["apply", "--auto-approve", "--dir", "other", "--state", "other.json"])).code).toBe(0);
    const other = await readFile(join(work.dir, "other.json"), "utf8");

    // A file size limit (2 KiB) lets the lock and the set-aside rename through, but not the 40 users' state.
    const args = ["state", "migrate", "--from", ".ruangkerja/state.json", "--to", "other.json", "--force"];
    const failed = await runProcess("bash", ["-c", 'ulimit -f 2 && exec "$@"', "bash", process.execPath, CLI, ...args], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("cannot write the state at other.json (EFBIG)");
    expect(await readFile(join(work.dir, "other.json"), "utf8")).toBe(other);
    expect((await readdir(work.dir)).filter((name) => name.startsWith("other.json."))).toEqual([]);
  });
});
