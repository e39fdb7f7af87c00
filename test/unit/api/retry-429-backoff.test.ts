/**
 * A 429 without `Retry-After`: the retry policy backs off with full jitter, as for a 5xx, instead
 * of sending again at once; with a `Retry-After` it waits exactly that. decideRetry is the one
 * place the client asks (src/api/retry-policy.ts).
 */
import { HTTPError, type NormalizedOptions } from "ky";
import { describe, expect, it } from "vitest";
import { decideRetry } from "../../../src/api/retry-policy.js";

function tooManyRequests(headers: Record<string, string> = {}): HTTPError {
  const response = new Response('{"errorCode":42901,"message":"RATE_LIMITED","detail":""}', { status: 429, headers });
  return new HTTPError(response, new Request("http://127.0.0.1/ruangkerja/users/create-bulk", { method: "POST" }), {} as NormalizedOptions);
}

describe("a 429 without Retry-After", () => {
  it("is retried after a jittered exponential backoff: random() × min(10 s, 500 ms × 2^(retry-1))", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => decideRetry(tooManyRequests(), attempt, 7, { random: () => 0.5 }));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000].map((delayMs) => ({ retry: true, delayMs })));
    // Full jitter: anywhere from 0 to the bound, as random() draws.
    expect(decideRetry(tooManyRequests(), 3, 7, { random: () => 0 })).toEqual({ retry: true, delayMs: 0 });
    expect(decideRetry(tooManyRequests(), 3, 7, { random: () => 0.999 })).toEqual({ retry: true, delayMs: 1998 });
  });

  it("is not retried once the attempts are used up; with a Retry-After it waits exactly that instead", () => {
    expect(decideRetry(tooManyRequests(), 5, 5, { random: () => 0.5 })).toEqual({ retry: false });
    expect(decideRetry(tooManyRequests({ "Retry-After": "3" }), 1, 5, { random: () => 0.5 })).toEqual({ retry: true, delayMs: 3000 });
  });
});
