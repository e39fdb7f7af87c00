/**
 * Locks whose holder is provably dead are taken over; locks the tool cannot judge stay for
 * force-unlock. The holder's process record (boot id, pid namespace, start time) is what proves it.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateLockedError } from "../../../src/errors.js";
import { ownProcessIdentity, type RecordedLockHolder } from "../../../src/state/lock-holder.js";
import { FileStateStore } from "../../../src/state/state-file.js";

const own = ownProcessIdentity();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-takeover-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

async function writeLock(store: FileStateStore, holder: Partial<RecordedLockHolder>): Promise<RecordedLockHolder> {
  const full: RecordedLockHolder = {
    id: "0b4a8d6e-1111-4222-8333-944455556666",
    who: "budi",
    host: hostname(),
    pid: deadPid(),
    operation: "apply",
    since: "2026-11-23T01:02:03.000Z",
    ...(own && { process: { ...own, startTime: "12345" } }),
    ...holder,
  };
  await writeFile(store.lockPath, JSON.stringify(full));
  return full;
}

async function lockError(store: FileStateStore): Promise<StateLockedError> {
  const error = await store.lock("apply").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StateLockedError);
  return error as StateLockedError;
}

describe.skipIf(!own)("a lock whose holder is provably dead", () => {
  it("is taken over, with a message naming the holder it replaced", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const stale = await writeLock(store, {});
    const lock = await store.lock("apply");
    expect(lock.takenOver?.holder.id).toBe(stale.id);
    expect(lock.takenOver?.message).toContain(
      `Took over the lock ${stale.id} on ${store.location} from budi@${hostname()} (pid ${stale.pid}, apply`,
    );
    expect(lock.takenOver?.message).toContain("that process no longer runs on this host");
    const now = JSON.parse(await readFile(store.lockPath, "utf8")) as RecordedLockHolder;
    expect(now).toMatchObject({ pid: process.pid, process: own });
    await lock.release();
  });

  it("is taken over when its pid now belongs to another process (started at another time)", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    // This very process runs under the pid, but it is not the one that took the lock.
    await writeLock(store, { pid: process.pid });
    const lock = await store.lock("apply");
    expect(lock.takenOver?.message).toContain("its pid now belongs to another process");
    await lock.release();
  });

  it("with --lock-timeout, is taken over at once instead of waiting out the timeout", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await writeLock(store, {});
    // The test's own 5 s limit fails it if the store waits for the 60 s.
    const lock = await store.lock("apply", { timeoutMs: 60_000 });
    expect(lock.takenOver).toBeDefined();
    await lock.release();
  });

  it("is not taken over while its holder runs: a live lock of this process, recorded as this version records it", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const held = await store.lock("apply");
    const error = await lockError(new FileStateStore(join(dir, "state.json")));
    expect(error.details.stale).toBe(false);
    expect(error.message).not.toContain("stale");
    await held.release();
  });
});

describe.skipIf(!own)("a lock the tool cannot judge", () => {
  it("of another pid namespace (a container with the same host name) is only maybe stale: kept, with force-unlock", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const holder = await writeLock(store, { process: { ...(own as NonNullable<typeof own>), pidNamespace: "pid:[1]" } });
    const error = await lockError(store);
    expect(error.details.stale).toBe(false);
    expect(error.message).toContain(
      "The lock may be stale, but this cannot be proven from here: its holder ran in another pid namespace (pid:[1]",
    );
    expect(error.message).toContain("another container with the same host name");
    expect(error.message).toContain(`ruangkerja-users force-unlock ${holder.id}`);
    expect(JSON.parse(await readFile(store.lockPath, "utf8"))).toMatchObject({ id: holder.id });
  });

  it("of another boot id (another machine with the same name, or before a reboot) is only maybe stale", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await writeLock(store, { process: { ...(own as NonNullable<typeof own>), bootId: "another-boot" } });
    const error = await lockError(store);
    expect(error.message).toContain("its holder ran under another boot id (another-boot)");
  });

  it("without a process record (an older version) and a dead pid: reported stale, kept for force-unlock", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const holder = await writeLock(store, { process: undefined });
    const error = await lockError(store);
    expect(error.details.stale).toBe(true);
    expect(error.message).toContain(`The lock is stale: process ${holder.pid} no longer runs on this host`);
  });

  it("of another host is neither taken over nor called stale", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    await writeLock(store, { host: `not-${hostname()}` });
    expect((await lockError(store)).details.stale).toBe(false);
  });
});
