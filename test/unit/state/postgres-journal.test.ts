/**
 * The PostgreSQL state's journal (a row per call) against a real server (RUANGKERJA_TEST_PG_URL);
 * each test has its own workspace.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, StateConflictError } from "../../../src/errors.js";
import { PostgresStateStore } from "../../../src/state/postgres-store.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied } from "../../builders.js";
import { freshWorkspace, PG_URL, pgQuery, skipWithoutPostgres } from "../../postgres.js";

const skip = skipWithoutPostgres("test/unit/state/postgres-journal.test.ts");

const storeFor = (workspace: string) => new PostgresStateStore({ url: PG_URL, workspace });

const journalRows = (workspace: string) =>
  pgQuery<{ seq: number; base_serial: string }>(
    "SELECT seq, base_serial::text AS base_serial FROM ruangkerja_state_journal WHERE workspace = $1 ORDER BY seq",
    [workspace],
  );

/** Journals one call per id under the lock, then "dies": the lock's connection ends without a save. */
async function killedAfter(store: PostgresStateStore, start: StateDocument, ids: string[]): Promise<void> {
  const lock = await store.lock("apply");
  const session = new StateSession(store, start, "http://127.0.0.1:8080");
  for (const id of ids) {
    session.put(applied(id));
    await session.record();
  }
  await lock.release();
}

describe.skipIf(skip)("the PostgreSQL state's journal", () => {
  it("a row per call; a reader folds them in; the next full write deletes them in the same transaction", async () => {
    const workspace = freshWorkspace("journal");
    const store = storeFor(workspace);
    await killedAfter(store, newStateDocument(), ["A1", "A2", "A3"]);
    expect(await journalRows(workspace)).toEqual([
      { seq: 1, base_serial: "0" },
      { seq: 2, base_serial: "0" },
      { seq: 3, base_serial: "0" },
    ]);
    const read = (await storeFor(workspace).read()) as StateDocument;
    expect([...read.users.keys()].sort()).toEqual(["A1", "A2", "A3"]);
    expect(read).toMatchObject({ serial: 0, journaled: 3, apiOrigin: "http://127.0.0.1:8080" });

    const next = storeFor(workspace);
    const lock = await next.lock("apply");
    try {
      await new StateSession(next, (await next.read()) as StateDocument).save();
    } finally {
      await lock.release();
    }
    expect(await journalRows(workspace)).toEqual([]);
    const written = await pgQuery<{ format_version: number; n: number }>(
      "SELECT format_version, jsonb_array_length(users) AS n FROM ruangkerja_state WHERE workspace = $1",
      [workspace],
    );
    expect(written).toEqual([{ format_version: 2, n: 3 }]);
  });

  it("a run carries an interrupted run's journal on, numbering after it", async () => {
    const workspace = freshWorkspace("journal");
    await killedAfter(storeFor(workspace), newStateDocument(), ["A1"]);
    const store = storeFor(workspace);
    await killedAfter(store, (await store.read()) as StateDocument, ["B1"]);
    expect((await journalRows(workspace)).map((r) => r.seq)).toEqual([1, 2]);
    expect([...((await storeFor(workspace).read())?.users.keys() ?? [])].sort()).toEqual(["A1", "B1"]);
  });

  it("journals nothing once another process replaced the state row: the run is told, not merged", async () => {
    const workspace = freshWorkspace("journal");
    const store = storeFor(workspace);
    const lock = await store.lock("apply");
    try {
      const session = new StateSession(store, newStateDocument());
      session.put(applied("A1"));
      await session.record();
      // Another writer (a forced unlock, a hand-made row) puts a state in the row meanwhile.
      await pgQuery(
        "INSERT INTO ruangkerja_state (workspace, format_version, lineage, serial, users) VALUES ($1, 2, 'intruder', 9, '[]'::jsonb)",
        [workspace],
      );
      session.put(applied("A2"));
      await expect(session.record()).rejects.toBeInstanceOf(StateConflictError);
    } finally {
      await lock.release();
    }
    // The rows of the replaced state are another state's: the reader refuses to mix them in.
    await expect(storeFor(workspace).read()).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("refuses rows edited by hand, naming the table to restore", async () => {
    const workspace = freshWorkspace("journal");
    await killedAfter(storeFor(workspace), newStateDocument(), ["A1"]);
    await pgQuery(`UPDATE ruangkerja_state_journal SET changes = '[{"user":{"employeeID":"A1"}}]'::jsonb WHERE workspace = $1`, [
      workspace,
    ]);
    await expect(storeFor(workspace).read()).rejects.toThrow(/cannot use the state journal/);
    const error = (await storeFor(workspace)
      .read()
      .catch((e: unknown) => e)) as InvalidInputError;
    expect(error.diagnostics[0]?.summary).toMatch(/has no name/);
  });
});
