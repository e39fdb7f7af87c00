/**
 * The tallies of one apply run: what each step came to, which steps the next phases take over,
 * and why the run stopped. It makes no call and writes no state (send-batch.ts does both), so what
 * a result counts for is decided here alone, from plain objects.
 *
 * Progress counts the plan's actions that are settled: succeeded, or failed for good. A step that
 * is retried later (a value held by another user), an action whose e-mail is still to change and
 * a create waiting to be adopted are not settled yet, so the count never steps back and ends at
 * the plan's action count.
 */
import type { Diagnostic } from "../diagnostics.js";
import { errorMessage } from "../errors.js";
import type { AttemptKind, RequestKind } from "../api/client.js";
import type { ApiReplyError } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { ActionKind, Plan, PlannedAction } from "../plan/plan-types.js";
import { isTakenEmployeeID, withAdoptHint } from "./adopt.js";
import type { ApplyFailure, ApplyResult } from "./apply-types.js";
import { adoptStep, isHeldByAnother, nextStep, relocateStep, type Stage, type Step } from "./schedule.js";

export const NOT_ATTEMPTED = "NOT_ATTEMPTED";

export interface ApplyRunOptions {
  /**
   * The client's request counters (ApplyClient.counts), read now and again for the result; with
   * `attempts` (RuangkerjaClient.counts has them), the result counts every HTTP request sent too.
   */
  readonly counts: Readonly<Partial<Record<RequestKind, number>>> & { readonly attempts?: Readonly<Partial<Record<AttemptKind, number>>> };
  /** A create refused with USER_EMPLOYEE_ID_EXISTS is handed on to be adopted. @default false */
  readonly adopt?: boolean;
  /** When aborted, the run is stopping: no new request starts. */
  readonly signal?: AbortSignal;
}

export interface ApplyProgress {
  /** The plan's actions settled so far (succeeded or failed for good); never decreases. */
  readonly done: number;
  /** The plan's actions. */
  readonly total: number;
  readonly failed: number;
}

export class ApplyRun {
  readonly failures: ApplyFailure[] = [];
  /** Users taken into state by --adopt, whose e-mail is read back at the end. */
  readonly adopted: AppliedUser[] = [];
  /** About users that landed: an adopted user's passwordEnv, not applied. */
  readonly warnings: Diagnostic[] = [];
  private readonly settled = new Set<PlannedAction>();
  private readonly succeededBy: Record<ActionKind, number> = { create: 0, update: 0, rename: 0, deactivate: 0 };
  private readonly startCounts: Readonly<Partial<Record<RequestKind, number>>>;
  private readonly startAttempts: Readonly<Partial<Record<AttemptKind, number>>>;
  private readonly handedOn = new Map<Stage, Step[]>();
  /** While a phase retries held values: the steps refused so, with the API's error. */
  private held: { step: Step; error: ApiReplyError }[] | undefined;
  private stoppedBecause: string | undefined;
  private stateNotWritten = false;
  private confirmedByReadBack = 0;
  private batchesSplit = 0;
  private relocated = 0;

  constructor(
    private readonly plan: Plan,
    private readonly options: ApplyRunOptions,
  ) {
    this.startCounts = { ...options.counts };
    this.startAttempts = { ...options.counts.attempts };
  }

  /** A stop was recorded, or the signal was aborted: start no new request. */
  get stopping(): boolean {
    return this.stoppedBecause !== undefined || this.options.signal?.aborted === true;
  }

  /** The first reason is the one reported. */
  stop(reason: string): void {
    this.stoppedBecause ??= reason;
  }

  stateWriteFailed(
    error: unknown,
    missing = "users applied since it was last written may be missing from it (the next apply meets them as already existing and reads them back)",
  ): void {
    this.stateNotWritten = true;
    this.stop(`the state could not be written (${errorMessage(error)}); ${missing}`);
  }

  /** A step landed (and `user` is in state): its action succeeded, or its next step is handed on. */
  landed(step: Step, user: AppliedUser): void {
    if (step.stage === "adopt") {
      this.adopted.push(user);
      this.warnAboutPassword(step.action);
    }
    if (step.stage === "relocate") this.relocated++;
    const next = nextStep(step);
    if (next) {
      this.handOn(next);
      return;
    }
    this.settled.add(step.action);
    this.succeededBy[step.action.action]++;
  }

  /** A step that landed as our own earlier attempt, proved by reading the user back. */
  confirmed(step: Step, user: AppliedUser): void {
    this.confirmedByReadBack++;
    this.landed(step, user);
  }

  /** A step failed: retried later when another user held the value, handed on to adoption, or reported. */
  failed(step: Step, error: ApiReplyError): void {
    if (this.held && isHeldByAnother(error)) {
      this.held.push({ step, error });
      return;
    }
    if (step.stage === "create" && isTakenEmployeeID(step.action, error)) {
      if (this.options.adopt) {
        this.handOn(adoptStep(step));
        return;
      }
      error = withAdoptHint(error);
    }
    this.report(step.action, error);
  }

  /** A record refused with USER_NOT_FOUND whose person is under `foundAt` (locate-user.ts): handed on to be sent again from there. */
  relocate(step: Step, foundAt: string): void {
    this.handOn(relocateStep(step, foundAt));
  }

  /** A step refused because the id state holds is not in RuangKerja, nor any other id of the person: state is out of date. */
  disprovesState(step: Step, error: ApiReplyError): void {
    this.report(step.action, error, true);
  }

  /** Steps the run stopped before sending, reported now with why. */
  notSent(steps: readonly Step[], detail: string): void {
    for (const step of steps) this.report(step.action, { errorCode: NOT_ATTEMPTED, message: "not sent", detail });
  }

  /** A bulk call refused for its size was split in halves. */
  split(): void {
    this.batchesSplit++;
  }

  /** From now until retryHeld(), steps refused because another user held the value wait for a second try. */
  holdRetries(): void {
    this.held = [];
  }

  /** The steps to send once more; none when the run is stopping, and then they are reported with the API's error. */
  retryHeld(): Step[] {
    const held = this.held ?? [];
    this.held = undefined;
    if (!this.stopping) return held.map((h) => h.step);
    for (const { step, error } of held) this.failed(step, error);
    return [];
  }

  /** The steps earlier phases handed on to `stage`, in the order they were. */
  takeHandedOn(stage: Stage): Step[] {
    const steps = this.handedOn.get(stage) ?? [];
    this.handedOn.delete(stage);
    return steps;
  }

  progress(): ApplyProgress {
    return { done: this.settled.size, total: this.plan.actions.length, failed: this.failures.length };
  }

  /** The plan's actions of this kind that succeeded. */
  succeededOf(kind: ActionKind): number {
    return this.succeededBy[kind];
  }

  /** Ends the run: an aborted signal is its stop reason, and every action not settled is reported as not attempted. */
  result(): ApplyResult {
    if (this.options.signal?.aborted) this.stop("interrupted");
    for (const action of this.plan.actions) {
      if (!this.settled.has(action)) {
        this.report(action, { errorCode: NOT_ATTEMPTED, message: "not sent", detail: "the run stopped before this user was sent" });
      }
    }
    const sent = (kind: RequestKind) => (this.options.counts[kind] ?? 0) - (this.startCounts[kind] ?? 0);
    const attempts = this.attemptsSent();
    return {
      succeeded: Object.values(this.succeededBy).reduce((a, b) => a + b, 0),
      failed: this.failures.length,
      failures: this.failures,
      requests: {
        "create-bulk": sent("create-bulk"),
        "update-bulk": sent("update-bulk"),
        update: sent("update"),
        ...(sent("update-email-bulk") > 0 ? { "update-email-bulk": sent("update-email-bulk") } : {}),
      },
      ...(attempts ? { attempts } : {}),
      ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}),
      ...(this.stateNotWritten ? { stateNotWritten: true as const } : {}),
      ...(this.confirmedByReadBack > 0 ? { confirmedByReadBack: this.confirmedByReadBack } : {}),
      ...(this.batchesSplit > 0 ? { batchesSplit: this.batchesSplit } : {}),
      ...(this.relocated > 0 ? { relocated: this.relocated } : {}),
      ...(this.warnings.length > 0 ? { warnings: this.warnings } : {}),
    };
  }

  /** The HTTP requests sent since the run began, by kind; undefined when the client does not count them. */
  private attemptsSent(): Record<AttemptKind, number> | undefined {
    const now = this.options.counts.attempts;
    if (!now) return undefined;
    const tried = (kind: AttemptKind) => (now[kind] ?? 0) - (this.startAttempts[kind] ?? 0);
    return {
      "create-bulk": tried("create-bulk"),
      "update-bulk": tried("update-bulk"),
      update: tried("update"),
      "update-email-bulk": tried("update-email-bulk"),
      get: tried("get"),
      list: tried("list"),
      token: tried("token"),
    };
  }

  /**
   * An adopted user already existed, so its password is RuangKerja's, not ours to set: the update
   * that adopts it sends none, and the declaration's passwordEnv is not applied. Said, not silent.
   */
  private warnAboutPassword(action: PlannedAction): void {
    if (!action.passwordEnv) return;
    this.warnings.push({
      severity: "warning",
      summary: `${action.employeeID} was adopted, not created: its passwordEnv (${action.passwordEnv.name}) was not applied`,
      detail:
        "an existing user keeps the password RuangKerja holds; apply sets an initial password only on users it creates. To give this person a new one, reset it in RuangKerja.",
      field: "passwordEnv",
      location: action.passwordEnv.source,
    });
  }

  private handOn(step: Step): void {
    const steps = this.handedOn.get(step.stage);
    if (steps) steps.push(step);
    else this.handedOn.set(step.stage, [step]);
  }

  private report(action: PlannedAction, error: ApiReplyError, staleState = false): void {
    this.settled.add(action);
    this.failures.push({
      action: action.action,
      employeeID: action.employeeID,
      ...(action.previousEmployeeID ? { previousEmployeeID: action.previousEmployeeID } : {}),
      errorCode: error.errorCode,
      message: error.message,
      detail: error.detail,
      ...(action.source ? { source: action.source } : {}),
      ...(staleState ? { staleState: true as const } : {}),
    });
  }
}
