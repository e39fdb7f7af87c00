/**
 * terraform-provider-ruangkerja's entry point, which the installed launcher runs (install.ts):
 * the handshake is checked first, so a person who runs it learns what it is before anything
 * heavy loads; then the protocol side and the provider load together and serve until Terraform
 * shuts the process down.
 */
import { NOT_FROM_TERRAFORM, readHandshake } from "./protocol/handshake.js";

let fromTerraform = false;
try {
  fromTerraform = !("notFromTerraform" in readHandshake(process.env));
} catch {
  fromTerraform = true; // serve() reports the handshake problem itself
}
if (!fromTerraform) {
  process.stderr.write(NOT_FROM_TERRAFORM);
  process.exitCode = 1;
} else {
  const [{ serve }, { ruangkerjaProvider }] = await Promise.all([import("./protocol/serve.js"), import("./ruangkerja-provider.js")]);
  await serve(ruangkerjaProvider);
}
