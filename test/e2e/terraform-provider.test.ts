/**
 * The construct on our own Terraform provider (engine "provider", the default), driven by the real
 * `terraform` binary against the emulator on 127.0.0.1: synth, `terraform init` offline from the
 * launcher synth wrote into terraform.d/plugins, apply 200 users (one whose name Terraform would
 * read as a template reaches RuangKerja as written), an empty second plan, a one-field change shown
 * as an update in place naming the person and, inside jsonencode, the field, a removal that deactivates,
 * destroy refused by the mass-deactivation guard and allowed by the provider setting, and 10,000
 * users in one apply. Skipped, saying why, when terraform is not on PATH.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOL_VERSION } from "../../src/cli/tool-version.js";
import { packageHash } from "../../src/provider/install.js";
import { makeUsers, type UserSpec } from "./helpers.js";
import { terraformMissing } from "./terraform-helpers.js";
import {
  runTerraform,
  startTerraformEmulator,
  type TerraformEmulator,
  type TerraformStack,
  terraformStack,
  terraformWorkdir,
} from "./terraform-stack.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the Terraform provider end-to-end test: ${missing}`);

const TOKEN = "tf-provider-marker-token-9c41e2";
/** Terraform's template syntax in a declared name (and cdktf's token syntax): it must reach RuangKerja as written. */
const HOSTILE_NAME = '${file("secret.txt")} %{ if true }x%{ endif } $${kept} ${TfToken[TOKEN.1]} "quoted"';

describe.skipIf(missing !== undefined)("the construct on the ruangkerja provider, with real Terraform", () => {
  let tf: TerraformEmulator;
  let stack: TerraformStack;
  const users = makeUsers("PRV", 200);
  users[7] = { ...users[7], name: HOSTILE_NAME } as UserSpec;
  const synth = async () => {
    const result = await stack.synth();
    expect(result.stdout).toContain("Synthesized users");
  };

  beforeAll(async () => {
    tf = await startTerraformEmulator(TOKEN);
    stack = terraformStack(tf.dir, tf.env);
    await stack.declare(users);
  });
  afterAll(async () => {
    await tf?.close();
  });

  it("inits offline from terraform.d/plugins and applies 200 users in one resource", async () => {
    await synth();
    const init = await stack.terraform("init");
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain("ruangkerja/ruangkerja");
    const lock = await readFile(join(stack.dir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain('provider "registry.terraform.io/ruangkerja/ruangkerja"');
    // synth wrote the lock file's block (cdktf deploy needs it); terraform init verified the launcher against it.
    expect(lock).toContain(packageHash(TOOL_VERSION));
    const apply = await stack.terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(tf.emulator.users()).toHaveLength(200);
    expect(tf.user("PRV0042")?.name).toBe("Karyawan PRV 0042");
    expect(tf.user("PRV0007")?.name).toBe(HOSTILE_NAME);
  });

  it("plans nothing right after apply (-detailed-exitcode 0)", async () => {
    const plan = await stack.terraform("plan", "-detailed-exitcode");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code, plan.stderr).toBe(0);
  });

  it("shows a one-field change as an update in place naming the person and the field, and applies it", async () => {
    users[5] = { ...users[5], name: "Nama Baru" } as UserSpec;
    await stack.declare(users);
    await synth();
    const plan = await stack.terraform("plan", "-detailed-exitcode", "-out=change.tfplan");
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("will be updated in-place");
    // Each record is JSON text: Terraform shows the changed one as jsonencode, naming the field inside.
    expect(plan.stdout).toMatch(/~ "PRV0005" = jsonencode\(/);
    expect(plan.stdout).toMatch(/~ name\s+= "Karyawan PRV 0005" -> "Nama Baru"/);
    expect(plan.stdout).not.toMatch(/"PRV0006" = jsonencode/);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const apply = await stack.terraform("apply", "change.tfplan");
    expect(apply.code, apply.stderr).toBe(0);
    expect(tf.user("PRV0005")?.name).toBe("Nama Baru");
  });

  it("deactivates a person removed from the declarations", async () => {
    const removed = users.splice(10, 1)[0] as UserSpec;
    await stack.declare(users);
    await synth();
    const plan = await stack.terraform("plan", "-detailed-exitcode");
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(new RegExp(`- "${removed.employeeID}" = jsonencode\\(`));
    const apply = await stack.terraform("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(tf.user(removed.employeeID)?.isActive).toBe(false);
    expect(tf.emulator.users().filter((u) => u.isActive)).toHaveLength(199);
  });

  it("refuses terraform destroy through the mass-deactivation guard, and deactivates everyone when the provider allows it", async () => {
    const refused = await stack.terraform("destroy", "-auto-approve");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("allow_mass_deactivation");
    expect(tf.emulator.users().filter((u) => u.isActive)).toHaveLength(199);

    // What the construct's allowMassDeactivation prop synthesizes (test/unit/cdktf/provider-engine.test.ts).
    const file = join(stack.dir, "cdk.tf.json");
    const config = JSON.parse(await readFile(file, "utf8")) as { provider: { ruangkerja: Record<string, unknown>[] } };
    (config.provider.ruangkerja[0] as Record<string, unknown>).allow_mass_deactivation = true;
    await writeFile(file, JSON.stringify(config, null, 2));
    const destroyed = await stack.terraform("destroy", "-auto-approve");
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect(tf.emulator.users().filter((u) => u.isActive)).toHaveLength(0);
  });

  it("keeps the token out of cdk.tf.json, Terraform's state and the lock file", async () => {
    for (const path of [
      join(stack.dir, "cdk.tf.json"),
      join(stack.root, "terraform.users.tfstate"),
      join(stack.dir, ".terraform.lock.hcl"),
    ]) {
      const text = await readFile(path, "utf8");
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(TOKEN);
    }
  });

  it("applies 10,000 users in one terraform apply", { timeout: 600_000 }, async () => {
    const big = await terraformWorkdir(tf.emulator.url, TOKEN);
    try {
      const bigStack = terraformStack(big.dir, big.env);
      await bigStack.declare(makeUsers("BIG", 10_000), "many.yaml");
      await bigStack.synth([], 120_000);
      const init = await runTerraform({ cwd: bigStack.dir, env: bigStack.env(), timeoutMs: 120_000 }, "init");
      expect(init.code, init.stderr).toBe(0);
      const apply = await runTerraform({ cwd: bigStack.dir, env: bigStack.env(), timeoutMs: 480_000 }, "apply", "-auto-approve");
      expect(apply.code, apply.stderr.slice(-2000)).toBe(0);
      expect(tf.emulator.users().filter((u) => u.employeeID.startsWith("BIG"))).toHaveLength(10_000);
    } finally {
      await big.cleanup();
    }
  });
});
