/**
 * When apply writes state. A state write costs time in proportion to the whole state, so
 * writing after every one of 1,000 bulk calls of a 100,000-user apply writes O(n²) bytes
 * (gigabytes) and takes longer than the calls. The rule here keeps writes to about a tenth of
 * the run: while writes are cheap (the last one ended more than ten of its durations ago), the
 * call that landed waits for its own write, as before; results that land while a write is in
 * flight, or before ten write-durations have passed, are written together by one write
 * scheduled for then, and the calls carry on meanwhile. Never more than one write at a time,
 * and never a queue of them. `flush()` at the end of the run (and on interruption or a stop)
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
  private writing = false;
  private flushing = false;
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

  /** After a call that changed the state: writes now and waits for it, or leaves it to a scheduled write. Throws a failed write's error. */
  async afterCall(): Promise<void> {
    this.throwFailure();
    this.dirty = true;
    if (this.spacing === 0) {
      await this.write();
      return;
    }
    // The write in flight ends by scheduling the next one; a scheduled one is coming: either takes these results.
    if (this.writing || this.timer) return;
    const wait = this.lastEnd + this.lastDuration * this.spacing - this.now();
    if (wait <= 0) await this.write();
    else this.schedule(wait);
  }

  /** Writes whatever has not been written yet; throws when this or an earlier scheduled write failed. */
  async flush(): Promise<void> {
    this.flushing = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.background;
    this.throwFailure();
    if (this.dirty) await this.write();
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

  private async write(): Promise<void> {
    this.writing = true;
    this.dirty = false;
    const started = this.now();
    let failed = false;
    try {
      await this.session.save();
    } catch (error) {
      // Still unwritten: a later flush() tries again.
      failed = true;
      this.dirty = true;
      throw error;
    } finally {
      this.writing = false;
      this.lastEnd = this.now();
      this.lastDuration = this.lastEnd - started;
      // Results that landed during this write are written by the next one, spaced like the others.
      if (this.dirty && !failed && !this.flushing && !this.timer && this.spacing > 0) this.schedule(this.lastDuration * this.spacing);
    }
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
