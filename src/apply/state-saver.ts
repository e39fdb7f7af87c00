/**
 * When apply writes state. A state write costs time in proportion to the whole state, so
 * writing after every one of 1,000 bulk calls of a 100,000-user apply writes O(n²) bytes
 * (gigabytes) and takes longer than the calls. The rule here keeps writes to about a tenth of
 * the run: while writes are cheap (the last one ended more than ten of its durations ago), the
 * call that landed waits until its results are written, as before, and the calls that land
 * while a write is in flight share the one write after it; once writes are expensive, results
 * that land before ten write-durations have passed are written together by one write scheduled
 * for then, and the calls carry on meanwhile. Never more than one write at a time, and never a
 * queue of them. `flush()` at the end of the run (and on interruption or a stop)
 * writes whatever is left.
 *
 * What a crash can lose is therefore bounded by time, not by calls: at most the results of the
 * last ten write-durations (a fraction of a second for thousands of users, about 3 s at
 * 100,000). Running apply again converges; a create that had landed meets
 * USER_EMPLOYEE_ID_EXISTS, as after any lost reply.
 */

/** The part of StateSession that writes. */
export interface SavesState {
  save(): Promise<void>;
}

export interface StateSaverOptions {
  /** Time between writes, as a multiple of the last write's duration. @default 10 */
  readonly spacing?: number;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
}

export class StateSaver {
  private readonly spacing: number;
  private readonly now: () => number;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private lastDuration = 0;
  private dirty = false;
  private flushing = false;
  /** The write in flight, and the one write that follows it for the calls landing meanwhile. */
  private current: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A write started by the timer, which nobody awaits but flush(). */
  private background: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly session: SavesState,
    options: StateSaverOptions = {},
  ) {
    this.spacing = options.spacing ?? 10;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * After a call that changed the state. While writes are cheap, resolves once these results are
   * on disk (joining the one write that follows a write in flight); otherwise leaves them to a
   * scheduled write and resolves at once. Throws a failed write's error.
   */
  async afterCall(): Promise<void> {
    this.throwFailure();
    this.dirty = true;
    if (this.spacing === 0) {
      await this.write();
      return;
    }
    // A scheduled write is coming, or one is being written in the background: either takes these results.
    if (this.timer || this.background) return;
    const wait = this.lastEnd + this.lastDuration * this.spacing - this.now();
    if (wait > 0) {
      // Expensive: the write in flight schedules the next one when it ends; otherwise schedule it now.
      if (!this.current) this.schedule(wait);
      return;
    }
    if (!this.current) {
      await this.write();
      return;
    }
    // Never a queue of writes: every call landing during a write shares the one after it.
    const current = this.current;
    this.next ??= current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.write();
      });
    await this.next;
  }

  /**
   * Writes whatever has not been written yet, including what a failed write left (a passing
   * failure must not lose the results since the last good write); throws when that write fails,
   * or when an earlier one failed and nothing was left to write.
   */
  async flush(): Promise<void> {
    this.flushing = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.background;
    await this.current?.catch(() => undefined);
    if (this.dirty) {
      await this.write();
      this.failure = undefined;
      return;
    }
    this.throwFailure();
  }

  private schedule(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.background = this.write()
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.background = undefined;
        });
    }, wait);
  }

  private write(): Promise<void> {
    this.dirty = false;
    const started = this.now();
    const written: Promise<void> = this.session.save().then(
      () => this.settle(written, started, false),
      (error: unknown) => {
        // Still unwritten: a later flush() tries again.
        this.dirty = true;
        this.settle(written, started, true);
        throw error;
      },
    );
    this.current = written;
    return written;
  }

  private settle(written: Promise<void>, started: number, failed: boolean): void {
    if (this.current === written) this.current = undefined;
    this.lastEnd = this.now();
    this.lastDuration = this.lastEnd - started;
    // Results that landed during this write and joined no follow-up: the next write, spaced like the others.
    if (this.dirty && !failed && !this.next && !this.flushing && !this.timer && this.spacing > 0) {
      this.schedule(this.lastDuration * this.spacing);
    }
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
