/**
 * The planner, pure: (desired users, applied users) → Plan. No I/O, no clock, no randomness,
 * so it is tested with plain objects and properties.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { type AppliedUser, type DesiredUser, type PasswordEnv, USER_FIELDS, type UserField, type UserFields } from "../model.js";
import { initialPasswordWarnings } from "./password-warnings.js";
import { ACTION_KINDS, type FieldChange, type FieldValue, PLAN_FORMAT_VERSION, type Plan, type PlannedAction } from "./plan-types.js";

/**
 * An e-mail changes through update-email-bulk, which sets a new address but cannot remove one.
 * A removal is reported as a warning and left out of the update; state keeps the old value, so
 * the warning stays until the change is made another way.
 */
function cannotApply(field: UserField, will: FieldValue): boolean {
  return field === "email" && will === null;
}

export function planChanges(desired: readonly DesiredUser[], applied: ReadonlyMap<string, AppliedUser>): Plan {
  const actions: PlannedAction[] = [];
  const warnings: Diagnostic[] = [];
  const claimed = new Set<string>();
  let unchanged = 0;

  // Against an empty state every user is a create: no lookups (each would hash an employeeID).
  const none = applied.size === 0;
  for (const user of desired) {
    const current = none ? undefined : applied.get(user.employeeID);
    // Only entries of state are looked up in `claimed`: a create adds nothing to it.
    if (current) claimed.add(user.employeeID);
    const renamedFrom = current || none ? undefined : findRenameSource(user, applied);
    const before = current ?? (renamedFrom ? applied.get(renamedFrom) : undefined);
    if (renamedFrom) claimed.add(renamedFrom);
    for (const old of none ? [] : (user.previousEmployeeIDs ?? [])) {
      if (old === renamedFrom || !applied.has(old)) continue;
      const why = current ? "both are in state" : `${renamedFrom} (listed too) is the one renamed`;
      warnings.push({
        severity: "warning",
        summary: `${user.employeeID} lists ${old} as a previous employee ID, but ${why}: ${old} is planned as a separate user`,
        detail: `Remove ${old} from previousEmployeeIDs if it is a different person; otherwise ${old} will be deactivated.`,
        field: "previousEmployeeIDs",
        location: user.source,
      });
    }
    if (!before) {
      actions.push(new CreateAction(user));
      continue;
    }
    // The declared user is compared as it is (compare reads only the managed fields): most users of a large plan are unchanged.
    const compared = compare(before, user);
    const { changes, skipped } = compared;
    // Copied only for an action: most users of a large plan are unchanged.
    const after = () => compared.after ?? fieldsOf(user);
    for (const field of skipped) {
      warnings.push({
        severity: "warning",
        summary: `${field} of ${user.employeeID} changes from ${show(fieldValue(before, field))} to ${show(fieldValue(user, field))}, which apply cannot carry out`,
        detail:
          "RuangKerja can replace a user's e-mail address (update-email-bulk) but not remove it; declare a new address, or remove it in RuangKerja. Until then state keeps the old value and this warning stays.",
        field,
        location: user.source,
      });
    }
    const emailChange = changes.find((change) => change.field === "email");
    if (emailChange) warnings.push(passwordResetWarning(user, emailChange));
    const resets = emailChange ? { resetsPassword: true as const } : {};
    if (renamedFrom) {
      actions.push({
        action: "rename",
        employeeID: user.employeeID,
        previousEmployeeID: renamedFrom,
        source: user.source,
        changes: [{ field: "employeeID", before: renamedFrom, after: user.employeeID }, ...changes],
        after: after(),
        before,
        ...resets,
      });
    } else if (changes.length > 0) {
      actions.push({ action: "update", employeeID: user.employeeID, source: user.source, changes, after: after(), before, ...resets });
    } else {
      unchanged++;
    }
  }

  for (const [employeeID, user] of applied) {
    if (claimed.has(employeeID)) continue;
    if (!user.isActive) {
      unchanged++;
      continue;
    }
    const { serial: _serial, ...fields } = user;
    actions.push({
      action: "deactivate",
      employeeID,
      changes: [{ field: "isActive", before: true, after: false }],
      after: { ...fields, isActive: false },
      before: user,
    });
  }

  warnings.push(...missedRenames(actions), ...initialPasswordWarnings(actions, applied));
  actions.sort(byKindThenId);
  const counts = { create: 0, update: 0, rename: 0, deactivate: 0 };
  for (const action of actions) counts[action.action]++;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    summary: { ...counts, unchanged },
    actions,
    warnings,
  };
}

/**
 * A create that shares an e-mail or username with a user this plan deactivates is most often one
 * person whose employeeID changed without `previousEmployeeIDs`: the create would fail on the
 * taken e-mail, and the person would lose their history. Say so before apply.
 */
function missedRenames(actions: readonly PlannedAction[]): Diagnostic[] {
  const leaving = new Map<string, string>();
  for (const action of actions) {
    if (action.action !== "deactivate") continue;
    for (const key of identityKeys(action.after)) leaving.set(key, action.employeeID);
  }
  if (leaving.size === 0) return [];
  const warnings: Diagnostic[] = [];
  for (const action of actions) {
    if (action.action !== "create") continue;
    const old = identityKeys(action.after)
      .map((key) => leaving.get(key))
      .find((id) => id !== undefined);
    if (!old) continue;
    warnings.push({
      severity: "warning",
      summary: `${action.employeeID} is created with the e-mail or username of ${old}, which this plan deactivates`,
      detail: `If this is the same person under a new employee ID, add "previousEmployeeIDs: [${old}]" to ${action.employeeID} so the user is renamed, keeping their history; as planned, the create fails because the e-mail or username is taken.`,
      field: "previousEmployeeIDs",
      ...(action.source ? { location: action.source } : {}),
    });
  }
  return warnings;
}

/** RuangKerja resets the password of a user whose e-mail changes: a reviewer must see that. */
function passwordResetWarning(user: DesiredUser, change: FieldChange): Diagnostic {
  return {
    severity: "warning",
    summary: `the e-mail of ${user.employeeID} changes from ${show(change.before)} to ${show(change.after)}: RuangKerja resets this user's password`,
    detail:
      "Apply sends the new address through update-email-bulk, and RuangKerja then sets a new random password and e-mails it to the user, who can no longer sign in with the old one. Tell them before you apply.",
    field: "email",
    location: user.source,
  };
}

function identityKeys(user: UserFields): string[] {
  const keys: string[] = [];
  if (user.email) keys.push(`email:${user.email.toLowerCase()}`);
  if (user.username) keys.push(`username:${user.username.toLowerCase()}`);
  return keys;
}

/** The first of the user's previous IDs that state knows: that entry is this person, renamed. */
function findRenameSource(user: DesiredUser, applied: ReadonlyMap<string, AppliedUser>): string | undefined {
  return user.previousEmployeeIDs?.find((old) => applied.has(old));
}

/** The managed fields of a declared user, in USER_FIELDS order: what a plan records and apply sends. */
function fieldsOf(user: DesiredUser): UserFields {
  // Each field by name, not fields[field] over USER_FIELDS: a keyed store of changing names is slow, and a
  // 100,000-user plan makes one record per create. The order is USER_FIELDS' (a unit test compares them).
  const fields: { -readonly [K in UserField]?: UserFields[K] } = {};
  if (user.employeeID !== undefined) fields.employeeID = user.employeeID;
  if (user.name !== undefined) fields.name = user.name;
  if (user.username !== undefined) fields.username = user.username;
  if (user.email !== undefined) fields.email = user.email;
  if (user.phone !== undefined) fields.phone = user.phone;
  if (user.isActive !== undefined) fields.isActive = user.isActive;
  if (user.tagSerials !== undefined) fields.tagSerials = user.tagSerials;
  if (user.organizationSerial !== undefined) fields.organizationSerial = user.organizationSerial;
  return fields as UserFields;
}

/**
 * A create as planChanges makes it. Its `changes` (every field set, each with before null) follow
 * from its `after` alone, so they are made when read (by a renderer, the saved-plan writer)
 * instead of held: a plan of 100,000 creates would otherwise keep half a million change records
 * alive until it is printed. `changes` is an own, enumerable property like the others, so a spread
 * or a comparison of the action sees it; there is no way to set it apart from `after`.
 */
class CreateAction {
  readonly action = "create";
  readonly employeeID: string;
  readonly source: SourceLocation;
  declare readonly changes: readonly FieldChange[];
  readonly after: UserFields;
  declare readonly passwordEnv?: PasswordEnv;

  constructor(user: DesiredUser) {
    this.employeeID = user.employeeID;
    this.source = user.source;
    Object.defineProperty(this, "changes", CREATION_CHANGES);
    this.after = fieldsOf(user);
    if (user.passwordEnv) (this as { passwordEnv?: PasswordEnv }).passwordEnv = user.passwordEnv;
  }
}

const CREATION_CHANGES: PropertyDescriptor = {
  get(this: CreateAction) {
    return creationChanges(this.after);
  },
  enumerable: true,
};

/**
 * The fields of a create that planChanges made, whose changes are exactly creationChanges(after):
 * a renderer may then print them from `after` without making the changes. Undefined for any other
 * action (one made by hand may say anything in its changes).
 */
export function plannedCreation(action: PlannedAction): UserFields | undefined {
  return action instanceof CreateAction ? action.after : undefined;
}

/** A create's changes, one per field set, in USER_FIELDS order. The array has its exact length (push would leave room for more). */
function creationChanges(target: UserFields): FieldChange[] {
  let count = 0;
  for (const field of USER_FIELDS) if (fieldValue(target, field) !== null) count++;
  const changes = new Array<FieldChange>(count);
  let at = 0;
  for (const field of USER_FIELDS) {
    const value = fieldValue(target, field);
    if (value !== null) changes[at++] = { field, before: null, after: value };
  }
  return changes;
}

/**
 * Field-by-field comparison (employeeID excepted: a rename is reported by the caller). Only the
 * managed fields of `target` are read; `after` is set only when a skipped field makes it differ
 * from them.
 */
function compare(before: AppliedUser, target: DesiredUser): { after?: UserFields; changes: FieldChange[]; skipped: UserField[] } {
  const changes: FieldChange[] = [];
  const skipped: UserField[] = [];
  let after: Record<string, unknown> | undefined;
  for (const field of USER_FIELDS) {
    if (field === "employeeID" || sameRawValue(before[field], target[field])) continue;
    const was = fieldValue(before, field);
    const will = fieldValue(target, field);
    if (sameValue(was, will)) continue;
    if (cannotApply(field, will)) {
      skipped.push(field);
      after ??= fieldsOf(target) as unknown as Record<string, unknown>;
      if (was === null) delete after[field];
      else after[field] = was;
      continue;
    }
    changes.push({ field, before: was, after: will });
  }
  return { ...(after && { after: after as unknown as UserFields }), changes, skipped };
}

/**
 * A quick "certainly the same" without copying: equal values, both absent, or lists equal item
 * by item (normalized lists are sorted). Anything else goes through fieldValue and sameValue.
 */
function sameRawValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length === 0) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A field as plans compare it: null when not set, lists sorted (also used by drift detection). */
export function fieldValue(user: UserFields, field: UserField): FieldValue {
  const value = user[field];
  if (value === undefined) return null;
  if (typeof value === "object") return value.length === 0 ? null : isSorted(value) ? value : [...value].sort();
  return value;
}

/** Whether a list is in the order sort() gives (normalized lists are): then it needs no sorted copy. */
function isSorted(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i - 1] as string) > (list[i] as string)) return false;
  return true;
}

/** tagSerials are a set: order and repeats do not matter. */
export function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const setA = new Set(a);
    const setB = new Set(b);
    return setA.size === setB.size && [...setA].every((x) => setB.has(x));
  }
  return a === b;
}

function show(value: FieldValue): string {
  return value === null ? "(none)" : JSON.stringify(value);
}

/** Each kind's place in ACTION_KINDS, looked up once per kind instead of once per comparison. */
const KIND_ORDER = Object.fromEntries(ACTION_KINDS.map((kind, index) => [kind, index])) as Record<PlannedAction["action"], number>;

function byKindThenId(a: PlannedAction, b: PlannedAction): number {
  const kind = KIND_ORDER[a.action] - KIND_ORDER[b.action];
  if (kind !== 0) return kind;
  return a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0;
}
