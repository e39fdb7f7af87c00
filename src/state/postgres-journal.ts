/**
 * The journal of a PostgreSQL state: a row per call in ruangkerja_state_journal (state-journal.ts
 * has what a record holds). A row is committed before the call counts as recorded, so a killed
 * process loses nothing that landed; the state's next full write deletes the rows in the same
 * transaction. Rows are only added while the state row is still the journal's base (lineage and
 * serial), so a run whose state another process replaced journals nothing more.
 */
import type pg from "pg";
import type { Diagnostic } from "../diagnostics.js";
import { StateConflictError } from "../errors.js";
import { POSTGRES_JOURNAL_TABLE, POSTGRES_STATE_TABLE } from "./postgres-schema.js";
import type { StateDocument } from "./state-document.js";
import { changeJson, checkChanges, foldJournal, type JournalBase, type JournalChange, type JournalRecord } from "./state-journal.js";

interface JournalRow {
  lineage: string;
  base_serial: string;
  seq: number;
  api_origin: string | null;
  changes: unknown;
}

/** The state row's document with the workspace's journal rows folded in; diagnostics when they cannot be. */
export async function foldJournalRows(
  client: pg.Client,
  workspace: string,
  location: string,
  state: StateDocument | undefined,
): Promise<{ state: StateDocument | undefined; diagnostics?: Diagnostic[] }> {
  const result = await client.query<JournalRow>(
    `SELECT lineage, base_serial::text AS base_serial, seq, api_origin, changes FROM ${POSTGRES_JOURNAL_TABLE}
     WHERE workspace = $1 ORDER BY lineage, base_serial, seq`,
    [workspace],
  );
  const groups = new Map<string, { base: JournalBase; records: JournalRecord[] }>();
  for (const row of result.rows) {
    const key = `${row.lineage}/${row.base_serial}`;
    let group = groups.get(key);
    if (!group) {
      const base = { lineage: row.lineage, serial: Number(row.base_serial), ...(row.api_origin !== null && { apiOrigin: row.api_origin }) };
      group = { base, records: [] };
      groups.set(key, group);
    }
    const where = `${location}, journal row ${row.seq} after serial ${row.base_serial}`;
    const record = row.seq === group.records.length + 1 ? checkChanges(row.seq, row.changes) : "is out of sequence";
    if (typeof record === "string")
      return { state: undefined, diagnostics: [damaged(where, `the state journal has a row that ${record}`)] };
    group.records.push(record);
  }
  let current = state;
  // Rows of a state the last full write replaced are skipped as folded; rows of another state refuse.
  const live = [...groups.values()].filter(({ base }) => !(state && base.lineage === state.lineage && base.serial < state.serial));
  if (live.length > 1) {
    return {
      state: undefined,
      diagnostics: [
        damaged(location, `the state journal holds results after ${live.length} different states; only one can follow this one`),
      ],
    };
  }
  for (const journal of live) {
    const folded = foldJournal(current, journal, { file: location });
    if (folded.diagnostics) return { state: undefined, diagnostics: folded.diagnostics };
    current = folded.state;
  }
  return { state: current };
}

function damaged(where: string, summary: string): Diagnostic {
  return {
    severity: "error",
    summary,
    detail: `The journal holds results of an interrupted apply, to be folded into the state. Rows were edited by hand: restore the table from your backup, or delete the workspace's rows from ${POSTGRES_JOURNAL_TABLE} to use the state without them (the next apply then meets those users as already existing, and reads them back).`,
    location: { file: where, line: 1, column: 1 },
  };
}

/** Makes room for a journal after `base` (rows of earlier states go) and returns the next record number. */
export async function prepareJournal(client: pg.Client, workspace: string, base: JournalBase): Promise<number> {
  await client.query(`DELETE FROM ${POSTGRES_JOURNAL_TABLE} WHERE workspace = $1 AND NOT (lineage = $2 AND base_serial = $3)`, [
    workspace,
    base.lineage,
    base.serial,
  ]);
  const result = await client.query<{ last: number | null }>(
    `SELECT max(seq) AS last FROM ${POSTGRES_JOURNAL_TABLE} WHERE workspace = $1 AND lineage = $2 AND base_serial = $3`,
    [workspace, base.lineage, base.serial],
  );
  return (result.rows[0]?.last ?? 0) + 1;
}

/** Adds record `seq`, only while the state row is still `base` (or, for a first state, absent). */
export async function insertJournalRow(
  client: pg.Client,
  workspace: string,
  location: string,
  base: JournalBase,
  seq: number,
  changes: readonly JournalChange[],
): Promise<void> {
  const inserted = await client.query(
    `INSERT INTO ${POSTGRES_JOURNAL_TABLE} (workspace, lineage, base_serial, seq, api_origin, changes)
     SELECT $1, $2, $3, $4, $5, $6::jsonb
     WHERE COALESCE((SELECT lineage = $2 AND serial = $3 FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1), $3 = 0)`,
    [workspace, base.lineage, base.serial, seq, base.apiOrigin ?? null, JSON.stringify(changes.map(changeJson))],
  );
  if (inserted.rowCount === 1) return;
  const found = await client.query<{ lineage: string; serial: string }>(
    `SELECT lineage, serial::text AS serial FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1`,
    [workspace],
  );
  const row = found.rows[0];
  throw new StateConflictError(location, row ? { lineage: row.lineage, serial: Number(row.serial) } : undefined, base);
}
