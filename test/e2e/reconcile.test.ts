import { existsSync } from "node:fs";
/**
 * The core path end to end: YAML → plan → apply over real HTTP to the emulator on 127.0.0.1,
 * the CLI run as a user runs it.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { apiGet, apiSend, makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-token-7f3a9c";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

const files = {
  a: makeUsers("ENG", 90),
  b: makeUsers("SLS", 90),
  c: makeUsers("OPS", 70),
};

async function writeAll() {
  await writeText(join(work.dir, "users/engineering.yaml"), usersYaml(files.a));
  await writeText(join(work.dir, "users/sales.yml"), usersYaml(files.b));
  await writeText(join(work.dir, "users/ops/operations.yaml"), usersYaml(files.c));
}

interface UserViewBody {
  data: {
    employeeID: string;
    name: string;
    username: string | null;
    email: string | null;
    phone: string | null;
    isActive: boolean;
    organizationLevelSerial: string | null;
    tags: { serial: string }[];
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  await writeAll();
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

describe("plan → apply → change → apply → converged", () => {
  it("plans 250 creates across 3 files without calling the API", async () => {
    const result = await runCli(["plan", "--json"], { cwd: work.dir, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.summary).toEqual({ create: 250, update: 0, rename: 0, deactivate: 0, unchanged: 0 });
    expect(plan.actions[0].source.file).toMatch(/^users\//);
    expect(Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("applies them in exactly 3 create-bulk calls, and every user is readable with its declared fields", async () => {
    const result = await runCli(["apply", "--auto-approve", "--json"], { cwd: work.dir, env });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toEqual({
      succeeded: 250,
      failed: 0,
      failures: [],
      requests: { "create-bulk": 3, "update-bulk": 0, update: 0 },
      // Every HTTP request sent: no retries, no token exchange (a fixed token), no read-back.
      attempts: { "create-bulk": 3, "update-bulk": 0, update: 0, "update-email-bulk": 0, get: 0, list: 0, token: 0 },
      warnings: [],
      formatVersion: 1,
    });
    expect(emulator.requestCounts()["create-bulk"]).toBe(3);
    expect(emulator.users()).toHaveLength(250);
    for (const spec of [files.a[0], files.b[89], files.c[69]] as UserSpec[]) {
      const { status, body } = await apiGet(`${emulator.url}/ruangkerja/users/${spec.employeeID}`, TOKEN);
      expect(status).toBe(200);
      const view = (body as UserViewBody).data;
      expect(view).toMatchObject({
        employeeID: spec.employeeID,
        name: spec.name,
        username: spec.username,
        email: spec.email,
        phone: spec.phone,
        isActive: true,
        organizationLevelSerial: spec.organizationSerial,
      });
      expect(view.tags.map((t) => t.serial)).toEqual(spec.tagSerials);
    }
    const state = JSON.parse(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.users).toHaveLength(250);
    // Each call's results went to the journal; the state itself is written once, at the end (src/apply/state-saver.ts).
    expect(state.serial).toBe(1);
    expect(state.formatVersion).toBe(2);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json.journal"))).toBe(false);
    expect(typeof state.lineage).toBe("string");
    expect(state.users[0].serial).toMatch(/^[A-Z0-9]{16}$/);
  });

  it("plans exactly 5 updates, 1 rename and 2 deactivations after editing the YAML", async () => {
    for (let i = 0; i < 5; i++) files.a[i] = { ...(files.a[i] as UserSpec), name: `Edited ${i}`, phone: `62899${i}` };
    files.b[0] = { ...(files.b[0] as UserSpec), employeeID: "SLS9000", previousEmployeeIDs: ["SLS0000"] };
    files.c.splice(0, 2);
    await writeAll();
    const result = await runCli(["plan", "--json"], { cwd: work.dir, env });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.summary).toEqual({ create: 0, update: 5, rename: 1, deactivate: 2, unchanged: 242 });
    expect(plan.actions.filter((a: { action: string }) => a.action === "update").map((a: { employeeID: string }) => a.employeeID)).toEqual([
      "ENG0000",
      "ENG0001",
      "ENG0002",
      "ENG0003",
      "ENG0004",
    ]);
    expect(plan.actions.find((a: { action: string }) => a.action === "rename")).toMatchObject({
      employeeID: "SLS9000",
      previousEmployeeID: "SLS0000",
      source: { file: "users/sales.yml", line: 2 },
    });
    expect(
      plan.actions.filter((a: { action: string }) => a.action === "deactivate").map((a: { employeeID: string }) => a.employeeID),
    ).toEqual(["OPS0000", "OPS0001"]);
    const text = await runCli(["plan"], { cwd: work.dir, env });
    expect(text.stdout).toContain('"Karyawan ENG 0000" → "Edited 0"');
    expect(text.stdout).toContain("→ rename SLS0000 → SLS9000");
    expect(text.stdout).toContain("Plan: 0 to create, 5 to update, 1 to rename, 2 to deactivate.");
  });

  it("applies them, and the emulator shows the users changed, renamed and deactivated", async () => {
    const before = emulator.requestCounts();
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Apply complete: 8 succeeded, 0 failed");
    expect((emulator.requestCounts()["update-bulk"] ?? 0) - (before["update-bulk"] ?? 0)).toBe(1);
    expect((emulator.requestCounts()["create-bulk"] ?? 0) - (before["create-bulk"] ?? 0)).toBe(0);

    const edited = (await apiGet(`${emulator.url}/ruangkerja/users/ENG0003`, TOKEN)).body as UserViewBody;
    expect(edited.data).toMatchObject({ name: "Edited 3", phone: "628993", isActive: true });
    expect((await apiGet(`${emulator.url}/ruangkerja/users/SLS9000`, TOKEN)).status).toBe(200);
    expect((await apiGet(`${emulator.url}/ruangkerja/users/SLS0000`, TOKEN)).status).toBe(404);
    const gone = (await apiGet(`${emulator.url}/ruangkerja/users/OPS0001`, TOKEN)).body as UserViewBody;
    expect(gone.data.isActive).toBe(false);
    expect(emulator.users()).toHaveLength(250);
  });

  it("then plans no changes: plan --detailed-exitcode exits 0", async () => {
    const result = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(result.stdout).toContain("No changes.");
    expect(result.code).toBe(0);
  });

  it("plan --detailed-exitcode exits 2 when there are changes", async () => {
    files.c.push(...makeUsers("NEW", 1));
    await writeAll();
    const result = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(result.code).toBe(2);
    files.c.pop();
    await writeAll();
  });
});

describe("a rejected item fails alone", () => {
  it("reports an employeeID already taken outside our state, with its message and file:line, and lands the rest", async () => {
    const taken = await apiSend("POST", `${emulator.url}/ruangkerja/users`, TOKEN, {
      employeeID: "TAKEN0001",
      name: "Made outside git",
      email: "outside@contoh.co.id",
      isActive: true,
    });
    expect(taken.status).toBe(200);
    const extra = [...makeUsers("JOIN", 3), { employeeID: "TAKEN0001", name: "Someone New", email: "new.person@contoh.co.id" }];
    await writeText(join(work.dir, "users/joiners.yaml"), usersYaml(extra));

    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /users\/joiners\.yaml:\d+: failed: create TAKEN0001: USER_EMPLOYEE_ID_EXISTS \(10101\): employee id already been taken/,
    );
    expect(result.stdout).toContain("3 succeeded, 1 failed");
    for (const id of ["JOIN0000", "JOIN0001", "JOIN0002"]) {
      expect((await apiGet(`${emulator.url}/ruangkerja/users/${id}`, TOKEN)).status).toBe(200);
    }
    const again = await runCli(["plan", "--json"], { cwd: work.dir, env });
    expect(JSON.parse(again.stdout).summary.create).toBe(1);
    await rm(join(work.dir, "users/joiners.yaml"));
  });
});
