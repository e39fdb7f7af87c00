/**
 * `state migrate` onto a destination of the same lineage: refused unless the destination is older
 * than the source (the same history, moved forward), so a copy never rolls a state back or drops
 * what only the destination recorded. Files always; a PostgreSQL destination when a server is
 * known (RUANGKERJA_TEST_PG_URL, see test/postgres.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { freshWorkspace, PG_URL, skipWithoutPostgres } from "../postgres.js";
import { CLI, makeUsers, makeWorkdir, runCli, runProcess, usersYaml, writeText } from "./helpers.js";

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

/** Unprivileged: a user namespace maps us to root in a mount namespace of our own, where a small tmpfs can fill up. */
const canMountTmpfs =
  spawnSync("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"], {
    timeout: 10_000,
  }).status === 0;
if (!canMountTmpfs) {
  process.stderr.write(
    "SKIPPED the disk-full test in test/e2e/failure-modes-migrate.test.ts: `unshare --user --map-root-user --mount` cannot mount a tmpfs here (util-linux missing, or user namespaces disabled)\n",
  );
}

describe.skipIf(!canMountTmpfs)("state migrate --force onto a full disk", () => {
  it("puts the replaced state file back when the new one cannot be written (ENOSPC), leaving nothing beside it", async () => {
    // A source too large for the 16 KiB disk, and a small destination of another lineage.
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("MG", 200)));
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    await writeText(join(work.dir, "other/team.yaml"), usersYaml(makeUsers("MGO", 1)));
    expect((await run(["apply", "--auto-approve", "--dir", "other", "--state", "seed/other.json"])).code).toBe(0);
    await mkdir(join(work.dir, "disk"));
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`;
    const script = [
      "set -u",
      "mount -t tmpfs -o size=16k tmpfs disk",
      "cp seed/other.json disk/other.json",
      `${cli} state list --json --state disk/other.json > before.json`,
      `${cli} state migrate --from ${SOURCE} --to disk/other.json --force 2> migrate.err; echo $? > migrate.rc`,
      `${cli} state list --json --state disk/other.json > after.json`,
      "ls -A disk > left.txt",
    ].join("\n");
    const ran = await runProcess("unshare", ["--user", "--map-root-user", "--mount", "bash", "-c", script], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
      timeoutMs: 60_000,
    });
    expect(ran.code, ran.stderr).toBe(0);
    const read = (name: string) => readFile(join(work.dir, name), "utf8");
    expect((await read("migrate.rc")).trim()).toBe("1");
    expect(await read("migrate.err")).toContain("cannot write the state at disk/other.json (ENOSPC)");
    const before = JSON.parse(await read("before.json")) as { users: { employeeID: string }[] };
    expect(before.users.map((u) => u.employeeID)).toEqual(["MGO0000"]);
    expect(JSON.parse(await read("after.json"))).toEqual(before);
    expect((await read("left.txt")).trim().split("\n")).toEqual(["other.json"]);
  }, 60_000);
});
