/**
 * RuangKerja's users as Terraform records, for read (drift), import and the data source: the
 * CLI's refresh (src/refresh/) reads the API the cheaper way (list pages, or GETs when fewer) and
 * compares field by field; this file only turns its answer into the schema's records.
 *
 * A refreshed record keeps the state's own value wherever RuangKerja agrees with it (is_active
 * null stays null while the person is active; tags stay in the order written), so that a plan
 * after a refresh shows only what really changed. In the bulk resource, whose records are JSON
 * texts, a person who did not change keeps the state's very text; a changed one is written as
 * canonical JSON (record-text.ts). `password_env` and `previous_employee_ids` are
 * not RuangKerja's: they keep the state's value.
 */
import type { UserFields } from "../../model.js";
import { type DriftedUser, detectDrift } from "../../refresh/detect-drift.js";
import { type LiveUser, readAllUsers, readUsersById, type UserReader } from "../../refresh/read-users.js";
import { refreshState } from "../../refresh/refresh-state.js";
import { STATE_FORMAT_VERSION } from "../../state/state-document.js";
import type { TfObject, TfValue } from "../provider-types.js";
import { recordsOf, recordText } from "./record-text.js";
import { appliedFrom } from "./users-changes.js";
import { RECORD_FIELDS, terraformFieldName } from "./users-schema.js";

type UsersMap = Readonly<Record<string, TfValue>>;

/** A live user's record, every attribute present (null when not set). */
export function recordFromFields(fields: UserFields): TfObject {
  return {
    [RECORD_FIELDS.name]: fields.name,
    [RECORD_FIELDS.username]: fields.username ?? null,
    [RECORD_FIELDS.email]: fields.email ?? null,
    [RECORD_FIELDS.phone]: fields.phone ?? null,
    [RECORD_FIELDS.isActive]: fields.isActive,
    [RECORD_FIELDS.tagSerials]: fields.tagSerials && fields.tagSerials.length > 0 ? [...fields.tagSerials] : null,
    [RECORD_FIELDS.organizationSerial]: fields.organizationSerial ?? null,
    [RECORD_FIELDS.previousEmployeeIDs]: null,
    [RECORD_FIELDS.passwordEnv]: null,
  };
}

export interface RefreshedUsers {
  /** The state's map of texts as RuangKerja holds it now: a person RuangKerja does not know is left out. */
  readonly users: Record<string, TfValue>;
  /** Who changed outside Terraform, sorted by employeeID. */
  readonly drifted: readonly DriftedUser[];
}

/**
 * The current map of texts refreshed from RuangKerja; what did not change is the very same text.
 * `pageParallelism`: list pages in flight at once (the provider's parallelism).
 */
export async function refreshUsers(reader: UserReader, current: UsersMap, pageParallelism = 1): Promise<RefreshedUsers> {
  const records = recordsOf(current);
  const applied = appliedFrom(records);
  if (applied.size === 0) return { users: { ...current }, drifted: [] };
  const state = { formatVersion: STATE_FORMAT_VERSION, lineage: "terraform", serial: 0, users: applied };
  const { drift } = await refreshState(state, reader, { pageParallelism });
  const users: Record<string, TfValue> = { ...current };
  for (const user of drift.users) {
    if (user.kind === "missing") {
      delete users[user.employeeID];
      continue;
    }
    users[user.employeeID] = recordText(withChanges(records[user.employeeID] ?? {}, user));
  }
  return { users, drifted: drift.users };
}

/** One record refreshed from what RuangKerja holds now (`live`: undefined when it has no such user). */
export function refreshRecord(
  employeeID: string,
  record: TfObject,
  live: UserFields | undefined,
): { record: TfObject | null; drifted?: DriftedUser } {
  const { drift } = detectDrift(appliedFrom({ [employeeID]: record }), new Map([[employeeID, live]]));
  const [user] = drift.users;
  if (!user) return { record };
  return { record: user.kind === "missing" ? null : withChanges(record, user), drifted: user };
}

/** The record with each drifted field set to RuangKerja's value (absent: null). */
function withChanges(record: TfObject, user: DriftedUser): TfObject {
  const changed: Record<string, TfValue> = { ...record };
  for (const change of user.changes) {
    const name = terraformFieldName(change.field);
    if (name === undefined) continue;
    changed[name] = Array.isArray(change.after) ? [...(change.after as readonly string[])] : change.after;
  }
  return changed;
}

/** `EMP1 (phone, is_active)`, or `EMP1 (gone from RuangKerja)`: who drifted and in which fields, for a diagnostic. */
export function describeDrift(drifted: readonly DriftedUser[], shown = 20): string {
  const named = drifted.slice(0, shown).map((user) => {
    if (user.kind === "missing") return `${user.employeeID} (gone from RuangKerja)`;
    return `${user.employeeID} (${user.changes.map((c) => terraformFieldName(c.field) ?? c.field).join(", ")})`;
  });
  const more = drifted.length > shown ? ` and ${drifted.length - shown} more` : "";
  return `${named.join(", ")}${more}`;
}

export type Lookup = { readonly found: Map<string, LiveUser>; readonly unknown: readonly string[] };

/**
 * The users RuangKerja has under `employeeIDs` (GET each, a few in flight), or, for `all`, every
 * user on the list pages (one pass). `unknown`: the ids it does not know.
 */
export async function lookUpUsers(reader: UserReader, employeeIDs: readonly string[] | "all"): Promise<Lookup> {
  const found = new Map<string, LiveUser>();
  if (employeeIDs === "all") {
    for (const user of await readAllUsers(reader)) found.set(user.fields.employeeID, user);
    return { found, unknown: [] };
  }
  const read = await readUsersById(reader, [...new Set(employeeIDs)]);
  const unknown: string[] = [];
  for (const id of new Set(employeeIDs)) {
    const user = read.get(id);
    if (user) found.set(id, user);
    else unknown.push(id);
  }
  return { found, unknown };
}
