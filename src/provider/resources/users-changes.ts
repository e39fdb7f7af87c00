/**
 * From Terraform's values to the CLI's plan, and the plan's findings as Terraform diagnostics:
 * prior state → applied users, the planner's warnings, and the mass-deactivation guard, whose
 * refusal names the provider setting that allows it.
 */
import type { Diagnostic, SourceLocation } from "../../diagnostics.js";
import { toDesiredUser } from "../../declarations/normalize.js";
import type { UserAsWritten } from "../../declarations/schema.js";
import type { AppliedUser, DesiredUser } from "../../model.js";
import type { Plan } from "../../plan/plan-types.js";
import { checkMassDeactivation, describeLimit } from "../../plan/safety-guard.js";
import { PROVIDER_ATTRIBUTES } from "../provider-schema.js";
import type { ProviderSettings } from "../provider-settings.js";
import type { TfDiagnostic, TfPathStep, TfValue } from "../provider-types.js";
import { terraformFieldName, USERS_ATTRIBUTE, USERS_RESOURCE_NAME, writtenUser } from "./users-schema.js";

/** Terraform holds no declaration lines: a record is named by its key. */
export const NO_SOURCE = { file: "(terraform)", line: 0, column: 0 };

/**
 * What the prior state says was applied, normalized as declarations are. Its records were checked
 * when they were planned; they are not checked again (one that a stricter schema would refuse is
 * still a user in RuangKerja, to be updated or deactivated).
 */
export function appliedFrom(prior: Readonly<Record<string, TfValue>>): Map<string, AppliedUser> {
  const applied = new Map<string, AppliedUser>();
  for (const [employeeID, record] of Object.entries(prior)) {
    const written = writtenUser(employeeID, record) as unknown as UserAsWritten;
    const {
      previousEmployeeIDs: _previous,
      passwordEnv: _password,
      source: _source,
      ...fields
    } = toDesiredUser(written, undefined, NO_SOURCE);
    applied.set(employeeID, { ...fields, serial: "" });
  }
  return applied;
}

/**
 * The planner's warnings as Terraform's. An e-mail that would be removed is an error here: the CLI
 * keeps the old address in its state until the change is made another way, but Terraform's
 * planned state must be the configuration, which would then claim an address is gone that is not.
 */
export function planWarnings(plan: Plan, users: readonly DesiredUser[]): TfDiagnostic[] {
  // A warning about one person is located at their declaration (users-validation.ts gives each record a line of its own).
  const at = (location: SourceLocation) => `${location.file}:${location.line}`;
  const byPlace = new Map(users.map((user) => [at(user.source), user.employeeID]));
  return plan.warnings.map((warning: Diagnostic) => {
    const id = warning.location === undefined ? undefined : byPlace.get(at(warning.location));
    const cannot = warning.summary.endsWith("which apply cannot carry out");
    const field = warning.field === undefined ? undefined : terraformFieldName(warning.field);
    const attribute: TfPathStep[] = [{ attribute: USERS_ATTRIBUTE }];
    if (id !== undefined) attribute.push({ key: id });
    if (id !== undefined && field !== undefined) attribute.push({ attribute: field });
    return {
      severity: cannot ? "error" : "warning",
      summary: warning.summary,
      ...(warning.detail !== undefined && { detail: warning.detail }),
      attribute,
    };
  });
}

/** The guard's refusal when the plan deactivates more than the limit and the provider does not allow it; none otherwise. */
export function guardDiagnostics(plan: Plan, managed: number, settings: ProviderSettings, destroying: boolean): TfDiagnostic[] {
  if (settings.allowMassDeactivation) return [];
  const found = checkMassDeactivation(plan, { limit: settings.maxDeactivate, managed, files: [], dir: "" });
  if (!found) return [];
  const n = found.deactivating.length;
  const shown = found.deactivating.slice(0, 10).join(", ");
  const more = n > 10 ? ` and ${n - 10} more` : "";
  const share = managed > 0 ? ` (${Math.round((n * 100) / managed)}%)` : "";
  const cause = destroying
    ? `terraform destroy deactivates every active user of this ${USERS_RESOURCE_NAME} resource.`
    : `Was a part of the users map lost (a declarations folder moved, a file deleted), or is_active = false set for many?`;
  return [
    {
      severity: "error",
      summary: `this plan deactivates ${n} of the ${managed} users in state${share}, more than the safety limit of ${describeLimit(found.limit)}`,
      detail: [
        `Deactivated: ${shown}${more}.`,
        cause,
        `If it is intended, set ${PROVIDER_ATTRIBUTES.allowMassDeactivation} = true in the provider "ruangkerja" block (or raise ${PROVIDER_ATTRIBUTES.maxDeactivate}, e.g. "25" or "50%"), then plan again.`,
      ].join("\n"),
    },
  ];
}
