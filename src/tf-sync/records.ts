/**
 * The records the CDKTF construct writes into Terraform and the `tf-sync` command reads back: one
 * map per shard, from employeeID to the user's record (or to a rename marker). Shared by both
 * sides so that the format has one definition; imports nothing from cdktf.
 */
import { errorMessage, RuangkerjaError } from "../errors.js";
import { isObject, USER_FIELDS, type UserFields } from "../model.js";

/**
 * A declared user as Terraform holds it: the managed fields plus previousEmployeeIDs and the name
 * (never the value) of its passwordEnv; never a source line (moving a line is no change).
 */
export interface SyncRecord extends UserFields {
  readonly previousEmployeeIDs?: readonly string[];
  /** The variable, in terraform apply's environment, whose value is the password the user is created with. */
  readonly passwordEnv?: string;
}

/**
 * The names passwordEnv may have: schemas/users.schema.json's rule (docs/password-env.md), kept
 * here too because tf-sync loads nothing of the declarations, and checked again on what Terraform
 * hands over: a cdk.tf.json edited by hand must not make a provisioner send RUANGKERJA_TOKEN, which
 * its environment holds, as a password. A unit test keeps the two patterns equal.
 */
export const PASSWORD_ENV_NAME = /^RUANGKERJA_PASSWORD_[A-Z0-9_]+$/;
const PASSWORD_ENV_MAX_LENGTH = 100;

export function isPasswordEnvName(name: unknown): name is string {
  return typeof name === "string" && name.length <= PASSWORD_ENV_MAX_LENGTH && PASSWORD_ENV_NAME.test(name);
}

/** Left under an old employeeID that a declared user lists in previousEmployeeIDs: that person was renamed, not removed. */
export interface RenameMarker {
  readonly renamedTo: string;
}

export type ShardEntry = SyncRecord | RenameMarker;

/** employeeID → entry, for the users whose employeeID hashes into one shard. */
export type ShardMap = Readonly<Record<string, ShardEntry>>;

export function isRenameMarker(entry: ShardEntry): entry is RenameMarker {
  return "renamedTo" in entry;
}

/** FNV-1a (32 bit) of the employeeID: stable across versions, runs and machines, so a user never changes shard unless the shard count does. */
export function shardIndex(employeeID: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < employeeID.length; i++) {
    hash ^= employeeID.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** users_00 … users_63 (two digits up to 100 shards, three up to 1000). */
export function shardSuffix(index: number, shards: number): string {
  return String(index).padStart(String(shards - 1).length, "0");
}

/** Parses a shard map from its JSON text (Terraform's jsonencode of the resource's triggers), refusing anything of another shape. */
export function parseShardMap(text: string, what: string): Record<string, ShardEntry> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RuangkerjaError(`${what} is not JSON (${errorMessage(error)})`);
  }
  if (raw === null) return {};
  if (!isObject(raw)) throw new RuangkerjaError(`${what} is not a JSON object`);
  const map: Record<string, ShardEntry> = {};
  for (const [key, value] of Object.entries(raw)) {
    const problem = checkEntry(key, value);
    if (problem) throw new RuangkerjaError(`${what}: entry ${JSON.stringify(key)} ${problem}`);
    map[key] = value as ShardEntry;
  }
  return map;
}

const STRING_FIELDS = ["employeeID", "name", "username", "email", "phone", "organizationSerial"] as const;
const KNOWN = new Set<string>([...USER_FIELDS, "previousEmployeeIDs", "passwordEnv"]);

function checkEntry(key: string, value: unknown): string | undefined {
  if (!isObject(value)) return "is not an object";
  if ("renamedTo" in value) return typeof value.renamedTo === "string" && value.renamedTo !== "" ? undefined : "has an empty renamedTo";
  if (value.employeeID !== key) return "does not hold the same employeeID";
  for (const field of Object.keys(value)) if (!KNOWN.has(field)) return `has an unknown field ${JSON.stringify(field)}`;
  for (const field of STRING_FIELDS) {
    if (value[field] !== undefined && value[field] !== null && typeof value[field] !== "string") return `has a ${field} that is not text`;
  }
  if (typeof value.name !== "string") return "has no name";
  if (value.passwordEnv !== undefined && value.passwordEnv !== null) {
    if (!isPasswordEnvName(value.passwordEnv)) {
      return "has a passwordEnv that is not a RUANGKERJA_PASSWORD_ variable (see docs/password-env.md)";
    }
  }
  if (typeof value.isActive !== "boolean") return "has no isActive";
  for (const field of ["tagSerials", "previousEmployeeIDs"] as const) {
    const list = value[field];
    if (list !== undefined && list !== null && !(Array.isArray(list) && list.every((x) => typeof x === "string"))) {
      return `has ${field} that are not a list of text`;
    }
  }
  return undefined;
}

/** Terraform drops nothing but may turn absent attributes of a map of objects into null: back to absent. */
export function toUserFields(record: SyncRecord): UserFields {
  const out: Record<string, unknown> = {};
  for (const field of USER_FIELDS) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[field] = Array.isArray(value) ? [...(value as readonly string[])].sort() : value;
  }
  return out as unknown as UserFields;
}
