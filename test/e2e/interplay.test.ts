/**
 * Features built separately, met together through the CLI against the emulator on 127.0.0.1:
 * a lost create reply under `--adopt` (read back first, never adopted as someone else's), an
 * e-mail change whose reply is lost, client credentials through a storm of 503s, and a saved
 * plan carried out through faults.
 */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText, setEmulatorFaults } from "./helpers.js";

const TOKEN = "e2e-interplay-token-0a9d";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, clientID: "ci-client", clientSecret: "interplay-secret-77" });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(async () => {
  await work?.cleanup();
  await emulator.close();
});
beforeEach(async () => {
  await work?.cleanup();
  work = await makeWorkdir();
  await setFaults({});
  const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(10_000) });
  expect(reset.ok).toBe(true);
});

const setFaults = (settings: object) => setEmulatorFaults(emulator.url, settings);

const declare = (users: UserSpec[]) => writeText(join(work.dir, "users/people.yaml"), usersYaml(users));

async function applyJson(extra: string[] = [], environment = env) {
  const result = await runCli(["apply", "--auto-approve", "--json", ...extra], { cwd: work.dir, env: environment, timeoutMs: 120_000 });
  expect(result.stdout, result.stderr).not.toBe("");
  return { ...result, json: JSON.parse(result.stdout) as Record<string, unknown> };
}

async function expectConverged(users: UserSpec[], environment = env): Promise<void> {
  const held = emulator.users().map((u) => u.employeeID);
  expect(new Set(held).size).toBe(held.length);
  expect([...held].sort()).toEqual(users.map((u) => u.employeeID).sort());
  const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env: environment });
  expect(plan.stdout).toContain("No changes.");
  expect(plan.code).toBe(0);
}

describe("features together", () => {
  it("--adopt does not adopt a user whose create reply was lost: the read-back records it as created", async () => {
    const users = makeUsers("AD", 30);
    await declare(users);
    await setFaults({ next: [{ fault: "drop", route: "create-bulk" }] });
    const { code, json } = await applyJson(["--adopt", "--chunk-size", "10", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 30, failed: 0, confirmedByReadBack: 10, requests: { "update-bulk": 0 } });
    expect(emulator.faults().injected.drop).toBe(1);
    await expectConverged(users);
  });

  it("--adopt still adopts a different existing user under a declared id", async () => {
    // The first is declared without an organization, while RuangKerja has one for it.
    const [first, second] = makeUsers("AE", 2);
    const { organizationSerial: _org, ...withoutOrganization } = first as UserSpec;
    const users = [withoutOrganization, second as UserSpec];
    await declare(users);
    const existing = { ...users[0], name: "Dibuat Manual", phone: "6281200000000", organizationSerial: "COMPMANUAL01" };
    const seeded = await fetch(`${emulator.url}/ruangkerja/users/create-bulk`, {
      method: "POST",
      headers: { Authorization: TOKEN, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ items: [{ ...existing, isActive: true }] }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(seeded.ok).toBe(true);
    const refused = await applyJson();
    expect(refused.code).toBe(1);
    expect(JSON.stringify(refused.json)).toContain("apply --adopt");
    const { code, json } = await applyJson(["--adopt"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 1, failed: 0 });
    expect(emulator.users().find((u) => u.employeeID === users[0]?.employeeID)?.name).toBe(users[0]?.name);
    // update-bulk cannot clear the organization: state records the one RuangKerja holds, so the plan shows it.
    const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/organizationSerial +"COMPMANUAL01" → \(none\)/);
    expect((await applyJson()).code).toBe(0);
    await expectConverged(users);
  });

  it("an e-mail change whose reply was lost is sent again and lands once", async () => {
    const users = makeUsers("EM", 4);
    await declare(users);
    expect((await applyJson()).code).toBe(0);
    const changed = users.map((u, i) => (i < 2 ? { ...u, email: `baru.${u.employeeID.toLowerCase()}@contoh.co.id` } : u));
    await declare(changed);
    await setFaults({ next: [{ fault: "drop", route: "update-email-bulk" }] });
    const { code, json } = await applyJson();
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 2, failed: 0 });
    expect(emulator.faults().injected.drop).toBe(1);
    for (const user of changed.slice(0, 2)) {
      expect(emulator.users().find((u) => u.employeeID === user.employeeID)?.email).toBe(user.email);
    }
    await expectConverged(changed);
  });

  it("client credentials through a storm of 503s", async () => {
    const users = makeUsers("CC", 60);
    await declare(users);
    const credentials = {
      RUANGKERJA_API_URL: emulator.url,
      RUANGKERJA_CLIENT_ID: "ci-client",
      RUANGKERJA_CLIENT_SECRET: "interplay-secret-77",
    };
    await setFaults({ seed: 5, rate503: 0.4, retryAfterSeconds: 0 });
    const { code, json, stdout, stderr } = await applyJson(["--chunk-size", "10", "--max-attempts", "12"], credentials);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 60, failed: 0 });
    expect(`${stdout}${stderr}`).not.toContain("interplay-secret-77");
    await setFaults({});
    await expectConverged(users, credentials);
  });

  it("a saved plan is carried out through dropped replies, then is stale", async () => {
    const users = makeUsers("SP", 25);
    await declare(users);
    const planned = await runCli(["plan", "--out", "plan.json"], { cwd: work.dir, env });
    expect(planned.code).toBe(0);
    await setFaults({ next: [{ fault: "drop", route: "create-bulk", skip: 1 }] });
    const { code, json } = await applyJson(["plan.json", "--chunk-size", "10", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ succeeded: 25, failed: 0, confirmedByReadBack: 10 });
    const again = await runCli(["apply", "plan.json"], { cwd: work.dir, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("stale plan");
    await expectConverged(users);
  });
});
