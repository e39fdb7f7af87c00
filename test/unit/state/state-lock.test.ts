import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInputError, type LockHolder, StateConflictError, StateLockedError } from "../../../src/errors.js";
import { newStateDocument } from "../../../src/state/state-document.js";
import { FileStateStore } from "../../../src/state/state-file.js";
import { StateSession } from "../../../src/state/state-session.js";
import { applied } from "../../builders.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has just ended: nothing runs under it (pids are not reused that fast). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

async function writeLock(store: FileStateStore, holder: Partial<LockHolder>): Promise<LockHolder> {
  const full: LockHolder = {
    id: "0b4a8d6e-1111-4222-8333-944455556666",
    who: "budi",
    host: hostname(),
    pid: process.pid,
    operation: "apply",
    since: "2026-11-23T01:02:03.000Z",
    ...holder,
  };
  await writeFile(store.lockPath, JSON.stringify(full));
  return full;
}

async function lockError(store: FileStateStore, options = {}): Promise<StateLockedError> {
  const error = await store.lock("apply", options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StateLockedError);
  return error as StateLockedError;
}

describe("the state lock", () => {
  it("fails at once by default, naming who@host, pid, operation, since, the lock ID and how to clear it", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const held = await store.lock("apply");
    const error = await lockError(store);
    const lock = JSON.parse(await readFile(store.lockPath, "utf8")) as LockHolder;
    expect(error.message).toContain(`state is locked by ${lock.who}@${hostname()} (pid ${process.pid}, apply) since ${lock.since}`);
    expect(error.message).toContain(`Lock ID:   ${lock.id}`);
    expect(error.message).toContain(`ruangkerja-users force-unlock ${lock.id} --state ${join(dir, "state.json")}`);
    expect(error.message).toContain("--lock-timeout");
    expect(error.details.stale).toBe(false);
    await held.release();
  });

  it("waits with a timeout and takes the lock once its holder releases it", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const first = await store.lock("apply");
    const releasing = new Promise<void>((resolve) => setTimeout(() => void first.release().then(resolve), 300));
    const second = await store.lock("apply", { timeoutMs: 60_000 });
    await releasing;
    expect(JSON.parse(await readFile(store.lockPath, "utf8")).pid).toBe(process.pid);
    await second.release();
  });

  it("gives up when the timeout passes, saying it waited", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const held = await store.lock("apply");
    const error = await lockError(store, { timeoutMs: 250 });
    expect(error.details.waitedMs).toBeGreaterThanOrEqual(250);
    expect(error.message).toContain("after waiting");
    await held.release();
  });

  it("stops waiting when the signal aborts (Ctrl-C)", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const held = await store.lock("apply");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await lockError(store, { timeoutMs: 600_000, signal: controller.signal });
    await held.release();
  });

  it("reports the lock of a dead process of this host as stale, with the exact command that clears it", async () => {
    const store = new FileStateStore(join(dir, "my state.json"));
    const holder = await writeLock(store, { pid: deadPid() });
    const error = await lockError(store);
    expect(error.details.stale).toBe(true);
    expect(error.message).toContain(`The lock is stale: process ${holder.pid} no longer runs on this host`);
    expect(error.message).toContain(`ruangkerja-users force-unlock ${holder.id} --state '${join(dir, "my state.json")}'`);
  });

  it("does not call a lock of another host stale (its process cannot be checked from here)", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await writeLock(store, { pid: deadPid(), host: `not-${hostname()}` });
    expect((await lockError(store)).details.stale).toBe(false);
  });

  it("a lock file that names no holder is reported as such, with the file to delete", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await writeFile(store.lockPath, "");
    const error = await lockError(store);
    expect(error.holder).toBeUndefined();
    expect(error.message).toContain(`delete ${store.lockPath}`);
  });

  it("force-unlock removes the lock with its ID, and refuses a wrong ID or no lock", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const holder = await writeLock(store, { pid: deadPid() });
    const wrong = await store.forceUnlock("not-the-id").catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(InvalidInputError);
    expect((wrong as Error).message).toContain(`which is ${holder.id}`);
    expect(await store.readLock()).toEqual({ holder, stale: true });
    expect(await store.forceUnlock(holder.id)).toEqual(holder);
    expect(await store.readLock()).toBeUndefined();
    await expect(store.forceUnlock(holder.id)).rejects.toThrow("is not locked");
    const again = await store.lock("apply");
    await again.release();
  });
});

describe("no lost update", () => {
  it("two sessions that read the same state: the second write is refused and the first one's state kept", async () => {
    const path = join(dir, "state.json");
    const initial = { ...newStateDocument(), serial: 4 };
    await new FileStateStore(path).write(initial);
    // Two stores, as two processes would have: each read serial 4.
    const [a, b] = [new FileStateStore(path), new FileStateStore(path)];
    const [readA, readB] = [await a.read(), await b.read()];
    const sessionA = new StateSession(a, readA ?? initial);
    const sessionB = new StateSession(b, readB ?? initial);
    sessionA.put(applied("A1"));
    await sessionA.save();
    sessionB.put(applied("B1"));
    const error = await sessionB.save().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateConflictError);
    expect((error as Error).message).toContain("found lineage");
    expect((error as Error).message).toContain("serial 5");
    const onDisk = await a.read();
    expect(onDisk?.serial).toBe(5);
    expect([...(onDisk?.users.keys() ?? [])]).toEqual(["A1"]);
    // A keeps going: its own next write follows its last one.
    sessionA.put(applied("A2"));
    await sessionA.save();
    expect([...((await a.read())?.users.keys() ?? [])]).toEqual(["A1", "A2"]);
  });

  it("a failed write does not use up a serial: the next write still follows the state on disk", async () => {
    const path = join(dir, "state.json");
    const file = new FileStateStore(path);
    await file.write({ ...newStateDocument(), serial: 1 });
    let failNext = true;
    const flaky = {
      location: path,
      read: () => file.read(),
      lock: (operation: string) => file.lock(operation),
      write: async (state: Parameters<FileStateStore["write"]>[0]) => {
        if (failNext) {
          failNext = false;
          throw new Error("disk full");
        }
        await file.write(state);
      },
    };
    const session = new StateSession(flaky, (await file.read()) ?? newStateDocument());
    session.put(applied("A1"));
    await expect(session.save()).rejects.toThrow("disk full");
    await session.save();
    expect((await file.read())?.serial).toBe(2);
  });

  it("refuses to write over a state of another lineage, or one it cannot read", async () => {
    const path = join(dir, "state.json");
    const store = new FileStateStore(path);
    await store.write({ ...newStateDocument(), serial: 1 });
    await expect(store.write({ ...newStateDocument(), serial: 2 })).rejects.toBeInstanceOf(StateConflictError);
    await writeFile(path, "{ truncated");
    await expect(store.write({ ...newStateDocument(), serial: 1 })).rejects.toThrow("cannot be read");
    expect(await readFile(path, "utf8")).toBe("{ truncated");
  });

  it("reads lineage and serial of a file written by hand in another key order", async () => {
    const path = join(dir, "state.json");
    const state = newStateDocument();
    await writeFile(path, JSON.stringify({ users: [applied("A")], serial: 3, lineage: state.lineage, formatVersion: 1 }));
    const store = new FileStateStore(path);
    await store.write({ ...state, serial: 4 });
    await expect(store.write({ ...state, serial: 4 })).rejects.toBeInstanceOf(StateConflictError);
  });
});
