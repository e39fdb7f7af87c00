#!/usr/bin/env node
/**
 * Synthesizes a Terraform stack of the declarations: the app that cdktf.json names, and what
 * `npm run synth` runs. `node dist/cdktf/main.js [--dir users] [--out cdktf.out] [--stack users]
 * [--engine provider|terraform_data] [--shards N]` (--shards: terraform_data only)
 * writes `<out>/stacks/<stack>/cdk.tf.json`; then `terraform -chdir=<out>/stacks/<stack> init`
 * and `apply` (or `npx cdktf deploy`). Reads no secret: the token reaches the provisioners through
 * terraform's environment. The state goes to Terraform's pg backend when PG_CONN_STR is set at
 * synth, else to terraform.<stack>.tfstate in the working directory (see state-backend.ts).
 */
import { parseArgs } from "node:util";
import { App, TerraformStack } from "cdktf";
import { reportError } from "../cli/report-error.js";
import { RuangkerjaError } from "../errors.js";
import { RuangkerjaUsers } from "./ruangkerja-users.js";
import { addStateBackend } from "./state-backend.js";

try {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "users" },
      out: { type: "string" },
      stack: { type: "string", default: "users" },
      shards: { type: "string" },
      engine: { type: "string", default: "provider" },
    },
  });
  const engine = values.engine;
  if (engine !== "provider" && engine !== "terraform_data")
    throw new RuangkerjaError(`--engine must be provider or terraform_data, got ${engine}`);
  const shards = values.shards === undefined ? undefined : Number(values.shards);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1))
    throw new RuangkerjaError(`--shards must be a whole number from 1, got ${values.shards}`);
  // skipValidation: cdktf's validation runs `terraform version` once per resource.
  const app = new App({ skipValidation: true, ...(values.out ? { outdir: values.out } : {}) });
  const stack = new TerraformStack(app, values.stack);
  const state = addStateBackend(stack, { kind: process.env.PG_CONN_STR ? "pg" : "local", outdir: app.outdir });
  await RuangkerjaUsers.load(stack, "ruangkerja", { dir: values.dir, engine, ...(shards !== undefined ? { shards } : {}) });
  app.synth();
  // stdout: cdktf shows an app's stderr as [ERROR].
  process.stdout.write(`Synthesized ${values.dir} into ${app.outdir}/stacks/${values.stack}/cdk.tf.json (state: ${state})\n`);
} catch (error) {
  process.exitCode = reportError(error, { color: false, annotations: process.env.GITHUB_ACTIONS === "true" });
}
