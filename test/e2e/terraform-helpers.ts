/**
 * Real Terraform for the CDKTF end-to-end test: synthesize with the built synth program, then run
 * `terraform` offline (builtin terraform_data and local-exec only: nothing is downloaded) in a
 * temporary working directory, every run bounded in time.
 */
import { spawnSync } from "node:child_process";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CliResult, ROOT, runProcess } from "./helpers.js";

export const SYNTH = join(ROOT, "dist/cdktf/main.js");

/** Why the Terraform tests cannot run here, or undefined when `terraform` is on PATH and answers. */
export function terraformMissing(): string | undefined {
  const probe = spawnSync("terraform", ["version"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (probe.error) return `terraform is not on PATH (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})`;
  if (probe.status !== 0) return `terraform version exited ${probe.status}: ${probe.stderr}`;
  return undefined;
}

export type RunResult = CliResult;

/** Runs terraform (or the synth program) with exactly `env`; bounded in time (default 180 s). */
export const run = runProcess;

/**
 * An environment for terraform: no update check, no prompts, its own data dir and CLI config, plus
 * `extra` (API URL, token). `work` gets node_modules/ruangkerja-users, a link to this checkout, as
 * an install would: the synthesized provisioners find the package from Terraform's working directory.
 */
export async function terraformEnv(work: string, extra: Record<string, string>): Promise<Record<string, string>> {
  const config = join(work, "terraform.rc");
  await writeFile(config, "");
  await mkdir(join(work, "node_modules"), { recursive: true });
  await symlink(ROOT, join(work, "node_modules/ruangkerja-users")).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: config,
    TF_DATA_DIR: join(work, "tf-data"),
    NO_COLOR: "1",
    ...extra,
  };
}

/** The employeeIDs a plan's text names as map keys that change (`+ ID = {`, `- ID = {`, `~ ID = {`). */
export function peopleInPlan(planText: string): string[] {
  const ids = new Set<string>();
  for (const match of planText.matchAll(/^\s*[-+~] ([A-Za-z0-9]+) = \{/gm)) ids.add(match[1] as string);
  return [...ids].sort();
}
