/**
 * The state journal: what apply learnt after each bulk call, appended beside the state instead of
 * rewriting it. A full state write costs time in proportion to every user (30 MB at 100,000); a
 * journal record costs what the call changed. The journal follows one state (its lineage and
 * serial, the "base"); a reader folds its records into that state, and the next full write of the
 * state makes it obsolete. Pure: the text form, its checks and the fold. The stores keep it (a
 * file beside the state file, rows beside the PostgreSQL state).
 *
 * The file form is JSON lines: a header, then one record per call.
 *   {"ruangkerjaStateJournal":1,"lineage":"…","baseSerial":7,"apiOrigin":"https://…"}
 *   {"seq":1,"changes":[{"user":{…}},{"from":"B1","user":{…}}]}
 * A change without `from` puts the user under its employeeID; with `from`, the user moved there
 * from that id (a rename).
 */
import type { Diagnostic } from "../diagnostics.js";
import { parseStrictJson } from "../json/strict-json.js";
import { type AppliedUser, EMPLOYEE_ID_PATTERN, isObject } from "../model.js";
import { checkAppliedUser, keptFields, STATE_FORMAT_VERSION, type StateDocument } from "./state-document.js";

export const JOURNAL_FORMAT = 1;

/** The state a journal follows. */
export interface JournalBase {
  readonly lineage: string;
  readonly serial: number;
  /** The API the journaled results came from. */
  readonly apiOrigin?: string;
}

export interface JournalChange {
  /** Set for a rename: the id the user was kept under before. */
  readonly from?: string;
  readonly user: AppliedUser;
}

export interface JournalRecord {
  readonly seq: number;
  readonly changes: readonly JournalChange[];
}

export interface Journal {
  readonly base: JournalBase;
  readonly records: readonly JournalRecord[];
}

/** Where a store keeps the journal of the state it holds; the stores make these. */
export interface StateJournal {
  /** Records one call's changes; resolves once they would survive the process being killed. */
  append(changes: readonly JournalChange[]): Promise<void>;
  /** Makes what was appended survive a power loss too. */
  sync(): Promise<void>;
  /** Syncs and lets go of the journal (the state's next full write makes it obsolete). */
  close(): Promise<void>;
}

/** A journal file read: none (or one killed before its header was whole), or its header and records. */
export type JournalReading =
  | { readonly kind: "none" }
  | {
      readonly kind: "journal";
      readonly journal: Journal;
      /** Characters of the text that hold whole records; a record cut off by a kill lies beyond. */
      readonly wholeLength: number;
      /** A last record cut off mid-write (the process was killed while appending): not counted. */
      readonly cutOff: boolean;
    }
  | { readonly kind: "damaged"; readonly diagnostics: Diagnostic[] };

export function journalHeaderLine(base: JournalBase): string {
  return `${JSON.stringify({
    ruangkerjaStateJournal: JOURNAL_FORMAT,
    lineage: base.lineage,
    baseSerial: base.serial,
    ...(base.apiOrigin !== undefined && { apiOrigin: base.apiOrigin }),
  })}\n`;
}

export function journalRecordLine(seq: number, changes: readonly JournalChange[]): string {
  return `${JSON.stringify({ seq, changes: changes.map(changeJson) })}\n`;
}

export function changeJson(change: JournalChange): JournalChange {
  return change.from === undefined ? { user: keptFields(change.user) } : { from: change.from, user: keptFields(change.user) };
}

/** Reads a journal file's text. Each line is checked as strictly as the state itself. */
export function parseJournalText(file: string, text: string): JournalReading {
  const damaged = (line: number, summary: string): JournalReading => ({
    kind: "damaged",
    diagnostics: [
      {
        severity: "error",
        summary: `the state journal ${summary}`,
        detail:
          "The journal holds results of an apply that was interrupted, to be folded into the state. It was edited or damaged: restore it from your backup, or move it aside to use the state without those results (the next apply then meets those users as already existing, and reads them back).",
        location: { file, line, column: 1 },
      },
    ],
  });
  const firstEnd = text.indexOf("\n");
  // Killed before the header was whole: nothing was journaled.
  if (firstEnd === -1) return { kind: "none" };
  const header = parseStrictJson(text.slice(0, firstEnd));
  const base = header.ok ? checkHeader(header.value) : undefined;
  if (!base) return damaged(1, "does not start with a journal header");
  const records: JournalRecord[] = [];
  let at = firstEnd + 1;
  let line = 2;
  for (let end = text.indexOf("\n", at); end !== -1; end = text.indexOf("\n", at), line++) {
    const parsed = parseStrictJson(text.slice(at, end));
    const record = parsed.ok ? checkRecord(parsed.value) : parsed.summary;
    if (typeof record === "string") return damaged(line, `has a record that ${record} (line ${line})`);
    if (record.seq !== records.length + 1)
      return damaged(line, `has record ${record.seq} where record ${records.length + 1} belongs (line ${line})`);
    records.push(record);
    at = end + 1;
  }
  return { kind: "journal", journal: { base, records }, wholeLength: at, cutOff: at < text.length };
}

function checkHeader(raw: unknown): JournalBase | undefined {
  if (!isObject(raw) || raw.ruangkerjaStateJournal !== JOURNAL_FORMAT) return undefined;
  const { lineage, baseSerial, apiOrigin } = raw;
  if (typeof lineage !== "string" || lineage === "" || !Number.isSafeInteger(baseSerial) || (baseSerial as number) < 0) return undefined;
  if (apiOrigin !== undefined && typeof apiOrigin !== "string") return undefined;
  return { lineage, serial: baseSerial as number, ...(apiOrigin !== undefined && { apiOrigin }) };
}

/** A record's checks, shared with the PostgreSQL rows; a string says what is wrong. */
export function checkRecord(raw: unknown): JournalRecord | string {
  if (!isObject(raw)) return "is not an object";
  if (!Number.isSafeInteger(raw.seq) || (raw.seq as number) < 1) return "has no record number";
  return checkChanges(raw.seq as number, raw.changes);
}

export function checkChanges(seq: number, raw: unknown): JournalRecord | string {
  if (!Array.isArray(raw)) return "has no list of changes";
  const changes: JournalChange[] = [];
  for (const [index, change] of raw.entries()) {
    if (!isObject(change)) return `has change ${index} that is not an object`;
    const reason = checkAppliedUser(change.user);
    if (reason) return `has change ${index} whose user ${reason}`;
    if (change.from !== undefined && (typeof change.from !== "string" || !EMPLOYEE_ID_PATTERN.test(change.from))) {
      return `has change ${index} moved from an id RuangKerja cannot hold`;
    }
    const user = keptFields(change.user as AppliedUser);
    changes.push(change.from === undefined ? { user } : { from: change.from, user });
  }
  return { seq, changes };
}

export type FoldResult =
  | { readonly state: StateDocument | undefined; readonly diagnostics?: undefined }
  | { readonly state?: undefined; readonly diagnostics: Diagnostic[] };

/**
 * The state with the journal's records applied. A journal of an earlier serial of the same
 * lineage was folded already (a full write came after it): the state is returned as it is. A
 * journal that follows another state (another lineage, a later serial, a state that is missing)
 * is refused: folding it would make up history, and dropping it would lose results.
 */
export function foldJournal(state: StateDocument | undefined, journal: Journal, where: { file: string; line?: number }): FoldResult {
  const { base } = journal;
  const refuse = (summary: string): FoldResult => ({
    diagnostics: [
      {
        severity: "error",
        summary,
        detail:
          "The journal holds results of an interrupted apply on another state. If the state was restored from a backup on purpose, move the journal aside (the next apply meets the users it holds as already existing, and reads them back); otherwise restore the state that belongs with it.",
        location: { file: where.file, line: where.line ?? 1, column: 1 },
      },
    ],
  });
  if (state === undefined) {
    if (base.serial !== 0) return refuse(`the state journal follows serial ${base.serial} of a state that is not there`);
  } else {
    if (state.lineage !== base.lineage) {
      return refuse(`the state journal follows a state of lineage ${base.lineage}, but the state has lineage ${state.lineage}`);
    }
    if (base.serial < state.serial) return { state };
    if (base.serial > state.serial) {
      return refuse(`the state journal follows serial ${base.serial}, but the state is at serial ${state.serial}, an older one`);
    }
  }
  if (journal.records.length === 0) return { state };
  const users = new Map(state?.users);
  for (const record of journal.records) {
    for (const change of record.changes) {
      if (change.from !== undefined) users.delete(change.from);
      users.set(change.user.employeeID, change.user);
    }
  }
  const apiOrigin = base.apiOrigin ?? state?.apiOrigin;
  return {
    state: {
      formatVersion: STATE_FORMAT_VERSION,
      lineage: base.lineage,
      serial: base.serial,
      ...(apiOrigin !== undefined && { apiOrigin }),
      users,
      journaled: journal.records.length,
    },
  };
}

/** What plan and apply say when the state they read had journaled results. */
export function journaledNote(location: string, records: number, by: "plan" | "apply"): string {
  const what = `${records} call${records === 1 ? "'s" : "s'"} results`;
  return `State: ${location} has ${what} of an interrupted apply in its journal, read with it; ${by === "apply" ? "this apply writes them into the state" : "the next apply writes them into the state"}.`;
}
