/**
 * A CDKTF app that manages your company's RuangKerja users from users/**\/*.yaml, the same
 * declarations the ruangkerja-users CLI reads. Plain ESM JavaScript, so Node runs it as it is
 * (no TypeScript runner). `npx cdktf synth` writes cdktf.out/stacks/users/cdk.tf.json; `npx cdktf
 * deploy` applies it, with RUANGKERJA_TOKEN exported (never in this file). See README.md beside it.
 */
import process from "node:process";
import { App, LocalBackend, PgBackend, TerraformStack } from "cdktf";
import { RuangkerjaUsers } from "ruangkerja-users/cdktf";

// skipValidation: cdktf's validation would run `terraform version` once per resource.
const app = new App({ skipValidation: true });
const stack = new TerraformStack(app, "users");

// Terraform's state, not in cdktf.out/ (synth rewrites it, a clean deletes it).
if (process.env.PG_CONN_STR) {
  // Terraform's own pg backend; it reads the connection string (a secret) from PG_CONN_STR at
  // init and apply, so it is not written into cdk.tf.json.
  new PgBackend(stack, { schemaName: "ruangkerja_users_terraform" });
} else {
  // Beside cdktf.json; relative to cdktf.out/stacks/users, so the synthesized folder can move.
  new LocalBackend(stack, { path: "../../../terraform.users.tfstate" });
}

await RuangkerjaUsers.load(stack, "ruangkerja", {
  dir: "users", // every *.yaml / *.yml under it
  removal: "deactivate", // a user removed from the YAML is deactivated (RuangKerja has no delete)
  chunkSize: 100, // users per bulk call
  // The API is RUANGKERJA_API_URL of terraform's environment (default https://api.ruangkerja.id), never configuration.
});

app.synth();
// stdout: cdktf shows what an app writes to stderr as [ERROR].
process.stdout.write(`Synthesized users/ into ${app.outdir}/stacks/users/cdk.tf.json\n`);
