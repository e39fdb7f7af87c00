/**
 * A `postgres://` run whose lock connection is lost, end to end: the built CLI, the emulator on
 * 127.0.0.1 and a real PostgreSQL server (RUANGKERJA_TEST_PG_URL, see test/postgres.ts). The
 * test's own connection ends the run's lock session with pg_terminate_backend, as a DBA, a
 * database restart or a network cut would; the run must then neither write nor read the state.
 * A gate (test/e2e/gate-proxy.ts) holds the run at a known point meanwhile.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { freshWorkspace, lockHolders, PG_URL, pgPassword, pgQuery, skipWithoutPostgres, waitFor } from "../postgres.js";
import { type GateProxy, startGateProxy } from "./gate-proxy.js";
import { type CliResult, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const skip = skipWithoutPostgres("test/e2e/postgres-lock-loss.test.ts");
const TOKEN = "e2e-pg-lock-loss-2f6d";
const LOST = "the PostgreSQL connection that held its lock was lost";

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let gate: GateProxy | undefined;

beforeEach(async () => {
  [emulator, work] = await Promise.all([startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN }), makeWorkdir()]);
});
afterEach(async () => {
  gate?.open();
  await gate?.close();
  gate = undefined;
  await Promise.all([emulator.close(), work.cleanup()]);
});

/** Runs the CLI against `api` (the emulator by default); the database password never appears in its output. */
async function cli(args: string[], api = emulator.url): Promise<CliResult> {
  const result = await runCli(args, { cwd: work.dir, env: { RUANGKERJA_API_URL: api, RUANGKERJA_TOKEN: TOKEN } });
  for (const text of [result.stdout, result.stderr]) expect(text).not.toContain(pgPassword());
  return result;
}

async function listed(state: string, workspace?: string): Promise<{ lineage: string | null; users: unknown[] }> {
  const result = await cli(["state", "list", "--json", "--state", state, ...(workspace ? ["--workspace", workspace] : [])]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** Ends the session holding the workspace's lock from the test's own connection, and waits for the lock to go with it. */
async function terminateLockSession(workspace: string): Promise<void> {
  const holders = await lockHolders(workspace);
  expect(holders).toHaveLength(1);
  expect(await pgQuery("SELECT pg_terminate_backend($1) AS ended", [holders[0]])).toEqual([{ ended: true }]);
  await waitFor("the lock to end with its session", async () => (await lockHolders(workspace)).length === 0);
}

describe.skipIf(skip)("a postgres:// run whose lock connection is lost", () => {
  it("apply: the next state write refuses and writes nothing; apply stops, reports the users not sent, exit 1; the next apply converges", async () => {
    const workspace = freshWorkspace("loss");
    const state = ["--state", PG_URL, "--workspace", workspace];
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("PLL", 30)));
    gate = await startGateProxy(emulator.url, 1);
    const g = gate;
    const running = cli(["apply", "--auto-approve", "--chunk-size", "10", "--parallelism", "1", ...state], g.url);
    await waitFor(
      "the apply to be held after its first call",
      async () => g.held() === 1 && (await listed(PG_URL, workspace)).users.length === 10,
    );

    await terminateLockSession(workspace);
    g.open();
    const stopped = await running;
    const said = `${stopped.stdout}\n${stopped.stderr}`;
    expect(stopped.code).toBe(1);
    expect(said).toContain(LOST);
    expect(said).toContain("another run may hold it now, so nothing was written");
    expect(said).toMatch(/Apply stopped early: /);
    expect(said.match(/failed: create PLL002\d: not sent \(NOT_ATTEMPTED\)/g)).toHaveLength(10);
    // The held call landed in RuangKerja, but nothing was written after the loss.
    expect(emulator.users()).toHaveLength(20);
    expect((await listed(PG_URL, workspace)).users).toHaveLength(10);
    expect(await lockHolders(workspace)).toEqual([]);

    const again = await cli(["apply", "--auto-approve", "--json", ...state]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ succeeded: 20, failed: 0, confirmedByReadBack: 10 });
    const ids = emulator.users().map((u) => u.employeeID);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const plan = await cli(["plan", "--detailed-exitcode", ...state]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  }, 60_000);

  it("a read after the loss refuses and reads nothing: state migrate, holding the PostgreSQL lock while it waits for a file's", async () => {
    const workspace = freshWorkspace("lossr");
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("PLR", 3)));
    expect((await cli(["apply", "--auto-approve", "--state", PG_URL, "--workspace", workspace])).code).toBe(0);
    // An apply on the destination file holds that file's lock, held at the gate before its first call.
    gate = await startGateProxy(emulator.url, 0);
    const g = gate;
    const fileApply = cli(["apply", "--auto-approve"], g.url);
    await waitFor("the file apply's first request at the gate", async () => g.held() === 1);
    const migrating = cli([
      "state",
      "migrate",
      "--from",
      PG_URL,
      "--from-workspace",
      workspace,
      "--to",
      ".ruangkerja/state.json",
      "--force",
      "--lock-timeout",
      "50s",
    ]);
    // migrate locks its source first, then waits for the destination's lock.
    await waitFor("state migrate to hold the source's lock", async () => (await lockHolders(workspace)).length === 1);
    await terminateLockSession(workspace);

    g.open();
    expect((await fileApply).code).toBe(0);
    const fileState = await listed(".ruangkerja/state.json");
    const migrated = await migrating;
    expect(migrated.code).toBe(1);
    expect(migrated.stderr).toContain(LOST);
    expect(migrated.stderr).toContain("another run may hold it now, so nothing was read");
    expect(migrated.stderr).not.toContain("Migrated");
    // Nothing was copied: the file still holds the file apply's own state.
    expect(await listed(".ruangkerja/state.json")).toEqual(fileState);
    expect(fileState.lineage).not.toBe((await listed(PG_URL, workspace)).lineage);
  }, 60_000);
});
