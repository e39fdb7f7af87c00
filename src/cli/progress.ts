/**
 * Progress of a long apply, on stderr: a bar redrawn in place on a terminal, plain lines at
 * most every few seconds elsewhere (CI logs), nothing for --json or a run of one request.
 * The clock is passed in so the pacing is tested without waiting.
 */

export interface ProgressOptions {
  readonly total: number;
  /** Where the bar or lines go (stderr). */
  readonly stream: { write(text: string): unknown };
  readonly isTTY: boolean;
  /** Milliseconds; @default Date.now */
  readonly now?: () => number;
  /** Least time between two plain lines. @default 5000 */
  readonly lineIntervalMs?: number;
  /** Least time between two redraws of the bar. @default 100 */
  readonly redrawIntervalMs?: number;
  /** Columns of the terminal, for the bar's width. @default 80 */
  readonly columns?: number;
}

export interface ProgressReporter {
  /** After every request: actions finished so far, of which failed. */
  update(done: number, failed: number): void;
  /** Erases the bar before another message is printed (the bar is drawn again on the next update). */
  clear(): void;
  /** Leaves the last state on screen and ends its line. */
  finish(): void;
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastLine = started;
  let drawn = false;
  let done = 0;
  let failed = 0;

  const rate = (): string => {
    const seconds = (now() - started) / 1000;
    return seconds >= 1 ? `${Math.round(done / seconds)}/s` : "";
  };

  const bar = (): string => {
    const total = Math.max(1, options.total);
    const ratio = Math.min(1, done / total);
    const counts = `${done}/${options.total} ${Math.floor(ratio * 100)}%`;
    const extras = [failed > 0 ? `${failed} failed` : "", rate()].filter(Boolean).join(" · ");
    const text = `${counts}${extras ? ` · ${extras}` : ""}`;
    const width = Math.max(10, Math.min(40, (options.columns ?? 80) - text.length - 14));
    const filled = Math.round(ratio * width);
    return `Applying ${"█".repeat(filled)}${"░".repeat(width - filled)} ${text}`;
  };

  const line = (): string => {
    const extras = [failed > 0 ? `${failed} failed` : "", rate()].filter(Boolean).join(", ");
    return `Applied ${done}/${options.total} changes${extras ? ` (${extras})` : ""}${done < options.total ? "…" : "."}`;
  };

  return {
    update(doneNow, failedNow) {
      done = doneNow;
      failed = failedNow;
      const t = now();
      const last = done >= options.total;
      if (options.isTTY) {
        if (!last && t - lastDraw < (options.redrawIntervalMs ?? 100)) return;
        lastDraw = t;
        drawn = true;
        options.stream.write(`\r${bar()}\u001b[K`);
        return;
      }
      if (!last && t - lastLine < (options.lineIntervalMs ?? 5000)) return;
      lastLine = t;
      options.stream.write(`${line()}\n`);
    },
    clear() {
      if (options.isTTY && drawn) options.stream.write("\r\u001b[K");
      drawn = false;
    },
    finish() {
      if (options.isTTY && drawn) options.stream.write("\n");
      drawn = false;
    },
  };
}
