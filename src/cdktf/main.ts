#!/usr/bin/env node
/**
 * Synthesizes a Terraform stack of the declarations: the app that cdktf.json names, and what
 * `npm run synth` runs. `node dist/cdktf/main.js [--dir users] [--out cdktf.out] [--stack users]`
 * writes `<out>/stacks/<stack>/cdk.tf.json`; then `terraform -chdir=<out>/stacks/<stack> init`
 * and `apply`. Reads no secret: the token reaches the provisioners through terraform's environment.
 */
import { parseArgs } from "node:util";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { reportError } from "../cli/report-error.js";
import { RuangkerjaError } from "../errors.js";
import { RuangkerjaUsers } from "./ruangkerja-users.js";

try {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "users" },
      out: { type: "string" },
      stack: { type: "string", default: "users" },
      shards: { type: "string" },
    },
  });
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1))
    throw new RuangkerjaError(`--shards must be a whole number from 1, got ${values.shards}`);
  // skipValidation: cdktf's validation runs `terraform version` once per resource.
  const app = new App({ skipValidation: true, ...(values.out ? { outdir: values.out } : {}) });
  const stack = new TerraformStack(app, values.stack);
  // Relative: the state lives beside cdk.tf.json (cdktf's default is an absolute path into this checkout).
  new LocalBackend(stack, { path: "terraform.tfstate" });
  await RuangkerjaUsers.load(stack, "ruangkerja", { dir: values.dir, ...(shards !== undefined ? { shards } : {}) });
  app.synth();
  process.stderr.write(`Synthesized ${values.dir} into ${app.outdir}/stacks/${values.stack}/cdk.tf.json\n`);
} catch (error) {
  process.exitCode = reportError(error, { color: false, annotations: process.env.GITHUB_ACTIONS === "true" });
}
