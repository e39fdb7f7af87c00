/**
 * What apply refuses before it asks: on a terminal (script(1) gives the CLI a pseudo-terminal, see
 * runOnTerminal), a plan over the mass-deactivation limit, or a create whose passwordEnv variable
 * is unset, is refused before the confirmation prompt is shown and before any API call. The API
 * is reached through a recording proxy (test/e2e/gate-proxy.ts), so "no call" means nothing was
 * sent at all, not only nothing changed.
 */
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { type GateProxy, startGateProxy } from "./gate-proxy.js";
import { makeUsers, makeWorkdir, runCli, runOnTerminal, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-fm-refusals-6c1b";
const PROMPT = "Only 'yes' will be accepted to approve.";
let emulator: RunningEmulator;
let proxy: GateProxy;
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  [emulator, work] = await Promise.all([startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN }), makeWorkdir()]);
  proxy = await startGateProxy(emulator.url, Number.MAX_SAFE_INTEGER);
});
afterEach(() => Promise.all([proxy.close(), emulator.close(), work.cleanup()]));

const env = () => ({ RUANGKERJA_API_URL: proxy.url, RUANGKERJA_TOKEN: TOKEN });
const terminalApply = () => runOnTerminal(["apply"], { cwd: work.dir, env: env() });

/** Applies `count` users of each file straight to the emulator (not through the proxy), so the proxy has seen nothing. */
async function appliedFiles(files: Record<string, number>): Promise<void> {
  for (const [name, count] of Object.entries(files)) {
    await writeText(join(work.dir, "users", name), usersYaml(makeUsers(name.slice(0, 3).toUpperCase(), count)));
  }
  const applied = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: { ...env(), RUANGKERJA_API_URL: emulator.url } });
  expect(applied.code).toBe(0);
}

const itOnTerminal = it.runIf(existsSync("/usr/bin/script"));
if (!existsSync("/usr/bin/script"))
  process.stderr.write("SKIPPED terminal tests in test/e2e/failure-modes-refusals.test.ts: no /usr/bin/script\n");

describe("apply on a terminal", () => {
  // The control case: without a refusal the same run reaches the prompt (script(1) ends it there, its input being closed).
  itOnTerminal("asks before it sends anything: the prompt is shown, no call made", async () => {
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("ASK", 2)));
    const result = await terminalApply();
    expect(result.text).toContain("Plan: 2 to create");
    expect(result.text).toContain(PROMPT);
    expect(proxy.sent()).toEqual([]);
    // Input closed at the prompt cancels the run and frees the lock (it used to end with exit 13, the lock left behind).
    expect(result.text).toContain("Apply cancelled: nothing was changed.");
    expect(result.code).toBe(1);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json.lock"))).toBe(false);
  });

  itOnTerminal("refuses a mass deactivation before the prompt and before any call", async () => {
    await appliedFiles({ "keep.yaml": 14, "gone.yaml": 6 });
    await rm(join(work.dir, "users/gone.yaml"));
    const result = await terminalApply();
    expect(result.text).toContain("apply refused: this plan deactivates 6 of the 20 users in state (30%)");
    expect(result.text).not.toContain(PROMPT);
    expect(result.text).not.toContain("Enter a value");
    expect(result.code).toBe(1);
    expect(proxy.sent()).toEqual([]);
    expect(emulator.users().filter((u) => !u.isActive)).toEqual([]);
    // The same without a terminal (--auto-approve): refused, nothing sent.
    const auto = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: env() });
    expect(auto.code).toBe(1);
    expect(auto.stderr).toContain("apply refused: this plan deactivates 6 of the 20");
    expect(proxy.sent()).toEqual([]);
  });

  itOnTerminal("refuses a create whose passwordEnv variable is unset, located, before the prompt and before any call", async () => {
    await appliedFiles({ "team.yaml": 2 });
    const yaml = [
      "users:",
      '  - employeeID: "NEW0001"',
      '    name: "Pegawai Baru"',
      '    email: "pegawai.baru@contoh.co.id"',
      '    passwordEnv: "RUANGKERJA_PASSWORD_NEW0001"',
      "",
    ].join("\n");
    await writeFile(join(work.dir, "users/new.yaml"), yaml);
    const result = await terminalApply();
    expect(result.text).toMatch(/users\/new\.yaml:5:\d+/);
    expect(result.text).toContain("the environment variable RUANGKERJA_PASSWORD_NEW0001 (passwordEnv of NEW0001) is not set");
    expect(result.text).not.toContain(PROMPT);
    expect(result.text).not.toContain("Enter a value");
    expect(result.code).toBe(1);
    expect(proxy.sent()).toEqual([]);
    const auto = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: env() });
    expect(auto.code).toBe(1);
    expect(auto.stderr).toContain("RUANGKERJA_PASSWORD_NEW0001 (passwordEnv of NEW0001) is not set");
    expect(proxy.sent()).toEqual([]);
    expect(emulator.users().map((u) => u.employeeID)).not.toContain("NEW0001");
  });
});
