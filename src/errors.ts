/**
 * One error base class and a subclass per kind. Each carries what a person needs to act
 * (diagnostics, the HTTP call, the lock holder) and its `cause`. Only src/cli maps them to
 * exit codes and output.
 */
import type { Diagnostic } from "./diagnostics.js";

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

/** Another process holds the state lock. */
export class StateLockedError extends RuangkerjaError {
  override name = "StateLockedError";
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `state is locked by ${holder.who} (pid ${holder.pid} on ${holder.host}, operation "${holder.operation}") since ${holder.since}; lock file: ${lockPath}`
        : `state is locked (lock file ${lockPath} exists but cannot be read)`,
    );
  }
}

export interface LockHolder {
  readonly id: string;
  readonly who: string;
  readonly host: string;
  readonly pid: number;
  readonly operation: string;
  readonly since: string;
}

/** The API could not be reached or answered with something other than the documented shapes. */
export class ApiError extends RuangkerjaError {
  override name = "ApiError";
  constructor(
    message: string,
    readonly request: { readonly method: string; readonly path: string },
    readonly status?: number,
    readonly errorCode?: number | string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Configuration (flags, environment) that cannot work, e.g. a token over plain http. */
export class ConfigError extends RuangkerjaError {
  override name = "ConfigError";
}

/** The user declined, or confirmation was impossible (no TTY, no --auto-approve). */
export class NotApprovedError extends RuangkerjaError {
  override name = "NotApprovedError";
}
