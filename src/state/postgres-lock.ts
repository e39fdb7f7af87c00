/**
 * Who holds a PostgreSQL state's lock: the session PostgreSQL says holds the workspace's advisory
 * lock, and the holder row that session wrote.
 */
import type pg from "pg";
import type { LockHolder } from "../errors.js";
import { POSTGRES_LOCK_TABLE } from "./postgres-schema.js";

/** The advisory lock key of a workspace (a 64-bit hash; the schema creation has its own). */
export const LOCK_KEY_SQL = "hashtextextended('ruangkerja-users/' || $1::text, 0)";

export interface LockHolding {
  readonly backendPid: number;
  readonly holder: LockHolder | undefined;
}

/** The session PostgreSQL says holds the lock, and its holder row if that session wrote one; undefined when unlocked. */
export async function queryLockHolding(client: pg.Client, workspace: string): Promise<LockHolding | undefined> {
  const result = await client.query<{
    backend_pid: number;
    holder_id: string | null;
    who: string;
    host: string;
    pid: number;
    operation: string;
    since: Date;
  }>(
    `WITH k AS (SELECT ${LOCK_KEY_SQL} AS key)
     SELECT l.pid AS backend_pid, h.holder_id, h.who, h.host, h.pid, h.operation, h.since
     FROM k, pg_locks l
     LEFT JOIN ${POSTGRES_LOCK_TABLE} h ON h.workspace = $1 AND h.backend_pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid`,
    [workspace],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const holder =
    row.holder_id != null
      ? { id: row.holder_id, who: row.who, host: row.host, pid: row.pid, operation: row.operation, since: row.since.toISOString() }
      : undefined;
  return { backendPid: row.backend_pid, holder };
}
