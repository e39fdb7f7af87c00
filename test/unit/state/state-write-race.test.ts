/**
 * Two writers racing to the same next serial, without the lock (a force-unlocked run still alive):
 * exactly one write lands and the other is told, every round.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateConflictError } from "../../../src/errors.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { FileStateStore } from "../../../src/state/state-file.js";
import { applied } from "../../builders.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-write-race-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROUNDS = 200;

describe("two writers of the same next serial", () => {
  it(`one wins and the other gets StateConflictError, in each of ${ROUNDS} rounds; the file holds the winner's state`, async () => {
    const path = join(dir, "state.json");
    const a = new FileStateStore(path);
    const b = new FileStateStore(path);
    let state: StateDocument = { ...newStateDocument(), serial: 1 };
    await a.write(state);
    for (let round = 0; round < ROUNDS; round++) {
      const next = (name: string): StateDocument => ({
        ...state,
        serial: state.serial + 1,
        users: new Map([...state.users, [`${name}${round}`, applied(`${name}${round}`)]]),
      });
      const results = await Promise.allSettled([a.write(next("A")), b.write(next("B"))]);
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i === 0 ? "A" : "B"] : []));
      const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(StateConflictError);
      const onDisk = JSON.parse(await readFile(path, "utf8")) as { serial: number; users: { employeeID: string }[] };
      expect(onDisk.serial).toBe(state.serial + 1);
      expect(onDisk.users.map((u) => u.employeeID)).toContain(`${won[0]}${round}`);
      state = (await a.read()) as StateDocument;
    }
    // No claim file is left behind.
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(dir)).sort()).toEqual(["state.json"]);
  });
});
