/**
 * What the Terraform provisioners of one shard do, through the same planner and apply engine as
 * the CLI (bulk endpoints; PUT only where a bulk call cannot serve).
 *
 * Terraform replaces a shard's resource when its users change: the destroy provisioner runs with
 * the old map, then the create provisioner with the new one.
 * - destroy: deactivates the old users that are no longer declared (nor renamed), and leaves the
 *   old map in a spool file for the create that follows. A failure keeps the old resource in
 *   Terraform's state, so the next apply runs this again.
 * - create: with the old map from the spool, plans exactly (create, update, rename). Without it
 *   (a retry after a failure: Terraform then runs only the create, on a tainted resource) it
 *   upserts every user of the shard: rename from a previous ID, else create, and a create that
 *   meets an existing employeeID becomes a full update. Every step is idempotent, so a retry
 *   converges.
 *
 * Initial passwords: a record may name, in passwordEnv, a RUANGKERJA_PASSWORD_ variable; its value
 * is read from the provisioner's environment, which is terraform apply's (Terraform passes its own
 * environment on to local-exec), and sent with the create, as the CLI's apply does. A variable
 * missing for a user that may be created stops the step before any call.
 */
import type { ApplyClient } from "../apply/apply-client.js";
import { ConfigError, RuangkerjaError } from "../errors.js";
import { type ApplyFailure, runSchedule } from "../apply/apply-plan.js";
import { ApplyRun } from "../apply/apply-run.js";
import { scheduleApply } from "../apply/schedule.js";
import { NO_STATE } from "../apply/send-batch.js";
import type { DesiredUser, UserFields } from "../model.js";
import { planChanges } from "../plan/plan-changes.js";
import { ACTION_KINDS, type ActionKind, type FieldChange, PLAN_FORMAT_VERSION, type Plan, type PlannedAction } from "../plan/plan-types.js";
import { isRenameMarker, type ShardEntry, type SyncRecord, toUserFields } from "./records.js";

export interface SyncOptions {
  /** Users per bulk call. @default 100 */
  readonly chunkSize?: number;
  /** Requests in flight at once. @default 4 */
  readonly parallelism?: number;
  /**
   * The value of an environment variable that a record's passwordEnv names (terraform apply's
   * environment). Without it, a record with passwordEnv that may be created stops the step.
   */
  readonly environment?: (name: string) => string | undefined;
}

export interface SyncResult {
  readonly done: Record<ActionKind, number>;
  readonly failures: readonly ApplyFailure[];
  /** Whether the create planned from the old map (exact) or upserted every user (after a failure). */
  readonly mode?: "exact" | "upsert";
}

const USER_EMPLOYEE_ID_EXISTS = "USER_EMPLOYEE_ID_EXISTS";
const USER_NOT_FOUND = "USER_NOT_FOUND";
/** Failures are reported by employeeID; the declaration's line is not in Terraform (moving a line is no change). */
const NO_SOURCE = { file: "(terraform)", line: 0, column: 0 };

/** Terraform's create provisioner: the shard's users as declared now, and the old map when the destroy before it left one. */
export async function syncShardCreate(
  client: ApplyClient,
  entries: Readonly<Record<string, ShardEntry>>,
  before: Readonly<Record<string, ShardEntry>> | undefined,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const records = recordsOf(entries);
  const done = zero();
  const failures: ApplyFailure[] = [];
  // The same map before and after is a taint or a forced replace: nothing tells what RuangKerja holds, so upsert.
  const exact = before !== undefined && !sameMap(before, entries);
  const applied = new Map(exact ? recordsOf(before).map((r) => [r.employeeID, { ...toUserFields(r), serial: "" }]) : []);
  // Known from the old map, a user is updated; anyone else may be created (upsert creates whatever it cannot rename).
  const passwords = initialPasswords(records, (r) => !applied.has(r.employeeID), options);
  let pending = records;
  if (exact) {
    const desired = records.filter((r) => applied.has(r.employeeID) || !r.previousEmployeeIDs?.some((id) => !applied.has(id)));
    // Deactivations are the destroy provisioner's work (it knows what is gone from every shard).
    const plan = withActions(planChanges(desired.map(toDesired), applied).actions.filter((a) => a.action !== "deactivate"));
    const result = await run(client, plan, options, passwords);
    // RuangKerja differs from the old map (changed outside Terraform): such users are upserted instead.
    const retry = new Set(
      result.failures
        .filter((f) => (f.action === "create" ? f.message === USER_EMPLOYEE_ID_EXISTS : f.message === USER_NOT_FOUND))
        .map((f) => f.employeeID),
    );
    const kept = result.failures.filter((f) => !retry.has(f.employeeID));
    for (const kind of ACTION_KINDS) done[kind] += result.done[kind];
    failures.push(...kept);
    // Renamed from a user of another shard: that user's record is in the other shard's map.
    pending = records.filter((r) => !desired.includes(r) || retry.has(r.employeeID));
  }
  if (pending.length > 0) {
    const upserted = await upsert(client, pending, options, passwords);
    for (const kind of ACTION_KINDS) done[kind] += upserted.done[kind];
    failures.push(...upserted.failures);
  }
  return { done, failures, mode: exact ? "exact" : "upsert" };
}

/** Terraform's destroy provisioner: deactivates the old map's users whose employeeID is not in `keep` (the shard's map as declared now). */
export async function syncShardDestroy(
  client: ApplyClient,
  old: Readonly<Record<string, ShardEntry>>,
  keep: ReadonlySet<string>,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const gone = recordsOf(old).filter((r) => !keep.has(r.employeeID));
  const applied = new Map(gone.map((r) => [r.employeeID, { ...toUserFields(r), serial: "" }]));
  const plan = planChanges([], applied);
  const result = await run(client, plan, options);
  // Not in RuangKerja at all: there is no one to deactivate.
  const done = result.done;
  const failures = result.failures.filter((f) => f.message !== USER_NOT_FOUND);
  return { done, failures };
}

/**
 * For users whose current record in RuangKerja is unknown. Each round takes those the previous
 * one could not place: rename from a previous employeeID (each in turn), then create, then a full
 * update of those whose employeeID already exists. Every update goes through PUT, the only
 * endpoint that also sets (or clears) organizationSerial.
 */
async function upsert(
  client: ApplyClient,
  records: readonly SyncRecord[],
  options: SyncOptions,
  passwords: ReadonlyMap<string, string>,
): Promise<SyncResult> {
  const done = zero();
  const failures = new Map<string, ApplyFailure>();
  let left = [...records];
  const maxPrevious = Math.max(0, ...records.map((r) => r.previousEmployeeIDs?.length ?? 0));
  for (let round = 0; round < maxPrevious; round++) {
    const tries = left.flatMap((r) => {
      const from = r.previousEmployeeIDs?.[round];
      return from === undefined || from === r.employeeID ? [] : [fullUpdate(r, from)];
    });
    if (tries.length === 0) continue;
    const result = await run(client, withActions(tries), options);
    const failed = new Set(result.failures.map((f) => f.employeeID));
    for (const f of result.failures) failures.set(f.employeeID, f);
    for (const a of tries) if (!failed.has(a.employeeID)) failures.delete(a.employeeID);
    done.rename += tries.length - failed.size;
    left = left.filter((r) => failed.has(r.employeeID) || !tries.some((a) => a.employeeID === r.employeeID));
  }
  // Never created without the password it names (RuangKerja would make one up and e-mail it). Only a
  // user the old map knew and RuangKerja no longer has gets here without one (initialPasswords checked
  // the others): it is reported instead.
  const withoutPassword = new Set(left.filter((r) => r.passwordEnv !== undefined && !passwords.has(r.employeeID)));
  for (const r of withoutPassword) failures.set(r.employeeID, passwordMissing(r));
  left = left.filter((r) => !withoutPassword.has(r));
  const created = await run(client, withActions(left.map(createAction)), options, passwords);
  const exists = new Set(created.failures.filter((f) => f.message === USER_EMPLOYEE_ID_EXISTS).map((f) => f.employeeID));
  for (const f of created.failures) failures.set(f.employeeID, f);
  const createdIds = new Set(left.map((r) => r.employeeID));
  for (const f of created.failures) createdIds.delete(f.employeeID);
  for (const id of createdIds) failures.delete(id);
  done.create += createdIds.size;
  const updates = left.filter((r) => exists.has(r.employeeID)).map((r) => fullUpdate(r));
  const updated = await run(client, withActions(updates), options);
  const updateFailed = new Set(updated.failures.map((f) => f.employeeID));
  for (const a of updates) if (!updateFailed.has(a.employeeID)) failures.delete(a.employeeID);
  for (const f of updated.failures) failures.set(f.employeeID, f);
  done.update += updates.length - updateFailed.size;
  return { done, failures: [...failures.values()] };
}

function createAction(record: SyncRecord): PlannedAction {
  const after = toUserFields(record);
  return { action: "create", employeeID: after.employeeID, source: NO_SOURCE, changes: [], after };
}

/** The whole record, through PUT (a change listed for organizationSerial routes it there), renaming from `from` when given. */
function fullUpdate(record: SyncRecord, from?: string): PlannedAction {
  const after = toUserFields(record);
  const changes: FieldChange[] = [{ field: "organizationSerial", before: null, after: after.organizationSerial ?? null }];
  return from
    ? { action: "rename", employeeID: after.employeeID, previousEmployeeID: from, source: NO_SOURCE, changes, after }
    : { action: "update", employeeID: after.employeeID, source: NO_SOURCE, changes, after };
}

/**
 * The passwords of the records with passwordEnv whose variable is set, by employeeID. Throws,
 * naming each variable (never a value), when one is missing for a user that `mayCreate`.
 */
function initialPasswords(
  records: readonly SyncRecord[],
  mayCreate: (record: SyncRecord) => boolean,
  options: SyncOptions,
): Map<string, string> {
  const passwords = new Map<string, string>();
  const missing: string[] = [];
  for (const record of records) {
    if (record.passwordEnv === undefined) continue;
    const value = options.environment?.(record.passwordEnv);
    if (value !== undefined && value !== "") passwords.set(record.employeeID, value);
    else if (mayCreate(record)) missing.push(`${record.passwordEnv} (passwordEnv of ${record.employeeID})`);
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.length === 1 ? "an environment variable" : `${missing.length} environment variables`} holding initial passwords ${missing.length === 1 ? "is" : "are"} not set or empty where terraform apply runs: ${missing.join(", ")}. Nothing was changed. Export ${missing.length === 1 ? "it" : "them"} in the environment of terraform apply (e.g. from CI secrets; Terraform passes its environment on to this step), or remove passwordEnv to let RuangKerja generate a password.`,
    );
  }
  return passwords;
}

function passwordMissing(record: SyncRecord): ApplyFailure {
  return {
    action: "create",
    employeeID: record.employeeID,
    errorCode: "PASSWORD_ENV_NOT_SET",
    message: "PASSWORD_ENV_NOT_SET",
    detail: `${record.passwordEnv ?? ""} is not set: the user is not created without the initial password it names`,
  };
}

/**
 * The CLI's schedule and run, with no state of the engine's own: Terraform's state is the record
 * of what was applied. `done` counts each kind's actions that succeeded.
 */
async function run(client: ApplyClient, plan: Plan, options: SyncOptions, passwords?: ReadonlyMap<string, string>) {
  const done = zero();
  if (plan.actions.length === 0) return { failures: [] as ApplyFailure[], done };
  const tally = new ApplyRun(plan, { counts: client.counts });
  await runSchedule(scheduleApply(plan), tally, client, NO_STATE, {
    chunkSize: options.chunkSize ?? 100,
    parallelism: options.parallelism ?? 4,
    ...(passwords && passwords.size > 0 && { passwords }),
  });
  const result = tally.result();
  // The API gone or the token refused: the step fails, as one of our errors (no stack trace).
  if (result.stoppedBecause) throw new RuangkerjaError(result.stoppedBecause);
  for (const kind of ACTION_KINDS) done[kind] = tally.succeededOf(kind);
  return { failures: result.failures, done };
}

function withActions(actions: readonly PlannedAction[]): Plan {
  const summary = { create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 0 };
  for (const a of actions) summary[a.action]++;
  return { formatVersion: PLAN_FORMAT_VERSION, summary, actions, warnings: [] };
}

function recordsOf(entries: Readonly<Record<string, ShardEntry>>): SyncRecord[] {
  return Object.values(entries).filter((e): e is SyncRecord => !isRenameMarker(e));
}

function toDesired(record: SyncRecord): DesiredUser {
  const fields: UserFields = toUserFields(record);
  return {
    ...fields,
    ...(record.previousEmployeeIDs?.length ? { previousEmployeeIDs: [...record.previousEmployeeIDs] } : {}),
    source: NO_SOURCE,
  };
}

function sameMap(a: Readonly<Record<string, ShardEntry>>, b: Readonly<Record<string, ShardEntry>>): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function zero(): Record<ActionKind, number> {
  return { create: 0, update: 0, rename: 0, deactivate: 0 };
}
