import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, StateLockedError } from "../../../src/errors.js";
import { newStateDocument, parseStateJson, STATE_FORMAT_VERSION } from "../../../src/state/state-document.js";
import { FileStateStore } from "../../../src/state/state-file.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied, stateOf } from "../../builders.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-state-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileStateStore", () => {
  it("reads nothing when no state was written", async () => {
    expect(await new FileStateStore(join(dir, "none.json")).read()).toBeUndefined();
  });

  it("round-trips a state: lineage, serial, users and their serials", async () => {
    const store = new FileStateStore(join(dir, "nested", "state.json"));
    const state = {
      ...newStateDocument(),
      serial: 7,
      users: stateOf(applied("B", { tagSerials: ["T1", "T2"] }), applied("A", { phone: "62811" })),
    };
    await store.write(state);
    const back = await store.read();
    expect(back?.lineage).toBe(state.lineage);
    expect(back?.serial).toBe(7);
    expect(back?.formatVersion).toBe(STATE_FORMAT_VERSION);
    expect([...(back?.users.values() ?? [])]).toEqual([applied("A", { phone: "62811" }), applied("B", { tagSerials: ["T1", "T2"] })]);
    const json = JSON.parse(await readFile(join(dir, "nested", "state.json"), "utf8"));
    expect(json.users.map((u: { employeeID: string }) => u.employeeID)).toEqual(["A", "B"]);
  });

  it("writes only the known fields: nothing else (a password, a token) can reach the file", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const sneaky = { ...applied("A"), password: "hunter2", token: "tkn" } as ReturnType<typeof applied>;
    await store.write({ ...newStateDocument(), users: stateOf(sneaky) });
    const text = await readFile(join(dir, "state.json"), "utf8");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("tkn");
  });

  it("leaves no temporary file behind after a write", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const state = newStateDocument();
    await store.write({ ...state, serial: 1 });
    await store.write({ ...state, serial: 2 });
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("refuses a truncated state file with a located error", async () => {
    const path = join(dir, "state.json");
    await writeFile(path, '{"formatVersion":1,"lineage":"x","serial":1,"users":[{"employeeID":"A"');
    const error = await new FileStateStore(path).read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    const diagnostics = (error as InvalidInputError).diagnostics;
    expect(diagnostics[0]?.location?.file).toBe(path);
    expect(diagnostics[0]?.summary).toContain("not valid JSON");
  });

  it("refuses a state of a newer format version", () => {
    const { state, diagnostics } = parseStateJson("s.json", JSON.stringify({ formatVersion: 99, lineage: "l", serial: 1, users: [] }));
    expect(state).toBeUndefined();
    expect(diagnostics[0]?.summary).toContain("format version 99");
  });

  it("refuses entries without the required fields and duplicated ids", () => {
    const text = JSON.stringify({ formatVersion: 1, lineage: "l", serial: 1, users: [{ name: "x" }, applied("A"), applied("A")] });
    const { diagnostics } = parseStateJson("s.json", text);
    expect(diagnostics.map((d) => d.summary)).toEqual(["state entry users[0] has no employeeID", 'state lists employeeID "A" twice']);
  });
});

describe("state lock", () => {
  it("lets one holder in, tells the second who holds it and since when, and frees it on release", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const lock = await store.lock("apply");
    const error = await store.lock("apply").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateLockedError);
    const message = (error as StateLockedError).message;
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toMatch(/since \d{4}-\d{2}-\d{2}T/);
    await lock.release();
    const again = await store.lock("apply");
    await again.release();
  });

  it("release does not remove a lock someone else took after ours was removed", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const ours = await store.lock("apply");
    await rm(store.lockPath);
    const theirs = await store.lock("apply");
    await ours.release();
    await expect(store.lock("apply")).rejects.toBeInstanceOf(StateLockedError);
    await theirs.release();
  });
});

describe("StateSession", () => {
  it("increases the serial on every save and keeps lineage", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const initial = newStateDocument();
    const session = new StateSession(store, initial);
    session.put(applied("A"));
    await session.save();
    session.move("A", applied("B"));
    await Promise.all([session.save(), session.save()]);
    const back = await store.read();
    expect(back?.serial).toBe(3);
    expect(back?.lineage).toBe(initial.lineage);
    expect([...(back?.users.keys() ?? [])]).toEqual(["B"]);
  });
});
