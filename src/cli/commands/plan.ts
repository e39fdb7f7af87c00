/** `plan`: declarations against state; never writes state, and calls the API only to read users (--refresh). */
import { appendFile } from "node:fs/promises";
import { ConfigError } from "../../errors.js";
import { planToJson } from "../../plan/render-json.js";
import { type MarkdownOptions, renderPlanMarkdown } from "../../plan/render-markdown.js";
import { renderPlanTextChunks } from "../../plan/render-text.js";
import { SAVED_PLAN_FORMAT_VERSION } from "../../plan/saved-plan.js";
import { DEFAULT_DEACTIVATION_LIMIT, type DeactivationLimit, withMassDeactivationWarning } from "../../plan/safety-guard.js";
import { driftToJson, renderDriftText } from "../../refresh/render-drift.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { journaledNote } from "../../state/state-journal.js";
import type { StateStore } from "../../state/state-store.js";
import { loadDesired, planAgainstState } from "../load-and-plan.js";
import {
  apiSettings,
  type CommonFlags,
  declarationsDir,
  type Environment,
  githubSettings,
  lockTimeoutMs,
  openStateFromFlags,
  planFormat,
} from "../options.js";
import { type Output, printAnnotations } from "../output.js";
import { contactMask } from "../../plan/mask-contacts.js";
import { writePlanFile } from "../plan-file.js";
import { applyTargets } from "../targets.js";
import { TOOL_VERSION } from "../tool-version.js";

export interface PlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly format?: string;
  readonly detailedExitcode?: boolean;
  readonly out?: string;
  readonly target?: readonly string[];
  readonly maxDeactivate?: DeactivationLimit;
  readonly refresh?: boolean;
  readonly compact?: boolean;
  /** --allow-other-api (with --refresh): read from another API than the state was applied against. */
  readonly allowOtherApi?: boolean;
  /** Mask e-mail addresses and phone numbers in the markdown view and the step summary (the text and JSON views stay whole). */
  readonly maskContacts?: boolean;
  /** --refresh-only: show drift (and save it with --out) instead of planning from the declarations. */
  readonly refreshOnly?: boolean;
  /** --lock[=true|false]: hold the state lock while reading; absent: only when --lock-timeout is given. */
  readonly lock?: boolean;
  readonly lockTimeout?: number;
}

/**
 * Plan reads without the state lock unless asked (--lock, or --lock-timeout): a state file is
 * replaced by a rename and its journal folded in, so a read is a whole state, and a pull-request
 * job whose state credentials are read-only (a PostgreSQL role without INSERT) must be able to plan.
 * With the lock it waits for a running apply and plans from what that apply left.
 */
export function planLock(flags: PlanFlags, env: Environment, output: Output): <T>(store: StateStore, read: () => Promise<T>) => Promise<T> {
  const wanted = flags.lock ?? flags.lockTimeout !== undefined;
  return async (store, read) => {
    if (!wanted) return read();
    const timeoutMs = lockTimeoutMs(flags, env);
    if (timeoutMs > 0 && !flags.json) output.err(`Acquiring the state lock (waiting up to ${Math.round(timeoutMs / 1000)}s)…`);
    const lock = await store.lock("plan", { timeoutMs });
    if (lock.takenOver && !flags.json) output.err(lock.takenOver.message);
    try {
      return await read();
    } finally {
      await lock.release();
    }
  };
}

export async function runPlan(flags: PlanFlags, env: Environment, output: Output): Promise<number> {
  if (flags.refreshOnly) return (await import("./refresh-only.js")).runPlanRefreshOnly(flags, env, output, planLock(flags, env, output));
  const format = planFormat(flags);
  const github = githubSettings(env);
  if (flags.refresh && flags.out) {
    // A saved plan is checked against the stored state's serial; a refreshed state is not stored by plan.
    throw new ConfigError(
      "plan --refresh cannot be saved with --out: run `apply --refresh` instead, or refresh first and save a plain plan",
    );
  }
  const store = openStateFromFlags(flags, env);
  // The client (and ky) loads only for --refresh: a plain plan never calls the API.
  const reader = flags.refresh ? new (await import("../../api/client.js")).RuangkerjaClient(apiSettings(env)) : undefined;
  const dir = declarationsDir(flags);
  const { users, digest, files } = await loadDesired(dir, output);
  const context = await planLock(
    flags,
    env,
    output,
  )(store, () =>
    planAgainstState(users, store, reader, reader && { apiOrigin: reader.apiOrigin, allowOtherApi: flags.allowOtherApi === true }),
  );
  if (context.state.journaled && !flags.json) output.err(journaledNote(store.location, context.state.journaled, "plan"));
  const targets = flags.target ?? [];
  const targeted = applyTargets(context.plan, targets, users, context.state.users);
  // The guard's warning joins the plan's own, so every view (and a saved plan) carries it.
  const plan = withMassDeactivationWarning(targeted, {
    managed: context.state.users.size,
    limit: flags.maxDeactivate ?? DEFAULT_DEACTIVATION_LIMIT,
    files,
    dir,
  });
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
  // The pull-request view (stdout with --format markdown, and the job summary): drift inside its budget.
  const markdown: MarkdownOptions = {
    maskContacts: flags.maskContacts === true,
    ...(context.drift && { drift: context.drift }),
    ...(flags.out && { planFile: flags.out }),
  };
  if (format === "text") {
    if (context.drift) output.out(`${renderDriftText(context.drift, { color: output.color })}\n`);
    // In pieces: the text of a 100,000-user plan is never built as one string.
    for (const chunk of renderPlanTextChunks(plan, { color: output.color, compact: flags.compact === true })) output.out(chunk);
  } else if (format === "markdown") output.out(renderPlanMarkdown(plan, markdown).trimEnd());
  else output.out(JSON.stringify({ ...planToJson(plan), ...(context.drift && { drift: driftToJson(context.drift) }) }));
  // The annotations show on the pull request's diff: masked with the comment (the text plan in the log stays whole).
  const mask = flags.maskContacts === true ? contactMask(plan, context.drift) : undefined;
  printAnnotations(
    output,
    mask
      ? plan.warnings.map((w) => ({ ...w, summary: mask.text(w.summary), ...(w.detail !== undefined && { detail: mask.text(w.detail) }) }))
      : plan.warnings,
  );
  if (flags.out) output.err(`Saved the plan to ${flags.out}. To carry out exactly this plan: ruangkerja-users apply ${flags.out}`);
  if (github.stepSummary) await appendStepSummary(github.stepSummary, renderPlanMarkdown(plan, markdown));
  if (flags.detailedExitcode && plan.actions.length > 0) return EXIT_CHANGES;
  return EXIT_OK;
}

async function appendStepSummary(path: string, markdown: string): Promise<void> {
  try {
    await appendFile(path, `${markdown}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot append the plan to GITHUB_STEP_SUMMARY (${path}${code ? `, ${code}` : ""})`, { cause: error });
  }
}
