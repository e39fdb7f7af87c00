/**
 * The PostgreSQL server the tests use: RUANGKERJA_TEST_PG_URL, which `scripts/with-postgres.sh`
 * (and so `.ci/run`) sets to a throwaway server on 127.0.0.1. Without it the PostgreSQL tests
 * skip, and say so on stderr.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

export const PG_URL = process.env.RUANGKERJA_TEST_PG_URL ?? "";

/** The CA (a self-signed certificate) of PG_URL's server when it accepts TLS. */
export const PG_CA = process.env.RUANGKERJA_TEST_PG_CA ?? "";

export const PG_SKIP_REASON =
  "RUANGKERJA_TEST_PG_URL is not set, so no PostgreSQL server is known: run `scripts/with-postgres.sh npm test` (as .ci/run does) or set it to a disposable database";

/** Prints why a file's PostgreSQL tests skip; returns true when they must. */
export function skipWithoutPostgres(file: string): boolean {
  if (PG_URL !== "") return false;
  process.stderr.write(`SKIPPED PostgreSQL tests in ${file}: ${PG_SKIP_REASON}\n`);
  return true;
}

/** Prints why a file's TLS tests skip; returns true when they must. */
export function skipWithoutTls(file: string): boolean {
  if (PG_URL !== "" && PG_CA !== "") return false;
  if (PG_URL !== "") {
    process.stderr.write(
      `SKIPPED PostgreSQL TLS tests in ${file}: RUANGKERJA_TEST_PG_CA is not set (scripts/with-postgres.sh sets it when openssl can make a certificate)\n`,
    );
  }
  return true;
}

/** PG_URL with extra query parameters. */
export function pgUrlWith(params: Record<string, string>): string {
  const url = new URL(PG_URL);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** The password of PG_URL, to check that it never appears in output. */
export function pgPassword(): string {
  return PG_URL === "" ? "" : decodeURIComponent(new URL(PG_URL).password);
}

/** A workspace name no other test uses. */
export function freshWorkspace(prefix = "t"): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** Runs one query as the test's own client (not through the code under test). */
export async function pgQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The PostgreSQL backend pids holding a workspace's advisory lock. */
export async function lockHolders(workspace: string): Promise<number[]> {
  const rows = await pgQuery<{ pid: number }>(
    `WITH k AS (SELECT hashtextextended('ruangkerja-users/' || $1::text, 0) AS key)
     SELECT l.pid FROM k, pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid`,
    [workspace],
  );
  return rows.map((r) => r.pid);
}

/** Polls `check` (every 50 ms, at most `timeoutMs`) until it returns true; throws with `what` otherwise. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
}
