/**
 * `plan --refresh-only` and `apply --refresh-only` through the built CLI against the emulator on
 * 127.0.0.1: drift made outside git is shown, then accepted into state with no request that
 * changes RuangKerja; a saved refresh-only plan is re-checked against the API and refused once
 * the drift changed. Also plan's locking flags (--lock, --lock=false, --lock-timeout).
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { freshWorkspace, PG_URL, pgQuery, skipWithoutPostgres } from "../postgres.js";
import { apiSend, makeUsers, makeWorkdir, runCli, runOnTerminal, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-refresh-only-7d1e";
const team = makeUsers("RFO", 4);

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

const statePath = () => join(work.dir, ".ruangkerja/state.json");
const readState = async () =>
  JSON.parse(await readFile(statePath(), "utf8")) as { serial: number; users: { employeeID: string; phone?: string; isActive: boolean }[] };

/** Requests that change RuangKerja since `before`. */
function writesSince(before: Record<string, number>): number {
  const now = emulator.requestCounts();
  return ["create-bulk", "update-bulk", "update", "update-email-bulk"].reduce((n, k) => n + (now[k] ?? 0) - (before[k] ?? 0), 0);
}

async function editByHand(employeeID: string, phone: string): Promise<void> {
  const reply = await apiSend("PUT", `${emulator.url}/ruangkerja/users/${employeeID}`, TOKEN, {
    employeeID,
    name: team.find((u) => u.employeeID === employeeID)?.name,
    phone,
    isActive: true,
  });
  expect(reply.status).toBe(200);
}

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(team));
  expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

describe("plan --refresh-only", () => {
  it("with no drift says so, exit 0 with --detailed-exitcode", async () => {
    const result = await runCli(["plan", "--refresh-only", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No drift: the 4 users in state match RuangKerja.");
    expect(result.stdout).toContain("Nothing to refresh");
  });

  it("shows drift, never the declarations' plan, writes nothing, exit 2 with --detailed-exitcode", async () => {
    await editByHand("RFO0001", "6280000111");
    const before = await readFile(statePath(), "utf8");
    const result = await runCli(["plan", "--refresh-only", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('  ~ RFO0001 "Karyawan RFO 0001" changed in RuangKerja');
    expect(result.stdout).toContain('phone  "628110001" → "6280000111"');
    expect(result.stdout).toContain("Refresh-only plan: `apply --refresh-only` would record these 1 user in state");
    expect(result.stdout).not.toContain("RuangKerja users will change as follows");
    expect(result.stdout).not.toContain("The plan below");
    expect(await readFile(statePath(), "utf8")).toBe(before);
  });

  it("--json carries the drift and the state it was read against", async () => {
    const result = await runCli(["plan", "--refresh-only", "--json"], { cwd: work.dir, env });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ formatVersion: 1, refreshOnly: true, state: { serial: 1 } });
    expect(json.drift.summary).toEqual({ changed: 1, deactivated: 0, missing: 0 });
  });

  it("refuses --target, --refresh and markdown before any request", async () => {
    const before = emulator.requestCounts();
    for (const args of [["--target", "RFO0001"], ["--refresh"], ["--format", "markdown"]]) {
      const result = await runCli(["plan", "--refresh-only", ...args], { cwd: work.dir, env });
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(/refresh-only/);
    }
    expect(emulator.requestCounts()).toEqual(before);
  });
});

describe("apply --refresh-only", () => {
  it("needs --auto-approve without a terminal, and then changes nothing", async () => {
    const result = await runCli(["apply", "--refresh-only"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("needs confirmation");
    expect((await readState()).serial).toBe(1);
  });

  it("on a terminal asks first", async () => {
    const result = await runOnTerminal(["apply", "--refresh-only"], { cwd: work.dir, env });
    expect(result.text).toContain("Update the state to record what RuangKerja holds now?\r\n  Only 'yes' will be accepted to approve.");
    expect((await readState()).serial).toBe(1);
    await rm(join(work.dir, ".ruangkerja/state.json.lock"), { force: true });
  });

  // Was a bug, shared with plain `apply` (src/cli/confirm.ts): on Node 20, when the terminal's input
  // closed at the prompt, readline's question() never settled, the process ended with exit 13
  // (unsettled top-level await) before any finally, and the lock file stayed behind.
  it("on a terminal, input closed at the prompt cancels, exit 1, and releases the lock", async () => {
    const result = await runOnTerminal(["apply", "--refresh-only"], { cwd: work.dir, env });
    const lockLeft = await readFile(join(work.dir, ".ruangkerja/state.json.lock")).then(
      () => true,
      () => false,
    );
    await rm(join(work.dir, ".ruangkerja/state.json.lock"), { force: true });
    expect(result.text).toContain("Apply cancelled: the state was not changed.");
    expect(result.code).toBe(1);
    expect(lockLeft).toBe(false);
  });

  it("accepts the drift into state without a request that changes RuangKerja; the next plan undoes it from the declarations", async () => {
    const before = emulator.requestCounts();
    const result = await runCli(["apply", "--refresh-only", "--auto-approve"], { cwd: work.dir, env });
    expect(result.stderr).toContain("State refreshed");
    expect(result.code).toBe(0);
    expect(writesSince(before)).toBe(0);
    const state = await readState();
    expect(state.serial).toBe(2);
    expect(state.users.find((u) => u.employeeID === "RFO0001")?.phone).toBe("6280000111");
    // State now holds RuangKerja's phone; the YAML still declares the old one: plan updates it back.
    const plan = await runCli(["plan", "--json"], { cwd: work.dir });
    expect(JSON.parse(plan.stdout).summary).toMatchObject({ update: 1 });
    const again = await runCli(["plan", "--refresh-only", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(again.code).toBe(0);
  });
});

describe("a saved refresh-only plan", () => {
  it("is applied as saved while RuangKerja still shows that drift, with no confirmation", async () => {
    await editByHand("RFO0002", "6280000222");
    const saved = await runCli(["plan", "--refresh-only", "--out", "refresh.plan.json"], { cwd: work.dir, env });
    expect(saved.code).toBe(0);
    expect(saved.stderr).toContain("Saved the refresh-only plan to refresh.plan.json");
    const before = emulator.requestCounts();
    const apply = await runCli(["apply", "refresh.plan.json", "--json"], { cwd: work.dir, env });
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({ refreshOnly: true, stateSaved: true, serial: 3 });
    expect(writesSince(before)).toBe(0);
    expect((await readState()).users.find((u) => u.employeeID === "RFO0002")?.phone).toBe("6280000222");
    // Applied once: the state's serial moved on.
    const twice = await runCli(["apply", "refresh.plan.json"], { cwd: work.dir, env });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("stale plan");
  });

  it("is refused, writing nothing, when the drift changed after it was saved", async () => {
    await editByHand("RFO0003", "6280000333");
    expect((await runCli(["plan", "--refresh-only", "--out", "refresh.plan.json"], { cwd: work.dir, env })).code).toBe(0);
    await editByHand("RFO0003", "6280000999");
    const before = await readFile(statePath(), "utf8");
    const apply = await runCli(["apply", "refresh.plan.json"], { cwd: work.dir, env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("stale plan: refresh.plan.json");
    expect(apply.stderr).toContain("RuangKerja changed since the plan was made: the drift of RFO0003");
    expect(await readFile(statePath(), "utf8")).toBe(before);
  });

  it("is refused when edited into something else, located, before any request", async () => {
    await writeFile(join(work.dir, "refresh.plan.json"), '{"kind":"ruangkerja-users-refresh-plan","formatVersion":1,"kind":"x"}');
    const before = emulator.requestCounts();
    const apply = await runCli(["apply", "refresh.plan.json"], { cwd: work.dir, env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/refresh\.plan\.json:1:\d+/);
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("plan --refresh-only --out does not overwrite a file that is not one", async () => {
    await writeFile(join(work.dir, "notes.json"), "{}");
    const result = await runCli(["plan", "--refresh-only", "--out", "notes.json"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(await readFile(join(work.dir, "notes.json"), "utf8")).toBe("{}");
  });
});

describe("plan and the state lock", () => {
  const lockFile = () => join(work.dir, ".ruangkerja/state.json.lock");
  // A lock no run of this test holds, and that cannot be proven stale: it stays until removed.
  const holder = () => "{}";

  it("reads without the lock by default and with --lock=false: a held lock does not stop it", async () => {
    await writeText(lockFile(), holder());
    try {
      for (const args of [[], ["--lock=false"], ["--lock", "false"], ["--lock=false", "--lock-timeout", "1s"]]) {
        const result = await runCli(["plan", ...args], { cwd: work.dir });
        expect(result.code, `plan ${args.join(" ")}: ${result.stderr}`).toBe(0);
      }
    } finally {
      await rm(lockFile(), { force: true });
    }
  });

  it("--lock and --lock-timeout take it: a held lock stops the plan (after the wait)", async () => {
    await writeText(lockFile(), holder());
    try {
      const locked = await runCli(["plan", "--lock"], { cwd: work.dir });
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain("state is locked");
      const started = Date.now();
      const waited = await runCli(["plan", "--lock-timeout", "1s"], { cwd: work.dir });
      expect(waited.code).toBe(1);
      expect(waited.stderr).toContain("state is locked");
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await rm(lockFile(), { force: true });
    }
  });

  it("--lock=true takes the lock and releases it", async () => {
    const result = await runCli(["plan", "--lock=true"], { cwd: work.dir });
    expect(result.code).toBe(0);
    await expect(readFile(lockFile())).rejects.toThrow(/ENOENT/);
  });

  it("--lock takes only true or false", async () => {
    const result = await runCli(["plan", "--lock=maybe"], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--lock takes true or false");
  });
});

const skipPostgres = skipWithoutPostgres("test/e2e/refresh-only.test.ts");

describe.skipIf(skipPostgres)("plan with a PostgreSQL role that may only read (a pull request's credentials)", () => {
  it("plans without the lock; --lock is refused by the database, and nothing is written", async () => {
    const workspace = freshWorkspace("ro");
    const owner = { RUANGKERJA_STATE: PG_URL, RUANGKERJA_WORKSPACE: workspace };
    // The file state, moved into a workspace of its own (which also creates the tables).
    const push = await runCli(["state", "push", ".ruangkerja/state.json"], { cwd: work.dir, env: owner });
    expect(push.code, push.stderr).toBe(0);
    const serial = String((await readState()).serial);
    const role = `rk_reader_${workspace.replace(/-/g, "_")}`;
    const password = `pw-${workspace}`;
    await pgQuery(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await pgQuery(`GRANT SELECT ON ruangkerja_state, ruangkerja_state_lock, ruangkerja_state_journal TO ${role}`);
    try {
      const url = new URL(PG_URL);
      url.username = role;
      url.password = password;
      const reader = { RUANGKERJA_STATE: url.toString(), RUANGKERJA_WORKSPACE: workspace };
      const plan = await runCli(["plan", "--json"], { cwd: work.dir, env: reader });
      expect(plan.stderr).toBe("");
      expect(plan.code).toBe(0);
      expect(JSON.parse(plan.stdout).summary.unchanged).toBeGreaterThan(0);
      const locked = await runCli(["plan", "--lock"], { cwd: work.dir, env: reader });
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain("permission denied");
      expect(locked.stderr).not.toContain(password);
      const rows = await pgQuery<{ serial: string }>("SELECT serial::text AS serial FROM ruangkerja_state WHERE workspace = $1", [
        workspace,
      ]);
      expect(rows).toEqual([{ serial }]);
    } finally {
      await pgQuery(`REVOKE ALL ON ruangkerja_state, ruangkerja_state_lock, ruangkerja_state_journal FROM ${role}`);
      await pgQuery(`DROP ROLE ${role}`);
    }
  });
});
