/**
 * PostgresStateStore against a real PostgreSQL server (RUANGKERJA_TEST_PG_URL); each test uses
 * its own workspace, so tests do not see each other.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { InvalidInputError, StateConflictError, StateIOError, StateLockedError } from "../../../src/errors.js";
import { PostgresStateStore } from "../../../src/state/postgres-store.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, stateOf } from "../../builders.js";
import {
  freshWorkspace,
  lockHolders,
  PG_CA,
  PG_URL,
  pgPassword,
  pgQuery,
  pgUrlWith,
  skipWithoutPostgres,
  skipWithoutTls,
  waitFor,
} from "../../postgres.js";

const skip = skipWithoutPostgres("test/unit/state/postgres-store.test.ts");
const skipTls = skipWithoutTls("test/unit/state/postgres-store.test.ts");

function storeFor(workspace: string, url = PG_URL): PostgresStateStore {
  return new PostgresStateStore({ url, workspace });
}

function sampleState(serial = 1): StateDocument {
  return {
    ...newStateDocument(),
    serial,
    users: stateOf(applied("B", { tagSerials: ["T2", "T1"], organizationSerial: "ORG1" }), applied("A", { phone: "62811" })),
  };
}

/** Ends the session that holds a workspace's lock, as a killed runner or a database restart does, and waits for the lock to go. */
async function endLockSession(workspace: string): Promise<void> {
  const [pid] = await lockHolders(workspace);
  await pgQuery("SELECT pg_terminate_backend($1)", [pid]);
  await waitFor("the lock to end with its connection", async () => (await lockHolders(workspace)).length === 0);
}

describe.skipIf(skip)("PostgresStateStore", () => {
  it("records the state's API, and a table made before that column gains it on first use", async () => {
    const schema = `s_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    await pgQuery(`CREATE SCHEMA ${schema}`);
    try {
      // The table as an earlier version made it, with a state in it.
      await pgQuery(
        `CREATE TABLE ${schema}.ruangkerja_state (workspace text PRIMARY KEY, format_version integer NOT NULL, lineage text NOT NULL,
           serial bigint NOT NULL, users jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
         CREATE TABLE ${schema}.ruangkerja_state_lock (workspace text PRIMARY KEY, holder_id text NOT NULL, who text NOT NULL,
           host text NOT NULL, pid integer NOT NULL, operation text NOT NULL, since timestamptz NOT NULL, backend_pid integer NOT NULL);
         INSERT INTO ${schema}.ruangkerja_state VALUES ('default', 1, 'old-lineage', 4, '[]'::jsonb, now())`,
      );
      const url = new URL(PG_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const old = await storeFor("default", url.toString()).read();
      expect(old).toMatchObject({ lineage: "old-lineage", serial: 4 });
      expect(old?.apiOrigin).toBeUndefined();
      const store = storeFor("default", url.toString());
      const read = await store.read();
      await new StateSession(store, read as StateDocument, "https://api.ruangkerja.id").save();
      const back = await storeFor("default", url.toString()).read();
      expect(back).toMatchObject({ lineage: "old-lineage", serial: 5, apiOrigin: "https://api.ruangkerja.id" });
      const columns = await pgQuery<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'ruangkerja_state' AND column_name = 'api_origin'",
        [schema],
      );
      expect(columns).toHaveLength(1);
    } finally {
      await pgQuery(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it("creates its tables on first use, reads nothing, then round-trips a state", async () => {
    // A schema of its own (through the URL's options), so the tables really are created here.
    const schema = `s_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    await pgQuery(`CREATE SCHEMA ${schema}`);
    try {
      const url = new URL(PG_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const store = storeFor("default", url.toString());
      expect(await store.read()).toBeUndefined();
      const tables = await pgQuery<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [schema],
      );
      expect(tables.map((t) => t.table_name)).toEqual(["ruangkerja_state", "ruangkerja_state_journal", "ruangkerja_state_lock"]);

      const state = sampleState(7);
      await store.write(state);
      const back = await storeFor("default", url.toString()).read();
      expect(back?.lineage).toBe(state.lineage);
      expect(back?.serial).toBe(7);
      expect(back?.formatVersion).toBe(state.formatVersion);
      expect([...(back?.users.values() ?? [])]).toEqual([
        applied("A", { phone: "62811" }),
        applied("B", { tagSerials: ["T2", "T1"], organizationSerial: "ORG1" }),
      ]);
      const rows = await pgQuery<{ serial: string; users: { employeeID: string }[] }>(
        `SELECT serial::text AS serial, users FROM ${schema}.ruangkerja_state WHERE workspace = 'default'`,
      );
      expect(rows[0]?.serial).toBe("7");
      expect(rows[0]?.users.map((u) => u.employeeID)).toEqual(["A", "B"]);
    } finally {
      await pgQuery(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it("writes every save of a session, each with the next serial", async () => {
    const workspace = freshWorkspace();
    const store = storeFor(workspace);
    const session = new StateSession(store, (await store.read()) ?? newStateDocument());
    session.put(applied("A"));
    await session.save();
    session.put(applied("B"));
    await session.save();
    const back = await storeFor(workspace).read();
    expect(back?.serial).toBe(2);
    expect([...(back?.users.keys() ?? [])]).toEqual(["A", "B"]);
  });

  it("keeps workspaces apart", async () => {
    const [one, two] = [freshWorkspace(), freshWorkspace()];
    await storeFor(one).write({ ...newStateDocument(), serial: 1, users: stateOf(applied("ONE")) });
    await storeFor(two).write({ ...newStateDocument(), serial: 1, users: stateOf(applied("TWO")) });
    expect([...((await storeFor(one).read())?.users.keys() ?? [])]).toEqual(["ONE"]);
    expect([...((await storeFor(two).read())?.users.keys() ?? [])]).toEqual(["TWO"]);
    expect(await storeFor(freshWorkspace()).read()).toBeUndefined();
  });

  it("refuses a write when another writer changed the row since this store read it (no lost update)", async () => {
    const workspace = freshWorkspace();
    await storeFor(workspace).write(sampleState(1));
    const mine = storeFor(workspace);
    const theirs = storeFor(workspace);
    const base = (await mine.read()) as StateDocument;
    const theirBase = (await theirs.read()) as StateDocument;
    await theirs.write({ ...theirBase, serial: 2, users: stateOf(applied("THEIRS")) });

    const attempt = mine.write({ ...base, serial: 2, users: stateOf(applied("MINE")) });
    await expect(attempt).rejects.toBeInstanceOf(StateConflictError);
    await expect(attempt).rejects.toThrow(/found lineage \S+ serial 2, expected lineage \S+ serial 1\)/);
    const now = await storeFor(workspace).read();
    expect([...(now?.users.keys() ?? [])]).toEqual(["THEIRS"]);
    // The store does not paper over it: every later write is refused too.
    await expect(mine.write({ ...base, serial: 3 })).rejects.toBeInstanceOf(StateConflictError);
  });

  it("refuses a write over a row it never read unless the row is its predecessor, and lets exactly one of two first writers win", async () => {
    const workspace = freshWorkspace();
    const first = sampleState(1);
    await storeFor(workspace).write(first);
    await expect(storeFor(workspace).write({ ...first, serial: 5 })).rejects.toThrow(
      /found lineage \S+ serial 1, expected lineage \S+ serial 4\)/,
    );
    await expect(storeFor(workspace).write(sampleState(2))).rejects.toBeInstanceOf(StateConflictError);
    await storeFor(workspace).write({ ...first, serial: 2 });
    expect((await storeFor(workspace).read())?.serial).toBe(2);

    const fresh = freshWorkspace();
    const results = await Promise.allSettled([storeFor(fresh).write(sampleState(1)), storeFor(fresh).write(sampleState(1))]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(StateConflictError);
  });

  it("refuses a row that is not a valid state, naming where it is", async () => {
    const workspace = freshWorkspace();
    await storeFor(workspace).write(sampleState(1));
    await pgQuery(`UPDATE ruangkerja_state SET users = '[{"employeeID": "X"}]'::jsonb WHERE workspace = $1`, [workspace]);
    const attempt = storeFor(workspace).read();
    await expect(attempt).rejects.toBeInstanceOf(InvalidInputError);
    await expect(attempt).rejects.toThrow(`workspace "${workspace}"`);
  });

  it("locks: a second locker fails at once, naming host, pid, operation and since when", async () => {
    const workspace = freshWorkspace();
    const lock = await storeFor(workspace).lock("apply");
    try {
      const attempt = storeFor(workspace).lock("apply");
      await expect(attempt).rejects.toBeInstanceOf(StateLockedError);
      const error = (await attempt.catch((e: unknown) => e)) as StateLockedError;
      expect(error.holder).toMatchObject({ host: hostname(), pid: process.pid, operation: "apply" });
      expect(error.message).toContain(`pid ${process.pid} on ${hostname()}`);
      expect(error.message).toMatch(/since \d{4}-\d\d-\d\dT/);
      expect(await lockHolders(workspace)).toHaveLength(1);
    } finally {
      await lock.release();
    }
    expect(await lockHolders(workspace)).toHaveLength(0);
    expect(await pgQuery("SELECT 1 FROM ruangkerja_state_lock WHERE workspace = $1", [workspace])).toHaveLength(0);
    const again = await storeFor(workspace).lock("apply");
    await again.release();
  });

  it("waits for the lock with timeoutMs, and gets it once the holder releases", async () => {
    const workspace = freshWorkspace();
    const first = await storeFor(workspace).lock("apply");
    // Named through the URL, so the test can see this store's connection in pg_stat_activity.
    const name = `waiter-${workspace}`;
    const url = new URL(PG_URL);
    url.searchParams.set("application_name", name);
    const waiting = storeFor(workspace, url.toString()).lock("apply", { timeoutMs: 60_000 });
    // Released only after the waiter's first try has failed.
    await waitFor("the second locker to try and fail once", async () => {
      const rows = await pgQuery("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_try_advisory_lock%'", [
        name,
      ]);
      return rows.length === 1;
    });
    await first.release();
    const lock = await waiting;
    expect(await lockHolders(workspace)).toHaveLength(1);
    await lock.release();
  });

  it("gives up after timeoutMs with who holds it", async () => {
    const workspace = freshWorkspace();
    const first = await storeFor(workspace).lock("state migrate");
    try {
      const attempt = storeFor(workspace).lock("apply", { timeoutMs: 300 });
      await expect(attempt).rejects.toBeInstanceOf(StateLockedError);
      await expect(attempt).rejects.toThrow(/operation "state migrate".*\(waited \d+\.\d s\)/);
    } finally {
      await first.release();
    }
  });

  it("stops waiting when the signal aborts", async () => {
    const workspace = freshWorkspace();
    const first = await storeFor(workspace).lock("apply");
    try {
      const controller = new AbortController();
      const waiting = storeFor(workspace).lock("apply", { timeoutMs: 60_000, signal: controller.signal });
      controller.abort();
      await expect(waiting).rejects.toThrow(/stopped waiting for the lock/);
    } finally {
      await first.release();
    }
  });

  it("keeps the lock only as long as its connection: a dropped connection frees it, and the old holder can no longer write", async () => {
    const workspace = freshWorkspace();
    const holder = storeFor(workspace);
    const lock = await holder.lock("apply");
    const state = (await holder.read()) ?? newStateDocument();
    await endLockSession(workspace);

    const next = await storeFor(workspace).lock("apply");
    await expect(holder.write({ ...state, serial: 1 })).rejects.toBeInstanceOf(StateIOError);
    await lock.release(); // harmless after the connection is gone
    expect(await lockHolders(workspace)).toHaveLength(1);
    await next.release();
  });

  it("notices a lost lock connection when it happens: the next write refuses, naming the lost lock, and writes nothing", async () => {
    const workspace = freshWorkspace();
    const holder = storeFor(workspace);
    const lock = await holder.lock("apply");
    const state = (await holder.read()) ?? newStateDocument();
    await endLockSession(workspace);
    // Another run takes the lock and writes meanwhile.
    const other = storeFor(workspace);
    const otherLock = await other.lock("apply");
    await other.write({ ...((await other.read()) ?? newStateDocument()), serial: 1 });
    await waitFor("the lock's client to report its end", async () => {
      const error = await holder.write({ ...state, serial: 1 }).catch((e: unknown) => e);
      return error instanceof StateIOError && error.message.includes("the PostgreSQL connection that held its lock was lost");
    });
    const error = (await holder.write({ ...state, serial: 1 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/another run may hold it now, so nothing was written/);
    expect(await pgQuery("SELECT serial FROM ruangkerja_state WHERE workspace = $1", [workspace])).toEqual([{ serial: "1" }]);
    await lock.release();
    await otherLock.release();
  });

  it("write() refuses a state that does not follow the row (another lineage, or a serial jump); replace() writes it", async () => {
    const workspace = freshWorkspace();
    const first = storeFor(workspace);
    await first.write(sampleState(3));
    const store = storeFor(workspace);
    const read = (await store.read()) as StateDocument;
    await expect(store.write({ ...read, serial: 7 })).rejects.toBeInstanceOf(StateConflictError);
    await expect(store.write({ ...read, lineage: randomUUID(), serial: 4 })).rejects.toBeInstanceOf(StateConflictError);
    expect(await storeFor(workspace).read()).toMatchObject({ lineage: read.lineage, serial: 3 });
    const replacement = { ...newStateDocument(), serial: 9 };
    await store.replace(replacement);
    expect(await storeFor(workspace).read()).toMatchObject({ lineage: replacement.lineage, serial: 9 });
    await store.write({ ...replacement, serial: 10 });
    expect(await storeFor(workspace).read()).toMatchObject({ serial: 10 });
  });

  it("force-unlock never takes a live session's lock, and removes only a leftover holder row", async () => {
    const workspace = freshWorkspace();
    const store = storeFor(workspace);
    expect(await store.readLock()).toBeUndefined();
    const lock = await store.lock("apply");
    const held = await storeFor(workspace).readLock();
    expect(held).toMatchObject({ stale: false, holder: { pid: process.pid, operation: "apply" } });
    const id = held?.holder?.id as string;
    await expect(storeFor(workspace).forceUnlock(id)).rejects.toThrow(
      /session \(backend pid \d+\) is alive.*pg_terminate_backend\(\d+\); nothing was removed/,
    );
    expect(await lockHolders(workspace)).toHaveLength(1);

    // The session dies (as a killed runner's does): its lock goes, its row stays behind until removed.
    await endLockSession(workspace);
    expect(await storeFor(workspace).readLock()).toBeUndefined();
    await expect(storeFor(workspace).forceUnlock("not-the-id")).rejects.toThrow(/is not locked/);
    expect(await storeFor(workspace).forceUnlock(id)).toMatchObject({ id, pid: process.pid });
    expect(await pgQuery("SELECT 1 FROM ruangkerja_state_lock WHERE workspace = $1", [workspace])).toHaveLength(0);
    await lock.release();
  });

  it("never shows the password: not in its location, not in a connection error", async () => {
    const password = pgPassword();
    expect(password).not.toBe("");
    const store = storeFor(freshWorkspace());
    expect(store.location).not.toContain(password);
    expect(store.location).toMatch(/^postgres:\/\/\w+@127\.0\.0\.1:\d+\/\w+ \(workspace "t-/);

    // A server that refuses the login: its error names the user, never the password.
    const wrong = new URL(PG_URL);
    wrong.password = `${password}x`;
    const error = await storeFor("default", wrong.toString())
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateIOError);
    expect((error as Error).message).toMatch(/password authentication failed/);
    expect((error as Error).message).not.toContain(password);
  });
});

describe.skipIf(skipTls)("PostgresStateStore over TLS (the URL's ssl parameters reach node-postgres)", () => {
  /** Whether the lock connection of a store opened with these parameters is encrypted. */
  async function lockConnectionUsesTls(params: Record<string, string>): Promise<boolean> {
    const workspace = freshWorkspace();
    const name = `tls-${workspace}`;
    const lock = await storeFor(workspace, pgUrlWith({ ...params, application_name: name })).lock("apply");
    try {
      const rows = await pgQuery<{ ssl: boolean }>(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1",
        [name],
      );
      expect(rows).toHaveLength(1);
      return rows[0]?.ssl === true;
    } finally {
      await lock.release();
    }
  }

  it("verifies the server against sslrootcert with sslmode=verify-full, and encrypts", async () => {
    expect(await lockConnectionUsesTls({ sslmode: "verify-full", sslrootcert: PG_CA })).toBe(true);
  });

  it("does not encrypt with sslmode=disable", async () => {
    expect(await lockConnectionUsesTls({ sslmode: "disable" })).toBe(false);
  });

  it("refuses a server whose certificate it cannot verify, without showing the password", async () => {
    const error = await storeFor(freshWorkspace(), pgUrlWith({ sslmode: "verify-full" }))
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateIOError);
    expect((error as Error).message).toMatch(/self[- ]signed certificate/);
    expect((error as Error).message).not.toContain(pgPassword());
  });
});
