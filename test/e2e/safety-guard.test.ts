/**
 * The mass-deactivation guard end to end: a deleted YAML file, or an emptied folder, makes apply
 * refuse before any API call and leave state as it was; plan warns; the flags let it through.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-guard-token-8d21";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const statePath = () => join(work.dir, ".ruangkerja/state.json");
const totalRequests = () => Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  await writeText(join(work.dir, "users/engineering.yaml"), usersYaml(makeUsers("ENG", 30)));
  await writeText(join(work.dir, "users/sales.yaml"), usersYaml(makeUsers("SLS", 8)));
  const first = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
  expect(first.code).toBe(0);
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

/** Runs apply and checks that it was refused without any call and without touching state. */
async function expectRefused(args: string[]) {
  const before = await readFile(statePath(), "utf8");
  const requests = totalRequests();
  const result = await runCli(["apply", "--auto-approve", ...args], { cwd: work.dir, env });
  expect(result.code).toBe(1);
  expect(totalRequests()).toBe(requests);
  expect(await readFile(statePath(), "utf8")).toBe(before);
  expect(existsSync(`${statePath()}.lock`)).toBe(false);
  return result;
}

describe("the mass-deactivation guard", () => {
  it("a deleted YAML file: plan warns, apply refuses before any call, state untouched", async () => {
    await rm(join(work.dir, "users/sales.yaml"));
    const plan = await runCli(["plan"], { cwd: work.dir, env: {} });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("warning: this plan deactivates 8 of the 38 users in state (21%), more than the safety limit");
    expect(plan.stdout).toContain("apply will refuse this plan");
    const json = JSON.parse((await runCli(["plan", "--json"], { cwd: work.dir, env: {} })).stdout);
    expect(json.warnings.map((w: { summary: string }) => w.summary)).toContainEqual(expect.stringContaining("deactivates 8 of the 38"));

    const refused = await expectRefused([]);
    expect(refused.stderr).toContain("Error: apply refused: this plan deactivates 8 of the 38 users in state (21%)");
    expect(refused.stderr).toContain("Declaration files read (1): users/engineering.yaml.");
    expect(refused.stderr).toContain("a whole YAML file deleted");
    expect(refused.stderr).toContain("--allow-mass-deactivation");
    await expectRefused(["--json"]);
    await expectRefused(["--max-deactivate", "7"]);
  });

  it("an emptied users/ folder against a non-empty state is caught too", async () => {
    await rm(join(work.dir, "users"), { recursive: true });
    await mkdir(join(work.dir, "users"));
    const refused = await expectRefused([]);
    expect(refused.stderr).toContain("deactivates 38 of the 38 users in state (100%)");
    expect(refused.stderr).toContain("No declaration files were found under users.");
  });

  it("--max-deactivate raises the limit, and --allow-mass-deactivation lets the plan through", async () => {
    await writeText(join(work.dir, "users/engineering.yaml"), usersYaml(makeUsers("ENG", 30)));
    const plan = await runCli(["plan", "--max-deactivate", "25%"], { cwd: work.dir, env: {} });
    expect(plan.stdout).not.toContain("safety limit");
    const requests = totalRequests();
    const applied = await runCli(["apply", "--auto-approve", "--allow-mass-deactivation"], { cwd: work.dir, env });
    expect(applied.code).toBe(0);
    expect(totalRequests()).toBe(requests + 1);
    const inactive = emulator.users().filter((u) => u.employeeID.startsWith("SLS") && !u.isActive);
    expect(inactive).toHaveLength(8);
  });

  it("refuses a --max-deactivate it cannot read", async () => {
    const result = await runCli(["plan", "--max-deactivate", "lots"], { cwd: work.dir, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--max-deactivate must be a count");
  });
});
