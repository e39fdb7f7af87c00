/** What apply takes and gives back: shared by the driver (apply-plan.ts), the run and the renderers. */
import type { SourceLocation } from "../diagnostics.js";
import type { ActionKind } from "../plan/plan-types.js";

export interface ApplyOptions {
  /** Items per bulk call. @default 100 */
  readonly chunkSize?: number;
  /** Requests in flight at once. @default 4 */
  readonly parallelism?: number;
  /**
   * Called after every request: the plan's actions settled so far (succeeded, or failed for good), of
   * `total` (the plan's action count), and of those failed. `done` never decreases: an action
   * still to be retried, to change its e-mail or to be adopted counts once it is settled.
   */
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
