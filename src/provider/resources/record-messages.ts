/**
 * How the bulk resource's diagnostics quote what a `users` map holds (its keys, a record's keys and
 * values), and how many of them it gives. The map is input: a key may hold a line break and
 * `::error …` (a forged GitHub Actions annotation), an escape sequence or a bidirectional control,
 * and a value may be megabytes long. So every such text is quoted and escaped as quoteText does
 * (src/text/untrusted-text.ts), cut to ECHO_CHARS characters, and of each kind of problem only the
 * first MAX_DIAGNOSTICS_PER_KIND are reported, then one counts the rest (src/diagnostic-limit.ts).
 */
import type { Diagnostic } from "../../diagnostics.js";
import { DiagnosticLimit } from "../../diagnostic-limit.js";
import { quoteText } from "../../text/untrusted-text.js";
import type { TfDiagnostic } from "../provider-types.js";
import { USERS_ATTRIBUTE } from "./users-schema.js";

/** How much of a key or value a message quotes: enough to recognise it. */
export const ECHO_CHARS = 60;

/** Where the first `max` characters (code points) of `text` end, or undefined when it has no more. */
function cutAt(text: string, max: number): number | undefined {
  if (text.length <= max) return undefined;
  let count = 0;
  let end = 0;
  for (const char of text) {
    if (count === max) return end;
    end += char.length;
    count++;
  }
  return undefined;
}

/** `"Budi"`, or for a long text `"KKKK…" (5,000,000 characters)`: quoted, escaped, and at most ECHO_CHARS of it. */
export function echo(text: string): string {
  const end = cutAt(text, ECHO_CHARS);
  if (end === undefined) return quoteText(text);
  return `${quoteText(text.slice(0, end)).slice(0, -1)}…" (${text.length.toLocaleString("en-US")} characters)`;
}

/** `users["EMP1"]`: the map entry a message is about. */
export function entryName(employeeID: string): string {
  return `users[${echo(employeeID)}]`;
}

/** A field name as written (`name`, `nmae`); anything else is quoted. */
const BARE_FIELD = /^[a-z_][a-z0-9_]{0,59}$/;

/** `.name` after the entry, or `["\n::error…"]` for a key that is not a plain word. */
export function fieldStep(key: string): string {
  return BARE_FIELD.test(key) ? `.${key}` : `[${echo(key)}]`;
}

/** A problem of one entry of the map: what kind it is (counted per kind), the entry's key, and what to say. */
export interface EntryProblem {
  readonly kind: string;
  readonly summary: string;
  readonly detail?: string;
}

/**
 * Diagnostics about the map's entries, limited per kind as src/diagnostic-limit.ts limits those
 * of declaration files: the first ones, then one "…and N more like this" pointing at the next.
 */
export class EntryDiagnostics {
  private readonly limit = new DiagnosticLimit();
  private readonly found: Diagnostic[] = [];

  add(employeeID: string, problem: EntryProblem): void {
    this.limit.add(this.found, problem.kind, () => ({
      severity: "error",
      summary: problem.summary,
      ...(problem.detail !== undefined && { detail: problem.detail }),
      // The entry's key, carried to the summary of those not shown, which points at the next one.
      field: employeeID,
    }));
  }

  /** Every diagnostic kept, then the summaries; each points at its entry. */
  diagnostics(): TfDiagnostic[] {
    return [...this.found, ...this.limit.summaries()].map((d) => ({
      severity: d.severity,
      summary: d.summary,
      ...(d.detail !== undefined && { detail: d.detail }),
      attribute: [{ attribute: USERS_ATTRIBUTE }, ...(d.field === undefined ? [] : [{ key: d.field }])],
    }));
  }
}
