/**
 * The CDKTF construct driven by real Terraform against the emulator on 127.0.0.1: synthesize the
 * declarations, init, apply; edit, rename and remove (a user and a whole file); synthesize again;
 * the plan names exactly those people; apply; the emulator shows it; nothing is left to do. The
 * token, a marker here, reaches neither cdk.tf.json, the state nor a saved plan. Skipped, saying
 * why, when terraform is not on PATH.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUsers, type UserSpec, writeText } from "./helpers.js";
import { peopleInPlan, run, terraformMissing } from "./terraform-helpers.js";
import { startTerraformEmulator, type TerraformEmulator, type TerraformStack, terraformStack } from "./terraform-stack.js";

const missing = terraformMissing();
if (missing) console.warn(`Skipping the Terraform end-to-end test: ${missing}`);

const TOKEN = "tf-marker-token-5d1e7b20c4";
const HOSTILE_NAME = '${file("secret.txt")} %{ if true }x%{ endif } $${kept} ${TfToken[TOKEN.1]}';

describe.skipIf(missing !== undefined)("Terraform apply of the CDKTF construct, engine terraform_data (the fallback)", () => {
  let tf: TerraformEmulator;
  let stack: TerraformStack;
  const files = { eng: makeUsers("ENG", 40), sls: makeUsers("SLS", 30), ops: makeUsers("OPS", 20) };
  (files.eng[5] as UserSpec).name = HOSTILE_NAME;

  const writeAll = async () => {
    await stack.declare(files.eng, "engineering.yaml");
    await stack.declare(files.sls, "sales.yaml");
    if (files.ops.length > 0) await stack.declare(files.ops, "ops/operations.yaml");
  };
  const synth = async () => {
    const result = await stack.synth(["--engine", "terraform_data"]);
    expect(result.stdout).toContain("Synthesized users");
  };

  beforeAll(async () => {
    tf = await startTerraformEmulator(TOKEN);
    stack = terraformStack(tf.dir, tf.env, { timeoutMs: 180_000 });
    await writeText(join(stack.root, "secret.txt"), "leaked-file-content");
    await writeText(join(stack.dir, "secret.txt"), "leaked-file-content");
    await writeAll();
  });
  afterAll(async () => {
    await tf?.close();
  });

  it("synthesizes, inits offline and applies every declared user through the bulk endpoints", async () => {
    await synth();
    const init = await stack.terraform("init");
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    const apply = await stack.terraform("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(tf.emulator.users()).toHaveLength(90);
    expect(tf.emulator.users().every((u) => u.isActive)).toBe(true);
    expect(tf.user("SLS0007")).toMatchObject({ name: "Karyawan SLS 0007", phone: "628110007", organizationSerial: "COMPFJLYTHWL" });
    // Evaluated by nobody: the text as declared.
    expect(tf.user("ENG0005")?.name).toBe(HOSTILE_NAME);
    // One create-bulk per shard that holds users; no update, since nothing existed.
    const counts = tf.emulator.requestCounts();
    expect(counts["create-bulk"]).toBeGreaterThan(0);
    expect(counts["create-bulk"]).toBeLessThanOrEqual(64);
    expect(counts["update-bulk"] ?? 0).toBe(0);
  });

  it("a second plan right after apply has nothing to do (-detailed-exitcode 0)", async () => {
    const plan = await stack.terraform("plan", "-detailed-exitcode");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
  });

  it("after an edit, a rename and removing a user and a whole file, the plan names exactly those people", async () => {
    files.eng[1] = { ...(files.eng[1] as UserSpec), phone: "6289900001" };
    files.eng[2] = { ...(files.eng[2] as UserSpec), name: "Edited Name" };
    files.sls[3] = { ...(files.sls[3] as UserSpec), employeeID: "SLS9003", previousEmployeeIDs: ["SLS0003"] };
    files.sls.splice(4, 1); // SLS0004 removed
    files.ops = [];
    await rm(join(stack.root, "users/ops"), { recursive: true });
    await writeAll();
    await synth();
    const plan = await stack.terraform("plan", "-out=changes.tfplan");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    const ops = makeUsers("OPS", 20).map((u) => u.employeeID);
    expect(peopleInPlan(plan.stdout)).toEqual(["ENG0001", "ENG0002", "SLS0003", "SLS0004", "SLS9003", ...ops].sort());
    expect(plan.stdout).toMatch(/~ phone +?= "628110001" -> "6289900001"/);
    expect(plan.stdout).toMatch(/~ name +?= "Karyawan ENG 0002" -> "Edited Name"/);
    expect(plan.stdout).toMatch(/\+ renamedTo +?= "SLS9003"/);
  });

  it("applies the saved plan: the edits land, the rename is one user with the new id, the removed are deactivated", async () => {
    const before = tf.emulator.users().length;
    const apply = await stack.terraform("apply", "changes.tfplan");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(tf.emulator.users()).toHaveLength(before);
    expect(tf.user("ENG0001")).toMatchObject({ phone: "6289900001", isActive: true });
    expect(tf.user("ENG0002")).toMatchObject({ name: "Edited Name", isActive: true });
    const renamed = tf.user("SLS9003");
    expect(renamed).toMatchObject({ name: "Karyawan SLS 0003", isActive: true });
    expect(tf.user("SLS0003")).toBeUndefined();
    expect(tf.user("SLS0004")?.isActive).toBe(false);
    expect(tf.emulator.users().filter((u) => u.employeeID.startsWith("OPS") && !u.isActive)).toHaveLength(20);
    expect(tf.emulator.users().filter((u) => u.isActive)).toHaveLength(90 - 21);
    const plan = await stack.terraform("plan", "-detailed-exitcode");
    expect(plan.code).toBe(0);
  });

  it("keeps the token out of cdk.tf.json, terraform.tfstate and the saved plan", async () => {
    const show = await run("terraform", ["show", "-json", "changes.tfplan"], { cwd: stack.dir, env: stack.env() });
    expect(show.code).toBe(0);
    for (const text of [
      await readFile(join(stack.dir, "cdk.tf.json"), "utf8"),
      // Terraform's state is outside cdktf.out (the local backend's path is relative to the stack).
      await readFile(join(stack.root, "terraform.users.tfstate"), "utf8"),
      (await readFile(join(stack.dir, "changes.tfplan"))).toString("latin1"),
      show.stdout,
    ]) {
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("leaked-file-content");
    }
  });
});
