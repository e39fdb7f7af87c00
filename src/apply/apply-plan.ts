/**
 * Plan → API batches → per-item results, with state saved after every call.
 *
 * Order: updates, renames and deactivations first, creates after, so that a create reusing a
 * username or an id that an update frees in the same plan does not collide. Within a phase up
 * to `parallelism` requests are in flight. One item's failure never stops the others; a
 * rejected token, an unreachable API or a failed state write stops the run, and the items not
 * yet sent are reported as not attempted. An update refused because another user holds the
 * username or e-mail is tried once more after the other updates, which may free it.
 *
 * Faults: a create that meets USER_EMPLOYEE_ID_EXISTS, or a rename that meets USER_NOT_FOUND for
 * the old id, may be meeting its own earlier attempt whose reply was lost: the user is read back
 * and, when it holds what was sent, recorded as applied (read-back.ts). A bulk call refused for
 * its size (413, TOO_MANY_ITEMS) is split in halves and sent again, down to single users.
 *
 * E-mail changes (email-changes.ts) run after the updates and before the creates; `--adopt`
 * (adopt.ts) turns creates refused with USER_EMPLOYEE_ID_EXISTS (and not proved ours by a
 * read-back) into updates, after the creates.
 */
import type { RequestKind } from "../api/client.js";
import type { BulkResult } from "../api/types.js";
import type { SourceLocation } from "../diagnostics.js";
import { ApiError, type ApiReplyError } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { ActionKind, Plan, PlannedAction } from "../plan/plan-types.js";
import type { StateSession } from "../state/state-session.js";
import { adoptedWithoutEmail, isTakenEmployeeID, readAdoptedEmails, withAdoptHint } from "./adopt.js";
import type { ApplyClient } from "./apply-client.js";
import { changesEmail, changesRecord, sendEmails, withoutEmailChange } from "./email-changes.js";
import { createBody, currentEmployeeID, needsSingleUpdate, updateBulkItem, updateUserBody } from "./payloads.js";
import {
  CREATE_FIELDS,
  describeDifferences,
  type ReadBackResult,
  readBack,
  SERIAL_NOT_KNOWN,
  UPDATE_BULK_FIELDS,
  UPDATE_ONE_FIELDS,
} from "./read-back.js";
import { runPool } from "./run-pool.js";
import { StateSaver } from "./state-saver.js";

export interface ApplyOptions {
  /** Items per bulk call. @default 100 */
  readonly chunkSize?: number;
  /** Requests in flight at once. @default 4 */
  readonly parallelism?: number;
  /** Called after every request with the count of actions finished so far, and of those failed. */
  readonly onProgress?: (done: number, total: number, failed: number) => void;
  /** When aborted, no new request is started; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
  /** A create that meets USER_EMPLOYEE_ID_EXISTS updates that user instead of failing. @default false */
  readonly adopt?: boolean;
  /** Initial passwords by employeeID, for creates whose user has passwordEnv (see resolvePasswords). */
  readonly passwords?: ReadonlyMap<string, string>;
  /**
   * Time between state writes, as a multiple of the last write's duration (see state-saver.ts);
   * 0 writes after every call that landed something. @default 10
   */
  readonly stateWriteSpacing?: number;
}

export interface ApplyFailure {
  readonly action: ActionKind;
  readonly employeeID: string;
  readonly previousEmployeeID?: string;
  readonly errorCode: number | string;
  readonly message: string;
  readonly detail: string;
  readonly source?: SourceLocation;
}

export interface ApplyResult {
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: ApplyFailure[];
  readonly requests: { "create-bulk": number; "update-bulk": number; update: number; "update-email-bulk"?: number };
  /** Why the run stopped early, if it did. */
  readonly stoppedBecause?: string;
  /** Creates and renames that met their own earlier attempt (a lost reply) and were confirmed by reading the user back. */
  readonly confirmedByReadBack?: number;
  /** Bulk calls refused for their size and split in halves. */
  readonly batchesSplit?: number;
}

export const NOT_ATTEMPTED = "NOT_ATTEMPTED";

type BulkKind = "create-bulk" | "update-bulk" | "update-email-bulk";
type Task = { kind: BulkKind; actions: PlannedAction[] } | { kind: "update"; actions: [PlannedAction] };

export async function applyPlan(plan: Plan, client: ApplyClient, session: StateSession, options: ApplyOptions = {}): Promise<ApplyResult> {
  const chunkSize = options.chunkSize ?? 100;
  const parallelism = options.parallelism ?? 4;
  const failures: ApplyFailure[] = [];
  const startCounts = { ...client.counts };
  const sentSince = (kind: RequestKind) => (client.counts[kind] ?? 0) - (startCounts[kind] ?? 0);
  let succeeded = 0;
  let done = 0;
  let stoppedBecause: string | undefined;
  const total = plan.actions.length;
  const settled = new Set<PlannedAction>();
  /** Updates refused because another user still held a value: tried once more after the others. */
  let deferred: { action: PlannedAction; error: ApiReplyError }[] | undefined = [];
  /** First steps of actions that also change the e-mail → the action. */
  const firstStepOf = new Map<PlannedAction, PlannedAction>();
  /** Actions whose e-mail is still to change (their other changes, if any, have landed). */
  const emailsDue: PlannedAction[] = [];
  /** Creates refused with USER_EMPLOYEE_ID_EXISTS, to adopt (--adopt) once the creates are done. */
  const adoptable: PlannedAction[] = [];
  const adopting = new Set<PlannedAction>();
  const adopted: AppliedUser[] = [];

  const fail = (step: PlannedAction, error: ApiReplyError) => {
    if (deferred && isHeldByAnother(error)) {
      deferred.push({ action: step, error });
      return;
    }
    const action = firstStepOf.get(step) ?? step;
    if (isTakenEmployeeID(action, error) && !adopting.has(action)) {
      if (options.adopt) {
        adoptable.push(action);
        return;
      }
      error = withAdoptHint(error);
    }
    settled.add(action);
    failures.push({
      action: action.action,
      employeeID: action.employeeID,
      ...(action.previousEmployeeID ? { previousEmployeeID: action.previousEmployeeID } : {}),
      errorCode: error.errorCode,
      message: error.message,
      detail: error.detail,
      ...(action.source ? { source: action.source } : {}),
    });
  };

  const record = (step: PlannedAction, serial: string) => {
    const applied: AppliedUser = adopting.has(step) ? adoptedWithoutEmail(step, serial) : { ...step.after, serial };
    if (step.previousEmployeeID) session.move(step.previousEmployeeID, applied);
    else session.put(applied);
    if (adopting.has(step)) adopted.push(applied);
    const action = firstStepOf.get(step);
    if (action) {
      emailsDue.push(action);
      return;
    }
    settled.add(step);
    succeeded++;
  };

  const recordEmail = (action: PlannedAction, serial: string) => {
    session.put({ ...action.after, serial });
    settled.add(action);
    succeeded++;
  };

  let confirmedByReadBack = 0;
  let batchesSplit = 0;
  const stopping = () => stoppedBecause !== undefined || options.signal?.aborted === true;

  /** A failure that may be our own earlier attempt meeting itself is read back first; true when it proved to be. */
  const settleFailure = async (action: PlannedAction, error: ApiReplyError, via: Task["kind"]): Promise<boolean> => {
    if (via === "update-email-bulk" || adopting.has(action) || !isOwnEcho(action, error)) {
      fail(action, error);
      return false;
    }
    const fields = action.action === "create" ? CREATE_FIELDS : via === "update" ? UPDATE_ONE_FIELDS : UPDATE_BULK_FIELDS;
    const found = await readBack(client, action.after, fields);
    if (found.outcome === "same") {
      // A rename keeps its serial; a create's is not in the GET view.
      record(action, action.before?.serial ?? SERIAL_NOT_KNOWN);
      confirmedByReadBack++;
      return true;
    }
    fail(action, { ...error, detail: explainReadBack(action, error, found) });
    return false;
  };

  const settleFailures = async (failed: { action: PlannedAction; error: ApiReplyError }[], via: Task["kind"]): Promise<number> => {
    let landed = 0;
    await runPool(failed, READ_BACK_PARALLELISM, async ({ action, error }) => {
      if (await settleFailure(action, error, via)) landed++;
    });
    return landed;
  };

  // Writes after each call while writing is cheap; see state-saver.ts for when it batches.
  const saver = new StateSaver(session, options.stateWriteSpacing === undefined ? {} : { spacing: options.stateWriteSpacing });
  const stateWriteFailed = (error: unknown) =>
    `the state could not be written (${(error as Error).message}); users applied since the last successful write are missing from it`;
  const saveAfter = async (landed: number) => {
    if (landed === 0) return;
    try {
      await saver.afterCall();
    } catch (error) {
      stoppedBecause ??= stateWriteFailed(error);
    }
  };

  /** One bulk call; refused for its size, it is split in halves and each half sent the same way. */
  const sendBatch = async (kind: BulkKind, actions: PlannedAction[]): Promise<void> => {
    let result: BulkResult<{ employeeID: string }>;
    try {
      result =
        kind === "create-bulk"
          ? await client.createBulk(actions.map((a) => createBody(a, options.passwords?.get(a.employeeID))))
          : kind === "update-email-bulk"
            ? await sendEmails(client, actions)
            : await client.updateBulk(actions.map(updateBulkItem));
    } catch (error) {
      if (isSizeRefusal(error) && actions.length > 1) {
        // A stopped run sends nothing more: these users are reported as not attempted.
        if (stopping()) return;
        batchesSplit++;
        const half = Math.ceil(actions.length / 2);
        await sendBatch(kind, actions.slice(0, half));
        // Once the run stops, the second half stays unsent (reported as not attempted).
        if (!stopping()) await sendBatch(kind, actions.slice(half));
        return;
      }
      for (const action of actions) fail(action, requestError(error));
      if (isRunStopping(error)) stoppedBecause ??= (error as Error).message;
      return;
    }
    const matched =
      kind === "update-email-bulk"
        ? matchResults(actions, result, recordEmail, (a) => a.employeeID)
        : matchResults(actions, result, record);
    await saveAfter(matched.landed + (await settleFailures(matched.failed, kind)));
  };

  const runTask = async (task: Task) => {
    if (task.kind === "update") {
      const [action] = task.actions;
      try {
        const result = await client.updateUser(currentEmployeeID(action), updateUserBody(action));
        if (result.ok) {
          record(action, result.serial);
          await saveAfter(1);
        } else await saveAfter((await settleFailures([{ action, error: result.error }], "update")) > 0 ? 1 : 0);
      } catch (error) {
        fail(action, requestError(error));
        if (isRunStopping(error)) stoppedBecause ??= (error as Error).message;
      }
    } else {
      await sendBatch(task.kind, task.actions);
    }
    done += task.actions.length;
    options.onProgress?.(done, total, failures.length);
  };
  const run = (tasks: Task[]) => runPool(tasks, parallelism, runTask, stopping);

  /** Runs the tasks; a value another user held is tried once more after them, when that user may have let it go. */
  const runWithRetry = async (steps: PlannedAction[], tasksOf: (steps: PlannedAction[]) => Task[]) => {
    deferred = [];
    await run(tasksOf(steps));
    // A username moving from one user to another is refused if the taker comes first: retry once.
    const retry = deferred;
    deferred = undefined;
    if (retry.length > 0 && !stopping()) {
      done -= retry.length;
      await run(tasksOf(retry.map((r) => r.action)));
    } else {
      for (const { action, error } of retry) fail(action, error);
    }
  };

  const changes: PlannedAction[] = [];
  for (const action of plan.actions) {
    if (action.action === "create") continue;
    if (!changesEmail(action)) changes.push(action);
    else if (!changesRecord(action)) emailsDue.push(action);
    else {
      const step = withoutEmailChange(action);
      firstStepOf.set(step, action);
      changes.push(step);
    }
  }
  const emailOnly = emailsDue.length;
  await runWithRetry(changes, (steps) => updateTasks(steps, chunkSize));
  // E-mails after the updates (a rename has landed) and before the creates (which may reuse a freed address).
  if (emailsDue.length > 0 && !stopping()) {
    done -= emailsDue.length - emailOnly; // second steps of actions already counted
    await runWithRetry(emailsDue.splice(0), (due) =>
      chunk(due, chunkSize).map((batch): Task => ({ kind: "update-email-bulk", actions: batch })),
    );
  }
  await run(
    chunk(
      plan.actions.filter((a) => a.action === "create"),
      chunkSize,
    ).map((actions): Task => ({ kind: "create-bulk", actions })),
  );
  if (adoptable.length > 0) {
    for (const action of adoptable) adopting.add(action);
    if (!stopping()) {
      done -= adoptable.length;
      await run(updateTasks(adoptable, chunkSize));
      const withEmails = await readAdoptedEmails(client, adopted);
      for (const user of withEmails) session.put(user);
      if (withEmails.length > 0) {
        await session.save().catch((error: Error) => {
          stoppedBecause ??= `the state could not be written (${error.message}); the e-mails read back from adopted users are missing from it`;
        });
      }
    } else {
      const detail = "the run stopped before this existing user was adopted";
      for (const action of adoptable) fail(action, { errorCode: NOT_ATTEMPTED, message: "not sent", detail });
    }
  }
  try {
    await saver.flush();
  } catch (error) {
    stoppedBecause ??= stateWriteFailed(error);
  }
  if (options.signal?.aborted) stoppedBecause ??= "interrupted";

  for (const action of plan.actions) {
    if (!settled.has(action)) {
      fail(action, { errorCode: NOT_ATTEMPTED, message: "not sent", detail: "the run stopped before this user was sent" });
    }
  }

  return {
    succeeded,
    failed: failures.length,
    failures,
    requests: {
      "create-bulk": sentSince("create-bulk"),
      "update-bulk": sentSince("update-bulk"),
      update: sentSince("update"),
      ...(sentSince("update-email-bulk") > 0 ? { "update-email-bulk": sentSince("update-email-bulk") } : {}),
    },
    ...(stoppedBecause ? { stoppedBecause } : {}),
    ...(confirmedByReadBack > 0 ? { confirmedByReadBack } : {}),
    ...(batchesSplit > 0 ? { batchesSplit } : {}),
  };
}

/** Read-backs in flight at once within one request's results. */
const READ_BACK_PARALLELISM = 4;

/**
 * A create meeting an existing id, or a rename whose old id is gone: what our own earlier attempt
 * (a lost reply, a killed run) would leave behind.
 */
function isOwnEcho(action: PlannedAction, error: ApiReplyError): boolean {
  if (action.action === "create") return error.message === "USER_EMPLOYEE_ID_EXISTS" || error.errorCode === 10101;
  if (action.previousEmployeeID) return error.message === "USER_NOT_FOUND" || error.errorCode === 10104;
  return false;
}

function explainReadBack(action: PlannedAction, error: ApiReplyError, found: ReadBackResult): string {
  const original = error.detail ? `${error.detail}; ` : "";
  switch (found.outcome) {
    case "different":
      return action.action === "create"
        ? `${original}read back, ${action.employeeID} differs from this declaration (${describeDifferences(found.differences)}): it is another person's id or was changed outside this tool; resolve it in RuangKerja or change the declaration`
        : `${original}read back, ${action.employeeID} differs from this declaration (${describeDifferences(found.differences)}): the rename did not land as sent; check both ids in RuangKerja`;
    case "missing":
      return `${original}read back, ${action.employeeID} does not exist either: ${action.action === "create" ? "the id is taken but not readable" : `${action.previousEmployeeID} was renamed or removed outside this tool`}`;
    case "unreadable":
      return `${original}reading ${action.employeeID} back failed (${found.reason}): run apply again`;
    case "same":
      return original;
  }
}

/** The API refused the call for its size: fewer items per call will do. */
function isSizeRefusal(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const message = error.reply?.message;
  return error.status === 413 || message === "TOO_MANY_ITEMS" || message === "PAYLOAD_TOO_LARGE";
}

function updateTasks(actions: readonly PlannedAction[], chunkSize: number): Task[] {
  return [
    ...chunk(
      actions.filter((a) => !needsSingleUpdate(a)),
      chunkSize,
    ).map((batch): Task => ({ kind: "update-bulk", actions: batch })),
    ...actions.filter(needsSingleUpdate).map((action): Task => ({ kind: "update", actions: [action] })),
  ];
}

/** The API refused a value that another user holds; in the same plan that user may be giving it up. */
function isHeldByAnother(error: ApiReplyError): boolean {
  return error.message === "USER_USERNAME_EXISTS" || error.message === "USER_EMAIL_EXISTS";
}

/** Pairs a bulk reply's items with the actions sent, by the employeeID each payload was sent under; records the successes, returns the failures. */
function matchResults(
  actions: PlannedAction[],
  result: BulkResult<{ employeeID: string }>,
  record: (action: PlannedAction, serial: string) => void,
  sentAs: (action: PlannedAction) => string = currentEmployeeID,
): { landed: number; failed: { action: PlannedAction; error: ApiReplyError }[] } {
  const byId = new Map(actions.map((a) => [sentAs(a), a]));
  const failed: { action: PlannedAction; error: ApiReplyError }[] = [];
  const fail = (action: PlannedAction, error: ApiReplyError) => failed.push({ action, error });
  let landed = 0;
  for (const item of result.successItems) {
    const action = byId.get(item.payload?.employeeID);
    if (!action) continue;
    byId.delete(item.payload.employeeID);
    record(action, item.response.serial);
    landed++;
  }
  for (const item of result.failedItems) {
    const action = byId.get(item.payload?.employeeID);
    if (!action) continue;
    byId.delete(item.payload.employeeID);
    fail(action, item.error);
  }
  for (const action of byId.values()) {
    fail(action, {
      errorCode: "NO_RESULT",
      message: "NO_RESULT",
      detail: "the API's reply did not mention this user; plan again to see whether it landed",
    });
  }
  return { landed, failed };
}

function requestError(error: unknown): ApiReplyError {
  if (error instanceof ApiError) {
    const advice =
      "the whole request failed, and it may or may not have been processed: run apply again; it reads back any user that had landed";
    return {
      errorCode: error.reply?.errorCode ?? (error.status ? `HTTP_${error.status}` : "REQUEST_FAILED"),
      message: error.reply?.message ?? error.message,
      // After retries, the client's message says how often it tried and what it last heard.
      detail: error.attempts !== undefined ? `${error.message}; ${advice}` : error.reply?.detail || advice,
    };
  }
  return { errorCode: "REQUEST_FAILED", message: error instanceof Error ? error.message : String(error), detail: "" };
}

/** A rejected token or an unreachable API fails every request after it too: stop sending. */
function isRunStopping(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === undefined || error.isTokenRejected;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
