/**
 * The state lock of a file state, end to end: what the "state is locked" message names, and a run
 * whose lock was removed while it was alive meeting the state another run wrote meanwhile. A
 * gate (test/e2e/gate-proxy.ts) in front of the emulator holds the first run's next request, so
 * "the first run is still applying" is a fact of the test, not a race.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { waitFor } from "../postgres.js";
import { type GateProxy, startGateProxy } from "./gate-proxy.js";
import { type CliResult, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-fm-locks-3d8a";
let emulator: RunningEmulator;
let gate: GateProxy | undefined;
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
});
afterEach(async () => {
  gate?.open();
  await gate?.close();
  gate = undefined;
  await emulator.close();
  await work.cleanup();
});

const direct = () => ({ RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN });
const run = (args: string[], env = direct()) => runCli(args, { cwd: work.dir, env });

async function stateList(): Promise<{ lineage: string | null; serial: number; users: { employeeID: string }[] }> {
  const listed = await run(["state", "list", "--json"]);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout);
}

/**
 * Starts `apply` of `count` users in 10-user chunks, one call at a time, through a gate that lets
 * `allow` requests pass; resolves once the next request waits at the gate and state lists the
 * users of the calls let through (the run is mid-apply, holding the lock).
 */
async function startHeldApply(prefix: string, count: number, allow: number) {
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers(prefix, count)));
  gate = await startGateProxy(emulator.url, allow);
  const env = { RUANGKERJA_API_URL: gate.url, RUANGKERJA_TOKEN: TOKEN };
  let pid = 0;
  const running: Promise<CliResult> = runCli(["apply", "--auto-approve", "--chunk-size", "10", "--parallelism", "1"], {
    cwd: work.dir,
    env,
    onChild: (child) => (pid = child.pid ?? 0),
  });
  const g = gate;
  await waitFor("the apply to be held mid-apply", async () => g.held() === 1 && (await stateList()).users.length === allow * 10);
  return { gate: g, running, pid };
}

describe("a second apply while the first one runs", () => {
  it("fails at once naming the holder, the lock ID and the lock file (which is there); nothing is sent", async () => {
    const { gate: g, running, pid } = await startHeldApply("FLK", 20, 0);
    const second = await run(["apply", "--auto-approve"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`state is locked by \\S+@\\S+ \\(pid ${pid}, apply\\) since \\d{4}-`));
    expect(second.stderr).toMatch(/^ {2}Lock ID: +[0-9a-f-]{36}$/m);
    const line = /^ {2}Lock file: (.+)$/m.exec(second.stderr);
    expect(line, second.stderr).not.toBeNull();
    const named = resolve(work.dir, (line as RegExpExecArray)[1] as string);
    expect(named).toBe(join(work.dir, ".ruangkerja/state.json.lock"));
    expect(existsSync(named)).toBe(true);
    // The second run sent nothing: the emulator saw no request but the first run's held one.
    expect(g.forwarded()).toBe(0);
    expect(emulator.users()).toEqual([]);

    g.open();
    expect((await running).code).toBe(0);
    expect(existsSync(named)).toBe(false);
    expect(emulator.users()).toHaveLength(20);
  });

  it("names the lock file of --state when the state is elsewhere", async () => {
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("FLS", 3)));
    gate = await startGateProxy(emulator.url, 0);
    const g = gate;
    const env = { RUANGKERJA_API_URL: g.url, RUANGKERJA_TOKEN: TOKEN };
    const state = join(work.dir, "elsewhere/team-state.json");
    const running = runCli(["apply", "--auto-approve", "--state", state], { cwd: work.dir, env });
    await waitFor("the apply's first request at the gate", async () => g.held() === 1);
    const second = await run(["apply", "--auto-approve", "--state", state]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`  Lock file: ${state}.lock\n`);
    expect(existsSync(`${state}.lock`)).toBe(true);
    g.open();
    expect((await running).code).toBe(0);
  });
});

/** What the stopped run of the test below printed, for the one after it. */
let stoppedRun = "";

describe("a lock removed while its run was alive, and another run wrote state meanwhile", () => {
  it("the first run's next write is refused (changed by another process): it stops, exit 1, overwrites nothing; then all converge", async () => {
    const { gate: g, running } = await startHeldApply("FLC", 30, 1);
    const before = await stateList();
    // Someone takes the lock ID from the message and removes the lock of the live run.
    const locked = await run(["apply", "--auto-approve"]);
    expect(locked.code).toBe(1);
    const lockId = (/Lock ID: +([0-9a-f-]{36})/.exec(locked.stderr) as RegExpExecArray)[1] as string;
    const unlock = await run(["force-unlock", lockId, "--force"]);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain(`Removed the lock ${lockId}`);

    // A second run, straight to the emulator, applies the rest and writes state.
    const second = await run(["apply", "--auto-approve", "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ succeeded: 20, failed: 0 });
    const written = await stateList();
    expect(written.lineage).toBe(before.lineage);
    expect(written.users).toHaveLength(30);

    // The first run's held create-bulk now reaches the emulator (its users exist: read back), then its state write.
    g.open();
    const first = await running;
    const said = `${first.stdout}\n${first.stderr}`;
    stoppedRun = said;
    expect(first.code).toBe(1);
    expect(said).toContain("was changed by another process since this run read it");
    expect(said).toContain("it was not overwritten");
    expect(said).toMatch(/Apply stopped early: the state could not be written/);
    // The held chunk met its own users (read back); the chunk after it was never sent.
    expect(said).toContain("10 user(s) already held what was sent");
    expect(said.match(/failed: create FLC002\d: not sent \(NOT_ATTEMPTED\)/g)).toHaveLength(10);
    // Nothing of the first run's was written over the second's state.
    const after = await stateList();
    expect(after.lineage).toBe(written.lineage);
    expect(after.serial).toBe(written.serial);
    expect(after.users).toHaveLength(30);

    const ids = emulator.users().map((u) => u.employeeID);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const plan = await run(["plan", "--detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  // Before ddf1189 apply still printed "State saved to …" here, and "What succeeded is kept in
  // state", though the users of the calls after its last good write were not in state.
  it("does not claim, after its write was refused, that state was saved", () => {
    expect(stoppedRun).toContain("Apply stopped early: the state could not be written");
    expect(stoppedRun).not.toContain("State saved to");
    expect(stoppedRun).not.toContain("What succeeded is kept in state");
    expect(stoppedRun).toContain("The state was not written, so it may lack what succeeded");
  });
});
