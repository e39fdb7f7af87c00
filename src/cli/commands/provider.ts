/**
 * `provider install`: places terraform-provider-ruangkerja in an implied local mirror directory
 * (default terraform.d/plugins, beside the Terraform configuration), so `terraform init` installs
 * it offline and records the same hash on every machine (src/provider/install.ts).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { DEFAULT_PLUGIN_DIR, installProvider, PROVIDER_SOURCE } from "../../provider/install.js";
import { EXIT_OK } from "../exit-codes.js";
import type { Output } from "../output.js";
import { TOOL_VERSION } from "../tool-version.js";

export interface ProviderInstallFlags {
  /** The plugin directory. @default "terraform.d/plugins" */
  readonly dir?: string;
}

/** Whether Node finds the ruangkerja-users package from `folder`, as the launcher will from Terraform's working directory. */
function packageFoundFrom(folder: string): boolean {
  try {
    createRequire(join(folder, "noop.js")).resolve("ruangkerja-users");
    return true;
  } catch {
    return false;
  }
}

export async function runProviderInstall(flags: ProviderInstallFlags, output: Output, cwd = process.cwd()): Promise<number> {
  const pluginDir = flags.dir ?? DEFAULT_PLUGIN_DIR;
  const { path } = await installProvider({ pluginDir, version: TOOL_VERSION });
  output.out(`Installed terraform-provider-ruangkerja ${TOOL_VERSION} at ${path}`);
  output.err(
    `Use it with: terraform { required_providers { ruangkerja = { source = "${PROVIDER_SOURCE}", version = "${TOOL_VERSION}" } } }\n` +
      "then run `terraform init` in the configuration's folder; the provider runs the ruangkerja-users package Node finds from there.",
  );
  if (!packageFoundFrom(cwd))
    output.err(
      `Warning: Node finds no ruangkerja-users package from ${cwd}: the provider will not start when Terraform runs here. ` +
        "Install it in this folder or one above (npm install --save-dev ruangkerja-users).",
    );
  return EXIT_OK;
}
