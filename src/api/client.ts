/**
 * The RuangKerja API client on ky: endpoints, auth header, timeouts and retries where a retry is
 * safe. Which URLs may be used is base-url.ts; how a failure is put in words, api-errors.ts. It
 * knows nothing of plans or state.
 *
 * Retries: every request is retried on network errors, timeouts, 408, 429 and 5xx, with
 * exponential backoff and full jitter, honouring Retry-After, up to `maxAttempts` attempts; the
 * table and why each repeat is safe are in retry-policy.ts.
 */
import ky, { HTTPError, type KyInstance } from "ky";
import { type GaveUp, isTokenRejection, readReplyError, toApiError } from "./api-errors.js";
import { checkBaseUrl, normalizeApiOrigin, redactUrl } from "./base-url.js";
import { ApiError, type ApiReplyError, ConfigError, TOKEN_NOT_VALID } from "../errors.js";
import { DEFAULT_MAX_ATTEMPTS, decideRetry, type RetryTiming, sleep } from "./retry-policy.js";
import { type ClientCredentials, ClientCredentialsTokenSource, isHeaderSafe, StaticTokenSource, type TokenSource } from "./token-source.js";
import type {
  BulkResult,
  CreateUserBody,
  RequestKind,
  UpdateBulkItem,
  UpdateEmailItem,
  UpdateUserBody,
  UserPage,
  UserView,
} from "./types.js";

export { DEFAULT_API_URL } from "./defaults.js";

export interface ClientOptions {
  /** Base URL, e.g. `https://api.ruangkerja.id` or the emulator's `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Access token, sent as the `Authorization` header. Never logged. Give this, `clientCredentials` or `tokenSource`. */
  readonly token?: string;
  /** Exchanged at POST /oauth/token for a token kept in memory and renewed before it expires. */
  readonly clientCredentials?: ClientCredentials;
  /** Where tokens come from, when neither `token` nor `clientCredentials` fits (tests). */
  readonly tokenSource?: TokenSource;
  /** Per-request timeout in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts of one request, the first included, before giving up on a retryable failure (1: no retries). @default 5 */
  readonly maxAttempts?: number;
  /** Backoff base, randomness and sleep, for tests. */
  readonly retryTiming?: RetryTiming;
  /** Custom fetch, for tests. */
  readonly fetch?: typeof fetch;
}

export type { RequestKind } from "./types.js";

/** Result of a single-user call: the serial on success, the API's error otherwise. */
export type SingleResult = { readonly ok: true; readonly serial: string } | { readonly ok: false; readonly error: ApiReplyError };

export { checkBaseUrl, isLoopbackUrl, redactUrl } from "./base-url.js";

export class RuangkerjaClient {
  readonly counts: Record<RequestKind, number> = { "create-bulk": 0, "update-bulk": 0, update: 0, get: 0, list: 0, "update-email-bulk": 0 };
  /** The base URL without credentials, for messages and prompts. */
  readonly displayUrl: string;
  /** The API as state records it (normalizeApiOrigin). */
  readonly apiOrigin: string;
  private readonly auth: TokenSource;
  private readonly http: KyInstance;
  private readonly maxAttempts: number;
  private readonly retryTiming: RetryTiming;
  /** Aborted by stopRetrying(): no new attempt starts, and backoffs end at once. */
  private readonly retriesStopped = new AbortController();
  /** How many attempts a failed request took, and why it stopped there, for the final message. */
  private readonly gaveUp = new WeakMap<object, GaveUp>();

  constructor(options: ClientOptions) {
    const url = checkBaseUrl(options.baseUrl);
    this.displayUrl = redactUrl(url);
    this.apiOrigin = normalizeApiOrigin(url);
    this.auth = tokenSourceOf(options, url);
    this.http = ky.create({
      prefixUrl: url.toString(),
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: "application/json" },
      // Retries are ours (attempt below): one table, and the count of attempts in the final message.
      retry: 0,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1)
      throw new ConfigError(`maxAttempts must be a whole number from 1, got ${this.maxAttempts}`);
    this.retryTiming = options.retryTiming ?? {};
  }

  /** Runs one request, sending it again while decideRetry says so. */
  private async attempt<T>(send: (http: KyInstance) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(this.http);
      } catch (error) {
        const decided = decideRetry(error, attempt, this.maxAttempts, this.retryTiming);
        const decision = decided.retry && this.retriesStopped.signal.aborted ? { retry: false as const, why: "interrupted" } : decided;
        if (!decision.retry) {
          if (typeof error === "object" && error !== null && (attempt > 1 || decision.why)) {
            this.gaveUp.set(error, { attempts: attempt, ...(decision.why ? { why: decision.why } : {}) });
          }
          throw error;
        }
        await (this.retryTiming.sleep ?? sleep)(decision.delayMs, this.retriesStopped.signal);
        if (this.retriesStopped.signal.aborted) {
          this.gaveUp.set(error as object, { attempts: attempt, why: "interrupted" });
          throw error;
        }
        // A retried response is never read: release its body so the connection is reused.
        if (error instanceof HTTPError) await error.response.body?.cancel().catch(() => undefined);
      }
    }
  }

  /**
   * After an interrupt: requests in flight finish, but none is sent again, and a backoff under
   * way ends now with the last failure (so Ctrl-C does not wait out a long Retry-After).
   */
  stopRetrying(): void {
    this.retriesStopped.abort();
  }

  async createBulk(items: CreateUserBody[]): Promise<BulkResult<CreateUserBody>> {
    this.counts["create-bulk"]++;
    return this.bulk("ruangkerja/users/create-bulk", items);
  }

  async updateBulk(items: UpdateBulkItem[]): Promise<BulkResult<UpdateBulkItem>> {
    this.counts["update-bulk"]++;
    return this.bulk("ruangkerja/users/update-bulk", items);
  }

  /** POST /ruangkerja/users/update-email-bulk: RuangKerja also resets each user's password. */
  async updateEmailBulk(items: UpdateEmailItem[]): Promise<BulkResult<UpdateEmailItem>> {
    this.counts["update-email-bulk"]++;
    return this.bulk("ruangkerja/users/update-email-bulk", items);
  }

  /** Fetches a token now (exchanging client credentials), so wrong credentials fail before anything else is sent. */
  async authenticate(): Promise<void> {
    await this.auth.token();
  }

  /** PUT /ruangkerja/users/:employeeID. API-level failures (4xx with an errorCode) are returned, not thrown. */
  async updateUser(employeeID: string, body: UpdateUserBody): Promise<SingleResult> {
    this.counts.update++;
    const path = `ruangkerja/users/${encodeURIComponent(employeeID)}`;
    try {
      const reply = await this.authorized((headers) =>
        this.attempt((http) => http.put(path, { json: body, headers }).json<{ data?: { serial?: unknown } }>()),
      );
      const serial = reply?.data?.serial;
      if (typeof serial !== "string") throw this.shapeError("PUT", path, "data.serial is missing");
      return { ok: true, serial };
    } catch (error) {
      // A rejected token is not this user's problem: it stops the whole run.
      const reply = await readReplyError(error);
      if (reply && reply.errorCode !== TOKEN_NOT_VALID && !(error instanceof HTTPError && error.response.status === 401)) {
        return { ok: false, error: reply };
      }
      throw await this.wrap("PUT", path, error);
    }
  }

  /**
   * GET /ruangkerja/users/:employeeID; undefined only when the API says it has no such user (404
   * with USER_NOT_FOUND). Any other 404 (a wrong base URL, a proxy's page) is an error: taking it
   * for an absent user would make read-back and refresh conclude that users are gone.
   */
  async getUser(employeeID: string): Promise<UserView | undefined> {
    this.counts.get++;
    const path = `ruangkerja/users/${encodeURIComponent(employeeID)}`;
    try {
      const reply = await this.authorized((headers) => this.attempt((http) => http.get(path, { headers }).json<{ data?: UserView }>()));
      if (!reply?.data) throw this.shapeError("GET", path, "data is missing");
      return reply.data;
    } catch (error) {
      if (error instanceof HTTPError && error.response.status === 404) {
        const reply = await readReplyError(error);
        if (reply?.message === "USER_NOT_FOUND" || reply?.errorCode === 10104) return undefined;
      }
      throw await this.wrap("GET", path, error);
    }
  }

  async listUsers(page: number, pageSize = 100): Promise<UserPage> {
    this.counts.list++;
    const path = "ruangkerja/users";
    try {
      const reply = await this.authorized((headers) =>
        this.attempt((http) => http.get(path, { searchParams: { page, pageSize }, headers }).json<{ data?: UserPage }>()),
      );
      if (!reply?.data || !Array.isArray(reply.data.items)) throw this.shapeError("GET", path, "data.items is missing");
      return reply.data;
    } catch (error) {
      throw await this.wrap("GET", path, error);
    }
  }

  private async bulk<T extends { employeeID: string }>(path: string, items: T[]): Promise<BulkResult<T>> {
    try {
      const reply = await this.authorized((headers) =>
        this.attempt((http) => http.post(path, { json: { items }, headers }).json<{ data?: Partial<BulkResult<T>> }>()),
      );
      const data = reply?.data;
      if (!data || !Array.isArray(data.successItems) || !Array.isArray(data.failedItems)) {
        throw this.shapeError("POST", path, "data.successItems / data.failedItems are missing");
      }
      // Items without what apply relies on (the id sent, a serial, an error) are dropped here;
      // apply reports the users they stood for as having no result.
      return {
        successItems: data.successItems.filter(
          (item) =>
            typeof item?.payload?.employeeID === "string" && typeof item.response?.serial === "string" && item.response.serial !== "",
        ),
        failedItems: data.failedItems.filter((item) => typeof item?.payload?.employeeID === "string" && typeof item.error === "object"),
      };
    } catch (error) {
      throw await this.wrap("POST", path, error);
    }
  }

  /**
   * Sends with the current token; when the API says it is not valid (401 or errorCode 123) and
   * the token can be renewed, renews it and sends once more. A rejected request was not
   * processed, so sending it again is safe even for a POST.
   */
  private async authorized<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    const token = await this.auth.token();
    try {
      return await send({ Authorization: token });
    } catch (error) {
      if (!this.auth.renewable || !(await isTokenRejection(error))) throw error;
      this.auth.invalidate(token);
      return send({ Authorization: await this.auth.token() });
    }
  }

  private shapeError(method: string, path: string, what: string): ApiError {
    return new ApiError(`${method} /${path}: unexpected reply (${what})`, { request: { method, path: `/${path}` } });
  }

  private wrap(method: string, path: string, error: unknown): Promise<unknown> {
    return toApiError(method, path, error, typeof error === "object" && error !== null ? this.gaveUp.get(error) : undefined);
  }
}

function tokenSourceOf(options: ClientOptions, url: URL): TokenSource {
  if (options.tokenSource) return options.tokenSource;
  if (options.token) {
    if (!isHeaderSafe(options.token)) {
      // Never echoed: it is the secret.
      throw new ConfigError("the access token contains a line break or another control character: set RUANGKERJA_TOKEN to the token alone");
    }
    return new StaticTokenSource(options.token);
  }
  if (options.clientCredentials) {
    return new ClientCredentialsTokenSource({
      ...options.clientCredentials,
      baseUrl: url.toString(),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      // The exchange has its own small retry on 429 (token-source.ts); every other request uses attempt().
      ...(options.maxAttempts !== undefined ? { retries: options.maxAttempts - 1 } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }
  throw new ConfigError("no access token: set RUANGKERJA_TOKEN, or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET");
}
