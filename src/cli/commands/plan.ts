/** `plan`: declarations against state; never writes state, and calls the API only to read users (--refresh). */
import { RuangkerjaClient } from "../../api/client.js";
import { planToJson } from "../../plan/render-json.js";
import { renderPlanText } from "../../plan/render-text.js";
import { driftToJson, renderDriftText } from "../../refresh/render-drift.js";
import { FileStateStore } from "../../state/state-file.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { loadAndPlan } from "../load-plan.js";
import { apiSettings, type CommonFlags, declarationsDir, type Environment, statePath } from "../options.js";
import type { Output } from "../output.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
  readonly refresh?: boolean;
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  const store = new FileStateStore(statePath(flags, env));
  const reader = flags.refresh ? new RuangkerjaClient(apiSettings(env)) : undefined;
  const { plan, drift } = await loadAndPlan(declarationsDir(flags), store, output, reader);
  if (flags.json) output.out(JSON.stringify({ ...planToJson(plan), ...(drift && { drift: driftToJson(drift) }) }));
  else
    output.out(`${drift ? `${renderDriftText(drift, { color: output.color })}\n\n` : ""}${renderPlanText(plan, { color: output.color })}`);
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}
