/**
 * The CDKTF quickstarts as their users run them, with the real cdktf-cli: examples/cdktf in an
 * empty project (its README's `npx cdktf` lines, as written) and `npx cdktf synth`/`deploy` in a
 * clone. The project links node_modules/ruangkerja-users to this checkout and cdktf, constructs
 * and cdktf-cli to its node_modules, as `npm install` would place them (an install from the
 * registry is package.test.ts's job). The synthesized folder is moved before it is applied: it must
 * hold no path of the machine that synthesized it. Offline but for 127.0.0.1 (terraform_data needs
 * no provider). Skipped, saying why, when terraform is not on PATH.
 */
import { cp, mkdir, readFile, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, ROOT, usersYaml, writeText } from "./helpers.js";
import { run, terraformMissing } from "./terraform-helpers.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the cdktf-cli end-to-end test: ${missing}`);

const TOKEN = "cdktf-cli-marker-token-8a41";
const EXAMPLE = join(ROOT, "examples/cdktf");

/** The `npx cdktf …` lines of the example's README, as arguments. */
async function documentedCommands(): Promise<string[][]> {
  const readme = await readFile(join(EXAMPLE, "README.md"), "utf8");
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .filter((line) => line.startsWith("npx cdktf "))
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/).slice(2));
}

/** node_modules as npm would install the quickstart's packages (links to this checkout's). */
async function linkPackages(project: string): Promise<void> {
  await mkdir(join(project, "node_modules/.bin"), { recursive: true });
  await symlink(ROOT, join(project, "node_modules/ruangkerja-users"));
  for (const name of ["cdktf", "constructs", "cdktf-cli"])
    await symlink(join(ROOT, "node_modules", name), join(project, "node_modules", name));
  await symlink("../cdktf-cli/bundle/bin/cdktf", join(project, "node_modules/.bin/cdktf"));
}

describe.skipIf(missing !== undefined)("the CDKTF quickstarts with the real cdktf-cli", () => {
  let emulator: RunningEmulator;
  let work: { dir: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  const npx = (cwd: string, args: string[]) => run("npx", ["--no-install", "cdktf", ...args], { cwd, env, timeoutMs: 60_000 });
  const names = () => Object.fromEntries(emulator.users().map((u) => [u.employeeID, u.name]));

  beforeAll(async () => {
    emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
    work = await makeWorkdir();
    await writeFile(join(work.dir, "terraform.rc"), "");
    env = {
      PATH: process.env.PATH ?? "",
      HOME: join(work.dir, "home"),
      npm_config_cache: join(work.dir, "npm-cache"),
      npm_config_update_notifier: "false",
      CHECKPOINT_DISABLE: "1",
      DISABLE_VERSION_CHECK: "1",
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
      TF_CLI_CONFIG_FILE: join(work.dir, "terraform.rc"),
      TF_IN_AUTOMATION: "1",
      NO_COLOR: "1",
      CI: "1",
      RUANGKERJA_API_URL: emulator.url,
      RUANGKERJA_TOKEN: TOKEN,
    };
    await mkdir(env.HOME as string);
  });
  afterAll(async () => {
    await emulator?.close();
    await work?.cleanup();
  });

  it("examples/cdktf in an empty project: synth, move the output, apply it, diff, deploy, deploy again", { timeout: 120_000 }, async () => {
    const commands = await documentedCommands();
    expect(commands).toEqual([["synth"], ["diff"], ["deploy", "--auto-approve"]]);
    const [synth, diff, deploy] = commands as [string[], string[], string[]];
    const here = join(work.dir, "synthesized-here");
    for (const file of ["main.mjs", "cdktf.json"]) await cp(join(EXAMPLE, file), join(here, file));
    await writeText(join(here, "users/team.yaml"), usersYaml(makeUsers("QST", 12)));
    await linkPackages(here);

    const synthesized = await npx(here, synth);
    expect(synthesized.stderr).not.toContain("[ERROR]");
    expect(synthesized.stdout).toContain("Synthesized users/");
    expect(synthesized.code).toBe(0);
    const config = await readFile(join(here, "cdktf.out/stacks/users/cdk.tf.json"), "utf8");
    for (const path of [ROOT, work.dir, "/node_modules/"]) expect(config).not.toContain(path);
    expect(JSON.parse(config).terraform.backend).toEqual({ local: { path: "../../../terraform.users.tfstate" } });

    // Another job, another path: apply what was synthesized above, without synthesizing again.
    const there = join(work.dir, "applied-there");
    await rename(here, there);
    const applied = await npx(there, [...deploy, "--skip-synth"]);
    // One ruangkerja_users resource, our provider found offline in the stack's terraform.d/plugins.
    expect(applied.stdout).toContain("Apply complete! Resources: 1 added");
    expect(applied.code).toBe(0);
    expect(emulator.users()).toHaveLength(12);
    expect(names().QST0003).toBe("Karyawan QST 0003");
    expect(await readFile(join(there, "cdktf.out/stacks/users/cdk.tf.json"), "utf8")).toBe(config);
    expect(await readFile(join(there, "terraform.users.tfstate"), "utf8")).toContain("QST0003");

    const users = makeUsers("QST", 12);
    users[3] = { ...users[3], name: "Nama Baru" } as (typeof users)[number];
    await writeText(join(there, "users/team.yaml"), usersYaml(users));
    const planned = await npx(there, diff);
    expect(planned.code).toBe(0);
    const shown = stripVTControlCharacters(planned.stdout); // Terraform colours the plan under cdktf whatever NO_COLOR says
    expect(shown).toMatch(/~ "QST0003" = jsonencode\(/);
    expect(shown).toMatch(/~ name\s+= "Karyawan QST 0003" -> "Nama Baru"/);
    expect(shown).not.toMatch(/"?QST0004"? = jsonencode/);
    expect(names().QST0003).toBe("Karyawan QST 0003");

    const deployed = await npx(there, deploy);
    expect(deployed.code).toBe(0);
    expect(names().QST0003).toBe("Nama Baru");
    // The provider refreshes from RuangKerja at plan (list pages, GETs); nothing is written.
    const writes = () => {
      const { list: _list, get: _get, token: _token, ...counts } = emulator.requestCounts();
      return JSON.stringify(counts);
    };
    const requests = writes();
    const reads = emulator.requestCounts().list ?? 0;
    const again = await npx(there, deploy);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    expect(writes()).toBe(requests);
    expect(emulator.requestCounts().list ?? 0).toBeGreaterThan(reads);
  });

  it(
    "in a clone: `npx cdktf synth` and `npx cdktf deploy --auto-approve` apply users/ through the root cdktf.json",
    { timeout: 60_000 },
    async () => {
      const clone = join(work.dir, "clone");
      await mkdir(clone);
      for (const file of ["package.json", "cdktf.json"]) await cp(join(ROOT, file), join(clone, file));
      await cp(join(ROOT, "users"), join(clone, "users"), { recursive: true });
      for (const dir of ["dist", "node_modules"]) await symlink(join(ROOT, dir), join(clone, dir));
      const before = emulator.users().length;

      const synthesized = await npx(clone, ["synth"]);
      expect(synthesized.stderr).not.toContain("[ERROR]");
      expect(synthesized.code).toBe(0);
      expect(await readFile(join(clone, "cdktf.out/stacks/users/cdk.tf.json"), "utf8")).not.toContain(work.dir);
      const deployed = await npx(clone, ["deploy", "--auto-approve"]);
      expect(deployed.stdout).toContain("Apply complete!");
      expect(deployed.code).toBe(0);
      expect(emulator.users().length).toBeGreaterThan(before);
    },
  );
});
