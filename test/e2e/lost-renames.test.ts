/**
 * Issue 15 through the built CLI: a rename whose update-bulk reply the emulator drops (and the run
 * gives up on, so state keeps the old id), then a declaration that moves on before the next apply;
 * and an API that lost its users. Each ends with one user in RuangKerja under the final id, state
 * keyed by it, and an apply with nothing to do.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeWorkdir, runCli, setEmulatorFaults, type UserSpec, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-lost-renames-token-7d31";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await work?.cleanup();
  work = await makeWorkdir();
  await setEmulatorFaults(emulator.url, {});
});
afterAll(() => work?.cleanup());

/** One person per test, known by the test's two-letter prefix; the employeeID is what the renames change. */
const budi = (employeeID: string, extra: Partial<UserSpec> = {}): UserSpec => {
  const person = employeeID.slice(0, 2).toLowerCase();
  return { employeeID, name: "Budi Santoso", email: `budi.${person}@contoh.co.id`, username: `budi${person}`, ...extra };
};

async function declare(users: UserSpec[]): Promise<void> {
  await writeText(join(work.dir, "users/people.yaml"), usersYaml(users));
}

async function apply(extra: string[] = [], environment = env) {
  const result = await runCli(["apply", "--auto-approve", "--json", ...extra], { cwd: work.dir, env: environment });
  return { ...result, json: result.stdout ? JSON.parse(result.stdout) : undefined };
}

async function stateIds(): Promise<string[]> {
  const state = JSON.parse(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8")) as { users: { employeeID: string }[] };
  return state.users.map((u) => u.employeeID);
}

/** The users of this test's prefix that the emulator holds. */
const held = (prefix: string) => emulator.users().filter((u) => u.employeeID.startsWith(prefix));

/** Applies `declared` (a rename) with its update-bulk reply dropped once (after `skip` calls) and no retry: the rename lands, state is not told. */
async function loseRename(declared: UserSpec[], skip = 0): Promise<void> {
  await declare(declared);
  await setEmulatorFaults(emulator.url, { next: [{ fault: "drop", route: "update-bulk", skip }] });
  const lost = await apply(["--max-attempts", "1"]);
  expect(lost.code).toBe(1);
  expect(emulator.faults().injected.drop).toBeGreaterThan(0);
  await setEmulatorFaults(emulator.url, {});
}

/** One user under `employeeID` holding `fields`, state keyed by it, and nothing left to apply. */
async function expectConverged(prefix: string, employeeID: string, fields: object): Promise<void> {
  expect(held(prefix)).toHaveLength(1);
  expect(held(prefix)[0]).toMatchObject({ employeeID, ...fields });
  expect(await stateIds()).toEqual([employeeID]);
  const again = await apply();
  expect(again.code).toBe(0);
  expect(again.json).toMatchObject({ succeeded: 0, failed: 0, requests: { "create-bulk": 0, "update-bulk": 0, update: 0 } });
}

describe("a rename whose reply was lost", () => {
  it("then the new id's name changes: the user is found under B2 and updated there", async () => {
    await declare([budi("LA1")]);
    expect((await apply()).code).toBe(0);
    await loseRename([budi("LA2", { previousEmployeeIDs: ["LA1"] })]);
    expect(held("LA").map((u) => u.employeeID)).toEqual(["LA2"]);
    expect(await stateIds()).toEqual(["LA1"]);

    await declare([budi("LA2", { previousEmployeeIDs: ["LA1"], name: "Budi S. Wibowo" })]);
    const text = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(text.stdout).toContain(
      "1 user(s) were not under the employee ID state held but under another ID of their declaration (an earlier rename had landed, its reply lost): found there, changed to the declaration and recorded.",
    );
    expect(text.stdout).toContain("Apply complete: 1 succeeded, 0 failed");
    expect(text.code).toBe(0);
    await expectConverged("LA", "LA2", { name: "Budi S. Wibowo" });
  });

  it("then renamed again to B3 with previousEmployeeIDs [B1, B2]: found under B2 and renamed from there", async () => {
    await declare([budi("LB1")]);
    expect((await apply()).code).toBe(0);
    await loseRename([budi("LB2", { previousEmployeeIDs: ["LB1"] })]);

    await declare([budi("LB3", { previousEmployeeIDs: ["LB1", "LB2"] })]);
    const { code, json } = await apply();
    expect(json).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(code).toBe(0);
    await expectConverged("LB", "LB3", { name: "Budi Santoso" });
  });

  it("a chain of three: two renames lost in a row, then a third declared", async () => {
    await declare([budi("LC1")]);
    expect((await apply()).code).toBe(0);
    await loseRename([budi("LC2", { previousEmployeeIDs: ["LC1"] })]);
    // The next apply finds LC2 and renames it to LC3 (its second update-bulk), and that reply is lost too.
    await loseRename([budi("LC3", { previousEmployeeIDs: ["LC1", "LC2"] })], 1);
    expect(held("LC").map((u) => u.employeeID)).toEqual(["LC3"]);
    expect(await stateIds()).toEqual(["LC1"]);

    await declare([budi("LC4", { previousEmployeeIDs: ["LC1", "LC2", "LC3"], phone: "6281100004" })]);
    const { code, json } = await apply();
    expect(json).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(code).toBe(0);
    await expectConverged("LC", "LC4", { phone: "6281100004" });
  });
});

describe("an API that lost its users", () => {
  it("apply's failures say state is out of date and name --refresh; plan --refresh reads one list page; apply --refresh converges", async () => {
    const users = Array.from({ length: 40 }, (_, i): UserSpec => {
      const employeeID = `LE${String(i).padStart(2, "0")}`;
      return { employeeID, name: `Karyawan ${employeeID}`, email: `${employeeID.toLowerCase()}@contoh.co.id` };
    });
    await declare(users);
    expect((await apply()).code).toBe(0);
    // A new tenant, a restored backup, a restarted emulator: the same URL's users are gone.
    const empty = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
    try {
      const emptyEnv = { RUANGKERJA_API_URL: empty.url, RUANGKERJA_TOKEN: TOKEN };
      await declare(users.map((u) => ({ ...u, phone: "6281199999" })));
      // The state names the API it was applied to; this is the same tenant emptied, at another address.
      const failed = await runCli(["apply", "--auto-approve", "--allow-other-api"], { cwd: work.dir, env: emptyEnv });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain(
        'failed: update LE00: USER_NOT_FOUND (10104): no user has employeeID "LE00"; state holds this user as LE00, but RuangKerja has no user under it: state is out of date',
      );
      expect(failed.stdout).toContain(
        "40 failure(s) show that state is out of date: RuangKerja has no user under the employee ID state holds for them (renamed or removed outside this tool, or an API that lost its users). Run `plan --refresh` to see what RuangKerja holds, then `apply --refresh` to plan from it.",
      );

      const before = empty.requestCounts();
      const plan = await runCli(["plan", "--refresh", "--json", "--allow-other-api"], { cwd: work.dir, env: emptyEnv });
      expect(plan.code).toBe(0);
      const after = empty.requestCounts();
      // One list page shows the whole (empty) list: no GET per state user.
      expect((after.list ?? 0) - (before.list ?? 0)).toBe(1);
      expect((after.get ?? 0) - (before.get ?? 0)).toBe(0);
      expect(JSON.parse(plan.stdout)).toMatchObject({ summary: { create: 40 }, drift: { checked: 40, summary: { missing: 40 } } });

      const fixed = await apply(["--refresh", "--allow-other-api"], emptyEnv);
      expect(fixed.json).toMatchObject({ succeeded: 40, failed: 0 });
      expect(empty.users()).toHaveLength(40);
      const again = await apply(["--allow-other-api"], emptyEnv);
      expect(again.json).toMatchObject({ succeeded: 0, failed: 0 });
    } finally {
      await empty.close();
    }
  });
});
