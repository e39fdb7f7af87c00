/** What apply takes and gives back: shared by the driver (apply-plan.ts), the run and the renderers. */
import type { AttemptKind } from "../api/types.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
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
  /** How often the state's journal is flushed to disk while results come (see state-saver.ts). @default 2000 */
  readonly stateSyncIntervalMs?: number;
  /**
   * The declarations' previousEmployeeIDs by declared employeeID (previousEmployeeIDsOf): where a
   * person may be when the id state holds meets USER_NOT_FOUND, after a rename whose reply was
   * lost (locate-user.ts). @default none: only the declared employeeID is looked at
   */
  readonly previousEmployeeIDs?: ReadonlyMap<string, readonly string[]>;
}

export interface ApplyFailure {
  readonly action: ActionKind;
  readonly employeeID: string;
  readonly previousEmployeeID?: string;
  readonly errorCode: number | string;
  readonly message: string;
  readonly detail: string;
  readonly source?: SourceLocation;
  /** The API has no user under the id state holds (nor under any other id of the declaration): state is out of date, --refresh fixes it. */
  readonly staleState?: true;
}

export interface ApplyResult {
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: ApplyFailure[];
  readonly requests: { "create-bulk": number; "update-bulk": number; update: number; "update-email-bulk"?: number };
  /** Every HTTP request the run sent, by kind: retries, resends with a renewed token and token exchanges included (when the client counts them). */
  readonly attempts?: Readonly<Record<AttemptKind, number>>;
  /** Why the run stopped early, if it did. */
  readonly stoppedBecause?: string;
  /** Set when the state could not be written at the end (or a call's results not journaled): what succeeded may be missing from it. */
  readonly stateNotWritten?: true;
  /** Creates and renames that met their own earlier attempt (a lost reply) and were confirmed by reading the user back. */
  readonly confirmedByReadBack?: number;
  /** Bulk calls refused for their size and split in halves. */
  readonly batchesSplit?: number;
  /** Updates and renames whose user was not under the id state held but under another id of its declaration (a rename whose reply was lost), and were carried out there. */
  readonly relocated?: number;
  /** What a reviewer must know of users that landed, e.g. an adopted user's passwordEnv, which was not applied. */
  readonly warnings?: readonly Diagnostic[];
}
