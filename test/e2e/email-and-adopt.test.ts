/**
 * E-mail changes (update-email-bulk) and `apply --adopt` end to end: the CLI against the emulator
 * on 127.0.0.1, declarations and state in a temporary folder.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { apiGet, apiSend, makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-mail-token";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeEach(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  work = await makeWorkdir();
});
afterEach(async () => {
  await emulator.close();
  await work.cleanup();
});

const writeUsers = (users: UserSpec[]) => writeText(join(work.dir, "users/team.yaml"), usersYaml(users));
const readState = async () =>
  JSON.parse(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8")) as { serial: number; users: UserSpec[] };
const liveEmail = async (id: string) =>
  ((await apiGet(`${emulator.url}/ruangkerja/users/${id}`, TOKEN)).body as { data: { email: string | null } }).data.email;

describe("e-mail changes", () => {
  it("plans a changed e-mail with a password-reset warning, applies it through update-email-bulk, and converges", async () => {
    const users = makeUsers("M", 3);
    await writeUsers(users);
    expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);

    users[1] = { ...(users[1] as UserSpec), email: "m0001.baru@contoh.co.id", name: "Renamed Person" };
    await writeUsers(users);
    const text = await runCli(["plan"], { cwd: work.dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/email\s+"m0001@contoh.co.id" → "m0001.baru@contoh.co.id"\s+\(resets the user's password\)/);
    expect(text.stdout).toContain("RuangKerja resets this user's password");
    expect(text.stdout).toContain("Plan: 0 to create, 1 to update, 0 to rename, 0 to deactivate.");
    const json = JSON.parse((await runCli(["plan", "--json"], { cwd: work.dir, env })).stdout);
    expect(json.formatVersion).toBe(1);
    expect(json.actions).toEqual([
      expect.objectContaining({
        action: "update",
        employeeID: "M0001",
        resetsPassword: true,
        changes: [
          { field: "name", before: "Karyawan M 0001", after: "Renamed Person" },
          { field: "email", before: "m0001@contoh.co.id", after: "m0001.baru@contoh.co.id" },
        ],
      }),
    ]);
    expect(json.warnings.map((w: { field: string }) => w.field)).toEqual(["email"]);

    const applied = await runCli(["apply", "--auto-approve", "--json"], { cwd: work.dir, env });
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      succeeded: 1,
      failed: 0,
      requests: { "create-bulk": 0, "update-bulk": 1, update: 0, "update-email-bulk": 1 },
    });
    expect(await liveEmail("M0001")).toBe("m0001.baru@contoh.co.id");
    const state = await readState();
    expect(state.users.find((u) => u.employeeID === "M0001")).toMatchObject({ email: "m0001.baru@contoh.co.id", name: "Renamed Person" });
    const again = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes.");
  });

  it("reports USER_EMAIL_EXISTS for an address another user holds, exit 1, and state keeps the old address", async () => {
    const users = makeUsers("N", 2);
    await writeUsers(users);
    expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
    // A user made outside this tool holds the address.
    const outside = { employeeID: "OUTSIDE1", name: "Someone", email: "taken@contoh.co.id", isActive: true };
    expect((await apiSend("POST", `${emulator.url}/ruangkerja/users`, TOKEN, outside)).status).toBe(200);

    users[0] = { ...(users[0] as UserSpec), email: "Taken@contoh.co.id" };
    await writeUsers(users);
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/users\/team\.yaml:2: failed: update N0000: USER_EMAIL_EXISTS \(10102\)/);
    expect(await liveEmail("N0000")).toBe("n0000@contoh.co.id");
    expect((await readState()).users.find((u) => u.employeeID === "N0000")?.email).toBe("n0000@contoh.co.id");
    // Still planned, so the next apply tries again once the address is free.
    const plan = JSON.parse((await runCli(["plan", "--json"], { cwd: work.dir, env })).stdout);
    expect(plan.summary.update).toBe(1);
  });
});

describe("apply --adopt", () => {
  it("without --adopt a user that already exists fails with a hint; with it, that user is updated and kept in state", async () => {
    const [existing, fresh] = makeUsers("A", 2) as [UserSpec, UserSpec];
    const made = await apiSend("POST", `${emulator.url}/ruangkerja/users`, TOKEN, {
      employeeID: existing.employeeID,
      name: "Made By Hand",
      email: existing.email,
      isActive: false,
    });
    expect(made.status).toBe(200);
    await writeUsers([existing, fresh]);

    const refused = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/failed: create A0000: USER_EMPLOYEE_ID_EXISTS \(10101\).*apply --adopt/);
    expect((await readState()).users.map((u) => u.employeeID)).toEqual(["A0001"]);

    const adopted = await runCli(["apply", "--auto-approve", "--adopt", "--json"], { cwd: work.dir, env });
    expect(adopted.code).toBe(0);
    expect(JSON.parse(adopted.stdout)).toMatchObject({ succeeded: 1, failed: 0, requests: { "create-bulk": 1 } });
    const view = (await apiGet(`${emulator.url}/ruangkerja/users/A0000`, TOKEN)).body as { data: Record<string, unknown> };
    expect(view.data).toMatchObject({ name: existing.name, isActive: true, username: existing.username, phone: existing.phone });
    const state = await readState();
    expect(state.users.map((u) => u.employeeID)).toEqual(["A0000", "A0001"]);
    expect(state.users[0]).toMatchObject({ employeeID: "A0000", email: existing.email, organizationSerial: existing.organizationSerial });
    const again = await runCli(["plan"], { cwd: work.dir, env });
    expect(again.stdout).toContain("No changes.");
  });

  it("keeps the e-mail RuangKerja holds for an adopted user, so a different declared one is planned as an e-mail change", async () => {
    const [user] = makeUsers("B", 1) as [UserSpec];
    await apiSend("POST", `${emulator.url}/ruangkerja/users`, TOKEN, {
      employeeID: user.employeeID,
      name: user.name,
      email: "old.address@contoh.co.id",
      isActive: true,
    });
    await writeUsers([user]);
    expect((await runCli(["apply", "--auto-approve", "--adopt"], { cwd: work.dir, env })).code).toBe(0);
    expect((await readState()).users[0]?.email).toBe("old.address@contoh.co.id");
    const plan = JSON.parse((await runCli(["plan", "--json"], { cwd: work.dir, env })).stdout);
    expect(plan.actions).toEqual([
      expect.objectContaining({
        action: "update",
        resetsPassword: true,
        changes: [{ field: "email", before: "old.address@contoh.co.id", after: user.email }],
      }),
    ]);
  });
});
