/**
 * The RuangKerja API client on ky: endpoints, auth header, timeouts, retries where a retry is
 * safe, and typed errors. It knows nothing of plans or state.
 *
 * Retries: GET and a PUT that does not rename are idempotent, so they are retried on network
 * errors, 408/429/5xx. POSTs (create-bulk, update-bulk) and a renaming PUT are retried only on
 * 429, which says the request was not processed; anything else could have landed, and sending
 * it again would create a duplicate or fail confusingly.
 */
import ky, { HTTPError, type KyInstance, TimeoutError } from "ky";
import { ApiError, type ApiReplyError, ConfigError, RuangkerjaError, TOKEN_NOT_VALID } from "../errors.js";
import { type ClientCredentials, ClientCredentialsTokenSource, StaticTokenSource, type TokenSource } from "./token-source.js";
import type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateEmailItem, UpdateUserBody, UserPage, UserView } from "./types.js";

export const DEFAULT_API_URL = "https://api.ruangkerja.id";

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
  /** Retries of a retryable request. @default 3 */
  readonly retries?: number;
  /** Custom fetch, for tests. */
  readonly fetch?: typeof fetch;
}

/** Kinds of request counted by the client (the keys of `apply --json`'s `requests`). */
export type RequestKind = "create-bulk" | "update-bulk" | "update" | "get" | "list" | "update-email-bulk";

/** Result of a single-user call: the serial on success, the API's error otherwise. */
export type SingleResult = { readonly ok: true; readonly serial: string } | { readonly ok: false; readonly error: ApiReplyError };

/** The longest `Retry-After` the client waits for; a longer one fails the request instead. */
const MAX_RETRY_AFTER_MS = 60_000;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/** The URL without user name and password, for messages. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = "";
  copy.password = "";
  return copy.toString();
}

/** Refuses URLs that would send the token in the clear to anything but this machine. */
export function checkBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    // Not echoed: a malformed URL may still hold a password.
    throw new ConfigError("RUANGKERJA_API_URL is not a URL (expected e.g. https://api.ruangkerja.id)");
  }
  if (url.username !== "" || url.password !== "") {
    // Never echoed, and never sent: fetch would put them in its error messages.
    throw new ConfigError(
      `RUANGKERJA_API_URL must not contain a user name or password (${redactUrl(url)}): the token goes in RUANGKERJA_TOKEN`,
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackUrl(url)) return url;
  if (url.protocol === "http:") {
    throw new ConfigError(
      `refusing to send the access token over plain http to ${url.host}: use https, or a loopback address (127.0.0.1, localhost) for the emulator`,
    );
  }
  throw new ConfigError(`RUANGKERJA_API_URL ${redactUrl(url)} must start with https:// (or http:// for a loopback address)`);
}

export class RuangkerjaClient {
  readonly counts: Record<RequestKind, number> = { "create-bulk": 0, "update-bulk": 0, update: 0, get: 0, list: 0, "update-email-bulk": 0 };
  /** The base URL without credentials, for messages and prompts. */
  readonly displayUrl: string;
  private readonly idempotent: KyInstance;
  private readonly onlyOn429: KyInstance;
  private readonly auth: TokenSource;

  constructor(options: ClientOptions) {
    const url = checkBaseUrl(options.baseUrl);
    this.displayUrl = redactUrl(url);
    this.auth = tokenSourceOf(options, url);
    const base = ky.create({
      prefixUrl: url.toString(),
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: "application/json" },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const limit = options.retries ?? 3;
    this.idempotent = base.extend({
      retry: {
        limit,
        methods: ["get", "put"],
        backoffLimit: 10_000,
        maxRetryAfter: MAX_RETRY_AFTER_MS,
        jitter: true,
        retryOnTimeout: true,
      },
    });
    this.onlyOn429 = base.extend({
      retry: {
        limit,
        methods: ["get", "put", "post"],
        statusCodes: [429],
        afterStatusCodes: [429],
        backoffLimit: 10_000,
        maxRetryAfter: MAX_RETRY_AFTER_MS,
        jitter: true,
        // A network error after sending may mean the server processed the request.
        shouldRetry: ({ error }) => (error instanceof HTTPError ? undefined : false),
      },
    });
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
    const http = body.newEmployeeID ? this.onlyOn429 : this.idempotent;
    try {
      const reply = await this.authorized((headers) => http.put(path, { json: body, headers }).json<{ data?: { serial?: unknown } }>());
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

  async getUser(employeeID: string): Promise<UserView | undefined> {
    this.counts.get++;
    const path = `ruangkerja/users/${encodeURIComponent(employeeID)}`;
    try {
      const reply = await this.authorized((headers) => this.idempotent.get(path, { headers }).json<{ data?: UserView }>());
      if (!reply?.data) throw this.shapeError("GET", path, "data is missing");
      return reply.data;
    } catch (error) {
      if (error instanceof HTTPError && error.response.status === 404) return undefined;
      throw await this.wrap("GET", path, error);
    }
  }

  async listUsers(page: number, pageSize = 100): Promise<UserPage> {
    this.counts.list++;
    const path = "ruangkerja/users";
    try {
      const reply = await this.authorized((headers) =>
        this.idempotent.get(path, { searchParams: { page, pageSize }, headers }).json<{ data?: UserPage }>(),
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
        this.onlyOn429.post(path, { json: { items }, headers }).json<{ data?: Partial<BulkResult<T>> }>(),
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

  private async wrap(method: string, path: string, error: unknown): Promise<unknown> {
    // ApiError, and ConfigError from a refused credentials exchange: already say what happened.
    if (error instanceof RuangkerjaError) return error;
    const request = { method, path: `/${path}` };
    if (error instanceof HTTPError) {
      const reply = await readReplyError(error);
      const status = error.response.status;
      const what = reply ? `${reply.message} (${reply.errorCode})` : `HTTP ${status}`;
      return new ApiError(`${method} /${path} failed: ${what}`, { request, status, ...(reply ? { reply } : {}), cause: error });
    }
    if (error instanceof TimeoutError) {
      return new ApiError(`${method} /${path} timed out`, { request, cause: error });
    }
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return new ApiError(`${method} /${path} could not reach the API: ${reason}`, { request, cause: error });
  }
}

function tokenSourceOf(options: ClientOptions, url: URL): TokenSource {
  if (options.tokenSource) return options.tokenSource;
  if (options.token) return new StaticTokenSource(options.token);
  if (options.clientCredentials) {
    return new ClientCredentialsTokenSource({
      ...options.clientCredentials,
      baseUrl: url.toString(),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }
  throw new ConfigError("no access token: set RUANGKERJA_TOKEN, or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET");
}

async function isTokenRejection(error: unknown): Promise<boolean> {
  if (!(error instanceof HTTPError)) return false;
  if (error.response.status === 401) return true;
  return (await readReplyError(error))?.errorCode === TOKEN_NOT_VALID;
}

/** The `{errorCode, message, detail}` body of an error reply, if that is what it is. */
async function readReplyError(error: unknown): Promise<ApiReplyError | undefined> {
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
