/**
 * Installs terraform-provider-ruangkerja where `terraform init` finds it without a registry: an
 * implied local mirror directory (terraform.d/plugins beside the configuration, or
 * ~/.terraform.d/plugins), in its unpacked layout. The executable is a launcher with the same
 * bytes on every machine (no absolute path), so the hash `terraform init` writes into
 * .terraform.lock.hcl is the same on a laptop and in CI: it runs the provider of the
 * ruangkerja-users package that Node resolves from Terraform's working directory (the
 * configuration's folder, or any folder above it with node_modules/ruangkerja-users).
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

export const PROVIDER_HOSTNAME = "registry.terraform.io";
export const PROVIDER_NAMESPACE = "ruangkerja";
export const PROVIDER_TYPE = "ruangkerja";
/** The source address to write in required_providers. */
export const PROVIDER_SOURCE = `${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;
export const DEFAULT_PLUGIN_DIR = "terraform.d/plugins";

export class ProviderInstallError extends Error {
  override readonly name = "ProviderInstallError";
}

const OS: Partial<Record<NodeJS.Platform, string>> = { linux: "linux", darwin: "darwin", freebsd: "freebsd", openbsd: "openbsd" };
const ARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

/** Terraform's name for this platform (linux_amd64, darwin_arm64, …). */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: NodeJS.Architecture = process.arch): string {
  const os = OS[platform];
  const cpu = ARCH[arch];
  if (!os || !cpu)
    throw new ProviderInstallError(
      `the provider's launcher is a POSIX shell script; ${platform}/${arch} is not supported (Linux and macOS on x64 or arm64 are)`,
    );
  return `${os}_${cpu}`;
}

/** Where in the mirror the executable goes, relative to the plugin directory. */
export function providerPath(version: string, platform: string): string {
  return join(PROVIDER_HOSTNAME, PROVIDER_NAMESPACE, PROVIDER_TYPE, version, platform, `terraform-provider-${PROVIDER_TYPE}_v${version}`);
}

/**
 * The launcher. Single-quoted for sh, so the JavaScript uses double quotes only. import.meta.resolve
 * in `-e` resolves from the working directory, which Terraform sets to the configuration's folder.
 */
export function launcherScript(version: string): string {
  const js = [
    "let main;",
    'try { main = new URL("provider/main.js", import.meta.resolve("ruangkerja-users")); }',
    'catch { process.stderr.write("terraform-provider-ruangkerja: no ruangkerja-users package found from " + process.cwd() +',
    '" (install it there or in a folder above: npm install --save-dev ruangkerja-users)\\n"); process.exit(1); }',
    "await import(main);",
  ].join(" ");
  return [
    "#!/bin/sh",
    `# terraform-provider-ruangkerja ${version}, written by \`ruangkerja-users provider install\`.`,
    "# Starts the provider of the ruangkerja-users package Node finds from the working directory.",
    `exec node --input-type=module -e '${js}'`,
    "",
  ].join("\n");
}

export interface InstallResult {
  /** The executable written, under the plugin directory. */
  readonly path: string;
  readonly platform: string;
}

/** Writes the launcher into `pluginDir` (created when missing), replacing an older one atomically. */
export async function installProvider(options: { pluginDir: string; version: string; platform?: string }): Promise<InstallResult> {
  const platform = options.platform ?? terraformPlatform();
  const path = join(options.pluginDir, providerPath(options.version, platform));
  await mkdir(join(path, ".."), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, launcherScript(options.version), { mode: 0o755 });
  await chmod(temporary, 0o755); // the umask may have narrowed the mode
  await rename(temporary, path);
  return { path, platform };
}

/** The platforms the launcher runs on (a POSIX shell script starting Node): synth writes it for each. */
export const LAUNCHER_PLATFORMS = ["darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"] as const;

/**
 * Terraform's `h1:` hash of the unpacked package (Go's dirhash Hash1 over its one file): the SHA-256
 * of the line "<sha256 hex of the file>  <file name>\n", in base64. The same on every platform,
 * since the launcher is.
 */
export function packageHash(version: string): string {
  const file = basename(providerPath(version, "any"));
  const fileHash = createHash("sha256").update(launcherScript(version)).digest("hex");
  return `h1:${createHash("sha256").update(`${fileHash}  ${file}\n`).digest("base64")}`;
}

const LOCK_HEADER = '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n';

/**
 * `existing` (a .terraform.lock.hcl, or undefined) with this provider's block set to `version` and
 * its hash, other providers' blocks kept. cdktf deploy runs `terraform providers lock`, which asks
 * the registry, whenever the lock file lacks a required provider; a block written beside the
 * launcher spares that, and `terraform init` checks the launcher against it.
 */
export function lockFileWithProvider(existing: string | undefined, version: string): string {
  const address = `${PROVIDER_HOSTNAME}/${PROVIDER_SOURCE}`;
  const block = [
    `provider "${address}" {`,
    `  version     = "${version}"`,
    `  constraints = "${version}"`,
    "  hashes = [",
    `    "${packageHash(version)}",`,
    "  ]",
    "}",
    "",
  ].join("\n");
  const text = existing ?? LOCK_HEADER;
  const ours = new RegExp(`^provider "${address.replaceAll(".", "\\.")}" \\{\\n[\\s\\S]*?^\\}\\n?`, "m");
  return ours.test(text) ? text.replace(ours, block) : `${text.replace(/\n*$/, "\n")}\n${block}`;
}
