/**
 * Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`): the Plan with what it was made
 * from — the state's lineage and serial, a digest of the declarations, the folder, the targets,
 * the tool's version.
 *
 * Nothing in the file is trusted: whoever can edit it can recompute any digest it holds. Apply and
 * show plan again from the declarations and the state, and carry out (or print) that fresh plan
 * only when it is exactly the plan in the file, field by field (`savedPlanDifference`); the file's
 * own actions are compared, never used. Pure: the document, the comparison and the staleness
 * check; reading the file is saved-plan-reader.ts, writing it the CLI's.
 *
 * The file holds users' fields as plan and state do (names, e-mails, phones), never a token or
 * a password: records are copied field by field from the model's list.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { formatJsonPath, type JsonPath } from "../json/strict-json.js";
import { copyUserFields, isObject } from "../model.js";
import type { Plan, PlannedAction } from "./plan-types.js";

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
  /** The declarations folder the plan read (`--dir`, as given): apply and show refuse the plan for another folder. */
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

/** A saved plan as read from a file: the envelope checked against its schema, the plan as raw JSON (compared, never used). */
export interface SavedPlanFile extends Omit<SavedPlan, "plan"> {
  /** The file's `plan` member, as parsed: only ever compared with a fresh plan's document. */
  readonly planDocument: unknown;
}

export function encodeSavedPlan(saved: SavedPlan): string {
  return `${JSON.stringify(savedPlanDocument(saved), null, 1)}\n`;
}

/** The saved plan as the JSON value the file holds. */
export function savedPlanDocument(saved: SavedPlan): Record<string, unknown> {
  return {
    kind: SAVED_PLAN_KIND,
    formatVersion: saved.formatVersion,
    toolVersion: saved.toolVersion,
    createdAt: saved.createdAt,
    state: saved.state ? { lineage: saved.state.lineage, serial: saved.state.serial } : null,
    declarationsDigest: saved.declarationsDigest,
    declarationsDir: saved.declarationsDir,
    targets: [...saved.targets],
    plan: planDocument(saved.plan),
  };
}

function planDocument(plan: Plan): Record<string, unknown> {
  return {
    formatVersion: plan.formatVersion,
    summary: { ...plan.summary },
    actions: plan.actions.map(actionToJson),
    warnings: plan.warnings.map(diagnosticToJson),
  };
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
    after: copyUserFields(action.after),
    ...(action.before ? { before: { ...copyUserFields(action.before), serial: action.before.serial } } : {}),
  };
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

/**
 * Why a saved plan may no longer be carried out: each reason a sentence. Empty when the plan
 * still describes exactly what apply would do.
 */
export function stalePlanReasons(saved: Pick<SavedPlan, "toolVersion" | "state" | "declarationsDigest">, current: CurrentBasis): string[] {
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

/** How a saved plan differs from the plan apply would carry out now: the first place that differs, with both values. */
export interface PlanDifference {
  /** Where, in the file: `plan.actions[3].after.email`. */
  readonly path: string;
  /** The file's value there (JSON, shortened); undefined when the file has nothing there. */
  readonly saved?: string;
  /** The fresh plan's value there (JSON, shortened); undefined when it has nothing there. */
  readonly fresh?: string;
}

/**
 * The first difference between what the file says the plan does and the plan made now from the
 * same declarations and state, or undefined when they are the same. Everything that decides what
 * happens is compared — every action with every field, the summary, the targets; key order and
 * whitespace are not. Warnings are not: they are advice, made again from the declarations, and a
 * reviewer sees the fresh ones.
 */
export function savedPlanDifference(saved: SavedPlanFile, fresh: Plan): PlanDifference | undefined {
  const expected = JSON.parse(JSON.stringify({ ...planDocument(fresh), warnings: undefined })) as unknown;
  const actual = isObject(saved.planDocument) ? { ...saved.planDocument, warnings: undefined } : saved.planDocument;
  return firstDifference(actual, expected, ["plan"]);
}

function firstDifference(actual: unknown, expected: unknown, path: (string | number)[]): PlanDifference | undefined {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const length = Math.max(actual.length, expected.length);
    for (let i = 0; i < length; i++) {
      if (i >= actual.length || i >= expected.length) return difference([...path, i], actual[i], expected[i]);
      const found = firstDifference(actual[i], expected[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(actual) && isObject(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const key of [...keys].sort()) {
      if (actual[key] === undefined && expected[key] === undefined) continue;
      if (!(key in actual) || !(key in expected)) return difference([...path, key], actual[key], expected[key]);
      const found = firstDifference(actual[key], expected[key], [...path, key]);
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : difference(path, actual, expected);
}

function difference(path: JsonPath, saved: unknown, fresh: unknown): PlanDifference {
  return {
    path: formatJsonPath(path),
    ...(saved !== undefined ? { saved: shortJson(saved) } : {}),
    ...(fresh !== undefined ? { fresh: shortJson(fresh) } : {}),
  };
}

/** JSON is escaped by construction (no raw newline or control character); long values are cut. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
