/**
 * Retries the failure-modes doc claimed without a test: HTTP 502, 504 and 408, and an attempt that
 * times out (timeoutMs, the CLI's --request-timeout). A fake fetch answers each attempt from a
 * script; a timed-out attempt is one whose fetch never settles until ky aborts it.
 */
import { describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import { ApiError } from "../../../src/errors.js";

type Reply = { status: number; body?: unknown } | "hang";

const bulkOk = {
  status: 200,
  body: {
    data: { failedItems: [], successItems: [{ payload: { employeeID: "E1" }, response: { serial: "S1" } }] },
    status: "success",
    message: "success",
  },
};

/** A fetch that takes the next reply of `script` per call; "hang" resolves only when the request is aborted. */
function scriptedFetch(script: Reply[]) {
  const calls: string[] = [];
  const fake = (input: Request | URL | string, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(`${request.method} ${new URL(request.url).pathname}`);
    const next = script.shift();
    if (next === undefined) return Promise.resolve(new Response(JSON.stringify({ message: "script exhausted" }), { status: 500 }));
    if (next === "hang") {
      const signal = init?.signal ?? request.signal;
      return new Promise<Response>((_resolve, reject) => {
        const abort = () => reject(signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError"));
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
      });
    }
    return Promise.resolve(
      new Response(JSON.stringify(next.body ?? {}), { status: next.status, headers: { "content-type": "application/json" } }),
    );
  };
  return { fetch: fake, calls };
}

function client(fetchImpl: typeof fetch, maxAttempts: number, timeoutMs = 2000) {
  const slept: number[] = [];
  const c = new RuangkerjaClient({
    baseUrl: "http://127.0.0.1:9",
    token: "t",
    maxAttempts,
    timeoutMs,
    fetch: fetchImpl,
    retryTiming: {
      random: () => 1,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  });
  return { c, slept };
}

const user = { employeeID: "E1", name: "A", isActive: true };

describe("retries on 502, 504 and 408", () => {
  for (const status of [502, 504, 408]) {
    it(`retries a create-bulk after HTTP ${status}, then lands`, async () => {
      const { fetch: f, calls } = scriptedFetch([{ status }, { status }, bulkOk]);
      const { c, slept } = client(f, 3);
      const result = await c.createBulk([user]);
      expect(result.successItems[0]?.response.serial).toBe("S1");
      expect(calls).toEqual(Array(3).fill("POST /ruangkerja/users/create-bulk"));
      // Backoff with random() = 1: the full bound, 500 ms then 1000 ms.
      expect(slept).toEqual([500, 1000]);
      expect(c.counts.attempts["create-bulk"]).toBe(3);
    });

    it(`gives up on HTTP ${status} after maxAttempts, with the count in the message`, async () => {
      const { fetch: f, calls } = scriptedFetch([{ status }, { status }, { status }, bulkOk]);
      const { c } = client(f, 3);
      const error = (await c.updateBulk([user]).catch((e: unknown) => e)) as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(error.message).toBe(`POST /ruangkerja/users/update-bulk: gave up after 3 attempts: last reply HTTP ${status}`);
      expect(error.attempts).toBe(3);
      expect(error.status).toBe(status);
      expect(calls).toHaveLength(3);
    });
  }
});

describe("a request that times out (timeoutMs, --request-timeout)", () => {
  it("is retried after a timed-out attempt, and lands on the next", async () => {
    const { fetch: f, calls } = scriptedFetch(["hang", bulkOk]);
    const { c, slept } = client(f, 3, 50);
    const result = await c.createBulk([user]);
    expect(result.successItems).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(slept).toEqual([500]);
  });

  it("gives up after maxAttempts timed-out attempts, with the attempt count in the message", async () => {
    const { fetch: f, calls } = scriptedFetch(["hang", "hang", "hang", bulkOk]);
    const { c } = client(f, 3, 50);
    const error = (await c.createBulk([user]).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("POST /ruangkerja/users/create-bulk: gave up after 3 attempts: last attempt timed out");
    expect(error.attempts).toBe(3);
    expect(error.status).toBeUndefined();
    expect(calls).toHaveLength(3);
    expect(c.counts.attempts["create-bulk"]).toBe(3);
  });

  it("with maxAttempts 1, fails as timed out without a count", async () => {
    const { fetch: f, calls } = scriptedFetch(["hang"]);
    const { c } = client(f, 1, 50);
    const error = (await c.createBulk([user]).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe("POST /ruangkerja/users/create-bulk timed out");
    expect(error.attempts).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
