/**
 * When apply records state. After every bulk call that landed something, its results are appended
 * to the state's journal (StateSession.record: the call's users, not the whole state) before the
 * call counts as done, so a killed process loses none of them. The journal is flushed to disk
 * every `syncIntervalMs` while results keep coming, so a power loss loses at most that long's
 * results; `flush()` at the end of the run (and on interruption or a stop) writes the whole state
 * once, which takes the journal's place.
 *
 * What a crash can lose (docs/state.md says the same): a SIGKILL or a crash of the process, only
 * the replies of the calls in flight; a power loss or a kernel crash, also the results of the last
 * `syncIntervalMs` (a PostgreSQL state: what its commits lose, nothing with the default settings).
 * Running apply again converges on both: a create that had landed meets USER_EMPLOYEE_ID_EXISTS
 * and is read back, an update is sent again.
 */

/** The part of StateSession that writes. */
export interface SavesState {
  /** Appends the changes since the last record to the journal (or writes the state, for a store without one). */
  record(): Promise<void>;
  /** Flushes the journal to disk. */
  sync(): Promise<void>;
  /** Writes the whole state. */
  save(): Promise<void>;
  /** Whether the store lacks changes the session holds; absent: always written at the end. */
  readonly hasUnsaved?: boolean;
}

export interface StateSaverOptions {
  /** How often the journal is flushed to disk while results come. @default 2000 */
  readonly syncIntervalMs?: number;
}

export const DEFAULT_SYNC_INTERVAL_MS = 2000;

export class StateSaver {
  private readonly syncIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly session: SavesState,
    options: StateSaverOptions = {},
  ) {
    this.syncIntervalMs = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
  }

  /** After a call that changed the state: resolves once its results are journaled. Throws a failed record's or flush's error. */
  async afterCall(): Promise<void> {
    this.throwFailure();
    await this.session.record();
    this.timer ??= setTimeout(() => {
      this.syncing = this.session
        .sync()
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.timer = undefined;
          this.syncing = undefined;
        });
    }, this.syncIntervalMs);
  }

  /**
   * Writes the whole state when the store lacks anything (a failed record included: its changes
   * are still in the session); throws when that write fails. Before it, the journal is flushed,
   * so a failing write loses nothing the journal holds.
   */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.syncing;
    if (this.session.hasUnsaved === false) {
      this.throwFailure();
      return;
    }
    await this.session.save();
    this.failure = undefined;
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
