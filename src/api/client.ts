/**
 * The RuangKerja API client on ky: endpoints, auth header, timeouts and retries where a retry is
 * safe. Which URLs may be used is base-url.ts; how a failure is put in words, api-errors.ts. It
 * knows nothing of plans or state.
 *
 * Retries: every request is retried on network errors, timeouts, 408, 429 and 5xx, with
 * exponential backoff and full jitter, honouring Retry-After, up to `maxAttempts` attempts; the
 * table and why each repeat is safe are in retry-policy.ts. A resend with a renewed token is one
 * of those attempts, so `maxAttempts` bounds what one request sends, whatever happens.
 */
import ky, { HTTPError, type KyInstance } from "ky";
import { isTokenRejection, readReplyError, toApiError } from "./api-errors.js";
import { checkBaseUrl, normalizeApiOrigin, redactUrl } from "./base-url.js";
import { ApiError, type ApiReplyError, ConfigError, TOKEN_NOT_VALID } from "../errors.js";
import { DEFAULT_MAX_ATTEMPTS, gaveUpOn, type RetryLoop, type RetryTiming, sendWithRetries } from "./retry-policy.js";
import { type ClientCredentials, ClientCredentialsTokenSource, isHeaderSafe, StaticTokenSource, type TokenSource } from "./token-source.js";
import { createTransport, jsonBody, withBodyText } from "./transport.js";
import type {
  BulkResult,
  CreateUserBody,
  RequestCounts,
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
  /**
   * HTTP attempts of one request, the first included, before giving up on a retryable failure (1:
   * no retries); a resend with a renewed token counts. The token exchange has as many. @default 5
   */
  readonly maxAttempts?: number;
  /** Backoff base, randomness and sleep, for tests. */
  readonly retryTiming?: RetryTiming;
  /** Custom fetch, for tests. */
  readonly fetch?: typeof fetch;
}

export type { AttemptKind, RequestCounts, RequestKind } from "./types.js";

/** Result of a single-user call: the serial on success, the API's error otherwise. */
export type SingleResult = { readonly ok: true; readonly serial: string } | { readonly ok: false; readonly error: ApiReplyError };

export { checkBaseUrl, isLoopbackUrl, redactUrl } from "./base-url.js";

export class RuangkerjaClient {
  /** Calls by kind, and under `attempts` every HTTP request sent (retries, resends and token exchanges included). */
  readonly counts: RequestCounts = {
    "create-bulk": 0,
    "update-bulk": 0,
    update: 0,
    get: 0,
    list: 0,
    "update-email-bulk": 0,
    attempts: { "create-bulk": 0, "update-bulk": 0, update: 0, "update-email-bulk": 0, get: 0, list: 0, token: 0 },
  };
  /** The base URL without credentials, for messages and prompts. */
  readonly displayUrl: string;
  /** The API as state records it (normalizeApiOrigin). */
  readonly apiOrigin: string;
  private readonly auth: TokenSource;
  private readonly http: KyInstance;
  /** What ky sends with: the transport, or a test's fetch. */
  private readonly fetch: typeof fetch;
  private readonly retries: RetryLoop;
  /** Aborted by stopRetrying(): no new attempt starts, and backoffs end at once. */
  private readonly retriesStopped = new AbortController();

  constructor(options: ClientOptions) {
    const url = checkBaseUrl(options.baseUrl);
    this.displayUrl = redactUrl(url);
    this.apiOrigin = normalizeApiOrigin(url);
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
      throw new ConfigError(`maxAttempts must be a whole number from 1, got ${maxAttempts}`);
    this.retries = { maxAttempts, timing: options.retryTiming ?? {}, stopped: this.retriesStopped.signal };
    this.fetch = options.fetch ? withBodyText(options.fetch) : createTransport().fetch;
    this.auth = tokenSourceOf(options, url, this.retries, this.fetch, () => this.counts.attempts.token++);
    this.http = ky.create({
      prefixUrl: url.toString(),
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: "application/json" },
      // Retries are ours (attempt below): one table, and the count of attempts in the final message.
      retry: 0,
      // Not Node's fetch: node:http behind ky, for the CPU it saves on 1,000 bulk calls (transport.ts).
      fetch: this.fetch,
    });
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
    return this.bulk("create-bulk", "ruangkerja/users/create-bulk", items);
  }

  async updateBulk(items: UpdateBulkItem[]): Promise<BulkResult<UpdateBulkItem>> {
    this.counts["update-bulk"]++;
    return this.bulk("update-bulk", "ruangkerja/users/update-bulk", items);
  }

  /** POST /ruangkerja/users/update-email-bulk: RuangKerja also resets each user's password. */
  async updateEmailBulk(items: UpdateEmailItem[]): Promise<BulkResult<UpdateEmailItem>> {
    this.counts["update-email-bulk"]++;
    return this.bulk("update-email-bulk", "ruangkerja/users/update-email-bulk", items);
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
      const reply = await this.send("update", (http, headers) =>
        http.put(path, jsonBody(body, headers)).json<{ data?: { serial?: unknown } }>(),
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
      const reply = await this.send("get", (http, headers) => http.get(path, { headers }).json<{ data?: UserView }>());
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
      const reply = await this.send("list", (http, headers) =>
        http.get(path, { searchParams: { page, pageSize }, headers }).json<{ data?: UserPage }>(),
      );
      if (!reply?.data || !Array.isArray(reply.data.items)) throw this.shapeError("GET", path, "data.items is missing");
      return reply.data;
    } catch (error) {
      throw await this.wrap("GET", path, error);
    }
  }

  private async bulk<T extends { employeeID: string }>(kind: RequestKind, path: string, items: T[]): Promise<BulkResult<T>> {
    try {
      const reply = await this.send(kind, (http, headers) =>
        http.post(path, jsonBody({ items }, headers)).json<{ data?: Partial<BulkResult<T>> }>(),
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
   * Sends one request with the current token, again while sendWithRetries says so. When the API
   * says the token is not valid (401 or errorCode 123) and it can be renewed, it is renewed once
   * and the request sent again at once, as one more of its attempts. A rejected request was not
   * processed, so sending it again is safe even for a POST.
   */
  private send<T>(kind: RequestKind, send: (http: KyInstance, headers: Record<string, string>) => Promise<T>): Promise<T> {
    let token: string | undefined;
    let renewed = false;
    const attempt = async () => {
      token = await this.auth.token();
      this.counts.attempts[kind]++;
      return send(this.http, { Authorization: token });
    };
    const renewRefused = async (error: unknown) => {
      if (renewed || token === undefined || !this.auth.renewable || !(await isTokenRejection(error))) return false;
      renewed = true;
      this.auth.invalidate(token);
      return true;
    };
    return sendWithRetries(attempt, this.retries, renewRefused);
  }

  private shapeError(method: string, path: string, what: string): ApiError {
    return new ApiError(`${method} /${path}: unexpected reply (${what})`, { request: { method, path: `/${path}` } });
  }

  private wrap(method: string, path: string, error: unknown): Promise<unknown> {
    return toApiError(method, path, error, gaveUpOn(error));
  }
}

function tokenSourceOf(
  options: ClientOptions,
  url: URL,
  retries: RetryLoop,
  fetch: typeof globalThis.fetch,
  onAttempt: () => void,
): TokenSource {
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
      // The exchange is retried as every other request is, and counted under attempts.token.
      retries,
      onAttempt,
      fetch,
    });
  }
  throw new ConfigError("no access token: set RUANGKERJA_TOKEN, or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET");
}
