/**
 * Plan → API batches → per-item results, with state saved after every call.
 *
 * Order: updates, renames and deactivations first, creates after, so that a create reusing a
 * username or an id that an update frees in the same plan does not collide. Within a phase up
 * to `parallelism` requests are in flight. One item's failure never stops the others; a
 * rejected token, an unreachable API or a failed state write stops the run, and the items not
 * yet sent are reported as not attempted.
 */
import type { BulkResult, ItemError } from "../api/types.js";
import type { SourceLocation } from "../diagnostics.js";
import { ApiError } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { ActionKind, Plan, PlannedAction } from "../plan/plan-types.js";
import type { StateSession } from "../state/state-session.js";
import type { ApplyClient } from "./apply-client.js";
import { createBody, currentEmployeeID, needsSingleUpdate, updateBulkItem, updateUserBody } from "./payloads.js";
import { runPool } from "./run-pool.js";

export interface ApplyOptions {
  /** Items per bulk call. @default 100 */
  readonly chunkSize?: number;
  /** Requests in flight at once. @default 4 */
  readonly parallelism?: number;
  /** Called after every request with the count of actions finished so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** When aborted, no new request is started; those in flight finish and are recorded. */
  readonly signal?: AbortSignal;
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
  readonly requests: { "create-bulk": number; "update-bulk": number; update: number };
  /** Why the run stopped early, if it did. */
  readonly stoppedBecause?: string;
}

export const NOT_ATTEMPTED = "NOT_ATTEMPTED";

type Task = { kind: "create-bulk" | "update-bulk"; actions: PlannedAction[] } | { kind: "update"; actions: [PlannedAction] };

export async function applyPlan(plan: Plan, client: ApplyClient, session: StateSession, options: ApplyOptions = {}): Promise<ApplyResult> {
  const chunkSize = options.chunkSize ?? 100;
  const parallelism = options.parallelism ?? 4;
  const failures: ApplyFailure[] = [];
  const startCounts = { ...client.counts };
  let succeeded = 0;
  let done = 0;
  let stoppedBecause: string | undefined;
  let fatal: unknown;
  const total = plan.actions.length;

  const creates = plan.actions.filter((a) => a.action === "create");
  const changes = plan.actions.filter((a) => a.action !== "create");
  const singles = changes.filter(needsSingleUpdate);
  const bulkUpdates = changes.filter((a) => !needsSingleUpdate(a));
  const phases: Task[][] = [
    [
      ...chunk(bulkUpdates, chunkSize).map((actions): Task => ({ kind: "update-bulk", actions })),
      ...singles.map((action): Task => ({ kind: "update", actions: [action] })),
    ],
    chunk(creates, chunkSize).map((actions): Task => ({ kind: "create-bulk", actions })),
  ];

  const settled = new Set<PlannedAction>();
  const fail = (action: PlannedAction, error: ItemError | { errorCode: number | string; message: string; detail: string }) => {
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

  const record = (action: PlannedAction, serial: string) => {
    settled.add(action);
    const applied: AppliedUser = { ...action.after, serial };
    if (action.previousEmployeeID) session.move(action.previousEmployeeID, applied);
    else session.put(applied);
    succeeded++;
  };

  const runTask = async (task: Task) => {
    let landed = 0;
    try {
      if (task.kind === "update") {
        const [action] = task.actions;
        const result = await client.updateUser(currentEmployeeID(action), updateUserBody(action));
        if (result.ok) {
          record(action, result.serial);
          landed++;
        } else fail(action, result.error);
      } else {
        const result: BulkResult<{ employeeID: string }> =
          task.kind === "create-bulk"
            ? await client.createBulk(task.actions.map(createBody))
            : await client.updateBulk(task.actions.map(updateBulkItem));
        landed = matchResults(task.actions, result, record, fail);
      }
    } catch (error) {
      for (const action of task.actions) fail(action, requestError(error));
      if (isRunStopping(error)) {
        stoppedBecause ??= (error as Error).message;
      }
    }
    done += task.actions.length;
    if (landed > 0) {
      try {
        await session.save();
      } catch (error) {
        fatal ??= error;
        stoppedBecause ??= `the state could not be written: ${(error as Error).message}`;
      }
    }
    options.onProgress?.(done, total);
  };

  for (const tasks of phases) {
    await runPool(tasks, parallelism, runTask, () => stoppedBecause !== undefined || options.signal?.aborted === true);
  }
  if (fatal) throw fatal;
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
      "create-bulk": client.counts["create-bulk"] - startCounts["create-bulk"],
      "update-bulk": client.counts["update-bulk"] - startCounts["update-bulk"],
      update: client.counts.update - startCounts.update,
    },
    ...(stoppedBecause ? { stoppedBecause } : {}),
  };
}

/** Pairs a bulk reply's items with the actions sent, by the employeeID each payload was sent under. */
function matchResults(
  actions: PlannedAction[],
  result: BulkResult<{ employeeID: string }>,
  record: (action: PlannedAction, serial: string) => void,
  fail: (action: PlannedAction, error: ItemError) => void,
): number {
  const byId = new Map(actions.map((a) => [currentEmployeeID(a), a]));
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
  return landed;
}

function requestError(error: unknown): { errorCode: number | string; message: string; detail: string } {
  if (error instanceof ApiError) {
    return {
      errorCode: error.errorCode ?? (error.status ? `HTTP_${error.status}` : "REQUEST_FAILED"),
      message: error.message,
      detail: error.detail ?? "the whole request failed; plan again to see what landed",
    };
  }
  return { errorCode: "REQUEST_FAILED", message: error instanceof Error ? error.message : String(error), detail: "" };
}

/** A rejected token or an unreachable API fails every request after it too: stop sending. */
function isRunStopping(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === undefined || error.status === 401 || error.status === 403;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
