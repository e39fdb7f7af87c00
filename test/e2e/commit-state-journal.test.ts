/**
 * A killed apply in CI leaves its results in the state's journal, not yet in the state file:
 * examples/github-actions/scripts/commit-state.sh commits the journal beside the state, so the
 * next run (a fresh clone) folds it in and converges; once a run writes the state whole, the
 * script removes the journal from main. A local bare repository stands in for GitHub.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { AppliedUser } from "../../src/model.js";
import type { StateDocument } from "../../src/state/state-document.js";
import { FileStateStore } from "../../src/state/state-file.js";
import { StateSession } from "../../src/state/state-session.js";
import { waitFor } from "../postgres.js";
import { type GateProxy, startGateProxy } from "./gate-proxy.js";
import { type CliResult, makeUsers, makeWorkdir, runCli, runProcess, usersYaml, writeText } from "./helpers.js";

const run = promisify(execFile);
const TOKEN = "e2e-commit-journal-71c2";
const SCRIPT = resolve(import.meta.dirname, "../../examples/github-actions/scripts/commit-state.sh");
const GIT_ENV = {
  GIT_AUTHOR_NAME: "test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "test",
  GIT_COMMITTER_EMAIL: "test@example.com",
};

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

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

/** A fresh clone of main, as a CI job starts with, with the script where the workflows keep it. */
async function cloneMain(origin: string, name: string): Promise<string> {
  const dir = join(work.dir, name);
  await git(work.dir, "clone", "-q", "--branch", "main", `file://${origin}`, dir);
  await mkdir(join(dir, ".github/ruangkerja-users"), { recursive: true });
  await copyFile(SCRIPT, join(dir, ".github/ruangkerja-users/commit-state.sh"));
  return dir;
}

const commitState = (dir: string): Promise<CliResult> =>
  runProcess("bash", [".github/ruangkerja-users/commit-state.sh"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: work.dir },
    timeoutMs: 60_000,
  });

describe("commit-state.sh and the state journal", () => {
  it("commits the journal a killed apply left; the next run folds it in and converges; then the journal leaves main", async () => {
    const origin = join(work.dir, "origin.git");
    await git(work.dir, "init", "-q", "--bare", "-b", "main", origin);
    const seed = join(work.dir, "seed");
    await git(work.dir, "clone", "-q", `file://${origin}`, seed);
    await writeText(join(seed, "users/team.yaml"), usersYaml(makeUsers("CSJ", 30)));
    await git(seed, "checkout", "-q", "-b", "main");
    await git(seed, "add", "-A");
    await git(seed, "commit", "-q", "-m", "Declare the team");
    await git(seed, "push", "-q", "origin", "main");

    // The first job: its apply is killed after two of three calls landed.
    const first = await cloneMain(origin, "job1");
    gate = await startGateProxy(emulator.url, 2);
    const g = gate;
    let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
    const killed = runCli(["apply", "--auto-approve", "--chunk-size", "10", "--parallelism", "1"], {
      cwd: first,
      env: { RUANGKERJA_API_URL: g.url, RUANGKERJA_TOKEN: TOKEN },
      onChild: (c) => (child = c),
    });
    const journal = join(first, ".ruangkerja/state.json.journal");
    await waitFor("two calls journaled and the third held", async () => {
      if (g.held() !== 1 || !existsSync(journal)) return false;
      return (await readFile(journal, "utf8")).trimEnd().split("\n").length === 3;
    });
    child?.kill("SIGKILL");
    expect((await killed).code).toBeNull();
    expect(existsSync(join(first, ".ruangkerja/state.json"))).toBe(false);
    const committed = await commitState(first);
    expect(committed.code, committed.stderr).toBe(0);
    expect(await git(origin, "ls-tree", "-r", "--name-only", "main")).toContain(".ruangkerja/state.json.journal");
    expect(emulator.users()).toHaveLength(20);

    // The next job, from a fresh clone: the journaled users are known, only the rest is planned.
    const second = await cloneMain(origin, "job2");
    const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
    const plan = await runCli(["plan"], { cwd: second, env });
    expect(plan.stdout).toContain("Plan: 10 to create, 0 to update");
    expect(plan.stderr).toContain("has 2 calls' results of an interrupted apply in its journal, read with it");
    const apply = await runCli(["apply", "--auto-approve", "--json", "--chunk-size", "10"], { cwd: second, env });
    expect(apply.code, apply.stderr).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({ succeeded: 10, failed: 0 });
    expect(emulator.users()).toHaveLength(30);
    expect(existsSync(join(second, ".ruangkerja/state.json.journal"))).toBe(false);
    const again = await commitState(second);
    expect(again.code, again.stderr).toBe(0);
    const tree = await git(origin, "ls-tree", "-r", "--name-only", "main");
    expect(tree).toContain(".ruangkerja/state.json");
    expect(tree).not.toContain(".ruangkerja/state.json.journal");

    const third = await cloneMain(origin, "job3");
    const settled = await runCli(["plan", "--detailed-exitcode"], { cwd: third, env });
    expect(settled.stdout).toContain("No changes.");
    expect(settled.code).toBe(0);
  });

  it("an apply with nothing to send still writes a journal's results into the state", async () => {
    const dir = join(work.dir, "quiet");
    const users = makeUsers("CSQ", 3);
    await writeText(join(dir, "users/team.yaml"), usersYaml(users));
    const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
    const first = await runCli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    // A journal of one more call, as a run killed after it would leave.
    const store = new FileStateStore(join(dir, ".ruangkerja/state.json"));
    const session = new StateSession(store, (await store.read()) as StateDocument);
    const kept = (await store.read())?.users.get("CSQ0000");
    session.put({ ...(kept as AppliedUser), serial: "JOURNALED0000001" });
    await session.record();
    expect(existsSync(store.journalPath)).toBe(true);

    const apply = await runCli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("No changes.");
    expect(apply.stderr).toContain("this apply writes them into the state");
    expect(existsSync(store.journalPath)).toBe(false);
    expect((await store.read())?.users.get("CSQ0000")?.serial).toBe("JOURNALED0000001");
  });
});
