/**
 * force-unlock and release read the lock's holder and then remove it: a lock taken in between must
 * survive. The fs module is wrapped so a new lock replaces the old one right after a given read.
 */
import * as fsPromises from "node:fs/promises";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError } from "../../../src/errors.js";
import { FileStateStore } from "../../../src/state/state-file.js";

/** After the `after`-th read of `path`, `swap` runs (once) before the read returns. */
const hook: { path?: string; after?: number; reads: number; swap?: () => Promise<void> } = { reads: 0 };

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  const readFileHooked = async (...args: Parameters<typeof actual.readFile>) => {
    const result = await actual.readFile(...args);
    if (hook.path !== undefined && args[0] === hook.path && ++hook.reads === hook.after) await hook.swap?.();
    return result;
  };
  return { ...actual, default: { ...actual, readFile: readFileHooked }, readFile: readFileHooked };
});

const OLD = "0b4a8d6e-1111-4222-8333-944455556666";
const NEW = "7e1f0c2a-2222-4333-8444-955566667777";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-unlock-race-"));
  hook.path = undefined;
  hook.reads = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function holder(id: string) {
  return JSON.stringify({ id, who: "budi", host: hostname(), pid: process.pid, operation: "apply", since: "2026-11-23T01:02:03.000Z" });
}

/** After the n-th read of the lock file, another run's lock replaces it (its holder released, a new one took it). */
function replaceLockAfterRead(store: FileStateStore, n: number) {
  hook.path = store.lockPath;
  hook.after = n;
  hook.swap = async () => {
    await rm(store.lockPath, { force: true });
    await writeFile(store.lockPath, holder(NEW), { flag: "wx" });
  };
}

describe("a lock taken between reading the holder and removing it", () => {
  for (const n of [1, 2]) {
    it(`survives force-unlock of the old ID (replaced after read ${n})`, async () => {
      const store = new FileStateStore(join(dir, "state.json"));
      await writeFile(store.lockPath, holder(OLD));
      replaceLockAfterRead(store, n);
      const error = await store.forceUnlock(OLD).catch((e: unknown) => e);
      hook.path = undefined;
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toContain(`which is ${NEW}`);
      expect(JSON.parse(await readFile(store.lockPath, "utf8"))).toMatchObject({ id: NEW });
    });
  }

  it("survives the release of the lock it replaced", async () => {
    const store = new FileStateStore(join(dir, "state.json"));
    const lock = await store.lock("apply");
    // Someone force-unlocked this run, and a new run took the lock, just as this one releases.
    const ours = (JSON.parse(await readFile(store.lockPath, "utf8")) as { id: string }).id;
    expect(ours).not.toBe(NEW);
    replaceLockAfterRead(store, 1);
    await lock.release();
    hook.path = undefined;
    expect(JSON.parse(await readFile(store.lockPath, "utf8"))).toMatchObject({ id: NEW });
  });
});
