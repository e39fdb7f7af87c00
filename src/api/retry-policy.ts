/**
 * When the client sends a request again, and how long it waits first: the one retry table of the
 * project (README, "Retries", mirrors it). Every request is retried on the same failures, because
 * each is safe to repeat: reads and plain updates are idempotent, and for the two that are not
 * (a create, a rename) apply reads the user back when the repeat meets the first attempt's
 * result (see src/apply/read-back.ts). sendWithRetries is the one loop that carries it out, for
 * the token exchange too; its bound counts every attempt sent, a resend with a renewed token included.
 */
import { HTTPError, TimeoutError } from "ky";
import type { GaveUp } from "./api-errors.js";
import type { RequestKind } from "./types.js";

/** HTTP statuses that say "not now" rather than "no": the request is sent again. */
export const RETRY_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** Why repeating each kind of request cannot do harm; every kind is retried on network errors, timeouts and RETRY_STATUSES. */
export const RETRY_POLICY: Readonly<Record<RequestKind, string>> = {
  get: "a read",
  list: "a read",
  "update-bulk":
    "an update sets the same values again; a rename repeated meets USER_NOT_FOUND for the old id, and apply reads the new id back",
  update: "as update-bulk",
  "update-email-bulk": "setting the same address again changes nothing (RuangKerja may send the new password once more)",
  "create-bulk": "a create repeated meets USER_EMPLOYEE_ID_EXISTS for its own user, and apply reads that user back and compares",
};

/** Attempts per request (the first one included). @see ClientOptions.maxAttempts */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The first backoff's upper bound; it doubles with each retry. */
export const DEFAULT_BASE_DELAY_MS = 500;
/** No backoff is longer than this. */
export const MAX_BACKOFF_MS = 10_000;
/** The longest `Retry-After` the client waits for; a longer one fails the request instead. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface RetryTiming {
  /** @default 500 */
  readonly baseDelayMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** Resolves after `ms`, or early when `signal` aborts. @default setTimeout */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Full jitter (AWS "Exponential Backoff And Jitter"): anywhere from 0 to the exponential bound, so clients that failed together do not retry together. */
export function backoffDelay(retry: number, baseDelayMs: number, random: () => number): number {
  const bound = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * bound);
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly why?: string };

/** Whether a failed attempt is sent again, and after how long. `attempt` counts from 1. */
export function decideRetry(error: unknown, attempt: number, maxAttempts: number, timing: RetryTiming): RetryDecision {
  const retryable =
    error instanceof HTTPError
      ? RETRY_STATUSES.includes(error.response.status)
      : // fetch's network failures are TypeErrors with a cause; one without (an invalid header) is a bug, not a fault.
        error instanceof TimeoutError || (error instanceof TypeError && error.cause !== undefined);
  if (!retryable || attempt >= maxAttempts) return { retry: false };
  if (error instanceof HTTPError) {
    const asked = parseRetryAfter(error.response.headers.get("retry-after"));
    if (asked !== undefined) {
      if (asked > MAX_RETRY_AFTER_MS) {
        return {
          retry: false,
          why: `the API asked to retry after ${Math.ceil(asked / 1000)} s, longer than the ${MAX_RETRY_AFTER_MS / 1000} s the client waits`,
        };
      }
      return { retry: true, delayMs: asked };
    }
  }
  return { retry: true, delayMs: backoffDelay(attempt, timing.baseDelayMs ?? DEFAULT_BASE_DELAY_MS, timing.random ?? Math.random) };
}

/** How one request is sent again: its bound and its timing, and when to stop sending it. */
export interface RetryLoop {
  /** Attempts in all, the first included; every send counts, a resend at once too. */
  readonly maxAttempts: number;
  readonly timing: RetryTiming;
  /** Once aborted, no further attempt starts, and a backoff under way ends at once (the request fails as interrupted). */
  readonly stopped: AbortSignal;
}

/** A failure to send again at once, without a backoff (a token the API refused, now renewed); asked before decideRetry. */
export type ResendAtOnce = (error: unknown) => Promise<boolean>;

/** How many attempts a failed request took, and why it stopped there, by the error it failed with. */
const gaveUp = new WeakMap<object, GaveUp>();

/** What sendWithRetries recorded of the error a request failed with: undefined when it was sent once and failed for its own reason. */
export function gaveUpOn(error: unknown): GaveUp | undefined {
  return typeof error === "object" && error !== null ? gaveUp.get(error) : undefined;
}

/**
 * Calls `send` (one HTTP attempt) until it succeeds, `resendAtOnce` or decideRetry stops asking for
 * more, or `loop.maxAttempts` attempts were made; then throws the last failure, whose attempts
 * gaveUpOn() tells.
 */
export async function sendWithRetries<T>(send: () => Promise<T>, loop: RetryLoop, resendAtOnce?: ResendAtOnce): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const atOnce = resendAtOnce !== undefined && (await resendAtOnce(error));
      const decided: RetryDecision = atOnce
        ? attempt < loop.maxAttempts
          ? { retry: true, delayMs: 0 }
          : { retry: false, why: "the token was not valid, and no attempt was left to send the request with a new one" }
        : decideRetry(error, attempt, loop.maxAttempts, loop.timing);
      const decision = decided.retry && loop.stopped.aborted ? { retry: false as const, why: "interrupted" } : decided;
      if (!decision.retry) {
        if (typeof error === "object" && error !== null && (attempt > 1 || decision.why)) {
          gaveUp.set(error, { attempts: attempt, ...(decision.why ? { why: decision.why } : {}) });
        }
        throw error;
      }
      if (!atOnce) {
        await (loop.timing.sleep ?? sleep)(decision.delayMs, loop.stopped);
        if (loop.stopped.aborted) {
          if (typeof error === "object" && error !== null) gaveUp.set(error, { attempts: attempt, why: "interrupted" });
          throw error;
        }
      }
      // A failed attempt's reply is never read again: release its body so the connection is reused.
      if (error instanceof HTTPError) await error.response.body?.cancel().catch(() => undefined);
    }
  }
}

/** Waits `ms`, or less if `signal` aborts (then the timer is cleared, so it holds no process open). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
