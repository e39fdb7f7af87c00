/**
 * `state pull` and `state push FILE` through the built CLI, on a state made by a real apply against
 * the emulator on 127.0.0.1: pull prints the stored state with its journal folded in; push puts a
 * pulled state back under the lock, refusing another lineage, an older serial or a damaged file
 * (located, nothing written) unless --force. The same round trip on PostgreSQL when a server is known.
 */
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { journalHeaderLine, journalRecordLine } from "../../src/state/state-journal.js";
import { freshWorkspace, PG_URL, pgPassword, skipWithoutPostgres } from "../postgres.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-pull-push-3b8a";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const statePath = () => join(work.dir, ".ruangkerja/state.json");
interface StateJson {
  lineage: string;
  serial: number;
  users: { employeeID: string; name: string }[];
}
const readState = async () => JSON.parse(await readFile(statePath(), "utf8")) as StateJson;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(async () => {
  await emulator.close();
  await work?.cleanup();
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5_000) });
  await work?.cleanup();
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("PP", 3)));
  expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
});

describe("state pull", () => {
  it("prints the state file's text on stdout", async () => {
    const result = await runCli(["state", "pull"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(`${result.stdout}`).toBe(await readFile(statePath(), "utf8"));
  });

  it("folds in the journal an interrupted apply left, without writing anything", async () => {
    const state = await readState();
    const journal = `${statePath()}.journal`;
    const renamed = { ...state.users[0], name: "Dari Jurnal" };
    await writeFile(
      journal,
      journalHeaderLine({ lineage: state.lineage, serial: state.serial }) + journalRecordLine(1, [{ user: renamed } as never]),
    );
    const before = await readFile(statePath(), "utf8");
    const result = await runCli(["state", "pull"], { cwd: work.dir });
    expect(result.code).toBe(0);
    const pulled = JSON.parse(result.stdout) as StateJson;
    expect(pulled.serial).toBe(state.serial);
    expect(pulled.users[0]?.name).toBe("Dari Jurnal");
    expect(result.stderr).toContain("Folded in 1 journaled call result");
    expect(await readFile(statePath(), "utf8")).toBe(before);
    expect(existsSync(journal)).toBe(true);
  });

  it("with no state prints nothing on stdout and says so, exit 0", async () => {
    const result = await runCli(["state", "pull", "--state", "none/state.json"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("No state at none/state.json");
  });
});

describe("state push", () => {
  async function pull(): Promise<StateJson> {
    const result = await runCli(["state", "pull"], { cwd: work.dir });
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as StateJson;
  }

  it("restores a newer serial of the same lineage, under the lock", async () => {
    const backup = await pull();
    const next = { ...backup, serial: backup.serial + 5, users: backup.users.slice(1) };
    await writeFile(join(work.dir, "next.json"), JSON.stringify(next));
    const result = await runCli(["state", "push", "next.json"], { cwd: work.dir });
    expect(result.stderr).toContain(
      `Pushed 2 users from next.json to .ruangkerja/state.json (lineage ${backup.lineage}, serial ${backup.serial + 5})`,
    );
    expect(result.code).toBe(0);
    expect((await readState()).users.map((u) => u.employeeID)).toEqual(["PP0001", "PP0002"]);
    expect(existsSync(`${statePath()}.lock`)).toBe(false);
  });

  it("the same state again is nothing to do", async () => {
    await writeFile(join(work.dir, "same.json"), JSON.stringify(await pull()));
    const result = await runCli(["state", "push", "same.json"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("already holds this state");
  });

  it("refuses an older serial and another lineage; --force replaces, keeps the old file, and never moves the serial back", async () => {
    const backup = await pull();
    // Another apply moves the stored state on: the backup is older now.
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("PP", 4)));
    expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
    const current = await readState();
    await writeFile(join(work.dir, "backup.json"), JSON.stringify(backup));
    await writeFile(join(work.dir, "other.json"), JSON.stringify({ ...backup, lineage: "5b0c0f8e-0000-4000-8000-000000000001" }));
    for (const [file, says] of [
      ["backup.json", `holds serial ${backup.serial}, older than the stored serial ${current.serial}`],
      ["other.json", "holds a state of another lineage"],
    ] as const) {
      const refused = await runCli(["state", "push", file], { cwd: work.dir });
      expect(refused.code, file).toBe(1);
      expect(refused.stderr).toContain(says);
      expect(refused.stderr).toContain("Pass --force");
      expect(await readState()).toEqual(current);
    }
    const forced = await runCli(["state", "push", "backup.json", "--force"], { cwd: work.dir });
    expect(forced.code).toBe(0);
    const restored = await readState();
    expect(restored.users).toEqual(backup.users);
    expect(restored.serial).toBe(current.serial + 1);
    expect((await readdir(join(work.dir, ".ruangkerja"))).some((name) => name.endsWith(".replaced"))).toBe(true);
  });

  it("refuses a damaged file at its line and column, and a folder, writing nothing", async () => {
    const before = await readFile(statePath(), "utf8");
    await writeFile(join(work.dir, "bad.json"), '{"formatVersion":2,\n"lineage":"x",\n"serial":1,"serial":2,"users":[]}');
    const bad = await runCli(["state", "push", "bad.json"], { cwd: work.dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.json:3:\d+/);
    const folder = await runCli(["state", "push", "users"], { cwd: work.dir });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain("not a regular file");
    const missing = await runCli(["state", "push", "nowhere.json"], { cwd: work.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("ENOENT");
    expect(await readFile(statePath(), "utf8")).toBe(before);
    expect(existsSync(`${statePath()}.lock`)).toBe(false);
  });

  it("waits for no one: a held lock stops it", async () => {
    const backup = await pull();
    await writeFile(join(work.dir, "next.json"), JSON.stringify({ ...backup, serial: backup.serial + 1 }));
    await writeText(`${statePath()}.lock`, "{}");
    const result = await runCli(["state", "push", "next.json"], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("state is locked");
    expect((await readState()).serial).toBe(backup.serial);
  });
});

const skip = skipWithoutPostgres("test/e2e/state-pull-push.test.ts");

describe.skipIf(skip)("state pull and push on PostgreSQL", () => {
  it("pushes a file state into a workspace and pulls it back the same, without printing the password", async () => {
    const workspace = freshWorkspace("pp");
    const pgEnv = { RUANGKERJA_STATE: PG_URL, RUANGKERJA_WORKSPACE: workspace };
    const file = await readFile(statePath(), "utf8");
    await writeFile(join(work.dir, "file.json"), file);
    const push = await runCli(["state", "push", "file.json"], { cwd: work.dir, env: pgEnv });
    expect(push.code, push.stderr).toBe(0);
    const pulled = await runCli(["state", "pull"], { cwd: work.dir, env: pgEnv });
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toBe(file);
    for (const output of [push.stdout, push.stderr, pulled.stdout, pulled.stderr]) expect(output).not.toContain(pgPassword());
    const again = await runCli(["state", "push", "file.json"], { cwd: work.dir, env: pgEnv });
    expect(again.stderr).toContain("already holds this state");
  });
});
