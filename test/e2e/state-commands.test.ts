/** `state list | show | rm | mv` through the built CLI, on a state made by a real apply against the emulator on 127.0.0.1. */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-state-token";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const statePath = () => join(work.dir, ".ruangkerja/state.json");
const readState = async () =>
  JSON.parse(await readFile(statePath(), "utf8")) as { lineage: string; serial: number; users: { employeeID: string }[] };

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5_000) });
  await work?.cleanup();
  work = await makeWorkdir();
  const users = makeUsers("S", 3);
  users[2] = { ...users[2], employeeID: "S0002", name: "Gone Person", isActive: false };
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(users));
  expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
});
afterAll(() => work?.cleanup());

describe("state list", () => {
  it("lists employeeID, active or not, and name; --json gives the same as data", async () => {
    const text = await runCli(["state", "list"], { cwd: work.dir });
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split("\n")).toEqual([
      "S0000       active    Karyawan S 0000",
      "S0001       active    Karyawan S 0001",
      "S0002       inactive  Gone Person",
    ]);
    expect(text.stderr).toContain("3 users in .ruangkerja/state.json (serial 1)");
    const json = await runCli(["state", "list", "--json"], { cwd: work.dir });
    const state = await readState();
    expect(JSON.parse(json.stdout)).toEqual({
      formatVersion: 1,
      lineage: state.lineage,
      serial: 1,
      users: [
        { employeeID: "S0000", name: "Karyawan S 0000", isActive: true },
        { employeeID: "S0001", name: "Karyawan S 0001", isActive: true },
        { employeeID: "S0002", name: "Gone Person", isActive: false },
      ],
    });
  });

  it("says so when there is no state, and honours --state", async () => {
    const none = await runCli(["state", "list", "--state", "elsewhere/state.json"], { cwd: work.dir });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr).toContain("No state at elsewhere/state.json");
    expect(JSON.parse((await runCli(["state", "list", "--json", "--state", "elsewhere/state.json"], { cwd: work.dir })).stdout)).toEqual({
      formatVersion: 1,
      lineage: null,
      serial: 0,
      users: [],
    });
  });
});

describe("state show", () => {
  it("prints one user's applied record, as text or JSON", async () => {
    const text = await runCli(["state", "show", "S0001"], { cwd: work.dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^employeeID\s+"S0001"$/m);
    expect(text.stdout).toMatch(/^tagSerials\s+\["RUKRTAG-9WHL0JGP"\]$/m);
    expect(text.stdout).toMatch(/^serial\s+"[A-Z0-9]{16}"$/m);
    const json = JSON.parse((await runCli(["state", "show", "S0001", "--json"], { cwd: work.dir })).stdout);
    expect(json).toEqual({ ...(await readState()).users[1], formatVersion: 1 });
  });

  it("fails clearly on an unknown id, with a hint for one that differs only in case", async () => {
    const result = await runCli(["state", "show", "s0001"], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("employeeID not in the state at .ruangkerja/state.json: s0001 (did you mean S0001?");
  });
});

describe("state rm", () => {
  it("forgets users without calling RuangKerja, writes the next serial, and the next plan creates them again", async () => {
    const before = emulator.requestCounts();
    const result = await runCli(["state", "rm", "S0000", "S0001"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Removed 2 users from .ruangkerja/state.json (serial 2). RuangKerja was not changed");
    const state = await readState();
    expect(state.serial).toBe(2);
    expect(state.users.map((u) => u.employeeID)).toEqual(["S0002"]);
    expect(emulator.requestCounts()).toEqual(before);
    expect(emulator.users()).toHaveLength(3);
    const plan = JSON.parse((await runCli(["plan", "--json"], { cwd: work.dir })).stdout);
    expect(plan.summary).toMatchObject({ create: 2, unchanged: 1 });
    // …and `apply --adopt` takes them back.
    const adopt = await runCli(["apply", "--auto-approve", "--adopt", "--json"], { cwd: work.dir, env });
    expect(adopt.code).toBe(0);
    expect((await readState()).users.map((u) => u.employeeID)).toEqual(["S0000", "S0001", "S0002"]);
  });

  it("changes nothing when one id is unknown, and refuses while the state is locked", async () => {
    const serial = (await readState()).serial;
    const unknown = await runCli(["state", "rm", "S0000", "NOPE1"], { cwd: work.dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("employeeID not in the state at .ruangkerja/state.json: NOPE1");
    expect((await readState()).users).toHaveLength(3);
    expect((await readState()).serial).toBe(serial);
    expect(existsSync(`${statePath()}.lock`)).toBe(false);

    const holder = { id: "x", who: "someone", host: "ci", pid: 4242, operation: "apply", since: "2026-01-01T00:00:00Z" };
    await writeFile(`${statePath()}.lock`, JSON.stringify(holder));
    const locked = await runCli(["state", "rm", "S0000"], { cwd: work.dir });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain("state is locked by someone@ci (pid 4242, apply) since 2026-01-01T00:00:00Z");
    expect((await readState()).users).toHaveLength(3);
  });
});

describe("state mv", () => {
  it("re-keys an entry, keeping its serial, with the next state serial and no API call", async () => {
    const old = (await readState()).users[1] as { serial?: string };
    const before = emulator.requestCounts();
    const result = await runCli(["state", "mv", "S0001", "S9001"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Moved S0001 to S9001");
    const state = await readState();
    expect(state.serial).toBe(2);
    expect(state.users.map((u) => u.employeeID)).toEqual(["S0000", "S0002", "S9001"]);
    expect(state.users[2]).toMatchObject({ employeeID: "S9001", serial: old.serial });
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("refuses an unknown source, a taken target and a malformed id, changing nothing", async () => {
    const cases: [string[], string][] = [
      [["NOPE", "S7"], "employeeID not in the state at .ruangkerja/state.json: NOPE"],
      [["S0000", "S0001"], "S0001 is already in the state at .ruangkerja/state.json"],
      [["S0000", "S 7"], 'the new employeeID "S 7" must be letters a-z, A-Z and digits 0-9 only'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(["state", "mv", ...args], { cwd: work.dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
    }
    expect((await readState()).serial).toBe(1);
  });
});
