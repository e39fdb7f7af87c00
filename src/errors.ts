/**
 * One error base class and a subclass per kind. Each carries what a person needs to act
 * (diagnostics, the HTTP call, the lock holder) and its `cause`. Only src/cli maps them to
 * exit codes and output.
 */
import type { Diagnostic } from "./diagnostics.js";

/** The message of anything thrown: an Error's message, or the thrown value as text (a string, a number, …). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RuangkerjaError extends Error {
  override name = "RuangkerjaError";
}

/** The user's input (declarations, state file, flags) is invalid; nothing was changed. */
export class InvalidInputError extends RuangkerjaError {
  override name = "InvalidInputError";
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(message);
  }
}

/** What the store found out about a lock it could not take, for the message. */
export interface LockedDetails {
  /** The holder is on this host and its process is gone: a killed run left the lock behind. */
  readonly stale?: boolean;
  /** The exact command that clears this lock, e.g. `ruangkerja-users force-unlock <id>`. */
  readonly unlockCommand?: string;
  /** How long the caller waited (--lock-timeout) before giving up. */
  readonly waitedMs?: number;
}

/** Another process holds the state lock. */
export class StateLockedError extends RuangkerjaError {
  override name = "StateLockedError";
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
    readonly details: LockedDetails = {},
    /** A subclass's own wording of the same situation. */
    message: string = lockedMessage(lockPath, holder, details),
  ) {
    super(message);
  }
}

function lockedMessage(lockPath: string, holder: LockHolder | undefined, details: LockedDetails): string {
  const waited = details.waitedMs ? ` (still, after waiting ${formatWait(details.waitedMs)})` : "";
  if (!holder) {
    return [
      `state is locked${waited}: the lock file ${lockPath} exists but names no holder (a run may have been killed while taking it).`,
      `If no apply is running, delete ${lockPath} and run again.`,
    ].join("\n");
  }
  const lines = [
    `state is locked by ${holder.who}@${holder.host} (pid ${holder.pid}, ${holder.operation}) since ${holder.since}${waited}`,
    `  Lock ID:   ${holder.id}`,
    `  Lock file: ${lockPath}`,
  ];
  const unlock = details.unlockCommand ?? `ruangkerja-users force-unlock ${holder.id}`;
  if (details.stale) {
    lines.push(
      `The lock is stale: process ${holder.pid} no longer runs on this host (a killed run leaves its lock behind). Clear it with:`,
      `  ${unlock}`,
    );
  } else {
    lines.push(
      "Wait for that run to finish, or pass --lock-timeout (e.g. --lock-timeout 2m) to wait for it.",
      `If you are sure it no longer runs, clear the lock with: ${unlock}`,
    );
  }
  return lines.join("\n");
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`;
}

export interface LockHolder {
  readonly id: string;
  readonly who: string;
  readonly host: string;
  readonly pid: number;
  readonly operation: string;
  readonly since: string;
}

/** What the API said when it refused: the `{errorCode, message, detail}` body of its error replies. */
export interface ApiReplyError {
  readonly errorCode: number | string;
  readonly message: string;
  readonly detail: string;
}

/** The errorCode RuangKerja answers for a missing, wrong or expired token. */
export const TOKEN_NOT_VALID = 123;

/** A request failed as a whole: unreachable API, timeout, HTTP error, or a reply of an unexpected shape. */
export class ApiError extends RuangkerjaError {
  override name = "ApiError";
  readonly request: { readonly method: string; readonly path: string };
  readonly status: number | undefined;
  /** The API's own error, when its reply carried one. */
  readonly reply: ApiReplyError | undefined;
  /** Attempts made before the client gave up, when it retried (or refused to wait for a Retry-After). */
  readonly attempts: number | undefined;

  constructor(
    message: string,
    details: { request: { method: string; path: string }; status?: number; reply?: ApiReplyError; cause?: unknown; attempts?: number },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.request = details.request;
    this.status = details.status;
    this.reply = details.reply;
    this.attempts = details.attempts;
  }

  /** A rejected token fails every later request too. */
  get isTokenRejected(): boolean {
    return this.status === 401 || this.status === 403 || this.reply?.errorCode === TOKEN_NOT_VALID;
  }
}

/** The state could not be read or written (a folder where a file should be, no permission, a full disk). */
export class StateIOError extends RuangkerjaError {
  override name = "StateIOError";
  constructor(
    readonly path: string,
    action: "read" | "write" | "lock",
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    super(`cannot ${action} the state at ${path}${code ? ` (${code})` : ""}: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * A state write found a state it did not expect on disk (another lineage, or a serial other than
 * the one just before its own): another process wrote it meanwhile, e.g. after a force-unlock.
 * Nothing was overwritten.
 */
export class StateConflictError extends RuangkerjaError {
  override name = "StateConflictError";
  constructor(
    readonly location: string,
    readonly found: { readonly lineage: string; readonly serial: number } | undefined,
    readonly expected: { readonly lineage: string; readonly serial: number },
  ) {
    super(
      `the state at ${location} was changed by another process since this run read it (${
        found ? `found lineage ${found.lineage} serial ${found.serial}` : "found a state that cannot be read"
      }, expected lineage ${expected.lineage} serial ${expected.serial}); it was not overwritten. Run plan again: users this run applied since its last save are not in state, and apply will meet them as already existing.`,
    );
  }
}

/** The safety guard: the plan deactivates more users than allowed, and --allow-mass-deactivation was not given. */
export class MassDeactivationError extends RuangkerjaError {
  override name = "MassDeactivationError";
}

/** Configuration (flags, environment) that cannot work, e.g. a token over plain http. */
export class ConfigError extends RuangkerjaError {
  override name = "ConfigError";
}

/** The user declined, or confirmation was impossible (no TTY, no --auto-approve). */
export class NotApprovedError extends RuangkerjaError {
  override name = "NotApprovedError";
}

/** A saved plan no longer matches the state or the declarations it was made from; nothing was sent. */
export class StalePlanError extends RuangkerjaError {
  override name = "StalePlanError";
}

/** The state was applied against another API than this run talks to (see checkStateApi). */
export class OtherApiError extends ConfigError {
  override name = "OtherApiError";
}

/** A saved plan says something other than what the declarations and the state give: it was edited after plan wrote it. */
export class ModifiedPlanError extends RuangkerjaError {
  override name = "ModifiedPlanError";
}

/** The PostgreSQL state's advisory lock is held by another session; `holder` is known once that session has recorded it. */
export class DatabaseStateLockedError extends StateLockedError {
  override name = "DatabaseStateLockedError";
  constructor(
    location: string,
    holder: LockHolder | undefined,
    /** The PostgreSQL backend that holds the lock, when the holder has not recorded itself yet. */
    readonly backendPid: number | undefined,
    waitedMs: number,
  ) {
    super(location, holder, waitedMs > 0 ? { waitedMs } : {}, databaseLockedMessage(location, holder, backendPid, waitedMs));
  }
}

function databaseLockedMessage(location: string, holder: LockHolder | undefined, backendPid: number | undefined, waitedMs: number): string {
  const waited = waitedMs > 0 ? ` (waited ${(waitedMs / 1000).toFixed(1)} s)` : "";
  const who = holder
    ? `${holder.who} (pid ${holder.pid} on ${holder.host}, operation "${holder.operation}") since ${holder.since}`
    : `another session (PostgreSQL backend pid ${backendPid ?? "unknown"}) that has not recorded who it is yet`;
  return (
    `state ${location} is locked by ${who}${waited}. ` +
    "The lock ends when that run ends or its database connection is lost: wait for it, or pass --lock-timeout to wait."
  );
}
