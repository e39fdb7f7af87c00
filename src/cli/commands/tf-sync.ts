/**
 * `tf-sync`: what the Terraform provisioners of the CDKTF construct run, once per changed shard.
 * It reads the shard's users from the environment (Terraform's jsonencode of the resource), never
 * from the command line (no shell quoting of user data, no size limit of argv), and the token
 * from RUANGKERJA_TOKEN, inherited from the pipeline: the token is never in Terraform's files. So are
 * the initial passwords: a user's record names its RUANGKERJA_PASSWORD_ variable (passwordEnv), and
 * the value is read here, from terraform apply's environment, only for a create.
 *
 * Kept lean: src/cli/tf-sync.ts runs this without loading the rest of the CLI (no commander,
 * YAML or JSON Schema), since Terraform starts it once per changed shard.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RuangkerjaClient } from "../../api/client.js";
import { ConfigError, RuangkerjaError } from "../../errors.js";
import { parseShardMap } from "../../tf-sync/records.js";
import { type SyncResult, syncShardCreate, syncShardDestroy } from "../../tf-sync/sync-shard.js";
import { apiSettings, type Environment } from "../api-settings.js";
import { EXIT_ERROR, EXIT_OK } from "../exit-codes.js";
import type { Output } from "../output.js";

export type TfSyncEvent = "create" | "destroy";

export interface TfSyncFlags {
  readonly event: TfSyncEvent;
  /** The shard's Terraform resource name; names the spool file. */
  readonly shard: string;
  readonly chunkSize: number;
  /** Folder where destroy leaves the old map for the create that follows (relative to Terraform's working directory). */
  readonly spool: string;
  /** What removal from the declarations means. */
  readonly removal: "deactivate" | "keep";
}

export const TF_SYNC_DEFAULTS = { chunkSize: 100, spool: ".ruangkerja-tf", removal: "deactivate" } as const;

/**
 * The shard's users as JSON: RUANGKERJA_TF_USERS, or (as the construct sets them, since one
 * variable may not exceed 128 KiB) the pieces RUANGKERJA_TF_USERS_00, _01, … joined in order.
 */
export const USERS_VARIABLE = "RUANGKERJA_TF_USERS";

function readUsersJson(env: Environment): string {
  const whole = env[USERS_VARIABLE];
  if (whole !== undefined) return whole;
  const pieces: string[] = [];
  for (let i = 0; env[`${USERS_VARIABLE}_${String(i).padStart(2, "0")}`] !== undefined; i++) {
    pieces.push(env[`${USERS_VARIABLE}_${String(i).padStart(2, "0")}`] as string);
  }
  if (pieces.length === 0)
    throw new ConfigError(`${USERS_VARIABLE} (or ${USERS_VARIABLE}_00, _01, …) is not set: tf-sync runs from the construct's provisioners`);
  return pieces.join("");
}
/** The employeeIDs the shard declares now (destroy only): the others in the old map are deactivated. */
export const KEEP_VARIABLE = "RUANGKERJA_TF_KEEP";

export async function runTfSync(flags: TfSyncFlags, env: Environment, output: Output): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(flags.shard))
    throw new ConfigError(`--shard must be a resource name (letters, digits, _ and -), got ${JSON.stringify(flags.shard)}`);
  const client = new RuangkerjaClient(
    apiSettings(
      env,
      "export RUANGKERJA_TOKEN (or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET) in the environment that runs terraform apply; Terraform passes it on to this command",
    ),
  );
  const users = parseShardMap(readUsersJson(env), USERS_VARIABLE);
  const spoolFile = join(flags.spool, `${flags.shard}.json`);
  // Records name only RUANGKERJA_PASSWORD_ variables (parseShardMap checks), so nothing else of the environment is read this way.
  const options = { chunkSize: flags.chunkSize, environment: (name: string) => env[name] };
  let result: SyncResult;
  if (flags.event === "destroy") {
    const keep = parseKeep(env[KEEP_VARIABLE]);
    result =
      flags.removal === "keep"
        ? { done: { create: 0, update: 0, rename: 0, deactivate: 0 }, failures: [] }
        : await syncShardDestroy(client, users, keep, options);
    if (result.failures.length === 0) {
      await mkdir(flags.spool, { recursive: true });
      await writeFile(spoolFile, JSON.stringify(users), { mode: 0o600 });
    }
  } else {
    const before = await readSpool(spoolFile);
    // Consumed before use: if this create fails, its retry must not trust a map that is partly applied.
    await rm(spoolFile, { force: true });
    result = await syncShardCreate(client, users, before, options);
  }
  const { done, failures } = result;
  const mode = result.mode ? `, ${result.mode}` : "";
  output.out(
    `ruangkerja-users tf-sync ${flags.shard} (${flags.event}${mode}): ${done.create} created, ${done.update} updated, ${done.rename} renamed, ${done.deactivate} deactivated, ${failures.length} failed`,
  );
  for (const f of failures) {
    const renamed = f.previousEmployeeID ? ` (from ${f.previousEmployeeID})` : "";
    output.err(`  ${f.action} ${f.employeeID}${renamed} failed: ${f.errorCode} ${f.message}${f.detail ? `: ${f.detail}` : ""}`);
  }
  return failures.length === 0 ? EXIT_OK : EXIT_ERROR;
}

/** The arguments after `tf-sync`; one parser for the lean entry and for `ruangkerja-users tf-sync`. */
export function parseTfSyncArgs(args: readonly string[]): TfSyncFlags {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      shard: { type: "string" },
      "chunk-size": { type: "string" },
      spool: { type: "string" },
      removal: { type: "string" },
    },
  });
  const [event, ...rest] = positionals;
  if ((event !== "create" && event !== "destroy") || rest.length > 0)
    throw new RuangkerjaError(
      "usage: tf-sync create|destroy --shard <name> [--chunk-size <n>] [--spool <dir>] [--removal deactivate|keep]",
    );
  if (!values.shard) throw new RuangkerjaError("tf-sync needs --shard <name>");
  const chunkSize = values["chunk-size"] === undefined ? TF_SYNC_DEFAULTS.chunkSize : Number(values["chunk-size"]);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 10_000)
    throw new RuangkerjaError("--chunk-size must be a whole number from 1 to 10000");
  const removal = values.removal ?? TF_SYNC_DEFAULTS.removal;
  if (removal !== "deactivate" && removal !== "keep") throw new RuangkerjaError('--removal must be "deactivate" or "keep"');
  return { event, shard: values.shard, chunkSize, spool: values.spool ?? TF_SYNC_DEFAULTS.spool, removal };
}

function parseKeep(text: string | undefined): Set<string> {
  if (text === undefined)
    throw new ConfigError(`${KEEP_VARIABLE} is not set: the destroy step needs the employeeIDs the shard declares now`);
  const raw: unknown = JSON.parse(text);
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === "string"))
    throw new ConfigError(`${KEEP_VARIABLE} is not a JSON list of employeeIDs`);
  return new Set(raw);
}

async function readSpool(file: string) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    return parseShardMap(text, file);
  } catch {
    return undefined; // a damaged spool only costs the exact plan: upsert instead
  }
}
