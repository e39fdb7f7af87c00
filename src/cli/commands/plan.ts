/** `plan`: declarations against state; never calls the API, never writes state. */
import { appendFile } from "node:fs/promises";
import { ConfigError } from "../../errors.js";
import type { Plan } from "../../plan/plan-types.js";
import { planToJson } from "../../plan/render-json.js";
import { renderPlanMarkdown } from "../../plan/render-markdown.js";
import { renderPlanText } from "../../plan/render-text.js";
import { SAVED_PLAN_FORMAT_VERSION } from "../../plan/saved-plan.js";
import { FileStateStore } from "../../state/state-file.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { loadDesired, planAgainstState } from "../load-plan.js";
import { type CommonFlags, declarationsDir, type Environment, githubSettings, planFormat, statePath } from "../options.js";
import { type Output, printAnnotations } from "../output.js";
import { writePlanFile } from "../plan-file.js";
import { applyTargets } from "../targets.js";
import { TOOL_VERSION } from "../tool-version.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly format?: string;
  readonly detailedExitcode?: boolean;
  readonly out?: string;
  readonly target?: readonly string[];
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  const format = planFormat(flags);
  const github = githubSettings(env);
  const store = new FileStateStore(statePath(flags, env));
  const dir = declarationsDir(flags);
  const { users, digest } = await loadDesired(dir, output);
  const context = await planAgainstState(users, store);
  const targets = flags.target ?? [];
  const plan = applyTargets(context.plan, targets, users, context.state.users);
  if (flags.out) {
    await writePlanFile(flags.out, {
      formatVersion: SAVED_PLAN_FORMAT_VERSION,
      toolVersion: TOOL_VERSION,
      createdAt: new Date().toISOString(),
      state: context.isNewState ? null : { lineage: context.state.lineage, serial: context.state.serial },
      declarationsDigest: digest,
      declarationsDir: dir,
      targets,
      plan,
    });
  }
  output.out(renderPlan(plan, format, output.color));
  printAnnotations(output, plan.warnings);
  if (flags.out) output.err(`Saved the plan to ${flags.out}. To carry out exactly this plan: ruangkerja-users apply ${flags.out}`);
  if (github.stepSummary) await appendStepSummary(github.stepSummary, renderPlanMarkdown(plan));
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}

function renderPlan(plan: Plan, format: "text" | "json" | "markdown", color: boolean): string {
  if (format === "json") return JSON.stringify(planToJson(plan));
  if (format === "markdown") return renderPlanMarkdown(plan).trimEnd();
  return renderPlanText(plan, { color });
}

async function appendStepSummary(path: string, markdown: string): Promise<void> {
  try {
    await appendFile(path, `${markdown}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot append the plan to GITHUB_STEP_SUMMARY (${path}${code ? `, ${code}` : ""})`, { cause: error });
  }
}
