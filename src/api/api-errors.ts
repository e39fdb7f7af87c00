/**
 * What went wrong with a request, in words: ky's HTTPError, TimeoutError and network TypeErrors
 * become one ApiError naming the method, path, the API's errorCode and how many attempts were made.
 */
import { HTTPError, TimeoutError } from "ky";
import { ApiError, type ApiReplyError, RuangkerjaError, TOKEN_NOT_VALID } from "../errors.js";
import { ReplyTooLargeError } from "./transport.js";

/** How many attempts a failed request took, and why it stopped there. */
export interface GaveUp {
  readonly attempts: number;
  readonly why?: string;
}

export async function toApiError(method: string, path: string, error: unknown, gaveUp: GaveUp | undefined): Promise<unknown> {
  // ApiError, and ConfigError from a refused credentials exchange: already say what happened.
  if (error instanceof RuangkerjaError) return error;
  const request = { method, path: `/${path}` };
  const attempts = gaveUp ? { attempts: gaveUp.attempts } : {};
  // "gave up after 5 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE (50301): …" says both what and how hard we tried.
  const lead = (what: string, last: string) =>
    gaveUp
      ? `${method} /${path}: gave up after ${gaveUp.attempts} attempt${gaveUp.attempts === 1 ? "" : "s"}${gaveUp.why ? ` (${gaveUp.why})` : ""}: last ${last}`
      : `${method} /${path} ${what}`;
  if (error instanceof HTTPError) {
    const reply = await readReplyError(error);
    const status = error.response.status;
    // Never followed (transport.ts), and its Location never shown: it may carry a secret.
    const redirect = status >= 300 && status < 400 ? " (a redirect, not followed: RUANGKERJA_API_URL should be the API's own address)" : "";
    const what = reply ? `${reply.message} (${reply.errorCode})` : `HTTP ${status}${redirect}`;
    const last = `reply HTTP ${status}${reply ? ` ${reply.message} (${reply.errorCode})${reply.detail ? `: ${reply.detail}` : ""}` : ""}`;
    return new ApiError(lead(`failed: ${what}`, last), { request, status, ...(reply ? { reply } : {}), cause: error, ...attempts });
  }
  if (error instanceof ReplyTooLargeError) {
    return new ApiError(lead(`failed: ${error.message}`, `error: ${error.message}`), { request, cause: error, ...attempts });
  }
  if (error instanceof TimeoutError) {
    return new ApiError(lead("timed out", "attempt timed out"), { request, cause: error, ...attempts });
  }
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new ApiError(lead(`could not reach the API: ${reason}`, `error: could not reach the API: ${reason}`), {
    request,
    cause: error,
    ...attempts,
  });
}

export async function isTokenRejection(error: unknown): Promise<boolean> {
  if (!(error instanceof HTTPError)) return false;
  if (error.response.status === 401) return true;
  return (await readReplyError(error))?.errorCode === TOKEN_NOT_VALID;
}

/** The `{errorCode, message, detail}` body of an error reply, if that is what it is. */
export async function readReplyError(error: unknown): Promise<ApiReplyError | undefined> {
  if (!(error instanceof HTTPError)) return undefined;
  try {
    const body = (await error.response.clone().json()) as Partial<ApiReplyError>;
    if (body && body.errorCode !== undefined && typeof body.message === "string") {
      return { errorCode: body.errorCode, message: body.message, detail: String(body.detail ?? "") };
    }
  } catch {
    // Not JSON: the caller reports the HTTP status instead.
  }
  return undefined;
}
