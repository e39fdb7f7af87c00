/**
 * The setup the Terraform end-to-end tests share: the emulator on 127.0.0.1 with a temporary
 * working directory and terraformEnv's environment pointed at it, and a CDKTF stack folder that
 * declares users/, synthesizes them with the built synth program and runs `terraform` in the
 * synthesized stack (terraform.d/plugins is found from the working directory, so no -chdir), with
 * a TF_DATA_DIR of its own.
 */
import { join } from "node:path";
import { expect } from "vitest";
import { type EmulatedUser, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeWorkdir, type UserSpec, usersYaml, writeText } from "./helpers.js";
import { run, type RunResult, SYNTH, terraformEnv } from "./terraform-helpers.js";

type Env = Record<string, string>;

/** `terraform <command> -input=false -no-color ...rest`: the arguments every run here gives. */
export function terraformArgs(command: string, ...rest: string[]): string[] {
  return [command, "-input=false", "-no-color", ...rest];
}

/** Runs `terraform` (with terraformArgs) in `cwd` with exactly `env`, bounded by `timeoutMs`. */
export function runTerraform(
  options: { cwd: string; env: Env; timeoutMs: number },
  command: string,
  ...rest: string[]
): Promise<RunResult> {
  return run("terraform", terraformArgs(command, ...rest), options);
}

/** `env` without the variables `names`. */
export function envWithout(env: Env, ...names: string[]): Env {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

export interface TerraformWorkdir {
  readonly dir: string;
  /** terraformEnv for `dir`, with RUANGKERJA_API_URL and RUANGKERJA_TOKEN. */
  readonly env: Env;
  cleanup(): Promise<void>;
}

/** A temporary working directory (makeWorkdir) with terraformEnv's setup, for the API at `url`. */
export async function terraformWorkdir(url: string, token: string): Promise<TerraformWorkdir> {
  const work = await makeWorkdir();
  try {
    const env = await terraformEnv(work.dir, { RUANGKERJA_API_URL: url, RUANGKERJA_TOKEN: token });
    return { ...work, env };
  } catch (error) {
    await work.cleanup();
    throw error;
  }
}

export interface TerraformEmulator extends TerraformWorkdir {
  readonly emulator: RunningEmulator;
  /** The emulator's user with this employeeID, if it has one. */
  user(id: string): EmulatedUser | undefined;
  /** Closes the emulator and removes the working directory. */
  close(): Promise<void>;
}

/** The emulator on 127.0.0.1 (any port) taking `token`, and a terraformWorkdir pointed at it. */
export async function startTerraformEmulator(token: string): Promise<TerraformEmulator> {
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token });
  try {
    const work = await terraformWorkdir(emulator.url, token);
    return {
      ...work,
      emulator,
      user: (id) => emulator.users().find((u) => u.employeeID === id),
      close: async () => {
        await emulator.close();
        await work.cleanup();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

export interface TerraformStack {
  /** Where users/ is declared and synth runs; cdktf.out/ and tf-data/ are here. */
  readonly root: string;
  /** The synthesized stack folder (cdktf.out/stacks/users), where terraform runs. */
  readonly dir: string;
  /** The base environment with TF_DATA_DIR set to this stack's own tf-data/. */
  env(): Env;
  /** Writes `users` to users/`file` (people.yaml unless told). */
  declare(users: UserSpec[], file?: string): Promise<void>;
  /** Synthesizes users/ into cdktf.out (plus `extraArgs`), expects exit 0 and returns the run. */
  synth(extraArgs?: string[], timeoutMs?: number): Promise<RunResult>;
  /** Runs `terraform` (with terraformArgs) in `dir`, bounded by the stack's timeout. */
  terraform(command: string, ...rest: string[]): Promise<RunResult>;
}

/**
 * A CDKTF stack in `root`, run with `env` (its own TF_DATA_DIR on top), terraform runs bounded by
 * `timeoutMs` (default 300 s).
 */
export function terraformStack(root: string, env: Env, options: { timeoutMs?: number } = {}): TerraformStack {
  const dir = join(root, "cdktf.out/stacks/users");
  const stackEnv = () => ({ ...env, TF_DATA_DIR: join(root, "tf-data") });
  return {
    root,
    dir,
    env: stackEnv,
    declare: (users, file = "people.yaml") => writeText(join(root, "users", file), usersYaml(users)),
    synth: async (extraArgs = [], timeoutMs = 60_000) => {
      const result = await run(process.execPath, [SYNTH, "--dir", "users", "--out", "cdktf.out", ...extraArgs], {
        cwd: root,
        env: stackEnv(),
        timeoutMs,
      });
      expect(result.code, result.stderr).toBe(0);
      return result;
    },
    terraform: (command, ...rest) => runTerraform({ cwd: dir, env: stackEnv(), timeoutMs: options.timeoutMs ?? 300_000 }, command, ...rest),
  };
}
