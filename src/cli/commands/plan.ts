/** `plan`: declarations against state; never calls the API, never writes state. */
import { planToJson } from "../../plan/render-json.js";
import { renderPlanText } from "../../plan/render-text.js";
import {
  checkMassDeactivation,
  DEFAULT_DEACTIVATION_LIMIT,
  type DeactivationLimit,
  massDeactivationDiagnostic,
} from "../../plan/safety-guard.js";
import { FileStateStore } from "../../state/state-file.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { loadDesired, planAgainstState } from "../load-plan.js";
import { type CommonFlags, declarationsDir, type Environment, statePath } from "../options.js";
import type { Output } from "../output.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
  readonly maxDeactivate?: DeactivationLimit;
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  const store = new FileStateStore(statePath(flags, env));
  const dir = declarationsDir(flags);
  const { users, files } = await loadDesired(dir, output);
  const { plan: planned, state } = await planAgainstState(users, store);
  // The guard's warning joins the plan's own, so the text and JSON views both carry it.
  const guard = checkMassDeactivation(planned, {
    managed: state.users.size,
    limit: flags.maxDeactivate ?? DEFAULT_DEACTIVATION_LIMIT,
    files,
    dir,
  });
  const plan = guard ? { ...planned, warnings: [...planned.warnings, massDeactivationDiagnostic(guard, "warning")] } : planned;
  output.out(flags.json ? JSON.stringify(planToJson(plan)) : renderPlanText(plan, { color: output.color }));
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}
