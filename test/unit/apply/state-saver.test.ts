import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateSaver } from "../../../src/apply/state-saver.js";

/** A session whose writes take `duration` ms on a clock the test moves. */
function fakeSession(clock: { t: number }, duration: number) {
  const session = {
    saves: 0,
    fail: false,
    async save() {
      clock.t += duration;
      if (session.fail) throw new Error("disk full");
      session.saves++;
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

  it("writes after every call, and waits for the write, while writes are cheap", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 0);
    const saver = new StateSaver(session, { now: () => clock.t });
    for (let i = 0; i < 3; i++) await saver.afterCall();
    expect(session.saves).toBe(3);
    await saver.flush();
    expect(session.saves).toBe(3);
  });

  it("once a write is slow, the calls within ten of its durations share one scheduled write", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 100);
    const saver = new StateSaver(session, { now: () => clock.t });
    await saver.afterCall(); // written: 0 → 100 ms; the next write is due at 100 + 10 × 100
    expect(session.saves).toBe(1);
    clock.t = 200;
    await saver.afterCall();
    clock.t = 300;
    await saver.afterCall();
    expect(session.saves).toBe(1);
    clock.t = 1100;
    await vi.advanceTimersByTimeAsync(900);
    expect(session.saves).toBe(2);
    await saver.flush();
    expect(session.saves).toBe(2);
  });

  it("flush writes what a scheduled write has not written yet", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 100);
    const saver = new StateSaver(session, { now: () => clock.t });
    await saver.afterCall();
    await saver.afterCall();
    expect(session.saves).toBe(1);
    await saver.flush();
    expect(session.saves).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a failed scheduled write fails the next call and the flush", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 100);
    const saver = new StateSaver(session, { now: () => clock.t });
    await saver.afterCall();
    await saver.afterCall();
    session.fail = true;
    await vi.advanceTimersByTimeAsync(1000);
    await expect(saver.afterCall()).rejects.toThrow("disk full");
    await expect(saver.flush()).rejects.toThrow("disk full");
  });

  it("after a passing failure of a scheduled write, the flush writes again and succeeds", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 100);
    const saver = new StateSaver(session, { now: () => clock.t });
    await saver.afterCall();
    await saver.afterCall();
    session.fail = true;
    await vi.advanceTimersByTimeAsync(1000);
    await expect(saver.afterCall()).rejects.toThrow("disk full");
    session.fail = false;
    await saver.flush();
    expect(session.saves).toBe(2);
  });

  it("with spacing 0 every call gets its own write", async () => {
    const clock = { t: 0 };
    const session = fakeSession(clock, 100);
    const saver = new StateSaver(session, { now: () => clock.t, spacing: 0 });
    for (let i = 0; i < 4; i++) await saver.afterCall();
    expect(session.saves).toBe(4);
  });
});

describe("StateSaver with writes in flight", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function controlledSession(clock: { t: number }) {
    const pending: (() => void)[] = [];
    const session = {
      saves: 0,
      save() {
        session.saves++;
        return new Promise<void>((resolve) => {
          pending.push(() => {
            clock.t += 100;
            resolve();
          });
        });
      },
      finishOne() {
        pending.shift()?.();
      },
    };
    return session;
  }

  it("while writes are cheap, the calls landing during a write wait for the one write after it (never a queue)", async () => {
    const clock = { t: 0 };
    const session = controlledSession(clock);
    const saver = new StateSaver(session, { now: () => clock.t });
    let done = 0;
    const calls = [saver.afterCall(), saver.afterCall(), saver.afterCall()].map((p) => p.then(() => done++));
    await vi.advanceTimersByTimeAsync(0);
    expect(session.saves).toBe(1);
    session.finishOne();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(1);
    expect(session.saves).toBe(2);
    session.finishOne();
    await Promise.all(calls);
    expect(done).toBe(3);
    expect(session.saves).toBe(2);
    await saver.flush();
    expect(session.saves).toBe(2);
  });

  it("once writes are slow, the calls landing during a scheduled write carry on, and its end schedules the next", async () => {
    const clock = { t: 0 };
    const session = controlledSession(clock);
    const saver = new StateSaver(session, { now: () => clock.t });
    const first = saver.afterCall();
    session.finishOne();
    await first; // 0 → 100 ms: the next write is due at 1100
    clock.t = 200;
    await saver.afterCall();
    clock.t = 1100;
    await vi.advanceTimersByTimeAsync(900);
    expect(session.saves).toBe(2); // the scheduled write, in flight
    await saver.afterCall();
    await saver.afterCall();
    expect(session.saves).toBe(2);
    session.finishOne();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    const flushed = saver.flush();
    await vi.advanceTimersByTimeAsync(0);
    session.finishOne();
    await flushed;
    expect(session.saves).toBe(3);
  });
});
