/**
 * Flags and environment become one typed, defaulted options object here, once. Nothing below
 * src/cli reads process.env.
 */
import { InvalidArgumentError } from "commander";
import type { Environment } from "./api-settings.js";
import { GROUP_BY, type GroupBy } from "../declarations/group-by.js";
import { ConfigError, errorMessage } from "../errors.js";
import { EMPLOYEE_ID_PATTERN } from "../model.js";
import { type DeactivationLimit, parseDeactivationLimit } from "../plan/safety-guard.js";
import { DEFAULT_WORKSPACE, openStateStore } from "../state/open-state-store.js";
import type { PostgresStateStore } from "../state/postgres-store.js";
import { DEFAULT_STATE_PATH, type FileStateStore } from "../state/state-file.js";

export const DEFAULT_DECLARATIONS_DIR = "users";

export interface CommonFlags {
  readonly dir?: string;
  readonly state?: string;
  readonly workspace?: string;
  readonly color?: boolean;
}

export type { Environment } from "./api-settings.js";

export function declarationsDir(flags: CommonFlags): string {
  return flags.dir ?? DEFAULT_DECLARATIONS_DIR;
}

export function statePath(flags: CommonFlags, env: Environment): string {
  return flags.state ?? (env.RUANGKERJA_STATE || DEFAULT_STATE_PATH);
}

/** The workspace of a PostgreSQL state: --workspace, else RUANGKERJA_WORKSPACE, else "default". */
export function stateWorkspace(flags: CommonFlags, env: Environment): string {
  return flags.workspace ?? (env.RUANGKERJA_WORKSPACE || DEFAULT_WORKSPACE);
}

/** The store --state / RUANGKERJA_STATE names: a file, or a postgres:// URL with its workspace. */
export function openStateFromFlags(flags: CommonFlags, env: Environment): FileStateStore | PostgresStateStore {
  return openStateStore(statePath(flags, env), { workspace: stateWorkspace(flags, env) });
}

/** Colours only on a terminal, never with NO_COLOR (any value) or --no-color; FORCE_COLOR forces them. */
export function useColor(flags: CommonFlags, env: Environment, isTTY: boolean | undefined): boolean {
  if (flags.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTTY === true;
}

export { type ApiSettings, apiSettings } from "./api-settings.js";

export function parsePositiveInt(name: string, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return n;
  };
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("the port must be a whole number from 0 to 65535");
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `2m`, `1h`, `500ms`; a bare number is seconds; `0` fails at once. At most 24 hours. */
export function parseDuration(name: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
    const ms = match ? Number(match[1]) * (DURATION_UNITS[match[2] ?? "s"] ?? 1000) : Number.NaN;
    if (!Number.isSafeInteger(ms) || ms > 86_400_000) {
      throw new InvalidArgumentError(`${name} must be a duration such as 0, 30s, 2m or 1h (at most 24h), not ${JSON.stringify(value)}`);
    }
    return ms;
  };
}

/** How long to wait for the state lock: --lock-timeout, else RUANGKERJA_LOCK_TIMEOUT, else 0 (fail at once). */
export function lockTimeoutMs(flags: { readonly lockTimeout?: number }, env: Environment): number {
  if (flags.lockTimeout !== undefined) return flags.lockTimeout;
  const fromEnv = env.RUANGKERJA_LOCK_TIMEOUT;
  if (fromEnv === undefined || fromEnv === "") return 0;
  try {
    return parseDuration("RUANGKERJA_LOCK_TIMEOUT")(fromEnv);
  } catch (error) {
    throw new ConfigError(errorMessage(error));
  }
}

/** `--max-deactivate`: `25` (users) or `20%` (of the users in state). */
export function parseMaxDeactivate(value: string): DeactivationLimit {
  const limit = parseDeactivationLimit(value);
  if (!limit)
    throw new InvalidArgumentError(
      `--max-deactivate must be a count (e.g. 25) or a percentage from 0% to 100% (e.g. 20%), not ${JSON.stringify(value)}`,
    );
  return limit;
}

export function parseGroupBy(value: string): GroupBy {
  const found = GROUP_BY.find((g) => g === value);
  if (!found) throw new InvalidArgumentError(`--group-by must be one of ${GROUP_BY.join(", ")}`);
  return found;
}

export type PlanFormat = "text" | "json" | "markdown";

export const PLAN_FORMATS: readonly PlanFormat[] = ["text", "json", "markdown"];

/** `--format`, with `--json` kept as the alias of `--format json`. */
export function planFormat(flags: { readonly format?: string; readonly json?: boolean }): PlanFormat {
  const format = (flags.format ?? (flags.json ? "json" : "text")) as PlanFormat;
  if (flags.json && format !== "json") throw new ConfigError(`--json is --format json; it cannot be combined with --format ${format}`);
  return format;
}

/** `--target` may be repeated: commander calls this once per occurrence. */
export function collectTarget(value: string, previous: string[] | undefined): string[] {
  if (!EMPLOYEE_ID_PATTERN.test(value))
    throw new InvalidArgumentError(`--target takes an employeeID (letters and digits), not ${JSON.stringify(value)}`);
  return [...(previous ?? []), value];
}

export interface GithubSettings {
  /** Under GitHub Actions: diagnostics are also printed as workflow commands (`::error file=…::…`). */
  readonly annotations: boolean;
  /** The job summary file plan appends its markdown view to. */
  readonly stepSummary: string | undefined;
}

export function githubSettings(env: Environment): GithubSettings {
  return { annotations: env.GITHUB_ACTIONS === "true", stepSummary: env.GITHUB_STEP_SUMMARY || undefined };
}
