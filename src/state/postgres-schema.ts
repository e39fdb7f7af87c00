/**
 * The PostgreSQL state's tables: created on first use, and an earlier version's tables brought up
 * to date (a column added), under a transaction-level advisory lock so two first runs do not race
 * on the catalog.
 */
import type pg from "pg";

export const POSTGRES_STATE_TABLE = "ruangkerja_state";
export const POSTGRES_LOCK_TABLE = "ruangkerja_state_lock";
export const POSTGRES_JOURNAL_TABLE = "ruangkerja_state_journal";

/** Created on first use (also shown in README, for a DBA who prefers to create it). */
export const POSTGRES_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS ${POSTGRES_STATE_TABLE} (
  workspace      text PRIMARY KEY,
  format_version integer NOT NULL,
  lineage        text NOT NULL,
  serial         bigint NOT NULL,
  api_origin     text,
  users          jsonb NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${POSTGRES_LOCK_TABLE} (
  workspace   text PRIMARY KEY,
  holder_id   text NOT NULL,
  who         text NOT NULL,
  host        text NOT NULL,
  pid         integer NOT NULL,
  operation   text NOT NULL,
  since       timestamptz NOT NULL,
  backend_pid integer NOT NULL
);
-- Tables made before the state recorded its API gain the column (NULL until the next write).
ALTER TABLE ${POSTGRES_STATE_TABLE} ADD COLUMN IF NOT EXISTS api_origin text;
-- Results recorded after each call since the state's last full write (state format 2).
CREATE TABLE IF NOT EXISTS ${POSTGRES_JOURNAL_TABLE} (
  workspace   text NOT NULL,
  lineage     text NOT NULL,
  base_serial bigint NOT NULL,
  seq         integer NOT NULL,
  api_origin  text,
  changes     jsonb NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace, lineage, base_serial, seq)
);`;

const SCHEMA_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('ruangkerja-users schema', 0))";

/** Creates the tables, or adds what an earlier version's tables lack; cheap when they are ready. */
export async function ensurePostgresSchema(client: pg.Client): Promise<void> {
  const ready = await client.query<{ ready: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'api_origin' AND NOT attisdropped) AS ready`,
    [POSTGRES_STATE_TABLE, POSTGRES_LOCK_TABLE, POSTGRES_JOURNAL_TABLE],
  );
  if (!ready.rows[0]?.ready) {
    // Serialised: two first runs at once would otherwise race on the catalog.
    await client.query("BEGIN");
    try {
      await client.query(SCHEMA_LOCK_SQL);
      await client.query(POSTGRES_SCHEMA_SQL);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }
}
