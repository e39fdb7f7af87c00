import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateSaver } from "../../../src/apply/state-saver.js";

/** A session that counts what the saver asks of it. */
function fakeSession() {
  const session = {
    records: 0,
    syncs: 0,
    saves: 0,
    failRecord: false,
    failSync: false,
    failSave: false,
    hasUnsaved: false,
    record() {
      if (session.failRecord) return Promise.reject(new Error("journal: disk full"));
      session.records++;
      session.hasUnsaved = true;
      return Promise.resolve();
    },
    sync() {
      if (session.failSync) return Promise.reject(new Error("journal: EIO"));
      session.syncs++;
      return Promise.resolve();
    },
    save() {
      if (session.failSave) return Promise.reject(new Error("state: disk full"));
      session.saves++;
      session.hasUnsaved = false;
      return Promise.resolve();
    },
  };
  return session;
}

describe("StateSaver", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("journals every call before it counts as done, and writes the whole state once, at the end", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session);
    for (let i = 0; i < 30; i++) await saver.afterCall();
    expect(session.records).toBe(30);
    expect(session.saves).toBe(0);
    await saver.flush();
    expect(session.saves).toBe(1);
  });

  it("flushes the journal once per interval while results come, not once per call", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session, { syncIntervalMs: 2000 });
    for (let i = 0; i < 10; i++) {
      await saver.afterCall();
      await vi.advanceTimersByTimeAsync(500);
    }
    // 5 s of calls: flushes at 2 s and 4 s (the third is due at 6 s, after the last call).
    expect(session.syncs).toBe(2);
    await saver.flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(session.saves).toBe(1);
  });

  it("writes nothing at the end when nothing changed", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session);
    await saver.flush();
    expect(session.saves).toBe(0);
  });

  it("a failed record fails its call, and the end still writes the whole state (the session kept the changes)", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session);
    session.failRecord = true;
    session.hasUnsaved = true;
    await expect(saver.afterCall()).rejects.toThrow("journal: disk full");
    await saver.flush();
    expect(session.saves).toBe(1);
  });

  it("a failed flush of the journal stops the next call, and the end writes the state over it", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session, { syncIntervalMs: 100 });
    await saver.afterCall();
    session.failSync = true;
    await vi.advanceTimersByTimeAsync(100);
    await expect(saver.afterCall()).rejects.toThrow("journal: EIO");
    await saver.flush();
    expect(session.saves).toBe(1);
  });

  it("a failed final write is thrown", async () => {
    const session = fakeSession();
    const saver = new StateSaver(session);
    await saver.afterCall();
    session.failSave = true;
    await expect(saver.flush()).rejects.toThrow("state: disk full");
  });
});
