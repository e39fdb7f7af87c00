/**
 * Where the client's access token comes from: a fixed one (RUANGKERJA_TOKEN), or one exchanged
 * for client credentials at POST /oauth/token (RUANGKERJA_CLIENT_ID / RUANGKERJA_CLIENT_SECRET).
 * An exchanged token lives in memory only; it is renewed shortly before its `expiresIn` runs out,
 * and once more whenever the API says it is not valid (the client calls `invalidate`).
 */
import ky, { HTTPError, TimeoutError } from "ky";
import { ApiError, ConfigError } from "../errors.js";

export interface TokenSource {
  /** The token to send now; fetches or renews it first when needed. */
  token(): Promise<string>;
  /** True when a rejected token can be replaced by a new one (an exchanged token); false for a fixed token. */
  readonly renewable: boolean;
  /** The API rejected `token`: the next `token()` fetches a new one (unless another caller already did). */
  invalidate(token: string): void;
}

/** A token given as is (RUANGKERJA_TOKEN): nothing to renew. */
export class StaticTokenSource implements TokenSource {
  readonly renewable = false;
  constructor(private readonly value: string) {}
  token(): Promise<string> {
    return Promise.resolve(this.value);
  }
  invalidate(): void {}
}

export interface ClientCredentials {
  readonly clientID: string;
  /** Sent only in the body of POST /oauth/token; never in a message. */
  readonly clientSecret: string;
}

export interface ClientCredentialsOptions extends ClientCredentials {
  /** The API's base URL (already checked by the client). */
  readonly baseUrl: string;
  /** Per-request timeout in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of the exchange on network errors, timeouts, 429 and 5xx. @default 3 */
  readonly retries?: number;
  /** Milliseconds since the epoch; injectable for tests. @default Date.now */
  readonly now?: () => number;
  /** Custom fetch, for tests. */
  readonly fetch?: typeof fetch;
}

/** The longest margin before expiry at which a token is renewed. */
export const MAX_RENEWAL_MARGIN_MS = 60_000;

/**
 * How long before `expiresIn` runs out a token is renewed: a tenth of its lifetime, at most a
 * minute. The margin covers the time the reply took to arrive and clock drift between the two sides.
 */
export function renewalMarginMs(lifetimeMs: number): number {
  return Math.min(MAX_RENEWAL_MARGIN_MS, lifetimeMs / 10);
}

interface Held {
  readonly value: string;
  /** When to stop using it (our clock). */
  readonly renewAt: number;
}

const TOKEN_PATH = "oauth/token";

export class ClientCredentialsTokenSource implements TokenSource {
  readonly renewable = true;
  /** How many exchanges this source made (for tests and `--json` views). */
  exchanges = 0;
  private held: Held | undefined;
  private pending: Promise<Held> | undefined;
  private readonly now: () => number;
  private readonly http: typeof ky;

  constructor(private readonly options: ClientCredentialsOptions) {
    if (!options.clientID || !options.clientSecret) {
      throw new ConfigError("client credentials need both RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET");
    }
    this.now = options.now ?? Date.now;
    this.http = ky.create({
      prefixUrl: options.baseUrl,
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: "application/json" },
      // Asking for a token twice does no harm, so network errors and 5xx are retried too.
      retry: { limit: options.retries ?? 3, methods: ["post"], backoffLimit: 10_000, maxRetryAfter: 60_000, jitter: true },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async token(): Promise<string> {
    if (this.held && this.now() < this.held.renewAt) return this.held.value;
    // Concurrent callers share one exchange.
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    this.held = await this.pending;
    return this.held.value;
  }

  invalidate(token: string): void {
    if (this.held?.value === token) this.held = undefined;
  }

  private async exchange(): Promise<Held> {
    this.exchanges++;
    const { clientID, clientSecret } = this.options;
    let reply: { data?: { accessToken?: unknown; expiresIn?: unknown } };
    try {
      reply = await this.http.post(TOKEN_PATH, { json: { clientID, clientSecret, grantType: "client_credentials" } }).json();
    } catch (error) {
      throw await exchangeError(error);
    }
    const sentAt = this.now();
    const accessToken = reply?.data?.accessToken;
    const expiresIn = Number(reply?.data?.expiresIn);
    if (typeof accessToken !== "string" || accessToken === "") throw shapeError("data.accessToken is missing");
    if (!isHeaderSafe(accessToken)) throw shapeError("data.accessToken contains a control character");
    if (!Number.isFinite(expiresIn) || expiresIn < 0) throw shapeError("data.expiresIn is not a number of seconds");
    const lifetimeMs = expiresIn * 1000;
    return { value: accessToken, renewAt: sentAt + lifetimeMs - renewalMarginMs(lifetimeMs) };
  }
}

const REQUEST = { method: "POST", path: `/${TOKEN_PATH}` };

function shapeError(what: string): ApiError {
  return new ApiError(`POST /${TOKEN_PATH}: unexpected reply (${what})`, { request: REQUEST });
}

/** Wrong credentials are a configuration problem (exit 1, nothing sent); anything else is an API failure. */
async function exchangeError(error: unknown): Promise<Error> {
  if (error instanceof HTTPError) {
    const status = error.response.status;
    let body: { errorCode?: unknown; message?: unknown; detail?: unknown } | undefined;
    try {
      body = (await error.response.clone().json()) as typeof body;
    } catch {
      body = undefined;
    }
    const detail = typeof body?.detail === "string" ? body.detail : "";
    const message = typeof body?.message === "string" ? body.message : `HTTP ${status}`;
    if (status === 400 || status === 401 || status === 403) {
      return new ConfigError(
        `RuangKerja refused the client credentials at POST /${TOKEN_PATH}: ${detail || message} (${message}). Check RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET.`,
      );
    }
    const reply = body?.errorCode !== undefined ? { errorCode: body.errorCode as number | string, message, detail } : undefined;
    return new ApiError(`POST /${TOKEN_PATH} failed: ${reply ? `${message} (${String(reply.errorCode)})` : `HTTP ${status}`}`, {
      request: REQUEST,
      status,
      ...(reply ? { reply } : {}),
      cause: error,
    });
  }
  if (error instanceof TimeoutError) return new ApiError(`POST /${TOKEN_PATH} timed out`, { request: REQUEST, cause: error });
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new ApiError(`POST /${TOKEN_PATH} could not reach the API: ${reason}`, { request: REQUEST, cause: error });
}

/** A token goes into a header: a line break or another control character would be refused by fetch, with the token in its message. */
export function isHeaderSafe(token: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return !/[\u0000-\u001F\u007F]/.test(token);
}
