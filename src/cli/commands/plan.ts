/** `plan`: declarations against state; never calls the API, never writes state. */
import { planToJson } from "../../plan/render-json.js";
import { renderPlanText } from "../../plan/render-text.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { loadAndPlan } from "../load-plan.js";
import { type CommonFlags, declarationsDir, type Environment, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  const store = openStateFromFlags(flags, env);
  const { plan } = await loadAndPlan(declarationsDir(flags), store, output);
  output.out(flags.json ? JSON.stringify(planToJson(plan)) : renderPlanText(plan, { color: output.color }));
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}
