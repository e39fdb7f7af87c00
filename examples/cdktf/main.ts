/**
 * A CDKTF app that manages your company's RuangKerja users from users/**\/*.yaml, the same
 * declarations the ruangkerja-users CLI reads. `cdktf synth` (or `npx ts-node main.ts`) writes
 * cdktf.out/stacks/users/cdk.tf.json; then `terraform -chdir=cdktf.out/stacks/users init` and
 * `apply` with RUANGKERJA_TOKEN exported (never in this file). See README.md beside it.
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import { RuangkerjaUsers } from "ruangkerja-users/cdktf";

// skipValidation: cdktf's validation would run `terraform version` once per resource.
const app = new App({ skipValidation: true });
const stack = new TerraformStack(app, "users");
// Any backend works; a local one keeps the state beside cdk.tf.json. Use a remote backend in CI.
new LocalBackend(stack, { path: "terraform.tfstate" });

await RuangkerjaUsers.load(stack, "ruangkerja", {
  dir: "users", // every *.yaml / *.yml under it
  removal: "deactivate", // a user removed from the YAML is deactivated (RuangKerja has no delete)
  chunkSize: 100, // users per bulk call
  // apiUrl: "https://api.ruangkerja.id", // default: RUANGKERJA_API_URL of the apply environment
});

app.synth();
