/**
 * `--target EMPLOYEEID`: a plan limited to some users, as Terraform's -target is. Pure: it
 * narrows a whole plan (it never plans again), so the targeted actions are exactly those the
 * whole plan has. A rename matches by its new or its old employee ID.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { AppliedUser, DesiredUser } from "../model.js";
import type { Plan, PlannedAction } from "./plan-types.js";

/** The targets that name no declared user, no user in state and no previous ID of a declared user. */
export function unknownTargets(
  targets: readonly string[],
  desired: readonly DesiredUser[],
  applied: ReadonlyMap<string, AppliedUser>,
): string[] {
  const known = new Set<string>(applied.keys());
  for (const user of desired) {
    known.add(user.employeeID);
    for (const old of user.previousEmployeeIDs ?? []) known.add(old);
  }
  return [...new Set(targets)].filter((t) => !known.has(t));
}

function matches(action: PlannedAction, targets: ReadonlySet<string>): boolean {
  return targets.has(action.employeeID) || (action.previousEmployeeID !== undefined && targets.has(action.previousEmployeeID));
}

/**
 * The plan's actions for the targeted users only, their warnings (matched by the declaration
 * they point at), warnings without a location, and a first warning that the plan is partial.
 */
export function targetPlan(plan: Plan, targets: readonly string[], desired: readonly DesiredUser[]): Plan {
  const wanted = new Set(targets);
  const actions = plan.actions.filter((a) => matches(a, wanted));
  const sources = new Set<string>();
  for (const user of desired) {
    if (wanted.has(user.employeeID) || user.previousEmployeeIDs?.some((old) => wanted.has(old))) {
      sources.add(`${user.source.file}:${user.source.line}:${user.source.column}`);
    }
  }
  const warnings = plan.warnings.filter((w) => !w.location || sources.has(`${w.location.file}:${w.location.line}:${w.location.column}`));
  const counts = { create: 0, update: 0, rename: 0, deactivate: 0 };
  for (const action of actions) counts[action.action]++;
  const matched = new Set(actions.flatMap((a) => [a.employeeID, a.previousEmployeeID ?? a.employeeID]));
  const unchanged = [...wanted].filter((t) => !matched.has(t)).length;
  const partial: Diagnostic = {
    severity: "warning",
    summary: `the plan is limited to --target ${[...wanted].join(", ")}: changes to other users are left out`,
    detail:
      "A targeted plan may be incomplete: other users' changes, and their warnings, are not shown and not applied. Use --target for an exception (a fix that cannot wait), not routinely; run plan without it to see everything.",
  };
  return { formatVersion: plan.formatVersion, summary: { ...counts, unchanged }, actions, warnings: [partial, ...warnings] };
}
