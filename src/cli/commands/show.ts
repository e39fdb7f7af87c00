/**
 * `show PLANFILE`: a saved plan made readable for a reviewer (as Terraform's `show`), after the
 * same checks as `apply PLANFILE`: the folder, staleness, and that planning again from the
 * declarations and the state gives exactly the file's plan. What it prints is that fresh plan, so
 * a reviewer reads what apply would do, never what an edited file claims. Never calls the API,
 * never writes.
 */
import { planToJson } from "../../plan/render-json.js";
import { renderPlanMarkdown } from "../../plan/render-markdown.js";
import { renderPlanTextChunks } from "../../plan/render-text.js";
import { DEFAULT_DEACTIVATION_LIMIT, withMassDeactivationWarning } from "../../plan/safety-guard.js";
import { stalePlanReasons } from "../../plan/saved-plan.js";
import { EXIT_OK } from "../exit-codes.js";
import { loadDesired, planAgainstState } from "../load-and-plan.js";
import { type CommonFlags, declarationsDir, type Environment, openStateFromFlags, planFormat } from "../options.js";
import type { Output } from "../output.js";
import { readPlanFile } from "../plan-file.js";
import { checkPlanFolder, checkPlanUnmodified, stalePlanError } from "../saved-plan-check.js";
import { applyTargets } from "../targets.js";
import { TOOL_VERSION } from "../tool-version.js";

export interface ShowFlags extends CommonFlags {
  readonly format?: string;
  readonly json?: boolean;
  readonly maskContacts?: boolean;
}

export async function runShow(planFile: string, flags: ShowFlags, env: Environment, output: Output): Promise<number> {
  const format = planFormat(flags);
  const saved = await readPlanFile(planFile);
  const dir = declarationsDir(flags);
  checkPlanFolder(planFile, saved, dir);
  const { users, digest, files } = await loadDesired(dir, output);
  const store = openStateFromFlags(flags, env);
  const context = await planAgainstState(users, store);
  const reasons = stalePlanReasons(saved, {
    toolVersion: TOOL_VERSION,
    state: context.isNewState ? null : { lineage: context.state.lineage, serial: context.state.serial },
    declarationsDigest: digest,
    stateLocation: store.location,
    declarationsDir: dir,
  });
  if (reasons.length > 0) throw stalePlanError(planFile, reasons);
  const targeted = applyTargets(context.plan, saved.targets, users, context.state.users);
  checkPlanUnmodified(planFile, saved, targeted);
  const plan = withMassDeactivationWarning(targeted, {
    managed: context.state.users.size,
    limit: DEFAULT_DEACTIVATION_LIMIT,
    files,
    dir,
  });

  const basis = saved.state ? `state serial ${saved.state.serial} of ${store.location}` : `no state yet (${store.location})`;
  if (format !== "json") {
    output.err(
      `${planFile}: made ${saved.createdAt} by ruangkerja-users ${saved.toolVersion} from ${dir} and ${basis}. Checked: it is exactly what they give now, so apply ${planFile} carries out this plan.`,
    );
  }
  if (format === "text") {
    for (const chunk of renderPlanTextChunks(plan, { color: output.color })) output.out(chunk);
  } else if (format === "markdown") {
    output.out(renderPlanMarkdown(plan, { maskContacts: flags.maskContacts === true, planFile }).trimEnd());
  } else {
    output.out(
      JSON.stringify({
        savedPlan: {
          file: planFile,
          createdAt: saved.createdAt,
          toolVersion: saved.toolVersion,
          declarationsDir: dir,
          state: saved.state,
          targets: saved.targets,
          verified: true,
        },
        ...planToJson(plan),
      }),
    );
  }
  return EXIT_OK;
}
