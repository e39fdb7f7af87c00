/** The plan: a versioned data structure that the renderers read and apply carries out. */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { AppliedUser, PasswordEnv, UserField, UserFields } from "../model.js";

export const PLAN_FORMAT_VERSION = 1;

export type ActionKind = "create" | "update" | "rename" | "deactivate";

export const ACTION_KINDS: readonly ActionKind[] = ["create", "update", "rename", "deactivate"];

export type FieldValue = string | boolean | readonly string[] | null;

export interface FieldChange {
  readonly field: UserField;
  readonly before: FieldValue;
  readonly after: FieldValue;
}

export interface PlannedAction {
  readonly action: ActionKind;
  /** The user's employeeID after the action (the new one for a rename). */
  readonly employeeID: string;
  /** For a rename: the employeeID in state and in RuangKerja before it. */
  readonly previousEmployeeID?: string;
  /** Where the user is declared; absent for a deactivation (the declaration is gone). */
  readonly source?: SourceLocation;
  /** What changes, field by field (for a create: every field set, with before null). */
  readonly changes: readonly FieldChange[];
  /** The record as it will be after the action: what apply sends and then keeps in state. */
  readonly after: UserFields;
  /** The state entry before the action; absent for a create. */
  readonly before?: AppliedUser;
  /** Set when the e-mail changes: apply sends it through update-email-bulk, which resets the user's password. */
  readonly resetsPassword?: true;
  /** For a create: the environment variable apply reads the initial password from (its name only). */
  readonly passwordEnv?: PasswordEnv;
}

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly rename: number;
  readonly deactivate: number;
  readonly unchanged: number;
}

export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly summary: PlanSummary;
  /** Sorted: by kind (create, update, rename, deactivate), then employeeID. */
  readonly actions: readonly PlannedAction[];
  /** Things a reviewer must know: an e-mail change (it resets the password), one apply cannot carry out (a removed e-mail), a likely missed rename. */
  readonly warnings: readonly Diagnostic[];
}

export function hasChanges(plan: Plan): boolean {
  return plan.actions.length > 0;
}
