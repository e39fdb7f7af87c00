/**
 * Plan → API batches → per-item results, with the results of every call journaled and the state written at the end.
 *
 * Three parts, so that each can change without reading the others: the schedule (schedule.ts,
 * pure) turns the plan into phases of steps and groups them into requests; the run
 * (apply-run.ts) tallies what each step came to and hands steps on to later phases; the sender
 * (send-batch.ts) makes the calls, settles faults and keeps state. This file drives the phases.
 *
 * Within a phase up to `parallelism` requests are in flight. One item's failure never stops the
 * others; a rejected token, an unreachable API or a failed state write stops the run, and the
 * items not yet sent are reported as not attempted.
 */
import type { Plan } from "../plan/plan-types.js";
import type { StateSession } from "../state/state-session.js";
import { readAdoptedEmails } from "./adopt.js";
import type { ApplyClient } from "./apply-client.js";
import { ApplyRun } from "./apply-run.js";
import type { ApplyOptions, ApplyResult } from "./apply-types.js";
import { runPool } from "../concurrency/run-pool.js";
import { type Phase, scheduleApply, type Task, tasksFor } from "./schedule.js";
import { type AppliedState, BatchSender } from "./send-batch.js";
import { StateSaver } from "./state-saver.js";

export { NOT_ATTEMPTED } from "./apply-run.js";

export type { ApplyFailure, ApplyOptions, ApplyResult } from "./apply-types.js";

export async function applyPlan(plan: Plan, client: ApplyClient, session: StateSession, options: ApplyOptions = {}): Promise<ApplyResult> {
  const run = new ApplyRun(plan, { counts: client.counts, adopt: options.adopt === true, signal: options.signal });
  await runSchedule(scheduleApply(plan), run, client, session, options);
  return run.result();
}

export type ScheduleOptions = Pick<
  ApplyOptions,
  "chunkSize" | "parallelism" | "onProgress" | "passwords" | "stateSyncIntervalMs" | "previousEmployeeIDs"
>;

/**
 * Sends the phases in order, recording every result in `run` and what landed in `state`
 * (journaled after every call, written whole at the end); `run.result()` then says what came of it. For a
 * caller with its own schedule and no state file (tf-sync: NO_STATE).
 */
export async function runSchedule(
  phases: readonly Phase[],
  run: ApplyRun,
  client: ApplyClient,
  state: AppliedState,
  options: ScheduleOptions = {},
): Promise<void> {
  const chunkSize = options.chunkSize ?? 100;
  const parallelism = options.parallelism ?? 4;
  // Journals each call's results, and writes the whole state at the end (state-saver.ts).
  const saver = new StateSaver(state, options.stateSyncIntervalMs === undefined ? {} : { syncIntervalMs: options.stateSyncIntervalMs });
  const sender = new BatchSender({
    client,
    run,
    state,
    afterCall: () => saver.afterCall(),
    passwords: options.passwords,
    previousEmployeeIDs: options.previousEmployeeIDs,
  });
  const send = async (task: Task) => {
    await sender.send(task);
    const { done, total, failed } = run.progress();
    options.onProgress?.(done, total, failed);
  };
  const sendAll = (tasks: Task[]) => runPool(tasks, parallelism, send, () => run.stopping);

  for (const phase of phases) {
    const steps = [...phase.steps, ...run.takeHandedOn(phase.stage)];
    if (steps.length === 0) continue;
    if (run.stopping) {
      // Adoptions say why at once; the other steps are reported with every unsent user at the end.
      if (phase.stage === "adopt") run.notSent(steps, "the run stopped before this existing user was adopted");
      continue;
    }
    if (phase.retriesHeld) run.holdRetries();
    await sendAll(tasksFor(phase.stage, steps, chunkSize));
    if (!phase.retriesHeld) continue;
    // A username moving from one user to another is refused if the taker comes first: retry once.
    const retry = run.retryHeld();
    if (retry.length > 0) await sendAll(tasksFor(phase.stage, retry, chunkSize));
  }
  await keepAdoptedEmails(client, state, run, saver);
  try {
    await saver.flush();
  } catch (error) {
    run.stateWriteFailed(error);
  }
}

/** State takes the e-mail RuangKerja holds for each adopted user (see adopt.ts). */
async function keepAdoptedEmails(client: ApplyClient, state: AppliedState, run: ApplyRun, saver: StateSaver): Promise<void> {
  const withEmails = await readAdoptedEmails(client, run.adopted);
  if (withEmails.length === 0) return;
  for (const user of withEmails) state.put(user);
  try {
    await saver.afterCall();
  } catch (error) {
    run.stateWriteFailed(error, "the e-mails read back from adopted users are missing from it");
  }
}
