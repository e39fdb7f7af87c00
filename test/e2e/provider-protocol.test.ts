/**
 * The provider protocol with the real `terraform` binary, offline, in temporary folders (HOME, CLI
 * config and data dirs of their own; nothing but 127.0.0.1). First the installation: `provider
 * install` writes the same launcher in two folders, `terraform init` installs it from
 * terraform.d/plugins without a registry and writes identical lock files, and the launcher run by
 * hand says what it is. Then the protocol itself, with a fixture provider (provider-fixture/, one
 * resource, ruangkerja_echo, and one data source, ruangkerja_greeting) behind a launcher of the
 * test's own: plan, apply, an empty second plan, an in-place update, diagnostics pointing at the
 * configuration, an unknown import id refused, destroy; then a data source read, `terraform
 * import`, an import block, and `plan -generate-config-out` writing the adopted echo's block.
 * Skipped, saying why, when terraform is not on PATH.
 */
import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkdir, ROOT, runCli, writeText } from "./helpers.js";
import { run, terraformMissing } from "./terraform-helpers.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the provider protocol end-to-end test: ${missing}`);

const PLATFORM_DIR = `${{ linux: "linux", darwin: "darwin" }[process.platform as string] ?? process.platform}_${{ x64: "amd64", arm64: "arm64" }[process.arch as string] ?? process.arch}`;
const LAUNCHER = `terraform.d/plugins/registry.terraform.io/ruangkerja/ruangkerja/0.1.0/${PLATFORM_DIR}/terraform-provider-ruangkerja_v0.1.0`;
const FIXTURE = join(ROOT, "test/e2e/provider-fixture/echo-provider.mjs");
const SECRET = "write-only-marker-3f9a1c";

const REQUIRED = `terraform {
  required_providers {
    ruangkerja = { source = "ruangkerja/ruangkerja", version = "0.1.0" }
  }
}
`;

function echoConfig(message: string, greeting = "halo"): string {
  return `${REQUIRED}
provider "ruangkerja" {
  greeting = "${greeting}"
}

resource "ruangkerja_echo" "one" {
  message = "${message}"
  size    = 2.5
  tags    = { team = "hr-it" }
  people  = { ND0012 = { name = "Budi Santoso", active = true } }
  secret  = "${SECRET}"
}
`;
}

describe.skipIf(missing !== undefined)("the Terraform provider protocol with real Terraform", () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let env: Record<string, string>;
  const terraform = (cwd: string, ...args: string[]) => run("terraform", [...args, "-no-color"], { cwd, env, timeoutMs: 120_000 });
  const folder = async (name: string) => {
    const dir = join(work.dir, name);
    await mkdir(join(dir, "node_modules"), { recursive: true });
    await symlink(ROOT, join(dir, "node_modules/ruangkerja-users"));
    return dir;
  };

  beforeAll(async () => {
    work = await makeWorkdir();
    await writeFile(join(work.dir, "terraform.rc"), ""); // no provider_installation: the implied mirror directories apply
    env = {
      PATH: process.env.PATH ?? "",
      HOME: join(work.dir, "home"),
      TF_CLI_CONFIG_FILE: join(work.dir, "terraform.rc"),
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      NO_COLOR: "1",
      ECHO_LOG: join(work.dir, "echo.log"),
    };
  });
  afterAll(async () => {
    await work?.cleanup();
  });

  it("installs with `provider install` and inits offline: the same launcher and the same lock file in two folders", async () => {
    const [laptop, ci] = [await folder("laptop"), await folder("ci/job")];
    for (const dir of [laptop, ci]) {
      await writeText(join(dir, "main.tf"), REQUIRED);
      const installed = await runCli(["provider", "install"], { cwd: dir });
      expect(installed.stdout).toContain(`Installed terraform-provider-ruangkerja 0.1.0 at ${LAUNCHER}`);
      expect(installed.stderr).not.toContain("Warning");
      expect(installed.code).toBe(0);
    }
    const launcher = await readFile(join(laptop, LAUNCHER), "utf8");
    expect(await readFile(join(ci, LAUNCHER), "utf8")).toBe(launcher);
    expect(launcher.startsWith("#!/bin/sh\n")).toBe(true);
    for (const path of [ROOT, work.dir, "/node_modules"]) expect(launcher).not.toContain(path);

    const locks: string[] = [];
    for (const dir of [laptop, ci]) {
      const init = await terraform(dir, "init", "-input=false");
      expect(init.stdout).toContain("Installing ruangkerja/ruangkerja v0.1.0");
      expect(init.code).toBe(0);
      locks.push(await readFile(join(dir, ".terraform.lock.hcl"), "utf8"));
    }
    expect(locks[0]).toMatch(
      /provider "registry\.terraform\.io\/ruangkerja\/ruangkerja" \{\s+version\s+= "0\.1\.0"[^}]*"h1:[A-Za-z0-9+/=]+"/,
    );
    expect(locks[1]).toBe(locks[0]);
  });

  it("the launcher run by hand says it is a Terraform plugin, or that it cannot find the package", async () => {
    const here = await folder("by-hand");
    await runCli(["provider", "install"], { cwd: here });
    const direct = await run(join(here, LAUNCHER), [], { cwd: here, env, timeoutMs: 30_000 });
    expect(direct.stderr).toContain("a Terraform plugin");
    expect(direct.stdout).toBe("");
    expect(direct.code).toBe(1);

    const lonely = join(work.dir, "lonely");
    await mkdir(lonely);
    const warned = await runCli(["provider", "install"], { cwd: lonely });
    expect(warned.stderr).toContain(`Warning: Node finds no ruangkerja-users package from ${lonely}`);
    expect(warned.code).toBe(0);
    const nowhere = await run(join(lonely, LAUNCHER), [], { cwd: lonely, env, timeoutMs: 30_000 });
    expect(nowhere.stderr).toContain(`no ruangkerja-users package found from ${lonely}`);
    expect(nowhere.code).toBe(1);
  });

  /** A folder whose main.tf is `config`, with the fixture provider behind a launcher, initialized. */
  const fixtureFolder = async (name: string, config: string) => {
    const dir = join(work.dir, name);
    await writeText(join(dir, LAUNCHER), `#!/bin/sh\nexec "${process.execPath}" "${FIXTURE}"\n`);
    await chmod(join(dir, LAUNCHER), 0o755);
    await writeText(join(dir, "main.tf"), config);
    expect((await terraform(dir, "init", "-input=false")).code).toBe(0);
    return dir;
  };
  const log = async () =>
    (await readFile(env.ECHO_LOG as string, "utf8").catch(() => ""))
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("plans, applies, plans nothing, updates in place, reports diagnostics, refuses an unknown import id and destroys (fixture provider)", async () => {
    const dir = await fixtureFolder("echo", echoConfig("hello"));

    const plan = await terraform(dir, "plan", "-input=false", "-detailed-exitcode");
    expect(plan.stdout).toContain("# ruangkerja_echo.one will be created");
    expect(plan.stdout).toMatch(/\+ id\s+= \(known after apply\)/);
    expect(plan.stdout).toMatch(/\+ secret\s+= \(write-only attribute\)/);
    expect(plan.stdout).toMatch(/\+ "ND0012" = \{/);
    expect(plan.code).toBe(2);

    const apply = await terraform(dir, "apply", "-auto-approve", "-input=false");
    expect(apply.stdout).toContain("Creation complete");
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(apply.code).toBe(0);
    expect(await log()).toEqual([{ action: "create", secretGiven: true, greeting: "halo" }]);
    const state = await readFile(join(dir, "terraform.tfstate"), "utf8");
    expect(state).not.toContain(SECRET);
    expect(JSON.parse(state).resources[0].instances[0].attributes).toEqual({
      id: "echo-5",
      message: "hello",
      size: 2.5,
      tags: { team: "hr-it" },
      people: { ND0012: { name: "Budi Santoso", active: true } },
      secret: null,
    });

    expect((await terraform(dir, "plan", "-input=false", "-detailed-exitcode")).code).toBe(0);

    await writeText(join(dir, "main.tf"), echoConfig("hello again"));
    const update = await terraform(dir, "apply", "-auto-approve", "-input=false");
    expect(update.stdout).toContain("will be updated in-place");
    expect(update.stdout).toMatch(/~ message\s+= "hello" -> "hello again"/);
    expect(update.stdout).toContain("[id=echo-5]");
    expect(update.code).toBe(0);
    expect((await log()).at(-1)).toEqual({ action: "update", secretGiven: true, greeting: "halo" });

    await writeText(join(dir, "main.tf"), echoConfig(""));
    const invalid = await terraform(dir, "plan", "-input=false");
    expect(invalid.stderr).toContain("Error: message is empty");
    expect(invalid.stderr).toMatch(/on main\.tf line \d+, in resource "ruangkerja_echo" "one":/);
    expect(invalid.code).toBe(1);

    await writeText(join(dir, "main.tf"), echoConfig("hello again", "fail"));
    const refused = await terraform(dir, "plan", "-input=false");
    expect(refused.stderr).toContain("Error: greeting refused");
    expect(refused.code).toBe(1);

    await writeText(join(dir, "main.tf"), `${echoConfig("hello again")}\nresource "ruangkerja_echo" "two" {\n  message = "x"\n}\n`);
    const imported = await terraform(dir, "import", "-input=false", "ruangkerja_echo.two", "some-id");
    expect(imported.stderr).toContain("Error: No echo some-id");
    expect(imported.code).toBe(1);
    expect((await log()).at(-1)).toEqual({ action: "import", id: "some-id", greeting: "halo" });

    await writeText(join(dir, "main.tf"), echoConfig("hello again"));
    const destroy = await terraform(dir, "destroy", "-auto-approve", "-input=false");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect(destroy.code).toBe(0);
    expect((await log()).at(-1)).toEqual({ action: "delete", secretGiven: false, greeting: "halo" });
    expect(JSON.parse(await readFile(join(dir, "terraform.tfstate"), "utf8")).resources).toEqual([]);
    expect(`${plan.stderr}${apply.stderr}${update.stderr}${destroy.stderr}`).not.toContain(SECRET);
  });

  it("reads a data source, adopts with `terraform import` and an import block, and generates the block of what it adopts", async () => {
    const base = `${REQUIRED}
provider "ruangkerja" {
  greeting = "selamat pagi"
}

data "ruangkerja_greeting" "budi" {
  name = "Budi"
}

output "text" {
  value = data.ruangkerja_greeting.budi.text
}

output "letters" {
  value = length(data.ruangkerja_greeting.budi.letters)
}
`;
    const adoptBlock = `\nimport {\n  to = ruangkerja_echo.adopted\n  id = "echo-remote"\n}\n`;
    const cliBlock = `
resource "ruangkerja_echo" "cli" {
  message = "from RuangKerja"
  size    = 3
  tags    = { team = "ops" }
  people  = { ND0042 = { name = "Siti Rahayu", active = false } }
}
`;
    const remote = {
      id: "echo-remote",
      message: "from RuangKerja",
      size: 3,
      tags: { team: "ops" },
      people: { ND0042: { name: "Siti Rahayu", active: false } },
      secret: null,
    };
    const dir = await fixtureFolder("adopt", base);
    const logged = (await log()).length;
    const attributes = async (name: string) => {
      const state = JSON.parse(await readFile(join(dir, "terraform.tfstate"), "utf8")) as {
        resources: { mode: string; name: string; instances: { attributes: unknown }[] }[];
      };
      return state.resources.find((r) => r.mode === "managed" && r.name === name)?.instances[0]?.attributes;
    };

    const read = await terraform(dir, "apply", "-auto-approve", "-input=false");
    expect(read.stdout).toContain("data.ruangkerja_greeting.budi: Reading...");
    expect(read.stdout).toMatch(/letters = 4\n/);
    expect(read.stdout).toContain('text = "selamat pagi, Budi"');
    expect(read.code).toBe(0);
    await writeText(join(dir, "main.tf"), base.replace('name = "Budi"', 'name = ""'));
    const invalid = await terraform(dir, "plan", "-input=false");
    expect(invalid.stderr).toContain("Error: name is empty");
    expect(invalid.stderr).toMatch(/on main\.tf line \d+, in data "ruangkerja_greeting" "budi":/);
    expect(invalid.code).toBe(1);

    await writeText(join(dir, "main.tf"), `${base}${adoptBlock}`);
    const generate = await terraform(dir, "plan", "-input=false", "-generate-config-out=generated.tf");
    expect(generate.stdout).toContain("ruangkerja_echo.adopted: Preparing import... [id=echo-remote]");
    expect(generate.stdout).toContain("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
    expect(generate.stdout).toContain("Warning: Config generation is experimental"); // Terraform 1.11 says so
    expect(generate.code).toBe(0);
    const generated = await readFile(join(dir, "generated.tf"), "utf8");
    expect(generated).toContain('resource "ruangkerja_echo" "adopted" {');
    expect(generated).toMatch(/message\s+= "from RuangKerja"/);
    expect(generated).toMatch(/ND0042 = \{/);
    expect(generated).not.toMatch(/^\s*id\s*=/m); // computed only: not configuration
    expect(generated).toMatch(/secret\s+= null/); // write-only: state never has it, so the block asks for it
    expect(generated).not.toContain("from-import");

    const adopt = await terraform(dir, "apply", "-auto-approve", "-input=false");
    expect(adopt.stdout).toContain("ruangkerja_echo.adopted: Import complete [id=echo-remote]");
    expect(adopt.stdout).toContain("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.");
    expect(adopt.code).toBe(0);
    expect(await attributes("adopted")).toEqual(remote);
    expect((await terraform(dir, "plan", "-input=false", "-detailed-exitcode")).code).toBe(0);

    await writeText(join(dir, "main.tf"), `${base}${adoptBlock}${cliBlock}`);
    const imported = await terraform(dir, "import", "-input=false", "ruangkerja_echo.cli", "echo-remote");
    expect(imported.stdout).toContain("Import successful!");
    expect(imported.code).toBe(0);
    expect(await attributes("cli")).toEqual(remote);
    expect((await terraform(dir, "plan", "-input=false", "-detailed-exitcode")).code).toBe(0);

    // Every import was asked of a configured provider; adopting applied nothing.
    expect((await log()).slice(logged)).toEqual(
      Array.from({ length: 3 }, () => ({ action: "import", id: "echo-remote", greeting: "selamat pagi" })),
    );
    expect(await readFile(join(dir, "terraform.tfstate"), "utf8")).not.toContain("from-import");
  }, 240_000);
});
