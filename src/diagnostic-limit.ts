/**
 * Bounded output (docs/limits.md): of each kind of problem (one rule on one field: an unknown
 * field in a user, a phone YAML reads as a number, a key written twice) the first
 * MAX_DIAGNOSTICS_PER_KIND are reported, then one diagnostic counts the rest and points at the
 * next. A file with 100,000 unknown keys gives 101 messages, not 100,000, and what is not shown is
 * neither described nor located, so that refusing a huge file costs little more than reading it.
 */
import type { Diagnostic } from "./diagnostics.js";

export const MAX_DIAGNOSTICS_PER_KIND = 100;

/** The kind each limited diagnostic was counted under; for a summary, how many it stands for and the first of them. */
const counted = new WeakMap<Diagnostic, { readonly kind: string; readonly more: number; readonly next?: Diagnostic }>();

interface Tally {
  count: number;
  /** The first one not shown: where the summary points. */
  next?: Diagnostic;
}

/** "99,900": counts as people read them. */
function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

function summaryOf(kind: string, more: number, next: Diagnostic, max: number): Diagnostic {
  const summary: Diagnostic = {
    severity: next.severity,
    summary: `…and ${formatCount(more)} more like this, not shown; the next: ${next.summary}`,
    detail: `Only the first ${max} problems of each kind are listed. So many alike usually have one cause (a file exported from another tool, a column pasted into the wrong field): fix it and run again to see what is left.`,
    ...(next.field !== undefined && { field: next.field }),
    ...(next.location !== undefined && { location: next.location }),
  };
  counted.set(summary, { kind, more, next });
  return summary;
}

/** How many problems a diagnostic stands for: a summary the ones it counts, any other one itself. For "Invalid: 100,000 errors". */
export function problemsCounted(diagnostic: Diagnostic): number {
  return counted.get(diagnostic)?.more || 1;
}

/** Counts problems by kind while they are found; only those within the limit are built. */
export class DiagnosticLimit {
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly max: number = MAX_DIAGNOSTICS_PER_KIND) {}

  /** Adds what `make` builds to `out` while `kind` is within the limit; past it, only counts (and builds the first one past it). */
  add(out: Diagnostic[], kind: string, make: () => Diagnostic): void {
    let tally = this.tallies.get(kind);
    if (!tally) {
      tally = { count: 0 };
      this.tallies.set(kind, tally);
    }
    tally.count++;
    if (tally.count <= this.max) {
      const diagnostic = make();
      counted.set(diagnostic, { kind, more: 0 });
      out.push(diagnostic);
    } else if (tally.count === this.max + 1) tally.next = make();
  }

  /** One "…and N more like this" per kind past the limit, located at the first one not shown. */
  summaries(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const [kind, tally] of this.tallies) {
      if (tally.next) out.push(summaryOf(kind, tally.count - this.max, tally.next, this.max));
    }
    return out;
  }
}

/**
 * The same limit over diagnostics limited file by file (loadDeclarations' list, in file order):
 * kinds count across files, and the summaries of the files become one per kind. Diagnostics not
 * made through a DiagnosticLimit are kept as they are.
 */
export function limitDiagnostics(diagnostics: readonly Diagnostic[], max: number = MAX_DIAGNOSTICS_PER_KIND): Diagnostic[] {
  const kept: Diagnostic[] = [];
  const tallies = new Map<string, { shown: number; more: number; next?: Diagnostic }>();
  for (const d of diagnostics) {
    const info = counted.get(d);
    if (!info) {
      kept.push(d);
      continue;
    }
    let tally = tallies.get(info.kind);
    if (!tally) {
      tally = { shown: 0, more: 0 };
      tallies.set(info.kind, tally);
    }
    if (info.more === 0 && tally.shown < max) {
      tally.shown++;
      kept.push(d);
      continue;
    }
    tally.more += info.more === 0 ? 1 : info.more;
    // A file's summary carries its own next one; a plain one past the limit is itself the next.
    tally.next ??= info.next ?? d;
  }
  for (const [kind, tally] of tallies) {
    if (tally.next) kept.push(summaryOf(kind, tally.more, tally.next, max));
  }
  return kept;
}
