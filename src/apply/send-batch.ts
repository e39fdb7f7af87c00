/**
 * Sends one task of the schedule and settles what came back: each item is matched to its step by
 * the employeeID it was sent under, landed users go into state, and state is saved after the call.
 *
 * Faults: a create that meets USER_EMPLOYEE_ID_EXISTS may be meeting its own earlier attempt whose
 * reply was lost: the user is read back and, when it holds what was sent, recorded as applied
 * (read-back.ts). An update, rename or deactivation that meets USER_NOT_FOUND for the id state
 * holds is looked for under the other ids of its declaration (locate-user.ts): found under the
 * declared id holding what was sent, it is recorded as applied; found elsewhere in the chain, or
 * holding something else, it is sent again from there; found nowhere, state is out of date and the
 * failure says so. An adoption is not read back: its create already was; a relocation is read back
 * only as a rename's own echo. A bulk call refused for its size (413, TOO_MANY_ITEMS,
 * PAYLOAD_TOO_LARGE) is split in halves and sent again, down to single users. A rejected token or
 * an unreachable API stops the run.
 */
import type { BulkResult } from "../api/types.js";
import { ApiError, type ApiReplyError, errorMessage } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { PlannedAction } from "../plan/plan-types.js";
import type { ApplyClient } from "./apply-client.js";
import type { ApplyRun } from "./apply-run.js";
import { sendEmails } from "./email-changes.js";
import { chainOf, isUserNotFound, locateUser, severalDetail, staleStateDetail } from "./locate-user.js";
import { createBody, currentEmployeeID, updateBulkItem, updateUserBody } from "./payloads.js";
import {
  compareFields,
  CREATE_FIELDS,
  describeDifferences,
  type ReadBackResult,
  readBack,
  SERIAL_NOT_KNOWN,
  UPDATE_BULK_FIELDS,
  UPDATE_ONE_FIELDS,
} from "./read-back.js";
import { runPool } from "../concurrency/run-pool.js";
import { appliedUser, type BulkKind, type Step, type Task } from "./schedule.js";
import type { SavesState } from "./state-saver.js";

/** Where a run keeps what landed: the StateSession for apply; a caller that keeps no state passes NO_STATE. */
export interface AppliedState extends SavesState {
  put(user: AppliedUser): void;
  move(from: string, user: AppliedUser): void;
}

/** Keeps nothing, for a caller whose own record of what was applied lies elsewhere (Terraform's state for tf-sync). */
export const NO_STATE: AppliedState = {
  put: () => undefined,
  move: () => undefined,
  record: () => Promise.resolve(),
  sync: () => Promise.resolve(),
  save: () => Promise.resolve(),
  hasUnsaved: false,
};

export interface BatchSenderOptions {
  readonly client: ApplyClient;
  readonly run: ApplyRun;
  readonly state: AppliedState;
  /** After a call that landed something: resolves when it may go on (state-saver.ts); throws when state could not be written. */
  readonly afterCall: () => Promise<void>;
  /** Initial passwords by employeeID, for creates. */
  readonly passwords?: ReadonlyMap<string, string>;
  /** The declarations' previousEmployeeIDs by declared employeeID, where to look for a user not under the id state holds. */
  readonly previousEmployeeIDs?: ReadonlyMap<string, readonly string[]>;
}

type Failed = { step: Step; error: ApiReplyError };

/** Read-backs in flight at once within one request's results. */
const READ_BACK_PARALLELISM = 4;

export class BatchSender {
  constructor(private readonly options: BatchSenderOptions) {}

  async send(task: Task): Promise<void> {
    if (task.kind === "update") await this.sendOne(task.steps[0]);
    else await this.sendBulk(task.kind, task.steps);
  }

  /** One bulk call; refused for its size, it is split in halves and each half sent the same way. */
  private async sendBulk(kind: BulkKind, steps: readonly Step[]): Promise<void> {
    const { client, run, passwords } = this.options;
    let result: BulkResult<{ employeeID: string }>;
    try {
      const sent = steps.map((s) => s.sent);
      result =
        kind === "create-bulk"
          ? await client.createBulk(sent.map((a) => createBody(a, passwords?.get(a.employeeID))))
          : kind === "update-email-bulk"
            ? await sendEmails(client, sent)
            : await client.updateBulk(sent.map(updateBulkItem));
    } catch (error) {
      if (isSizeRefusal(error) && steps.length > 1) {
        // A stopped run sends nothing more: these users are reported as not attempted.
        if (run.stopping) return;
        run.split();
        const half = Math.ceil(steps.length / 2);
        await this.sendBulk(kind, steps.slice(0, half));
        // Once the run stops, the second half stays unsent (reported as not attempted).
        if (!run.stopping) await this.sendBulk(kind, steps.slice(half));
        return;
      }
      this.requestFailed(steps, error);
      return;
    }
    // An e-mail is sent under the user's id after its record landed (the new one for a rename).
    const matched = matchResults(steps, result, kind === "update-email-bulk" ? (a) => a.employeeID : currentEmployeeID);
    for (const { step, serial } of matched.landed) this.land(step, serial);
    await this.saveAfter(matched.landed.length + (await this.settleFailures(matched.failed, kind)));
  }

  /** PUT, for a change of organizationSerial. */
  private async sendOne(step: Step): Promise<void> {
    try {
      const result = await this.options.client.updateUser(currentEmployeeID(step.sent), updateUserBody(step.sent));
      if (result.ok) {
        this.land(step, result.serial);
        await this.saveAfter(1);
      } else await this.saveAfter((await this.settleFailures([{ step, error: result.error }], "update")) > 0 ? 1 : 0);
    } catch (error) {
      this.requestFailed([step], error);
    }
  }

  private land(step: Step, serial: string, confirmed = false): void {
    const user = appliedUser(step, serial);
    // State keys the user by the id it held before the action (a relocation was sent from another one).
    const from = step.stage === "email" ? user.employeeID : currentEmployeeID(step.action);
    if (from !== user.employeeID) this.options.state.move(from, user);
    else this.options.state.put(user);
    if (confirmed) this.options.run.confirmed(step, user);
    else this.options.run.landed(step, user);
  }

  /** The whole request failed: every step in it fails with the request's error; some errors stop the run. */
  private requestFailed(steps: readonly Step[], error: unknown): void {
    for (const step of steps) this.options.run.failed(step, requestError(error));
    if (isRunStopping(error)) this.options.run.stop(errorMessage(error));
  }

  /** Settles each failed item (reading back those that may be our own earlier attempt); returns how many proved to have landed. */
  private async settleFailures(failed: readonly Failed[], via: Task["kind"]): Promise<number> {
    let landed = 0;
    await runPool(failed, READ_BACK_PARALLELISM, async ({ step, error }) => {
      if (await this.settleFailure(step, error, via)) landed++;
    });
    return landed;
  }

  private async settleFailure(step: Step, error: ApiReplyError, via: Task["kind"]): Promise<boolean> {
    const { client, run } = this.options;
    const sent = step.sent;
    if (via === "update-email-bulk" || step.stage === "adopt" || !isOwnEcho(sent, error)) {
      run.failed(step, error);
      return false;
    }
    if (step.stage === "record") return this.locate(step, error, via);
    // A create, or a relocated rename sent again after a lost reply: our own echo if it holds what was sent.
    const found = await readBack(client, sent.after, fieldsSent(sent, via));
    if (found.outcome === "same") {
      // A rename keeps its serial; a create's is not in the GET view.
      this.land(step, sent.before?.serial ?? SERIAL_NOT_KNOWN, true);
      return true;
    }
    if (found.outcome === "missing" && sent.action !== "create") {
      run.disprovesState(step, { ...error, detail: staleStateDetail(error, currentEmployeeID(sent), [sent.employeeID]) });
      return false;
    }
    run.failed(step, { ...error, detail: explainReadBack(sent, error, found) });
    return false;
  }

  /**
   * A record refused with USER_NOT_FOUND: where is the person now (locate-user.ts)? Under the
   * declared id and holding what was sent, it had landed (a lost reply): recorded. Under another
   * id of the chain, or holding something else: handed on to be sent from there.
   */
  private async locate(step: Step, error: ApiReplyError, via: Task["kind"]): Promise<boolean> {
    const { client, run, previousEmployeeIDs } = this.options;
    const sent = step.sent;
    const refused = currentEmployeeID(sent);
    const chain = chainOf(sent, refused, previousEmployeeIDs);
    const where = await locateUser(client, chain);
    switch (where.outcome) {
      case "found":
        if (where.employeeID === sent.employeeID && compareFields(sent.after, where.found, fieldsSent(sent, via)).length === 0) {
          this.land(step, sent.before?.serial ?? SERIAL_NOT_KNOWN, true);
          return true;
        }
        run.relocate(step, where.employeeID);
        return false;
      case "nowhere":
        run.disprovesState(step, { ...error, detail: staleStateDetail(error, refused, chain) });
        return false;
      case "several":
        run.failed(step, { ...error, detail: severalDetail(error, refused, where.employeeIDs) });
        return false;
      case "unreadable":
        run.failed(step, {
          ...error,
          detail: `${error.detail ? `${error.detail}; ` : ""}reading ${where.employeeID} back failed (${where.reason}): run apply again`,
        });
        return false;
    }
  }

  private async saveAfter(landed: number): Promise<void> {
    if (landed === 0) return;
    try {
      await this.options.afterCall();
    } catch (error) {
      this.options.run.stateWriteFailed(error);
    }
  }
}

/** Pairs a bulk reply's items with the steps sent, by the employeeID each was sent under; the rest are failures. */
function matchResults(
  steps: readonly Step[],
  result: BulkResult<{ employeeID: string }>,
  sentAs: (action: PlannedAction) => string,
): { landed: { step: Step; serial: string }[]; failed: Failed[] } {
  const byId = new Map(steps.map((s) => [sentAs(s.sent), s]));
  const landed: { step: Step; serial: string }[] = [];
  const failed: Failed[] = [];
  for (const item of result.successItems) {
    const step = byId.get(item.payload?.employeeID);
    if (!step) continue;
    byId.delete(item.payload.employeeID);
    landed.push({ step, serial: item.response.serial });
  }
  for (const item of result.failedItems) {
    const step = byId.get(item.payload?.employeeID);
    if (!step) continue;
    byId.delete(item.payload.employeeID);
    failed.push({ step, error: item.error });
  }
  for (const step of byId.values()) {
    failed.push({
      step,
      error: {
        errorCode: "NO_RESULT",
        message: "NO_RESULT",
        detail: "the API's reply did not mention this user; plan again to see whether it landed",
      },
    });
  }
  return { landed, failed };
}

/**
 * A create meeting an existing id, or a record whose id is gone: what our own earlier attempt (a
 * lost reply, a killed run) would leave behind; or, for a record, an out-of-date state.
 */
function isOwnEcho(action: PlannedAction, error: ApiReplyError): boolean {
  if (action.action === "create") return error.message === "USER_EMPLOYEE_ID_EXISTS" || error.errorCode === 10101;
  return isUserNotFound(error);
}

/** The fields the request set, which a read-back can compare. */
function fieldsSent(action: PlannedAction, via: Task["kind"]) {
  return action.action === "create" ? CREATE_FIELDS : via === "update" ? UPDATE_ONE_FIELDS : UPDATE_BULK_FIELDS;
}

function explainReadBack(action: PlannedAction, error: ApiReplyError, found: ReadBackResult): string {
  const original = error.detail ? `${error.detail}; ` : "";
  switch (found.outcome) {
    case "different":
      return action.action === "create"
        ? `${original}read back, ${action.employeeID} differs from this declaration (${describeDifferences(found.differences)}): it is another person's id or was changed outside this tool; resolve it in RuangKerja or change the declaration`
        : `${original}read back, ${action.employeeID} differs from this declaration (${describeDifferences(found.differences)}): the rename did not land as sent; check both ids in RuangKerja`;
    case "missing":
      return `${original}read back, ${action.employeeID} does not exist either: the id is taken but not readable`;
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
  return { errorCode: "REQUEST_FAILED", message: errorMessage(error), detail: "" };
}

/** A rejected token or an unreachable API fails every request after it too: stop sending. */
function isRunStopping(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === undefined || error.isTokenRejected;
}
