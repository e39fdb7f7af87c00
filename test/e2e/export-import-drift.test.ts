/**
 * The GET side end to end, through the CLI over 127.0.0.1: export an organisation that already
 * lives in RuangKerja and plan nothing; import existing users into state; see drift made outside
 * git (by API calls straight to the emulator) with plan --refresh, and correct it with apply --refresh.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { apiGet, apiSend, makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-read-token-51c2";

interface Started {
  emulator: RunningEmulator;
  work: { dir: string; cleanup: () => Promise<void> };
  env: Record<string, string>;
}

async function start(): Promise<Started> {
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  const work = await makeWorkdir();
  return { emulator, work, env: { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN } };
}

/** Users created straight in RuangKerja (the emulator), as if made by hand before this tool. */
async function seed(emulator: RunningEmulator, users: UserSpec[]): Promise<void> {
  for (let i = 0; i < users.length; i += 100) {
    const reply = await apiSend("POST", `${emulator.url}/ruangkerja/users/create-bulk`, TOKEN, {
      items: users.slice(i, i + 100).map((u) => ({ isActive: true, ...u })),
    });
    expect((reply.body as { data: { failedItems: unknown[] } }).data.failedItems).toEqual([]);
  }
}

function countsDelta(emulator: RunningEmulator, before: Record<string, number>): Record<string, number> {
  const now = emulator.requestCounts();
  return Object.fromEntries(Object.keys(now).map((k) => [k, (now[k] ?? 0) - (before[k] ?? 0)]));
}

const engineering = makeUsers("ENG", 120).map((u) => ({ ...u, organizationSerial: "COMPENGR7K2M" }));
const sales = makeUsers("SLS", 100).map((u, i) => ({ ...u, organizationSerial: "COMPSALS3N8P", tagSerials: i % 2 ? ["RUKRTAG-A"] : [] }));
const loose: UserSpec[] = [
  { employeeID: "FREE1", name: "Tanpa Organisasi", phone: "6285700000001" },
  { employeeID: "OLD1", name: "Sudah Keluar", email: "old1@contoh.co.id", isActive: false, organizationSerial: "COMPSALS3N8P" },
];

describe("export: an existing organisation → YAML + state, and the next plan is empty", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
    await seed(s.emulator, [...engineering, ...sales, ...loose]);
  });
  afterAll(async () => {
    await s.emulator.close();
    await s.work.cleanup();
  });

  it("reads every user in pages of 100 and writes one file per organization plus a state", async () => {
    const before = s.emulator.requestCounts();
    const result = await runCli(["export", "--out", "users"], { cwd: s.work.dir, env: s.env });
    expect(result.stderr).toContain("Exported 221 users to 3 files in users; 1 inactive users are in state only");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["users/compengr7k2m.yaml", "users/compsals3n8p.yaml", "users/no-organization.yaml"]);
    // 222 users: 3 pages of 100, only GETs.
    expect(countsDelta(s.emulator, before)).toMatchObject({ list: 3, get: 0, "create-bulk": 0, "update-bulk": 0, update: 0 });

    const text = await readFile(join(s.work.dir, "users/compengr7k2m.yaml"), "utf8");
    expect(text.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/users\.schema\.json$/);
    expect(text).toContain("defaults:\n  organizationSerial: COMPENGR7K2M\n  tagSerials: [RUKRTAG-9WHL0JGP]\n");
    expect(text).toContain('    phone: "628110000"');
    const state = JSON.parse(await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.users).toHaveLength(222);
    expect(state.users.find((u: { employeeID: string }) => u.employeeID === "OLD1")).toMatchObject({ isActive: false, serial: "" });
  });

  it("validates, and plans no changes with or without --refresh", async () => {
    expect((await runCli(["validate"], { cwd: s.work.dir })).code).toBe(0);
    const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: s.work.dir });
    expect(plan.stdout).toContain("No changes. RuangKerja users match the declarations (222 unchanged).");
    expect(plan.code).toBe(0);
    const refreshed = await runCli(["plan", "--refresh", "--detailed-exitcode", "--json"], { cwd: s.work.dir, env: s.env });
    expect(refreshed.code).toBe(0);
    const json = JSON.parse(refreshed.stdout);
    expect(json.summary).toEqual({ create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 222 });
    expect(json.drift).toEqual({ checked: 222, summary: { changed: 0, deactivated: 0, missing: 0 }, users: [] });
  });

  it("refuses to overwrite the files or the state without --force, writing nothing", async () => {
    const file = join(s.work.dir, "users/compsals3n8p.yaml");
    const mtime = (await stat(file)).mtimeMs;
    const again = await runCli(["export"], { cwd: s.work.dir, env: s.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("a state already exists at .ruangkerja/state.json (222 users)");
    const otherState = await runCli(["export", "--state", "other.json"], { cwd: s.work.dir, env: s.env });
    expect(otherState.code).toBe(1);
    expect(otherState.stderr).toMatch(/export would overwrite .*compengr7k2m\.yaml.*; nothing was written/);
    expect((await stat(file)).mtimeMs).toBe(mtime);
    await expect(stat(join(s.work.dir, "other.json"))).rejects.toThrow();
  });

  it("--force replaces them, keeping the state's lineage; --include-inactive declares inactive users", async () => {
    const old = JSON.parse(await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8"));
    const result = await runCli(["export", "--force", "--include-inactive"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    const state = JSON.parse(await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.lineage).toBe(old.lineage);
    expect(state.serial).toBe(old.serial + 1);
    expect(await readFile(join(s.work.dir, "users/compsals3n8p.yaml"), "utf8")).toMatch(
      /employeeID: OLD1\n(?: {4}.*\n)*? {4}isActive: false/,
    );
    expect((await runCli(["plan", "--detailed-exitcode"], { cwd: s.work.dir })).code).toBe(0);
  });

  it("--force over a damaged state refuses before writing any file", async () => {
    await writeFile(join(s.work.dir, "damaged.json"), '{"formatVersion":1,"lineage":"abc","serial":3,"users":[{"employeeID":"EMP1"');
    const result = await runCli(["export", "--force", "--out", "fresh", "--state", "damaged.json"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the state at damaged.json cannot be read");
    expect(result.stderr).toContain("nothing was written");
    await expect(stat(join(s.work.dir, "fresh"))).rejects.toThrow();
  });

  it("--group-by none writes one file, and plan agrees", async () => {
    const result = await runCli(["export", "--out", "flat", "--state", "flat.json", "--group-by", "none"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("flat/users.yaml");
    const plan = await runCli(["plan", "--dir", "flat", "--state", "flat.json", "--detailed-exitcode"], { cwd: s.work.dir });
    expect(plan.code).toBe(0);
    expect((await runCli(["export", "--group-by", "team"], { cwd: s.work.dir, env: s.env })).stderr).toContain(
      "--group-by must be one of organization, none",
    );
  });
});

describe("export: a user the declarations would refuse", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start();
    await seed(s.emulator, [...makeUsers("OK", 3), { employeeID: "BAD1", name: "Spasi Di Akhir ", email: "bad1@contoh.co.id" }]);
  });
  afterAll(async () => {
    await s.emulator.close();
    await s.work.cleanup();
  });

  it("stops, naming the user and the field, and writes nothing", async () => {
    const result = await runCli(["export"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RuangKerja user BAD1 cannot be declared as it is");
    expect(result.stderr).toContain("[name]");
    expect(result.stderr).toContain("--skip-invalid");
    await expect(stat(join(s.work.dir, "users"))).rejects.toThrow();
    await expect(stat(join(s.work.dir, ".ruangkerja/state.json"))).rejects.toThrow();
  });

  it("--skip-invalid exports the others, warns about the skipped one, and leaves it out of state", async () => {
    const result = await runCli(["export", "--skip-invalid"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: RuangKerja user BAD1 cannot be declared as it is");
    expect(result.stderr).toContain("1 users skipped");
    const state = JSON.parse(await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.users.map((u: { employeeID: string }) => u.employeeID)).toEqual(["OK0000", "OK0001", "OK0002"]);
    expect((await runCli(["plan", "--detailed-exitcode"], { cwd: s.work.dir })).code).toBe(0);
  });
});

describe("import: adopt existing users into state", () => {
  let s: Started;
  const people = makeUsers("IMP", 3);
  beforeAll(async () => {
    s = await start();
    await seed(s.emulator, people);
    // The YAML declares all three, one of them with a new phone.
    await writeText(join(s.work.dir, "users/team.yaml"), usersYaml(people.map((p, i) => (i === 1 ? { ...p, phone: "6289999" } : p))));
  });
  afterAll(async () => {
    await s.emulator.close();
    await s.work.cleanup();
  });

  it("without import, plan would create users that already exist", async () => {
    const plan = JSON.parse((await runCli(["plan", "--json"], { cwd: s.work.dir })).stdout);
    expect(plan.summary.create).toBe(3);
  });

  it("refuses a malformed id before any call, and an unknown one without writing state", async () => {
    const before = s.emulator.requestCounts();
    const bad = await runCli(["import", "IMP0000", "IMP-1"], { cwd: s.work.dir, env: s.env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"IMP-1" is not an employee ID');
    expect(countsDelta(s.emulator, before).get).toBe(0);
    const unknown = await runCli(["import", "IMP0000", "NOBODY9"], { cwd: s.work.dir, env: s.env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('RuangKerja has no user with employeeID "NOBODY9"');
    expect(unknown.stderr).toContain("nothing was imported");
    await expect(stat(join(s.work.dir, ".ruangkerja/state.json"))).rejects.toThrow();
    await expect(stat(join(s.work.dir, ".ruangkerja/state.json.lock"))).rejects.toThrow();
  });

  it("imports them, and the next plan shows only the real difference", async () => {
    const result = await runCli(["import", "IMP0000", "IMP0001", "IMP0002"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Imported IMP0001 "Karyawan IMP 0001"');
    expect(result.stderr).toContain("3 users imported into .ruangkerja/state.json");
    const plan = JSON.parse((await runCli(["plan", "--json"], { cwd: s.work.dir })).stdout);
    expect(plan.summary).toEqual({ create: 0, update: 1, rename: 0, deactivate: 0, unchanged: 2 });
    expect(plan.actions[0]).toMatchObject({ employeeID: "IMP0001", changes: [{ field: "phone", before: "628110001", after: "6289999" }] });
  });

  it("says so for a user already in state", async () => {
    const result = await runCli(["import", "IMP0000"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("IMP0000 is already in state; left as it is.");
    expect(result.stderr).toContain("Nothing to import.");
  });

  it("waits for no one: a held state lock stops it", async () => {
    await writeText(join(s.work.dir, ".ruangkerja/state.json.lock"), "{}");
    const result = await runCli(["import", "IMP0000"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("state is locked");
  });
});

describe("drift: changes made outside git, seen by plan --refresh and corrected by apply --refresh", () => {
  let s: Started;
  const team = makeUsers("DRF", 5);
  beforeAll(async () => {
    s = await start();
    await writeText(join(s.work.dir, "users/team.yaml"), usersYaml(team));
    const apply = await runCli(["apply", "--auto-approve"], { cwd: s.work.dir, env: s.env });
    expect(apply.code).toBe(0);
    // Someone edits RuangKerja by hand: a new phone and name, a deactivation, a rename.
    await apiSend("PUT", `${s.emulator.url}/ruangkerja/users/DRF0001`, TOKEN, {
      employeeID: "DRF0001",
      name: "Diubah Manual",
      phone: "6280000001",
      isActive: true,
    });
    await apiSend("POST", `${s.emulator.url}/ruangkerja/users/update-bulk`, TOKEN, {
      items: [
        { employeeID: "DRF0002", name: "Karyawan DRF 0002", isActive: false },
        { employeeID: "DRF0003", newEmployeeID: "DRF0333", name: "Karyawan DRF 0003", isActive: true },
      ],
    });
  });
  afterAll(async () => {
    await s.emulator.close();
    await s.work.cleanup();
  });

  it("plan without --refresh does not see it", async () => {
    const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: s.work.dir });
    expect(plan.code).toBe(0);
  });

  it("plan --refresh --json: drift per user beside the changes that correct it, and no write", async () => {
    const stateBefore = await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8");
    const result = await runCli(["plan", "--refresh", "--json", "--detailed-exitcode"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(2);
    const plan = JSON.parse(result.stdout);
    expect(plan.drift.summary).toEqual({ changed: 1, deactivated: 1, missing: 1 });
    expect(plan.drift.users).toEqual([
      {
        employeeID: "DRF0001",
        kind: "changed",
        name: "Karyawan DRF 0001",
        changes: [
          { field: "name", before: "Karyawan DRF 0001", after: "Diubah Manual" },
          { field: "phone", before: "628110001", after: "6280000001" },
        ],
      },
      {
        employeeID: "DRF0002",
        kind: "deactivated",
        name: "Karyawan DRF 0002",
        changes: [{ field: "isActive", before: true, after: false }],
      },
      { employeeID: "DRF0003", kind: "missing", name: "Karyawan DRF 0003", changes: [] },
    ]);
    expect(plan.summary).toEqual({ create: 1, update: 2, rename: 0, deactivate: 0, unchanged: 2 });
    expect(plan.actions.find((a: { employeeID: string }) => a.employeeID === "DRF0002").changes).toEqual([
      { field: "isActive", before: false, after: true },
    ]);
    expect(await readFile(join(s.work.dir, ".ruangkerja/state.json"), "utf8")).toBe(stateBefore);
  });

  it("plan --refresh as text shows the drift first", async () => {
    const result = await runCli(["plan", "--refresh"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stdout.indexOf("Drift: 1 changed, 1 deactivated, 1 missing (of 5 users in state).")).toBeLessThan(
      result.stdout.indexOf("RuangKerja users will change as follows:"),
    );
    expect(result.stdout).toContain('  ~ DRF0001 "Karyawan DRF 0001" changed in RuangKerja');
    expect(result.stdout).toContain('      phone  "628110001" → "6280000001"');
    expect(result.stdout).toContain('  - DRF0002 "Karyawan DRF 0002" deactivated in RuangKerja');
    expect(result.stdout).toContain("  ! DRF0003");
  });

  it("plan --refresh needs the token, and says so before any call", async () => {
    const result = await runCli(["plan", "--refresh"], { cwd: s.work.dir, env: { RUANGKERJA_API_URL: s.emulator.url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no access token");
  });

  it("apply --refresh corrects the changed and deactivated users (the recreated id fails on the taken e-mail, as RuangKerja says)", async () => {
    const result = await runCli(["apply", "--refresh", "--auto-approve", "--json"], { cwd: s.work.dir, env: s.env });
    const out = JSON.parse(result.stdout);
    expect(out.drift.summary).toEqual({ changed: 1, deactivated: 1, missing: 1 });
    expect(out.succeeded).toBe(2);
    expect(out.failures).toEqual([expect.objectContaining({ action: "create", employeeID: "DRF0003", message: "USER_EMAIL_EXISTS" })]);
    const one = (await apiGet(`${s.emulator.url}/ruangkerja/users/DRF0001`, TOKEN)).body as { data: Record<string, unknown> };
    expect(one.data).toMatchObject({ name: "Karyawan DRF 0001", phone: "628110001" });
    const two = (await apiGet(`${s.emulator.url}/ruangkerja/users/DRF0002`, TOKEN)).body as { data: Record<string, unknown> };
    expect(two.data.isActive).toBe(true);
  });

  it("after the person is declared under the new id, apply --refresh converges and drift is gone", async () => {
    await writeText(
      join(s.work.dir, "users/team.yaml"),
      usersYaml(team.map((p) => (p.employeeID === "DRF0003" ? { ...p, employeeID: "DRF0333" } : p))),
    );
    expect((await runCli(["import", "DRF0333"], { cwd: s.work.dir, env: s.env })).code).toBe(0);
    const plan = JSON.parse((await runCli(["plan", "--refresh", "--json"], { cwd: s.work.dir, env: s.env })).stdout);
    expect(plan.drift.users).toEqual([]);
    expect(plan.actions).toEqual([]);
  });

  it("a change made by hand that matches the YAML: apply --refresh sends nothing but records it in state", async () => {
    const renamed = team.map((p) => (p.employeeID === "DRF0003" ? { ...p, employeeID: "DRF0333" } : p));
    await writeText(
      join(s.work.dir, "users/team.yaml"),
      usersYaml(renamed.map((p) => (p.employeeID === "DRF0000" ? { ...p, name: "Nama Baru" } : p))),
    );
    await apiSend("PUT", `${s.emulator.url}/ruangkerja/users/DRF0000`, TOKEN, { employeeID: "DRF0000", name: "Nama Baru", isActive: true });
    expect(JSON.parse((await runCli(["plan", "--json"], { cwd: s.work.dir })).stdout).summary.update).toBe(1);
    const before = s.emulator.requestCounts();
    const result = await runCli(["apply", "--refresh", "--auto-approve"], { cwd: s.work.dir, env: s.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  ~ DRF0000 "Karyawan DRF 0000" changed in RuangKerja');
    expect(result.stdout).toContain("No changes.");
    expect(result.stderr).toContain("State refreshed to match RuangKerja (1 drifted user)");
    expect(countsDelta(s.emulator, before)).toMatchObject({ "update-bulk": 0, update: 0, "create-bulk": 0 });
    const plan = await runCli(["plan", "--detailed-exitcode"], { cwd: s.work.dir });
    expect(plan.code).toBe(0);
  });
});
