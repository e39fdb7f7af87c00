/** `plan`: declarations against state; never calls the API, never writes state. */
import { planToJson } from "../../plan/render-json.js";
import { renderPlanTextChunks } from "../../plan/render-text.js";
import { FileStateStore } from "../../state/state-file.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { loadAndPlan } from "../load-plan.js";
import { type CommonFlags, declarationsDir, type Environment, statePath } from "../options.js";
import type { Output } from "../output.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
  readonly compact?: boolean;
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  const store = new FileStateStore(statePath(flags, env));
  const { plan } = await loadAndPlan(declarationsDir(flags), store, output);
  if (flags.json) output.out(JSON.stringify(planToJson(plan)));
  // In pieces: the text of a 100,000-user plan is never built as one string.
  else for (const chunk of renderPlanTextChunks(plan, { color: output.color, compact: flags.compact === true })) output.out(chunk);
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}
