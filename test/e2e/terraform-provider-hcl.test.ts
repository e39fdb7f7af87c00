/**
 * The ruangkerja provider from plain Terraform (HCL, no CDKTF), driven by the real `terraform`
 * binary against the emulator on 127.0.0.1: `ruangkerja-users provider install` and `terraform
 * init` offline, the per-person `ruangkerja_user` over `for_each` of a YAML file, the
 * `ruangkerja_users` data source, drift made outside Terraform shown by `terraform plan` (and
 * skipped with -refresh=false), `terraform import` and an `import` block with
 * -generate-config-out. Skipped, saying why, when terraform is not on PATH.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../src/api/client.js";
import { TOOL_VERSION } from "../../src/cli/tool-version.js";
import { CLI } from "./helpers.js";
import { run, terraformMissing } from "./terraform-helpers.js";
import { envWithout, runTerraform, startTerraformEmulator, type TerraformEmulator } from "./terraform-stack.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the Terraform provider (HCL) end-to-end test: ${missing}`);

const TOKEN = "tf-hcl-marker-token-51d7a0";

/** The HCL quickstart of docs/terraform.md, as a user writes it. */
const MAIN_TF = `terraform {
  required_providers {
    ruangkerja = { source = "ruangkerja/ruangkerja", version = "${TOOL_VERSION}" }
  }
}

provider "ruangkerja" {}

locals {
  people = yamldecode(file("\${path.module}/people.yaml"))
}

resource "ruangkerja_user" "person" {
  for_each    = { for p in local.people : p.employee_id => p }
  employee_id = each.key
  name        = each.value.name
  email       = try(each.value.email, null)
  phone       = try(each.value.phone, null)
}

data "ruangkerja_users" "team" {
  employee_ids = ["HCL0001", "HCL0002"]
  depends_on   = [ruangkerja_user.person]
}

output "team" {
  # users is sensitive (people's contact data): shown here on purpose.
  value = nonsensitive({ for id, person in data.ruangkerja_users.team.users : id => person.name })
}
`;

interface Person {
  employee_id: string;
  name: string;
  email: string;
}

const person = (n: number, name = `Karyawan HCL ${n}`): Person => ({
  employee_id: `HCL000${n}`,
  name,
  email: `hcl000${n}@contoh.co.id`,
});

const peopleYaml = (people: Person[]) =>
  people.map((p) => `- employee_id: ${p.employee_id}\n  name: "${p.name}"\n  email: ${p.email}\n`).join("");

describe.skipIf(missing !== undefined)("the ruangkerja provider from plain Terraform (HCL), with real Terraform", () => {
  let tf: TerraformEmulator;
  let env: Record<string, string>;
  let outside: RuangkerjaClient;
  const dir = () => join(tf.dir, "hcl");
  const terraform = (command: string, ...rest: string[]) => runTerraform({ cwd: dir(), env, timeoutMs: 180_000 }, command, ...rest);
  let people = [person(1), person(2), person(3)];

  beforeAll(async () => {
    tf = await startTerraformEmulator(TOKEN);
    outside = new RuangkerjaClient({ baseUrl: tf.emulator.url, token: TOKEN });
    env = envWithout(tf.env, "TF_DATA_DIR"); // .terraform in the folder, as users have it
    await mkdir(dir());
    await writeFile(join(dir(), "main.tf"), MAIN_TF);
    await writeFile(join(dir(), "people.yaml"), peopleYaml(people));
  });
  afterAll(async () => {
    await tf?.close();
  });

  it("installs with `provider install`, inits offline and applies three people and the data source", async () => {
    const installed = await run(process.execPath, [CLI, "provider", "install"], { cwd: dir(), env, timeoutMs: 30_000 });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`Installed terraform-provider-ruangkerja ${TOOL_VERSION}`);
    const init = await terraform("init");
    expect(init.code, init.stderr).toBe(0);
    const apply = await terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    expect(apply.stdout).toMatch(/team = \{\s+"HCL0001" = "Karyawan HCL 1"\s+"HCL0002" = "Karyawan HCL 2"\s+\}/);
    expect(
      tf.emulator
        .users()
        .map((u) => u.employeeID)
        .sort(),
    ).toEqual(["HCL0001", "HCL0002", "HCL0003"]);
    const plan = await terraform("plan", "-detailed-exitcode");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code, plan.stderr).toBe(0);
  });

  it("shows a change made outside Terraform in plan (exit 2), naming the person and the field; -refresh=false skips it", async () => {
    const changed = await outside.updateBulk([{ employeeID: "HCL0002", name: "Diubah Di Luar", isActive: true }]);
    expect(changed.failedItems).toEqual([]);
    const plan = await terraform("plan", "-detailed-exitcode");
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('ruangkerja_user.person["HCL0002"] will be updated in-place');
    expect(plan.stdout).toMatch(/~ name\s+= "Diubah Di Luar" -> "Karyawan HCL 2"/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    // -refresh=false: the resource is not read, so no change is planned; the data source is read
    // always, and shows the new name in the output only.
    const unrefreshed = await terraform("plan", "-refresh=false");
    expect(unrefreshed.code, unrefreshed.stderr).toBe(0);
    expect(unrefreshed.stdout).not.toContain("will be updated in-place");
    expect(unrefreshed.stdout).toMatch(/~ HCL0002 = "Karyawan HCL 2" -> "Diubah Di Luar"/);
    expect(unrefreshed.stdout).toContain("without changing any real infrastructure");
    const apply = await terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(tf.user("HCL0002")?.name).toBe("Karyawan HCL 2");
  });

  it("adopts a person RuangKerja already has with `terraform import`: nothing created", async () => {
    const created = await outside.createBulk([
      { employeeID: "HCL0004", name: "Karyawan HCL 4", email: "hcl0004@contoh.co.id", isActive: true },
    ]);
    expect(created.failedItems).toEqual([]);
    people = [...people, person(4)];
    await writeFile(join(dir(), "people.yaml"), peopleYaml(people));
    const imported = await terraform("import", 'ruangkerja_user.person["HCL0004"]', "HCL0004");
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("Import successful!");
    const creates = tf.emulator.requestCounts()["create-bulk"];
    const plan = await terraform("plan");
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('ruangkerja_user.person["HCL0004"] will be created');
    const apply = await terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(tf.emulator.requestCounts()["create-bulk"]).toBe(creates);
    expect(tf.emulator.users().filter((u) => u.employeeID === "HCL0004")).toHaveLength(1);
  });

  it("adopts through an import block, and -generate-config-out writes its configuration", async () => {
    const created = await outside.createBulk([{ employeeID: "HCL0009", name: "Sudah Ada", phone: "6281100009", isActive: true }]);
    expect(created.failedItems).toEqual([]);
    await writeFile(join(dir(), "import.tf"), 'import {\n  to = ruangkerja_user.adopted\n  id = "HCL0009"\n}\n');
    const plan = await terraform("plan", "-generate-config-out=generated.tf");
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("ruangkerja_user.adopted: Preparing import... [id=HCL0009]");
    const generated = await readFile(join(dir(), "generated.tf"), "utf8");
    expect(generated).toContain('resource "ruangkerja_user" "adopted"');
    expect(generated).toMatch(/employee_id\s+= "HCL0009"/);
    expect(generated).toMatch(/name\s+= "Sudah Ada"/);
    const count = tf.emulator.users().length;
    const apply = await terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 1 imported, 0 added, \d+ changed, 0 destroyed\./);
    expect(tf.emulator.users()).toHaveLength(count);
    const after = await terraform("plan", "-detailed-exitcode");
    expect(after.stdout).toContain("No changes.");
    expect(after.code, after.stderr).toBe(0);
  });

  it("deactivates a person removed from the YAML file (destroy of that one resource)", async () => {
    people = people.filter((p) => p.employee_id !== "HCL0003");
    await writeFile(join(dir(), "people.yaml"), peopleYaml(people));
    const apply = await terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    expect(tf.user("HCL0003")?.isActive).toBe(false);
    expect(tf.user("HCL0001")?.isActive).toBe(true);
  });

  it("takes the API only from RUANGKERJA_API_URL: a configuration naming another server is refused, and nothing reaches it", async () => {
    const received: string[] = [];
    const listener = createServer((req, res) => {
      received.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
      res.end("{}");
    });
    await new Promise<void>((done) => listener.listen(0, "127.0.0.1", done));
    try {
      const { port } = listener.address() as AddressInfo;
      const hostile = join(tf.dir, "hostile");
      await mkdir(hostile);
      const pointed = MAIN_TF.replace('provider "ruangkerja" {}', `provider "ruangkerja" {\n  api_url = "http://127.0.0.1:${port}"\n}`);
      expect(pointed).toContain("api_url");
      await writeFile(join(hostile, "main.tf"), pointed);
      await writeFile(join(hostile, "people.yaml"), peopleYaml(people));
      const hostileTf = (command: string, ...rest: string[]) => runTerraform({ cwd: hostile, env, timeoutMs: 120_000 }, command, ...rest);
      expect((await run(process.execPath, [CLI, "provider", "install"], { cwd: hostile, env, timeoutMs: 30_000 })).code).toBe(0);
      expect((await hostileTf("init")).code).toBe(0);
      const plan = await hostileTf("plan");
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain('An argument named "api_url" is not expected here');
      expect(received).toEqual([]);
    } finally {
      listener.close();
    }
  });

  it("keeps the token out of the configuration, the state and the lock file", async () => {
    for (const file of ["main.tf", "terraform.tfstate", ".terraform.lock.hcl", "generated.tf"])
      expect(await readFile(join(dir(), file), "utf8")).not.toContain(TOKEN);
  });
});
