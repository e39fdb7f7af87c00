/**
 * Where state lives. A store reads and writes whole state documents and guards applies with an
 * exclusive lock; the file store is the first, a PostgreSQL store can follow the same interface.
 */
import type { LockHolder } from "../errors.js";
import type { StateDocument } from "./state-document.js";
import type { JournalBase, StateJournal } from "./state-journal.js";

/** A lock left by a holder that was proven dead, which lock() removed before taking its own. */
export interface TakenOverLock {
  readonly holder: LockHolder;
  /** What to tell the user, e.g. "Took over the lock … of budi@ci-7 (pid 4242, apply): that process no longer runs." */
  readonly message: string;
}

export interface StateLock {
  /** Set when this lock replaced a stale one: the CLI prints its message. */
  readonly takenOver?: TakenOverLock;
  release(): Promise<void>;
  /** For a process about to exit at once (a second Ctrl-C): frees the lock without waiting. */
  releaseSync(): void;
}

export interface LockOptions {
  /** How long to wait for a lock held by someone else before throwing StateLockedError. @default 0 (fail at once) */
  readonly timeoutMs?: number;
  /** Stops waiting (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface StateStore {
  /** What the user named (a path, or a postgres:// URL without its password, and its workspace), for messages. */
  readonly location: string;
  /**
   * The current state with its journal folded in (state-journal.ts), or undefined when none was
   * ever written. Throws InvalidInputError when it is unreadable.
   */
  read(): Promise<StateDocument | undefined>;
  /**
   * Replaces the stored state atomically, only if the stored one is absent or is `state`'s
   * predecessor (same lineage, serial one lower); otherwise throws StateConflictError, so a
   * state another process wrote meanwhile is never overwritten. The journal goes with the old state.
   */
  write(state: StateDocument): Promise<void>;
  /**
   * The journal for results after `base` (the state as last read or written), for a caller that
   * holds the lock. A store without one (a test's) has the session write the whole state instead.
   */
  openJournal?(base: JournalBase): Promise<StateJournal>;
  /** Takes the exclusive lock, waiting up to options.timeoutMs, or throws StateLockedError naming the holder. */
  lock(operation: string, options?: LockOptions): Promise<StateLock>;
}
