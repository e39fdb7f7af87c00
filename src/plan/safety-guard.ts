/**
 * The safety guard against mass deactivation, pure: a plan that deactivates more than a limit of
 * the users in state is most often a mistake (a YAML file deleted, --dir pointing at the wrong
 * folder, `isActive: false` put in a file's defaults) that would lock a company out of
 * RuangKerja. `plan` warns about it; `apply` refuses it before any call unless told otherwise.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { Plan } from "./plan-types.js";

/** At most this many deactivations (`count`) or this share of the users in state (`percent`). */
export type DeactivationLimit = { readonly count: number } | { readonly percent: number };

/** @default 10 % of the users in state */
export const DEFAULT_DEACTIVATION_LIMIT: DeactivationLimit = { percent: 10 };

/** A percentage limit trips only from this many deactivations on: in a team of 8, one leaver is already 12 %. */
export const MIN_MASS_DEACTIVATION = 5;

export interface MassDeactivation {
  /** Users the plan turns from active to inactive (no longer declared, or declared `isActive: false`). */
  readonly deactivating: readonly string[];
  /** Users in state. */
  readonly managed: number;
  readonly limit: DeactivationLimit;
  /** The declaration files that were read, as shown to the user. */
  readonly files: readonly string[];
  readonly dir: string;
}

/** `10%` → percent, `25` → count; undefined when the text is neither. */
export function parseDeactivationLimit(text: string): DeactivationLimit | undefined {
  const percent = /^(\d{1,3})%$/.exec(text.trim());
  if (percent) {
    const value = Number(percent[1]);
    return value <= 100 ? { percent: value } : undefined;
  }
  const count = /^\d{1,9}$/.exec(text.trim());
  return count ? { count: Number(text.trim()) } : undefined;
}

export function describeLimit(limit: DeactivationLimit): string {
  return "count" in limit ? `${limit.count} user${limit.count === 1 ? "" : "s"}` : `${limit.percent}% of the users in state`;
}

/** The employeeIDs a plan deactivates: every action that turns an active user inactive. */
export function deactivatedBy(plan: Plan): string[] {
  return plan.actions.filter((a) => a.before?.isActive === true && a.after.isActive === false).map((a) => a.employeeID);
}

/** The guard's verdict: undefined when the plan stays within the limit. */
export function checkMassDeactivation(
  plan: Plan,
  context: { readonly managed: number; readonly limit: DeactivationLimit; readonly files: readonly string[]; readonly dir: string },
): MassDeactivation | undefined {
  const deactivating = deactivatedBy(plan);
  const n = deactivating.length;
  const { limit, managed } = context;
  const over = "count" in limit ? n > limit.count : n >= MIN_MASS_DEACTIVATION && n * 100 > managed * limit.percent;
  return over ? { deactivating, ...context } : undefined;
}

/** The plan with the guard's warning among its own, when it goes over the limit: what plan and show print (and a saved plan carries). */
export function withMassDeactivationWarning(plan: Plan, context: Parameters<typeof checkMassDeactivation>[1]): Plan {
  const found = checkMassDeactivation(plan, context);
  return found ? { ...plan, warnings: [...plan.warnings, massDeactivationDiagnostic(found, "warning")] } : plan;
}

const SHOWN_FILES = 10;
const SHOWN_USERS = 10;

/** What the guard says, as a diagnostic: plan shows it as a warning, apply as its refusal. */
export function massDeactivationDiagnostic(found: MassDeactivation, severity: Diagnostic["severity"]): Diagnostic {
  const n = found.deactivating.length;
  const share = found.managed > 0 ? ` (${Math.round((n * 100) / found.managed)}%)` : "";
  const files =
    found.files.length === 0
      ? `No declaration files were found under ${found.dir}.`
      : `Declaration files read (${found.files.length}): ${listSome(found.files, SHOWN_FILES)}.`;
  return {
    severity,
    summary: `this plan deactivates ${n} of the ${found.managed} users in state${share}, more than the safety limit of ${describeLimit(found.limit)}`,
    detail: [
      files,
      `Deactivated: ${listSome(found.deactivating, SHOWN_USERS)}.`,
      `Was a whole YAML file deleted or moved by mistake, --dir pointed at the wrong folder, or isActive: false set in a file's defaults? Restore the declarations and plan again.`,
      `${severity === "warning" ? "apply will refuse this plan. " : ""}If it is intended, run apply with --allow-mass-deactivation, or set the limit with --max-deactivate <n|n%>.`,
    ].join("\n"),
  };
}

function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
