/** `--target` for plan and apply: checks the ids, then narrows the plan (see plan/target-plan.ts). */
import { InvalidInputError } from "../errors.js";
import type { AppliedUser, DesiredUser } from "../model.js";
import type { Plan } from "../plan/plan-types.js";
import { targetPlan, unknownTargets } from "../plan/target-plan.js";

/** The plan for the targeted users, or the whole plan without targets; an unknown id is an error, before anything is sent. */
export function applyTargets(
  plan: Plan,
  targets: readonly string[],
  desired: readonly DesiredUser[],
  applied: ReadonlyMap<string, AppliedUser>,
): Plan {
  if (targets.length === 0) return plan;
  const unknown = unknownTargets(targets, desired, applied);
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `unknown --target ${unknown.join(", ")}; nothing was changed`,
      unknown.map((id) => ({
        severity: "error" as const,
        summary: `--target ${id} names no declared user and no user in state`,
        detail: "Check the employeeID (it is case-sensitive), or drop this --target.",
        field: "--target",
      })),
    );
  }
  return targetPlan(plan, targets, desired);
}
