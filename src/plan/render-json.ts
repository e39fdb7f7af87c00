/** The stable machine view of a plan (`plan --json`). Its keys are a contract: add, never rename. */
import type { Diagnostic } from "../diagnostics.js";
import type { FieldValue, Plan } from "./plan-types.js";

export interface PlanJson {
  formatVersion: number;
  summary: { create: number; update: number; rename: number; deactivate: number; unchanged: number };
  actions: {
    action: string;
    employeeID: string;
    previousEmployeeID?: string;
    source: { file: string; line: number } | null;
    /** Creates only: the name of the environment variable holding the initial password. */
    passwordEnv?: string;
    changes: { field: string; before: FieldValue; after: FieldValue }[];
    /** Present (true) when the e-mail changes, which resets the user's password. */
    resetsPassword?: true;
  }[];
  warnings: { summary: string; detail?: string; field?: string; source: { file: string; line: number } | null }[];
}

export type WarningJson = PlanJson["warnings"][number];

/** A plan warning in the JSON views (`plan --json`, `apply --json`). */
export function warningToJson(w: Diagnostic): WarningJson {
  return {
    summary: w.summary,
    ...(w.detail ? { detail: w.detail } : {}),
    ...(w.field ? { field: w.field } : {}),
    source: w.location ? { file: w.location.file, line: w.location.line } : null,
  };
}

export function planToJson(plan: Plan): PlanJson {
  return {
    formatVersion: plan.formatVersion,
    summary: { ...plan.summary },
    actions: plan.actions.map((a) => ({
      action: a.action,
      employeeID: a.employeeID,
      ...(a.previousEmployeeID ? { previousEmployeeID: a.previousEmployeeID } : {}),
      source: a.source ? { file: a.source.file, line: a.source.line } : null,
      ...(a.passwordEnv ? { passwordEnv: a.passwordEnv.name } : {}),
      changes: a.changes.map((ch) => ({ field: ch.field, before: ch.before, after: ch.after })),
      ...(a.resetsPassword ? { resetsPassword: true as const } : {}),
    })),
    warnings: plan.warnings.map(warningToJson),
  };
}
