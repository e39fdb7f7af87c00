/**
 * Saved plans (`plan --out FILE`, `apply FILE`): the Plan with what it was made from — the
 * state's lineage and serial, a digest of the declarations, the tool's version — so that apply
 * carries out exactly what was reviewed, or refuses when anything moved since. Pure: encoding,
 * decoding and the staleness check; reading and writing the file is the CLI's business.
 *
 * The file holds users' fields as plan and state do (names, e-mails, phones), never a token or
 * a password: records are copied field by field from the model's list.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { InvalidInputError } from "../errors.js";
import { type AppliedUser, USER_FIELDS, type UserFields } from "../model.js";
import {
  ACTION_KINDS,
  type ActionKind,
  type FieldChange,
  type FieldValue,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlannedAction,
} from "./plan-types.js";

export const SAVED_PLAN_KIND = "ruangkerja-users-plan";
export const SAVED_PLAN_FORMAT_VERSION = 1;

/** The state a plan was made against; null when there was none yet. */
export interface PlanStateBasis {
  readonly lineage: string;
  readonly serial: number;
}

export interface SavedPlan {
  readonly formatVersion: typeof SAVED_PLAN_FORMAT_VERSION;
  /** The ruangkerja-users version that made it: another version may plan differently. */
  readonly toolVersion: string;
  /** ISO 8601, for people reading the file. */
  readonly createdAt: string;
  readonly state: PlanStateBasis | null;
  /** digestDeclarations() of the declarations folder when the plan was made. */
  readonly declarationsDigest: string;
  /** The declarations folder the plan read (`--dir`, as given): apply reads the same one unless told otherwise. */
  readonly declarationsDir: string;
  /** The --target employee IDs the plan was limited to; empty for a whole plan. */
  readonly targets: readonly string[];
  readonly plan: Plan;
}

/** What apply finds when it is about to carry out a saved plan. */
export interface CurrentBasis {
  readonly toolVersion: string;
  readonly state: PlanStateBasis | null;
  readonly declarationsDigest: string;
  /** For messages: the state's location and the declarations folder. */
  readonly stateLocation: string;
  readonly declarationsDir: string;
}

export function encodeSavedPlan(saved: SavedPlan): string {
  const document = {
    kind: SAVED_PLAN_KIND,
    formatVersion: saved.formatVersion,
    toolVersion: saved.toolVersion,
    createdAt: saved.createdAt,
    state: saved.state ? { lineage: saved.state.lineage, serial: saved.state.serial } : null,
    declarationsDigest: saved.declarationsDigest,
    declarationsDir: saved.declarationsDir,
    targets: [...saved.targets],
    plan: {
      formatVersion: saved.plan.formatVersion,
      summary: { ...saved.plan.summary },
      actions: saved.plan.actions.map(actionToJson),
      warnings: saved.plan.warnings.map(diagnosticToJson),
    },
  };
  return `${JSON.stringify(document, null, 1)}\n`;
}

function actionToJson(action: PlannedAction): Record<string, unknown> {
  return {
    action: action.action,
    employeeID: action.employeeID,
    ...(action.previousEmployeeID ? { previousEmployeeID: action.previousEmployeeID } : {}),
    ...(action.source ? { source: locationToJson(action.source) } : {}),
    ...(action.resetsPassword ? { resetsPassword: true } : {}),
    // The variable's name and where it is declared: never its value.
    ...(action.passwordEnv ? { passwordEnv: { name: action.passwordEnv.name, source: locationToJson(action.passwordEnv.source) } } : {}),
    changes: action.changes.map((ch) => ({ field: ch.field, before: ch.before, after: ch.after })),
    after: userToJson(action.after),
    ...(action.before ? { before: { ...userToJson(action.before), serial: action.before.serial } } : {}),
  };
}

function userToJson(user: UserFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of USER_FIELDS) {
    const value = user[field];
    if (value !== undefined) out[field] = Array.isArray(value) ? [...value] : value;
  }
  return out;
}

function locationToJson(location: SourceLocation): SourceLocation {
  return { file: location.file, line: location.line, column: location.column };
}

function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity,
    summary: d.summary,
    ...(d.detail ? { detail: d.detail } : {}),
    ...(d.field ? { field: d.field } : {}),
    ...(d.location ? { location: locationToJson(d.location) } : {}),
  };
}

/** Parses a saved plan's text; anything that is not one (or is damaged) is an InvalidInputError located in `file`. */
export function decodeSavedPlan(file: string, text: string): SavedPlan {
  const fail = (summary: string, detail?: string): never => {
    throw new InvalidInputError(`cannot use the saved plan ${file}`, [
      { severity: "error", summary, location: { file, line: 1, column: 1 }, ...(detail ? { detail } : {}) },
    ]);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail(`the saved plan is not valid JSON (${(error as Error).message})`, "It may be truncated. Run plan --out again.");
  }
  if (!isObject(raw) || raw.kind !== SAVED_PLAN_KIND) {
    return fail("this is not a plan saved by ruangkerja-users plan --out", "Pass the file that `ruangkerja-users plan --out FILE` wrote.");
  }
  if (raw.formatVersion !== SAVED_PLAN_FORMAT_VERSION) {
    return fail(
      `the saved plan has format version ${JSON.stringify(raw.formatVersion)}, which this ruangkerja-users does not read (it reads ${SAVED_PLAN_FORMAT_VERSION})`,
      "Run plan --out again with this version.",
    );
  }
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  check(typeof raw.toolVersion === "string", '"toolVersion" is not text');
  check(typeof raw.createdAt === "string", '"createdAt" is not text');
  check(typeof raw.declarationsDigest === "string", '"declarationsDigest" is not text');
  check(typeof raw.declarationsDir === "string", '"declarationsDir" is not text');
  check(Array.isArray(raw.targets) && raw.targets.every((t) => typeof t === "string"), '"targets" is not a list of text');
  check(raw.state === null || isStateBasis(raw.state), '"state" is neither null nor {lineage, serial}');
  const plan = isObject(raw.plan) ? decodePlan(raw.plan, problems) : (problems.push('"plan" is not an object'), undefined);
  if (problems.length > 0 || !plan) {
    return fail(`the saved plan is damaged: ${problems.slice(0, 5).join("; ")}`, "It may have been edited by hand. Run plan --out again.");
  }
  return {
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    toolVersion: raw.toolVersion as string,
    createdAt: raw.createdAt as string,
    state: raw.state as PlanStateBasis | null,
    declarationsDigest: raw.declarationsDigest as string,
    declarationsDir: raw.declarationsDir as string,
    targets: raw.targets as string[],
    plan,
  };
}

function decodePlan(raw: Record<string, unknown>, problems: string[]): Plan | undefined {
  if (raw.formatVersion !== PLAN_FORMAT_VERSION) {
    problems.push(`plan.formatVersion is ${JSON.stringify(raw.formatVersion)}, not ${PLAN_FORMAT_VERSION}`);
    return undefined;
  }
  if (!Array.isArray(raw.actions)) {
    problems.push("plan.actions is not a list");
    return undefined;
  }
  const actions: PlannedAction[] = [];
  raw.actions.forEach((item: unknown, index) => {
    const reason = actionProblem(item);
    if (reason) problems.push(`plan.actions[${index}] ${reason}`);
    else actions.push(actionFromJson(item as Record<string, unknown>));
  });
  const warnings = Array.isArray(raw.warnings) ? raw.warnings.filter(isDiagnostic) : [];
  if (!Array.isArray(raw.warnings) || warnings.length !== raw.warnings.length) problems.push("plan.warnings is not a list of warnings");
  const counts = { create: 0, update: 0, rename: 0, deactivate: 0 };
  for (const action of actions) counts[action.action]++;
  const summary = isObject(raw.summary) ? raw.summary : {};
  const unchanged = typeof summary.unchanged === "number" ? summary.unchanged : 0;
  for (const kind of ACTION_KINDS) {
    if (summary[kind] !== counts[kind]) problems.push(`plan.summary.${kind} does not match the actions`);
  }
  return { formatVersion: PLAN_FORMAT_VERSION, summary: { ...counts, unchanged }, actions, warnings };
}

/** A checked action, rebuilt key by key: nothing but the known fields travels on to apply. */
function actionFromJson(item: Record<string, unknown>): PlannedAction {
  const before = item.before as Record<string, unknown> | undefined;
  return {
    action: item.action as ActionKind,
    employeeID: item.employeeID as string,
    ...(typeof item.previousEmployeeID === "string" ? { previousEmployeeID: item.previousEmployeeID } : {}),
    ...(item.source ? { source: locationToJson(item.source as SourceLocation) } : {}),
    ...(item.resetsPassword === true ? { resetsPassword: true as const } : {}),
    ...(isPasswordEnv(item.passwordEnv)
      ? { passwordEnv: { name: item.passwordEnv.name, source: locationToJson(item.passwordEnv.source) } }
      : {}),
    changes: (item.changes as FieldChange[]).map((ch) => ({ field: ch.field, before: ch.before, after: ch.after })),
    after: userToJson(item.after as UserFields) as unknown as UserFields,
    ...(before ? { before: { ...userToJson(before as unknown as UserFields), serial: before.serial } as unknown as AppliedUser } : {}),
  };
}

function isPasswordEnv(value: unknown): value is { name: string; source: SourceLocation } {
  return isObject(value) && typeof value.name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.name) && isLocation(value.source);
}

function actionProblem(item: unknown): string | undefined {
  if (!isObject(item)) return "is not an object";
  if (!ACTION_KINDS.includes(item.action as ActionKind)) return `has an unknown action ${JSON.stringify(item.action)}`;
  if (typeof item.employeeID !== "string" || item.employeeID === "") return "has no employeeID";
  if (item.action === "rename" && typeof item.previousEmployeeID !== "string") return "is a rename without previousEmployeeID";
  if (item.source !== undefined && !isLocation(item.source)) return "has a malformed source";
  if (item.passwordEnv !== undefined && !isPasswordEnv(item.passwordEnv)) return "has a malformed passwordEnv";
  if (!Array.isArray(item.changes) || !item.changes.every(isFieldChange)) return "has malformed changes";
  if (!isUserFields(item.after) || item.after.employeeID !== item.employeeID) return "has a malformed after";
  const before = item.before;
  if (item.action !== "create" && !(isUserFields(before) && isObject(before) && typeof before.serial === "string")) {
    return "has no before (with serial)";
  }
  return undefined;
}

function isUserFields(value: unknown): value is UserFields {
  if (!isObject(value)) return false;
  if (typeof value.employeeID !== "string" || typeof value.name !== "string" || typeof value.isActive !== "boolean") return false;
  for (const key of ["username", "email", "phone", "organizationSerial"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") return false;
  }
  return value.tagSerials === undefined || (Array.isArray(value.tagSerials) && value.tagSerials.every((t) => typeof t === "string"));
}

function isFieldChange(value: unknown): value is FieldChange {
  return (
    isObject(value) &&
    (USER_FIELDS as readonly string[]).includes(value.field as string) &&
    isFieldValue(value.before) &&
    isFieldValue(value.after)
  );
}

function isFieldValue(value: unknown): value is FieldValue {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (Array.isArray(value) && value.every((v) => typeof v === "string"))
  );
}

function isDiagnostic(value: unknown): value is Diagnostic {
  return (
    isObject(value) &&
    (value.severity === "warning" || value.severity === "error") &&
    typeof value.summary === "string" &&
    (value.location === undefined || isLocation(value.location))
  );
}

function isLocation(value: unknown): value is SourceLocation {
  return isObject(value) && typeof value.file === "string" && typeof value.line === "number" && typeof value.column === "number";
}

function isStateBasis(value: unknown): value is PlanStateBasis {
  return isObject(value) && typeof value.lineage === "string" && Number.isInteger(value.serial);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Why a saved plan may no longer be carried out: each reason a sentence. Empty when the plan
 * still describes exactly what apply would do.
 */
export function stalePlanReasons(saved: SavedPlan, current: CurrentBasis): string[] {
  const reasons: string[] = [];
  if (saved.toolVersion !== current.toolVersion) {
    reasons.push(`it was made by ruangkerja-users ${saved.toolVersion}, and this is ${current.toolVersion}`);
  }
  const then = saved.state;
  const now = current.state;
  if (then === null && now !== null) {
    reasons.push(`there was no state when it was made, and ${current.stateLocation} now holds serial ${now.serial}`);
  } else if (then !== null && now === null) {
    reasons.push(`it was made against state serial ${then.serial}, and ${current.stateLocation} now holds no state`);
  } else if (then !== null && now !== null) {
    if (then.lineage !== now.lineage) {
      reasons.push(`it was made against another state (lineage ${then.lineage}) than ${current.stateLocation} (lineage ${now.lineage})`);
    } else if (then.serial !== now.serial) {
      reasons.push(`the state changed since (serial ${then.serial} then, ${now.serial} now in ${current.stateLocation})`);
    }
  }
  if (saved.declarationsDigest !== current.declarationsDigest) {
    reasons.push(`the declarations in ${current.declarationsDir} changed since`);
  }
  return reasons;
}
