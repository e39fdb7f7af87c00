/**
 * `apply`: lock state, plan, confirm, apply, save state after every bulk call, release the lock.
 * Bad declarations or configuration stop it before any API call or state write.
 */
import { RuangkerjaClient } from "../../api/client.js";
import { applyPlan } from "../../apply/apply-plan.js";
import { applyResultToJson, renderApplyResult } from "../../apply/render-result.js";
import { NotApprovedError } from "../../errors.js";
import { renderPlanText } from "../../plan/render-text.js";
import { StateSession } from "../../state/state-session.js";
import { confirm } from "../confirm.js";
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from "../exit-codes.js";
import { loadDesired, planAgainstState } from "../load-plan.js";
import { apiSettings, type CommonFlags, declarationsDir, type Environment, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";

export interface ApplyFlags extends CommonFlags {
  readonly autoApprove?: boolean;
  readonly chunkSize: number;
  readonly parallelism: number;
  readonly requestTimeout: number;
  readonly json?: boolean;
}

export interface ApplyIO {
  readonly output: Output;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly prompt: NodeJS.WritableStream;
}

export async function runApply(flags: ApplyFlags, env: Environment, io: ApplyIO): Promise<number> {
  const { output } = io;
  const api = apiSettings(env);
  const client = new RuangkerjaClient({ ...api, timeoutMs: flags.requestTimeout * 1000 });
  const interactive = io.stdin.isTTY === true && !flags.json;
  if (!flags.autoApprove && !interactive) {
    throw new NotApprovedError(
      flags.json
        ? "apply --json needs --auto-approve (there is no one to answer the confirmation)"
        : "apply needs confirmation, but standard input is not a terminal: run it in a terminal, or pass --auto-approve (e.g. in CI after a reviewed plan)",
    );
  }
  const dir = declarationsDir(flags);
  // Validate before taking the lock: bad input changes nothing, not even the lock file.
  const { users } = await loadDesired(dir, output);

  const store = openStateFromFlags(flags, env);
  const lock = await store.lock("apply");
  // Until approval a signal just cancels (the finally below frees the lock); after it, a first
  // signal lets the requests in flight finish and be saved, a second one exits at once.
  const cancel = new AbortController();
  const stop = new AbortController();
  let approved = false;
  const onSignal = () => {
    if (!approved) {
      cancel.abort();
      return;
    }
    if (stop.signal.aborted) {
      lock.releaseSync();
      process.exit(EXIT_INTERRUPTED);
    }
    stop.abort();
    output.err("Interrupted: finishing the requests in flight and saving state. Send the signal again to stop at once.");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const { plan, state } = await planAgainstState(users, store);
    if (plan.actions.length === 0) {
      const none = { succeeded: 0, failed: 0, failures: [], requests: { "create-bulk": 0, "update-bulk": 0, update: 0 } };
      output.out(flags.json ? JSON.stringify(applyResultToJson(none, plan.warnings)) : renderPlanText(plan, { color: output.color }));
      return EXIT_OK;
    }
    if (!flags.json) output.out(renderPlanText(plan, { color: output.color }));
    if (!flags.autoApprove) {
      const yes = await confirm(
        `\nApply these changes to RuangKerja at ${client.displayUrl}?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `,
        io.stdin,
        io.prompt,
        cancel.signal,
      );
      if (!yes) throw new NotApprovedError("Apply cancelled: nothing was changed.");
    }
    if (cancel.signal.aborted) throw new NotApprovedError("Apply cancelled: nothing was changed.");
    approved = true;
    const session = new StateSession(store, state);
    const progress = progressPrinter(output, plan.actions.length, flags.chunkSize);
    const result = await applyPlan(plan, client, session, {
      chunkSize: flags.chunkSize,
      parallelism: flags.parallelism,
      onProgress: progress,
      signal: stop.signal,
    });
    output.out(flags.json ? JSON.stringify(applyResultToJson(result, plan.warnings)) : renderApplyResult(result, { color: output.color }));
    if (!flags.json && result.succeeded > 0) output.err(`State saved to ${store.location}.`);
    if (stop.signal.aborted) return EXIT_INTERRUPTED;
    return result.failed === 0 && !result.stoppedBecause ? EXIT_OK : EXIT_ERROR;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await lock.release();
  }
}

/** Plain progress lines on stderr, at most one a second, for runs of more than one request. */
function progressPrinter(output: Output, total: number, chunkSize: number): ((done: number, total: number) => void) | undefined {
  if (total <= chunkSize) return undefined;
  let last = Date.now();
  return (done) => {
    const now = Date.now();
    if (done < total && now - last < 1000) return;
    last = now;
    output.err(`Applied ${done}/${total} changes…`);
  };
}
