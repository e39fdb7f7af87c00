/**
 * The bulk `ruangkerja_users` resource through the construct, with the real `terraform` binary and
 * the emulator on 127.0.0.1, for what part 2 of the provider adds: drift made outside Terraform
 * shown by `terraform plan` naming the person and the field; `terraform import` of people
 * RuangKerja already has (`*`) and an `import` block (a list of employeeIDs), adopting without a
 * create; and an interrupted `terraform apply` (terraform and the provider SIGKILLed mid-apply)
 * that converges on the next apply with no duplicate and no lost deactivation; and a plan without
 * credentials (a pull request's job) from Terraform's state. Skipped, saying
 * why, when terraform is not on PATH.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../src/api/client.js";
import { makeUsers } from "./helpers.js";
import { terraformMissing } from "./terraform-helpers.js";
import {
  envWithout,
  runTerraform,
  startTerraformEmulator,
  type TerraformEmulator,
  terraformArgs,
  terraformStack,
} from "./terraform-stack.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the bulk resource's part-2 end-to-end test: ${missing}`);

const TOKEN = "tf-bulk-marker-token-0b93c7";

describe.skipIf(missing !== undefined)("ruangkerja_users through the construct: drift, import, an interrupted apply", () => {
  let tf: TerraformEmulator;
  let outside: RuangkerjaClient;

  /** A stack folder of its own: users/ beside cdktf.json's place, synthesized into cdktf.out. */
  const stack = (name: string) => terraformStack(join(tf.dir, name), tf.env);

  beforeAll(async () => {
    tf = await startTerraformEmulator(TOKEN);
    outside = new RuangkerjaClient({ baseUrl: tf.emulator.url, token: TOKEN });
  });
  afterAll(async () => {
    await tf?.close();
  });

  it(
    "shows drift made outside Terraform in plan (exit 2), naming the person and the field, and apply puts it back",
    { timeout: 120_000 },
    async () => {
      const drift = stack("drift");
      await drift.declare(makeUsers("DRF", 30));
      await drift.synth();
      expect((await drift.terraform("init")).code).toBe(0);
      expect((await drift.terraform("apply", "-auto-approve")).code).toBe(0);
      const changed = await outside.updateBulk([
        { employeeID: "DRF0007", name: "Diubah Di Luar", isActive: true, tagSerials: ["RUKRTAG-9WHL0JGP"] },
        { employeeID: "DRF0011", name: "Karyawan DRF 0011", isActive: false, tagSerials: ["RUKRTAG-9WHL0JGP"] },
      ]);
      expect(changed.failedItems).toEqual([]);
      const plan = await drift.terraform("plan", "-detailed-exitcode");
      expect(plan.code, plan.stderr).toBe(2);
      expect(plan.stdout).toContain("will be updated in-place");
      expect(plan.stdout).toMatch(/~ name\s+= "Diubah Di Luar" -> "Karyawan DRF 0007"/);
      expect(plan.stdout).toMatch(/~ is_active\s+= false -> (true|null)/);
      expect(plan.stdout.split("Plan:")[0]).not.toContain("DRF0012");
      expect(plan.stdout).toContain("2 of the people in ruangkerja_users changed outside Terraform: DRF0007 (name), DRF0011 (is_active)");
      const unrefreshed = await drift.terraform("plan", "-detailed-exitcode", "-refresh=false");
      expect(unrefreshed.stdout).toContain("No changes.");
      expect(unrefreshed.code).toBe(0);
      const apply = await drift.terraform("apply", "-auto-approve");
      expect(apply.code, apply.stderr).toBe(0);
      expect(tf.user("DRF0007")?.name).toBe("Karyawan DRF 0007");
      expect(tf.user("DRF0011")?.isActive).toBe(true);
      const after = await drift.terraform("plan", "-detailed-exitcode");
      expect(after.code, after.stdout).toBe(0);
    },
  );

  it(
    "adopts people RuangKerja already has: `terraform import … '*'` and an import block, no create sent",
    { timeout: 180_000 },
    async () => {
      const existing = makeUsers("IMP", 6);
      const created = await outside.createBulk(
        existing.map((u) => ({
          employeeID: u.employeeID,
          name: u.name,
          email: u.email ?? null,
          username: u.username ?? null,
          phone: u.phone ?? null,
          isActive: true,
          tagSerials: u.tagSerials ?? null,
          organizationSerial: u.organizationSerial ?? null,
        })),
      );
      expect(created.failedItems).toEqual([]);
      const creates = () => tf.emulator.requestCounts()["create-bulk"];

      // `terraform import` with `*`: every active user RuangKerja has; this stack declares them all.
      const cli = stack("import-cli");
      await cli.declare([...makeUsers("DRF", 30), ...existing]);
      await cli.synth();
      expect((await cli.terraform("init")).code).toBe(0);
      const before = creates();
      const imported = await cli.terraform("import", "ruangkerja_users.ruangkerja", "*");
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toContain("Import successful!");
      const plan = await cli.terraform("plan", "-detailed-exitcode");
      expect(plan.stdout).toContain("No changes.");
      expect(plan.code, plan.stdout).toBe(0);

      // An import block in the synthesized configuration, ids as a list; then one person changed on top.
      const block = stack("import-block");
      await block.declare(existing.map((u) => (u.employeeID === "IMP0003" ? { ...u, name: "Nama Diadopsi" } : u)));
      await block.synth();
      const file = join(block.dir, "cdk.tf.json");
      const config = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
      config.import = [{ to: "ruangkerja_users.ruangkerja", id: "IMP0000,IMP0001,IMP0002,IMP0003,IMP0004,IMP0005" }];
      await writeFile(file, JSON.stringify(config));
      expect((await block.terraform("init")).code).toBe(0);
      const planned = await block.terraform("plan");
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.stdout).toContain("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.");
      expect(planned.stdout).toMatch(/~ name\s+= "Karyawan IMP 0003" -> "Nama Diadopsi"/);
      const apply = await block.terraform("apply", "-auto-approve");
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toContain("Apply complete! Resources: 1 imported, 0 added, 1 changed, 0 destroyed.");
      expect(tf.user("IMP0003")?.name).toBe("Nama Diadopsi");
      expect(creates()).toBe(before);
      expect(tf.emulator.users().filter((u) => u.employeeID.startsWith("IMP"))).toHaveLength(6);

      // An employeeID RuangKerja does not have is refused by name; nothing is adopted.
      const unknown = stack("import-unknown");
      await unknown.declare(existing);
      await unknown.synth();
      expect((await unknown.terraform("init")).code).toBe(0);
      const refused = await unknown.terraform("import", "ruangkerja_users.ruangkerja", "IMP0000,NOSUCH01");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("NOSUCH01");
    },
  );

  it(
    "converges after terraform and the provider are SIGKILLed mid-apply: no duplicate, no lost deactivation",
    { timeout: 300_000 },
    async () => {
      const killed = stack("killed");
      const first = makeUsers("KIL", 1500);
      await killed.declare(first);
      await killed.synth();
      expect((await killed.terraform("init")).code).toBe(0);
      expect((await killed.terraform("apply", "-auto-approve")).code).toBe(0);

      // Grow to 3,000 and remove two; slow the API so the kill lands between bulk calls.
      const grown = [...first.filter((u) => u.employeeID !== "KIL0003" && u.employeeID !== "KIL0004"), ...makeUsers("KIL", 1500, 1500)];
      await killed.declare(grown);
      await killed.synth();
      tf.emulator.setFaults({ latencyMs: 150 });
      const createCalls = () => tf.emulator.requestCounts()["create-bulk"] ?? 0;
      const creates = createCalls();
      let child: ChildProcess | undefined;
      const exited = new Promise<number | null>((resolve) => {
        child = spawn("terraform", terraformArgs("apply", "-auto-approve"), {
          cwd: killed.dir,
          env: killed.env(),
          stdio: "ignore",
          detached: true, // its own process group: the provider Terraform starts is in it too
        });
        child.on("close", resolve);
      });
      for (let i = 0; i < 600 && createCalls() < creates + 3; i++) await new Promise((r) => setTimeout(r, 100));
      const sentBeforeKill = createCalls() - creates;
      process.kill(-(child?.pid as number), "SIGKILL");
      await exited;
      tf.emulator.setFaults({});
      expect(sentBeforeKill).toBeGreaterThanOrEqual(3);
      expect(sentBeforeKill).toBeLessThan(15); // 1,500 creates are 15 calls of 100: the kill came mid-apply

      const again = await killed.terraform("apply", "-auto-approve");
      expect(again.code, again.stderr + again.stdout.slice(-2000)).toBe(0);
      const kil = tf.emulator.users().filter((u) => u.employeeID.startsWith("KIL"));
      expect(new Set(kil.map((u) => u.employeeID)).size).toBe(kil.length);
      expect(kil).toHaveLength(3000);
      expect(tf.user("KIL0003")?.isActive).toBe(false);
      expect(tf.user("KIL0004")?.isActive).toBe(false);
      expect(kil.filter((u) => u.isActive)).toHaveLength(2998);
      const after = await killed.terraform("plan", "-detailed-exitcode");
      expect(after.code, after.stdout.slice(-2000)).toBe(0);
    },
  );
  it(
    "plans a change without credentials from Terraform's state (-refresh=false), as a pull request's job would; what needs the API says what to export and sends nothing",
    { timeout: 120_000 },
    async () => {
      // Last: its people are in the emulator from here on, and `import … '*'` above takes every active user.
      const pr = stack("no-credentials");
      const people = makeUsers("NCR", 10);
      await pr.declare(people);
      await pr.synth();
      expect((await pr.terraform("init")).code).toBe(0);
      expect((await pr.terraform("apply", "-auto-approve")).code).toBe(0);
      await pr.declare(people.map((u) => (u.employeeID === "NCR0004" ? { ...u, name: "Nama Baru Dari PR" } : u)));
      await pr.synth();
      const noCredentials = envWithout(pr.env(), "RUANGKERJA_TOKEN");
      const terraform = (command: string, ...rest: string[]) =>
        runTerraform({ cwd: pr.dir, env: noCredentials, timeoutMs: 120_000 }, command, ...rest);
      const before = tf.emulator.requestCounts();
      const plan = await terraform("plan", "-detailed-exitcode", "-refresh=false");
      expect(plan.code, plan.stderr).toBe(2);
      expect(plan.stdout).toMatch(/~ name\s+= "Karyawan NCR 0004" -> "Nama Baru Dari PR"/);
      const refreshed = await terraform("plan", "-detailed-exitcode");
      expect(refreshed.code).toBe(1);
      expect(refreshed.stderr).toContain("cannot read the users from RuangKerja: no access token: export RUANGKERJA_TOKEN");
      expect(refreshed.stderr).toContain("-refresh=false");
      const apply = await terraform("apply", "-auto-approve", "-refresh=false");
      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain("cannot apply: no access token");
      expect(tf.emulator.requestCounts()).toEqual(before);
      expect(tf.user("NCR0004")?.name).toBe("Karyawan NCR 0004");
      // With the token, the same configuration applies.
      expect((await pr.terraform("apply", "-auto-approve")).code).toBe(0);
      expect(tf.user("NCR0004")?.name).toBe("Nama Baru Dari PR");
    },
  );
});
