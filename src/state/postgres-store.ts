/**
 * The PostgreSQL state store, for teams whose runners are ephemeral: one row per workspace in
 * `ruangkerja_state`, and a session-level advisory lock held on one dedicated connection for a
 * whole apply, its holder recorded in `ruangkerja_state_lock` so a second applier can say who
 * holds it. A crashed runner's lock ends with its connection.
 *
 * No lost update: each write runs in a transaction that first reads the row FOR UPDATE and
 * refuses (StateConflictError) unless the row holds the lineage and serial this store last read
 * or wrote (or, for a store that never read it, the written state's predecessor), and the new
 * state follows it (same lineage, serial one higher), as the file store checks; no row at all is
 * fine. Only replace() (state migrate) writes over whatever the row holds.
 *
 * A lost lock connection is noticed when it happens ('error' or 'end' on the lock's client), and
 * every later read or write refuses: the advisory lock ended with that connection.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import {
  DatabaseStateLockedError,
  errorMessage,
  InvalidInputError,
  type LockHolder,
  RuangkerjaError,
  StateConflictError,
  StateIOError,
} from "../errors.js";
import { newLockHolder } from "./lock-holder.js";
import { LOCK_KEY_SQL, type LockHolding, queryLockHolding } from "./postgres-lock.js";
import { foldJournalRows, insertJournalRow, prepareJournal } from "./postgres-journal.js";
import { ensurePostgresSchema, POSTGRES_JOURNAL_TABLE, POSTGRES_LOCK_TABLE, POSTGRES_STATE_TABLE } from "./postgres-schema.js";
import { parseStateValue, type StateDocument, stateToJson } from "./state-document.js";
import { parsePostgresUrl, type PostgresUrl, redactSecrets } from "./postgres-url.js";
import type { JournalBase, StateJournal } from "./state-journal.js";
import type { LockOptions, StateLock, StateStore } from "./state-store.js";

export { POSTGRES_JOURNAL_TABLE, POSTGRES_LOCK_TABLE, POSTGRES_SCHEMA_SQL, POSTGRES_STATE_TABLE } from "./postgres-schema.js";

export interface PostgresStateStoreOptions {
  /** `postgres://` or `postgresql://` connection string; TLS settings (`sslmode`, `sslrootcert`, …) pass through to node-postgres. */
  readonly url: string;
  /** @default "default" */
  readonly workspace?: string;
  /** @default 15000 */
  readonly connectTimeoutMs?: number;
}

/** What this store last saw in its row: the write guard expects it still. */
type Seen = { readonly lineage: string; readonly serial: number } | "absent";

interface StateRow {
  format_version: number;
  lineage: string;
  serial: string;
  api_origin: string | null;
  users: unknown;
}

interface HeldLock {
  readonly client: pg.Client;
  /** Why the lock's connection ended under us; set by its 'error' or 'end' event. */
  lost?: string;
}

export class PostgresStateStore implements StateStore {
  readonly location: string;
  readonly workspace: string;
  private readonly url: PostgresUrl;
  private readonly connectTimeoutMs: number;
  private seen: Seen | undefined;
  private held: HeldLock | undefined;
  private schemaReady = false;

  constructor(options: PostgresStateStoreOptions) {
    this.url = parsePostgresUrl(options.url);
    this.workspace = options.workspace ?? "default";
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.location = `${this.url.display} (workspace "${this.workspace}")`;
  }

  /** The row with the workspace's journal rows folded in, read in one snapshot (a write between two reads would mix states). */
  async read(): Promise<StateDocument | undefined> {
    const read = await this.withClient("read", async (client) => {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      try {
        const result = await client.query<StateRow>(
          `SELECT format_version, lineage, serial::text AS serial, api_origin, users FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1`,
          [this.workspace],
        );
        const state = this.parseRow(result.rows[0]);
        const folded = await foldJournalRows(client, this.workspace, this.location, state);
        await client.query("COMMIT");
        return { row: state, ...folded };
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
    if (read.diagnostics) throw new InvalidInputError(`cannot use the state journal in ${this.location}`, read.diagnostics);
    this.seen = read.row ? { lineage: read.row.lineage, serial: read.row.serial } : "absent";
    return read.state;
  }

  private parseRow(row: StateRow | undefined): StateDocument | undefined {
    if (!row) return undefined;
    const raw = {
      formatVersion: row.format_version,
      lineage: row.lineage,
      serial: Number(row.serial),
      ...(row.api_origin !== null && { apiOrigin: row.api_origin }),
      users: row.users,
    };
    const { state, diagnostics } = parseStateValue(this.location, raw);
    if (!state) throw new InvalidInputError(`cannot use the state in ${this.location}`, diagnostics);
    return state;
  }

  /** A row per call, on the lock's connection: only a run that holds the lock journals. */
  async openJournal(base: JournalBase): Promise<StateJournal> {
    if (!this.held) throw new RuangkerjaError(`the state journal in ${this.location} needs the state's lock`);
    let seq = await this.withClient("write", (client) => prepareJournal(client, this.workspace, base));
    return {
      append: async (changes) => {
        if (changes.length === 0) return;
        await this.withClient("write", (client) => insertJournalRow(client, this.workspace, this.location, base, seq, changes));
        seq += 1;
      },
      // Each row was committed when append returned: as durable as the database makes commits.
      sync: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }

  /** Writes `state` if the row is absent, or is the one this store last saw and `state` follows it. */
  async write(state: StateDocument): Promise<void> {
    await this.writeRow(state, "follow");
  }

  /**
   * Writes `state` whatever the row holds: for `state migrate --force`, which holds the lock and
   * checked what it replaces itself. Every other writer uses write().
   */
  async replace(state: StateDocument): Promise<void> {
    await this.writeRow(state, "replace");
  }

  private async writeRow(state: StateDocument, mode: "follow" | "replace"): Promise<void> {
    const json = stateToJson(state);
    const seen = this.seen;
    const predecessor = { lineage: json.lineage, serial: json.serial - 1 };
    const expected = seen !== undefined && seen !== "absent" ? seen : predecessor;
    await this.withClient("write", async (client) => {
      await client.query("BEGIN");
      try {
        const current = await client.query<{ lineage: string; serial: string }>(
          `SELECT lineage, serial::text AS serial FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1 FOR UPDATE`,
          [this.workspace],
        );
        const row = current.rows[0];
        const found = row ? { lineage: row.lineage, serial: Number(row.serial) } : undefined;
        if (mode === "follow" && found) {
          if (found.lineage !== expected.lineage || found.serial !== expected.serial)
            throw new StateConflictError(this.location, found, expected);
          // The row is the one last seen, but this state is not its successor: it would rewrite history.
          if (found.lineage !== predecessor.lineage || found.serial !== predecessor.serial) {
            throw new StateConflictError(this.location, found, predecessor);
          }
        }
        const values = [this.workspace, json.formatVersion, json.lineage, json.serial, JSON.stringify(json.users), json.apiOrigin ?? null];
        if (row) {
          await client.query(
            `UPDATE ${POSTGRES_STATE_TABLE} SET format_version = $2, lineage = $3, serial = $4, users = $5::jsonb, api_origin = $6, updated_at = now() WHERE workspace = $1`,
            values,
          );
        } else {
          await client.query(
            `INSERT INTO ${POSTGRES_STATE_TABLE} (workspace, format_version, lineage, serial, users, api_origin) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
            values,
          );
        }
        // The journal's results are in the new state now.
        await client.query(`DELETE FROM ${POSTGRES_JOURNAL_TABLE} WHERE workspace = $1`, [this.workspace]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        // Two first writes at once: the loser meets the winner's row.
        if ((error as { code?: string }).code === "23505" && mode === "follow")
          throw new StateConflictError(this.location, await this.identity(client), expected);
        throw error;
      }
    });
    this.seen = { lineage: json.lineage, serial: json.serial };
  }

  async lock(operation: string, options: LockOptions = {}): Promise<StateLock> {
    if (this.held) throw new RuangkerjaError(`state ${this.location} is already locked by this process`);
    const { signal } = options;
    const timeoutMs = options.timeoutMs ?? 0;
    const started = Date.now();
    const client = await this.connect("lock");
    try {
      await this.ensureSchema(client);
      for (let attempt = 0; ; attempt++) {
        const taken = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY_SQL}) AS ok`, [this.workspace]);
        if (taken.rows[0]?.ok) break;
        const waited = Date.now() - started;
        if (waited >= timeoutMs) throw await this.lockedError(client, waited);
        if (signal?.aborted) throw interrupted(this.location);
        // Polling keeps Ctrl-C and the timeout simple; at most one query a second.
        await sleep(Math.min(timeoutMs - waited, 100 * 2 ** Math.min(attempt, 4), 1000), undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) throw interrupted(this.location);
      }
      const holder = newLockHolder(operation);
      await client.query(
        `INSERT INTO ${POSTGRES_LOCK_TABLE} (workspace, holder_id, who, host, pid, operation, since, backend_pid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, pg_backend_pid())
         ON CONFLICT (workspace) DO UPDATE SET holder_id = $2, who = $3, host = $4, pid = $5, operation = $6, since = $7, backend_pid = pg_backend_pid()`,
        [this.workspace, holder.id, holder.who, holder.host, holder.pid, holder.operation, holder.since],
      );
      return this.holdLock(client, holder);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw this.wrap("lock", error);
    }
  }

  /** Who holds the lock now (undefined when no session does); a PostgreSQL lock is never stale: it ends with its session. */
  async readLock(): Promise<{ holder: LockHolder | undefined; stale: boolean } | undefined> {
    const current = await this.withClient("read", (client) => this.currentHolder(client));
    return current ? { holder: current.holder, stale: false } : undefined;
  }

  /**
   * A PostgreSQL lock cannot be taken from a live session, and a dead session's lock is already
   * gone: this removes only a leftover holder row with that ID, and otherwise says what to do.
   */
  async forceUnlock(lockId: string): Promise<LockHolder> {
    return this.withClient("write", async (client) => {
      const current = await this.currentHolder(client);
      if (current) {
        const by = current.holder
          ? `${current.holder.who} (pid ${current.holder.pid} on ${current.holder.host}, lock ID ${current.holder.id})`
          : "a session";
        throw new InvalidInputError(
          `the state ${this.location} is locked by ${by} whose PostgreSQL session (backend pid ${current.backendPid}) is alive; ` +
            `its lock ends when that session ends. If that run is stuck, a database administrator can end it with SELECT pg_terminate_backend(${current.backendPid}); nothing was removed`,
          [],
        );
      }
      const removed = await client.query<{ who: string; host: string; pid: number; operation: string; since: Date }>(
        `DELETE FROM ${POSTGRES_LOCK_TABLE} WHERE workspace = $1 AND holder_id = $2 RETURNING who, host, pid, operation, since`,
        [this.workspace, lockId],
      );
      const row = removed.rows[0];
      if (!row)
        throw new InvalidInputError(
          `the state ${this.location} is not locked (a PostgreSQL lock ends with its session); nothing to remove`,
          [],
        );
      return { id: lockId, who: row.who, host: row.host, pid: row.pid, operation: row.operation, since: row.since.toISOString() };
    });
  }

  private holdLock(client: pg.Client, holder: LockHolder): StateLock {
    const held: HeldLock = { client };
    this.held = held;
    // Noticed now rather than at the next write: from here on, another run may take the lock.
    client.on("error", (error) => {
      held.lost ??= redactSecrets(errorMessage(error), this.url.secrets);
    });
    client.on("end", () => {
      held.lost ??= "the connection ended";
    });
    let released = false;
    const forget = () => {
      released = true;
      if (this.held === held) this.held = undefined;
    };
    return {
      release: async () => {
        if (released) return;
        forget();
        try {
          await client.query(`DELETE FROM ${POSTGRES_LOCK_TABLE} WHERE workspace = $1 AND holder_id = $2`, [this.workspace, holder.id]);
          await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY_SQL})`, [this.workspace]);
        } catch {
          // A lost connection has ended the lock already; a leftover holder row names no live session.
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      releaseSync: () => {
        // The process exits next: its connection closes, and PostgreSQL ends the lock with it.
        forget();
      },
    };
  }

  private async lockedError(client: pg.Client, waitedMs: number): Promise<DatabaseStateLockedError> {
    const current = await this.currentHolder(client);
    return new DatabaseStateLockedError(this.location, current?.holder, current?.backendPid, waitedMs);
  }

  private currentHolder(client: pg.Client): Promise<LockHolding | undefined> {
    return queryLockHolding(client, this.workspace);
  }

  /** The lineage and serial in the row now, for a message. */
  private async identity(client: pg.Client): Promise<{ lineage: string; serial: number } | undefined> {
    const result = await client
      .query<{ lineage: string; serial: string }>(
        `SELECT lineage, serial::text AS serial FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1`,
        [this.workspace],
      )
      .catch(() => undefined);
    const row = result?.rows[0];
    return row ? { lineage: row.lineage, serial: Number(row.serial) } : undefined;
  }

  /** Runs `use` on the lock's connection while this store holds the lock, else on a connection of its own. */
  private async withClient<T>(action: "read" | "write", use: (client: pg.Client) => Promise<T>): Promise<T> {
    const held = this.held;
    if (held?.lost !== undefined) throw lockLost(this.location, action, held.lost);
    let client: pg.Client | undefined;
    try {
      client = held?.client ?? (await this.connect(action));
      if (!held) await this.ensureSchema(client);
      return await use(client);
    } catch (error) {
      throw this.wrap(action, error);
    } finally {
      if (!held) await client?.end().catch(() => undefined);
    }
  }

  private async connect(action: "read" | "write" | "lock"): Promise<pg.Client> {
    let client: pg.Client | undefined;
    try {
      // pg loads on the first connection: the CLI opens this store's module for any --state, files too.
      const { Client } = (await import("pg")).default;
      // Inside the try: the driver parses the URL here (reads sslrootcert files, decodes the password).
      client = new Client({
        connectionString: this.url.connectionString,
        application_name: "ruangkerja-users",
        connectionTimeoutMillis: this.connectTimeoutMs,
        keepAlive: true,
      });
      // An idle connection that drops emits 'error'; the next query on it then fails and says so.
      client.on("error", () => undefined);
      await client.connect();
      return client;
    } catch (error) {
      await client?.end().catch(() => undefined);
      throw this.wrap(action, error);
    }
  }

  private async ensureSchema(client: pg.Client): Promise<void> {
    if (this.schemaReady) return;
    await ensurePostgresSchema(client);
    this.schemaReady = true;
  }

  /** Our own errors pass; driver errors become StateIOError, their text scrubbed of the password. */
  private wrap(action: "read" | "write" | "lock", error: unknown): Error {
    if (error instanceof RuangkerjaError) return error;
    const message = redactSecrets(errorMessage(error), this.url.secrets);
    const cause = Object.assign(new Error(message), { code: (error as { code?: string })?.code });
    return new StateIOError(this.location, action, cause);
  }
}

/** The error of a read or write after the lock's connection was lost. */
function lockLost(location: string, action: "read" | "write", why: string): StateIOError {
  return new StateIOError(
    location,
    action,
    new Error(
      `the PostgreSQL connection that held its lock was lost (${why}), and the lock with it: another run may hold it now, so nothing was ${action === "write" ? "written" : "read"}. Run plan again: users applied since the last save are not in state, and the next apply reads them back`,
    ),
  );
}

function interrupted(location: string): RuangkerjaError {
  return new RuangkerjaError(`stopped waiting for the lock on state ${location} (interrupted); nothing was changed`);
}
