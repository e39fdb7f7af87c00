/**
 * `state migrate` onto a destination of the same lineage: refused unless the destination is older
 * than the source (the same history, moved forward), so a copy never rolls a state back or drops
 * what only the destination recorded. Files always; a PostgreSQL destination when a server is
 * known (RUANGKERJA_TEST_PG_URL, see test/postgres.ts).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { freshWorkspace, PG_URL, skipWithoutPostgres } from "../postgres.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const skipPg = skipWithoutPostgres("test/e2e/failure-modes-migrate.test.ts");
const TOKEN = "e2e-fm-migrate-91aa";
const SOURCE = ".ruangkerja/state.json";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  [emulator, work] = await Promise.all([startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN }), makeWorkdir()]);
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("MG", 4)));
  expect((await run(["apply", "--auto-approve"])).code).toBe(0);
});
afterEach(() => Promise.all([emulator.close(), work.cleanup()]));

const run = (args: string[]) => runCli(args, { cwd: work.dir, env: { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN } });

/** The state's lineage, serial and employeeIDs, as `state list --json` shows them. */
async function listed(state: string, workspace?: string): Promise<{ lineage: string; serial: number; ids: string[] }> {
  const result = await run(["state", "list", "--json", "--state", state, ...(workspace ? ["--workspace", workspace] : [])]);
  expect(result.code).toBe(0);
  const json = JSON.parse(result.stdout) as { lineage: string; serial: number; users: { employeeID: string }[] };
  return { lineage: json.lineage, serial: json.serial, ids: json.users.map((u) => u.employeeID) };
}

async function migrate(to: string, ...extra: string[]) {
  return run(["state", "migrate", "--from", SOURCE, "--to", to, ...extra]);
}

/** A refusal of a same-lineage destination not older than the source, which changed nothing there. */
async function expectRefused(to: string, toArgs: string[] = []) {
  const before = await listed(to, toArgs[1]);
  const source = await listed(SOURCE);
  expect(before.lineage).toBe(source.lineage);
  const refused = await migrate(to, ...toArgs);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    `holds serial ${before.serial} of the same lineage, not older than the source's serial ${source.serial}; nothing was copied. Pass --force to replace it`,
  );
  expect(await listed(to, toArgs[1])).toEqual(before);
}

describe("state migrate onto a state file of the same lineage", () => {
  it("refuses one that is newer than the source (it moved on after the copy), and --force replaces it, keeping it beside", async () => {
    expect((await migrate("copy/state.json")).code).toBe(0);
    // The copy is used on its own from here: one more user applied with it.
    await writeText(join(work.dir, "users/more.yaml"), usersYaml(makeUsers("MGX", 1)));
    expect((await run(["apply", "--auto-approve", "--state", "copy/state.json"])).code).toBe(0);
    const copy = await listed("copy/state.json");
    expect(copy.serial).toBeGreaterThan((await listed(SOURCE)).serial);
    expect(copy.ids).toContain("MGX0000");

    await expectRefused("copy/state.json");
    const plan = await run(["plan", "--detailed-exitcode", "--state", "copy/state.json"]);
    expect(plan.stdout).toContain("No changes.");

    const forced = await migrate("copy/state.json", "--force");
    expect(forced.code).toBe(0);
    expect(await listed("copy/state.json")).toEqual(await listed(SOURCE));
    expect((await readdir(join(work.dir, "copy"))).length).toBeGreaterThan(1);
  });

  it("refuses one at the same serial that holds something else, and moves an older one forward without --force", async () => {
    expect((await migrate("same/state.json")).code).toBe(0);
    expect((await migrate("older/state.json")).code).toBe(0);
    // Source and copy each drop another user from state: one write each, the same serial, different states.
    expect((await run(["state", "rm", "MG0000"])).code).toBe(0);
    expect((await run(["state", "rm", "MG0001", "--state", "same/state.json"])).code).toBe(0);
    const [source, same] = [await listed(SOURCE), await listed("same/state.json")];
    expect(same.serial, "precondition: both states are at the same serial").toBe(source.serial);
    expect(same.ids).not.toEqual(source.ids);
    await expectRefused("same/state.json");

    // Same lineage and older: the same history moved forward, no --force needed.
    expect((await listed("older/state.json")).serial).toBeLessThan(source.serial);
    const forward = await migrate("older/state.json");
    expect(forward.code).toBe(0);
    expect(forward.stderr).toContain(`It replaced lineage ${source.lineage}`);
    expect(await listed("older/state.json")).toEqual(source);
  });
});

describe.skipIf(skipPg)("state migrate onto a PostgreSQL workspace of the same lineage", () => {
  it("refuses one that is newer than the source, and leaves its row as it was", async () => {
    const workspace = freshWorkspace("mig");
    expect((await migrate(PG_URL, "--to-workspace", workspace)).code).toBe(0);
    await writeText(join(work.dir, "users/more.yaml"), usersYaml(makeUsers("MGP", 1)));
    expect((await run(["apply", "--auto-approve", "--state", PG_URL, "--workspace", workspace])).code).toBe(0);
    await expectRefused(PG_URL, ["--to-workspace", workspace]);
    expect((await listed(PG_URL, workspace)).ids).toContain("MGP0000");
  });
});
