/**
 * `apply`: lock state, plan, confirm, apply, save state after every bulk call, release the lock.
 * Bad declarations or configuration stop it before any API call or state write.
 */
import { RuangkerjaClient } from "../../api/client.js";
import { applyPlan } from "../../apply/apply-plan.js";
import { previousEmployeeIDsOf } from "../../apply/locate-user.js";
import { applyResultToJson, renderApplyResult } from "../../apply/render-result.js";
import { resolvePasswords } from "../../apply/passwords.js";
import { ConfigError, InvalidInputError, MassDeactivationError, NotApprovedError } from "../../errors.js";
import type { Plan } from "../../plan/plan-types.js";
import { renderPlanText } from "../../plan/render-text.js";
import { type SavedPlanFile, stalePlanReasons } from "../../plan/saved-plan.js";
import {
  checkMassDeactivation,
  DEFAULT_DEACTIVATION_LIMIT,
  type DeactivationLimit,
  massDeactivationDiagnostic,
} from "../../plan/safety-guard.js";
import { driftToJson, renderDriftText } from "../../refresh/render-drift.js";
import { StateSession } from "../../state/state-session.js";
import type { StateLock, StateStore } from "../../state/state-store.js";
import { confirm } from "../confirm.js";
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from "../exit-codes.js";
import { journaledNote } from "../../state/state-journal.js";
import { loadDesired, planAgainstState } from "../load-and-plan.js";
import { apiSettings, type CommonFlags, declarationsDir, type Environment, lockTimeoutMs, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";
import { readPlanFile } from "../plan-file.js";
import { isRefreshPlanFile } from "../refresh-plan-file.js";
import { checkPlanFolder, checkPlanUnmodified, stalePlanError } from "../saved-plan-check.js";
import { createProgress, type ProgressReporter } from "../progress.js";
import { applyTargets } from "../targets.js";
import { TOOL_VERSION } from "../tool-version.js";

export interface ApplyFlags extends CommonFlags {
  readonly autoApprove?: boolean;
  readonly chunkSize: number;
  readonly parallelism: number;
  readonly requestTimeout: number;
  /** Attempts per request (default 5); absent when called from code that predates the flag. */
  readonly maxAttempts?: number;
  readonly json?: boolean;
  readonly compact?: boolean;
  readonly adopt?: boolean;
  readonly lockTimeout?: number;
  readonly maxDeactivate?: DeactivationLimit;
  readonly allowMassDeactivation?: boolean;
  /** --allow-other-api: use a state recorded against another API (it then records this one). */
  readonly allowOtherApi?: boolean;
  readonly refresh?: boolean;
  readonly target?: readonly string[];
  /**
   * A plan saved by `plan --out`: carried out when planning again from the declarations (--dir)
   * and the state gives exactly it; refused when stale or modified.
   */
  readonly planFile?: string;
  /** --refresh-only: accept RuangKerja's drift into state, change nothing there (refresh-only.ts). */
  readonly refreshOnly?: boolean;
}

export interface ApplyIO {
  readonly output: Output;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly prompt: NodeJS.WritableStream;
}

export async function runApply(flags: ApplyFlags, env: Environment, io: ApplyIO): Promise<number> {
  // A refresh-only plan (saved or not) writes state only: its own path, which never plans from the declarations.
  if (flags.refreshOnly || (flags.planFile && (await isRefreshPlanFile(flags.planFile)))) {
    return (await import("./refresh-only.js")).runApplyRefreshOnly(flags, env, io);
  }
  const { output } = io;
  const client = new RuangkerjaClient({
    ...apiSettings(env),
    timeoutMs: flags.requestTimeout * 1000,
    ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
  });
  const interactive = io.stdin.isTTY === true && !flags.json;
  // A saved plan was reviewed when it was made (as with Terraform): it is not confirmed again.
  const saved = flags.planFile ? await readSavedPlan(flags.planFile, flags) : undefined;
  if (!flags.autoApprove && !interactive && !saved) {
    throw new NotApprovedError(
      flags.json
        ? "apply --json needs --auto-approve or a saved plan (there is no one to answer the confirmation)"
        : "apply needs confirmation, but standard input is not a terminal: run it in a terminal, or pass --auto-approve (e.g. in CI after a reviewed plan)",
    );
  }
  // The command line (or the default) names the folder, never the plan file.
  const dir = declarationsDir(flags);
  if (saved) checkPlanFolder(flags.planFile as string, saved, dir);
  // Validate before taking the lock: bad input changes nothing, not even the lock file.
  const declarations = await loadDesired(dir, output);
  if (saved && saved.declarationsDigest !== declarations.digest) {
    // Checked before the lock too: a stale plan leaves nothing behind, not even a lock file.
    throw stalePlanError(flags.planFile as string, [`the declarations in ${dir} changed since`]);
  }
  // Exchanges client credentials now, so wrong ones fail before the lock, the plan and any change.
  await client.authenticate();
  const timeoutMs = lockTimeoutMs(flags, env);
  const store = openStateFromFlags(flags, env);
  if (timeoutMs > 0 && !flags.json) output.err(`Acquiring the state lock (waiting up to ${Math.round(timeoutMs / 1000)}s)…`);
  const lock = await store.lock("apply", { timeoutMs });
  if (lock.takenOver && !flags.json) output.err(lock.takenOver.message);
  const signals = new ApplySignals(lock, client, output);
  try {
    return await applyLocked({ flags, env, io, client, store, saved, dir, declarations, signals });
  } finally {
    signals.uninstall();
    await lock.release();
  }
}

/**
 * Signals during apply. Until approval a signal just cancels (the caller's finally frees the
 * lock); after it, a first signal lets the requests in flight finish and be saved, a second one
 * exits at once.
 */
class ApplySignals {
  readonly cancel = new AbortController();
  readonly stop = new AbortController();
  approved = false;
  progress: ProgressReporter | undefined;
  private readonly onSignal = () => {
    this.progress?.clear();
    if (!this.approved) {
      this.cancel.abort();
      return;
    }
    if (this.stop.signal.aborted) {
      this.lock.releaseSync();
      process.exit(EXIT_INTERRUPTED);
    }
    this.stop.abort();
    this.client.stopRetrying();
    this.output.err("Interrupted: finishing the requests in flight and saving state. Send the signal again to stop at once.");
  };

  constructor(
    private readonly lock: StateLock,
    private readonly client: RuangkerjaClient,
    private readonly output: Output,
  ) {
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  uninstall(): void {
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
  }
}

interface LockedApply {
  readonly flags: ApplyFlags;
  readonly env: Environment;
  readonly io: ApplyIO;
  readonly client: RuangkerjaClient;
  readonly store: StateStore;
  readonly saved: SavedPlanFile | undefined;
  readonly dir: string;
  readonly declarations: Awaited<ReturnType<typeof loadDesired>>;
  readonly signals: ApplySignals;
}

/** Under the lock: plan (again, for a saved plan, and compare), refuse what must be refused, confirm, apply, report. */
async function applyLocked(run: LockedApply): Promise<number> {
  const { flags, io, client, store, saved, dir, signals } = run;
  const { output } = io;
  const { users, digest } = run.declarations;
  const planned = await planAgainstState(users, store, flags.refresh ? client : undefined, {
    apiOrigin: client.apiOrigin,
    allowOtherApi: flags.allowOtherApi === true,
  });
  const { state, drift } = planned;
  if (state.journaled && !flags.json) output.err(journaledNote(store.location, state.journaled, "apply"));
  const driftJson = drift && { drift: driftToJson(drift) };
  if (drift && !flags.json) output.out(`${renderDriftText(drift, { color: output.color })}\n`);
  if (saved) {
    const reasons = stalePlanReasons(saved, {
      toolVersion: TOOL_VERSION,
      state: planned.isNewState ? null : { lineage: state.lineage, serial: state.serial },
      declarationsDigest: digest,
      stateLocation: store.location,
      declarationsDir: dir,
    });
    if (reasons.length > 0) throw stalePlanError(flags.planFile as string, reasons);
  }
  // With a saved plan too, what is printed and sent is this plan, made now: the file's actions
  // are only compared with it, so an edited file is refused and never carried out.
  const plan = applyTargets(planned.plan, saved ? saved.targets : (flags.target ?? []), users, state.users);
  if (saved) checkPlanUnmodified(flags.planFile as string, saved, plan);
  if (plan.actions.length === 0) {
    const none = { succeeded: 0, failed: 0, failures: [], requests: { "create-bulk": 0, "update-bulk": 0, update: 0 } };
    output.out(
      flags.json
        ? JSON.stringify({ ...applyResultToJson(none, plan.warnings), ...driftJson })
        : renderPlanText(plan, { color: output.color }),
    );
    // Nothing to send, but state should still say what RuangKerja holds now, and hold what its journal does.
    const refreshed = drift !== undefined && drift.users.length > 0;
    if (refreshed || state.journaled) {
      await new StateSession(store, state, client.apiOrigin).save();
      if (refreshed && !flags.json)
        output.err(
          `State refreshed to match RuangKerja (${drift.users.length} drifted user${drift.users.length === 1 ? "" : "s"}); saved to ${store.location}.`,
        );
    }
    return EXIT_OK;
  }
  if (!flags.json) output.out(renderPlanText(plan, { color: output.color, compact: flags.compact === true }));
  const passwords = refuseBeforeApproval(run, plan, state.users.size);
  if (!flags.autoApprove && !saved) {
    const yes = await confirm(
      `\nApply these changes to RuangKerja at ${client.displayUrl}?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `,
      io.stdin,
      io.prompt,
      signals.cancel.signal,
    );
    if (!yes) throw new NotApprovedError("Apply cancelled: nothing was changed.");
  }
  if (signals.cancel.signal.aborted) throw new NotApprovedError("Apply cancelled: nothing was changed.");
  signals.approved = true;
  const session = new StateSession(store, state, client.apiOrigin);
  // The refreshed users are what RuangKerja holds now, whatever the calls below achieve.
  if (drift && drift.users.length > 0) await session.save();
  // One request needs no progress; --json prints nothing but its result.
  const progress =
    plan.actions.length > flags.chunkSize && !flags.json
      ? createProgress({ total: plan.actions.length, stream: io.prompt, isTTY: output.stderrIsTTY })
      : undefined;
  signals.progress = progress;
  const result = await applyPlan(plan, client, session, {
    chunkSize: flags.chunkSize,
    parallelism: flags.parallelism,
    onProgress: progress ? (done, _total, failed) => progress.update(done, failed) : undefined,
    signal: signals.stop.signal,
    adopt: flags.adopt === true,
    passwords,
    previousEmployeeIDs: previousEmployeeIDsOf(users),
  });
  progress?.finish();
  output.out(
    flags.json
      ? JSON.stringify({ ...applyResultToJson(result, plan.warnings), ...driftJson })
      : renderApplyResult(result, { color: output.color }),
  );
  if (!flags.json && result.succeeded > 0 && !result.stateNotWritten) output.err(`State saved to ${store.location}.`);
  if (signals.stop.signal.aborted) return EXIT_INTERRUPTED;
  return result.failed === 0 && !result.stoppedBecause ? EXIT_OK : EXIT_ERROR;
}

/** The mass-deactivation guard and the initial passwords, before the confirmation and any call: a refused run changes nothing. */
function refuseBeforeApproval(run: LockedApply, plan: Plan, managed: number): ReadonlyMap<string, string> {
  const { flags, env, dir } = run;
  const guard = checkMassDeactivation(plan, {
    managed,
    limit: flags.maxDeactivate ?? DEFAULT_DEACTIVATION_LIMIT,
    files: run.declarations.files,
    dir,
  });
  if (guard && !flags.allowMassDeactivation) {
    const refusal = massDeactivationDiagnostic(guard, "error");
    throw new MassDeactivationError(`apply refused: ${refusal.summary}; nothing was changed.\n${refusal.detail ?? ""}`);
  }
  const { passwords, diagnostics } = resolvePasswords(plan, (name) => env[name]);
  if (diagnostics.length > 0) {
    throw new InvalidInputError(`${diagnostics.length} initial password(s) missing; nothing was changed`, diagnostics);
  }
  return passwords;
}

async function readSavedPlan(path: string, flags: ApplyFlags): Promise<SavedPlanFile> {
  if (flags.target && flags.target.length > 0) {
    throw new ConfigError("--target cannot be combined with a saved plan: pass --target to `plan --out` instead");
  }
  if (flags.refresh) {
    throw new ConfigError(
      "--refresh cannot be combined with a saved plan: the plan was made from the state it names; run `apply --refresh` without a plan file",
    );
  }
  return readPlanFile(path);
}
