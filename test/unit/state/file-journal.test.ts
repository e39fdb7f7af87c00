import { appendFile, copyFile, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppliedUser } from "../../../src/model.js";
import { newStateDocument, parseStateJson, STATE_FORMAT_VERSION, type StateDocument } from "../../../src/state/state-document.js";
import { FileStateStore } from "../../../src/state/state-file.js";
import { StateSession } from "../../../src/state/state-session.js";
import { journalRecordLine } from "../../../src/state/state-journal.js";

const applied = (employeeID: string, name = `Name ${employeeID}`): AppliedUser => ({
  employeeID,
  name,
  isActive: true,
  serial: `S-${employeeID}`,
});
const FIXTURES = join(import.meta.dirname, "../../fixtures/state");

let dir: string;
let store: FileStateStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rk-journal-"));
  store = new FileStateStore(join(dir, "state.json"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A session that journaled `ids` one call each and was then "killed" (never saved). */
async function killedAfter(start: StateDocument, ids: string[]): Promise<void> {
  const session = new StateSession(store, start, "http://127.0.0.1:8080");
  for (const id of ids) {
    session.put(applied(id));
    await session.record();
  }
}

describe("the state file's journal", () => {
  it("holds each call's results until the state is written, and a reader folds them in", async () => {
    await killedAfter(newStateDocument(), ["A1", "A2"]);
    expect(existsSync(store.location)).toBe(false);
    const lines = (await readFile(store.journalPath, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const read = await store.read();
    expect([...(read?.users.keys() ?? [])]).toEqual(["A1", "A2"]);
    expect(read).toMatchObject({ serial: 0, journaled: 2, apiOrigin: "http://127.0.0.1:8080" });
  });

  it("the next full write takes the journal's place: the journal goes", async () => {
    await killedAfter(newStateDocument(), ["A1"]);
    const read = (await store.read()) as StateDocument;
    const session = new StateSession(store, read);
    expect(session.hasUnsaved).toBe(true);
    await session.save();
    expect(existsSync(store.journalPath)).toBe(false);
    expect(await store.read()).toMatchObject({ serial: 1 });
    expect((await store.read())?.journaled).toBeUndefined();
  });

  it("a record cut off by a kill is dropped, and the next run carries the journal on after the whole ones", async () => {
    await killedAfter(newStateDocument(), ["A1"]);
    await appendFile(store.journalPath, journalRecordLine(2, [{ user: applied("CUT") }]).slice(0, 30));
    const read = (await store.read()) as StateDocument;
    expect([...read.users.keys()]).toEqual(["A1"]);
    await killedAfter(read, ["B1"]);
    const again = await store.read();
    expect([...(again?.users.keys() ?? [])].sort()).toEqual(["A1", "B1"]);
    expect(again?.journaled).toBe(2);
  });

  it("a journal left from before the last full write is skipped, and replaced by the next run's", async () => {
    const first = new StateSession(store, newStateDocument());
    first.put(applied("A1"));
    await first.save();
    const journalOfSerial0 = `{"ruangkerjaStateJournal":1,"lineage":"${(await store.read())?.lineage}","baseSerial":0}\n${journalRecordLine(1, [{ user: applied("OLD") }])}`;
    await writeFile(store.journalPath, journalOfSerial0);
    const read = (await store.read()) as StateDocument;
    expect([...read.users.keys()]).toEqual(["A1"]);
    await killedAfter(read, ["B1"]);
    expect([...((await store.read())?.users.keys() ?? [])].sort()).toEqual(["A1", "B1"]);
  });

  it("refuses a journal that is a link (it could point at any file), without quoting what it points at", async () => {
    await writeFile(join(dir, "secret.txt"), "RUANGKERJA_TOKEN=s3cr3t\n");
    await symlink(join(dir, "secret.txt"), store.journalPath);
    const error = await store.read().catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/not a regular file/);
    expect(JSON.stringify(error)).not.toContain("s3cr3t");
    expect(String((error as Error).message)).not.toContain("s3cr3t");
  });

  it("refuses a journal of another state, naming the journal", async () => {
    const first = new StateSession(store, newStateDocument());
    first.put(applied("A1"));
    await first.save();
    await writeFile(store.journalPath, `{"ruangkerjaStateJournal":1,"lineage":"other","baseSerial":1}\n`);
    await expect(store.read()).rejects.toThrow(/cannot use the state journal .*state\.json\.journal/);
  });
});

describe("state format 2, and reading format 1", () => {
  it("writes one user per line, compact, as format 2", async () => {
    const session = new StateSession(store, newStateDocument());
    for (const id of ["B", "A", "C"]) session.put(applied(id));
    await session.save();
    const text = await readFile(store.location, "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\{"formatVersion":2,"lineage":"[^"]+","serial":1,"users":\[$/);
    expect(lines.slice(1, 4).map((l) => (JSON.parse(l.replace(/,$/, "")) as AppliedUser).employeeID)).toEqual(["A", "B", "C"]);
    expect(lines[4]).toBe("]}");
    expect(parseStateJson("s", text).state?.users.size).toBe(3);
  });

  it.each(["v1-state.json", "v1-state-without-api-origin.json"])(
    "reads %s (written by the version before) and writes it back as format 2 with the same users",
    async (name) => {
      await copyFile(join(FIXTURES, name), store.location);
      const old = (await store.read()) as StateDocument;
      expect(old).toMatchObject({ lineage: "7f3c2a10-5b6e-4c1d-9a8b-0e1f2a3b4c5d", serial: 7 });
      expect(old.users.get("EMP1")).toMatchObject({ tagSerials: ["TAG1", "TAG2"], organizationSerial: "ORG1", serial: "USR0000000001" });
      expect(old.users.get("EMP2")).toMatchObject({ phone: "+6281234567890", isActive: false });
      const session = new StateSession(store, old);
      await session.save();
      const text = await readFile(store.location, "utf8");
      expect(JSON.parse(text)).toMatchObject({ formatVersion: STATE_FORMAT_VERSION, serial: 8 });
      const back = (await store.read()) as StateDocument;
      expect(back.users).toEqual(old.users);
    },
  );
});
