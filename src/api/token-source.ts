/**
 * Where the client's access token comes from: a fixed one (RUANGKERJA_TOKEN), or one exchanged
 * for client credentials at POST /oauth/token (RUANGKERJA_CLIENT_ID / RUANGKERJA_CLIENT_SECRET).
 * An exchanged token lives in memory only; it is renewed shortly before its `expiresIn` runs out,
 * and once more whenever the API says it is not valid (the client calls `invalidate`).
 */
import ky, { HTTPError } from "ky";
import { ApiError, ConfigError } from "../errors.js";
import { readReplyError, toApiError } from "./api-errors.js";
import { DEFAULT_MAX_ATTEMPTS, gaveUpOn, type RetryLoop, sendWithRetries } from "./retry-policy.js";

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
  /**
   * How the exchange is sent again on network errors, timeouts, 408, 429 and 5xx: as every other
   * request (retry-policy.ts). @default DEFAULT_MAX_ATTEMPTS attempts, the default backoff, never stopped
   */
  readonly retries?: RetryLoop;
  /** Called as each HTTP attempt of the exchange is sent, for the client's counts. */
  readonly onAttempt?: () => void;
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
  private readonly retries: RetryLoop;

  constructor(private readonly options: ClientCredentialsOptions) {
    if (!options.clientID || !options.clientSecret) {
      throw new ConfigError("client credentials need both RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET");
    }
    this.now = options.now ?? Date.now;
    this.retries = options.retries ?? { maxAttempts: DEFAULT_MAX_ATTEMPTS, timing: {}, stopped: new AbortController().signal };
    this.http = ky.create({
      prefixUrl: options.baseUrl,
      timeout: options.timeoutMs ?? 30_000,
      headers: { Accept: "application/json" },
      // Retries are sendWithRetries' (asking for a token twice does no harm), so the final message counts the attempts.
      retry: 0,
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
    const attempt = () => {
      this.options.onAttempt?.();
      return this.http.post(TOKEN_PATH, { json: { clientID, clientSecret, grantType: "client_credentials" } }).json<typeof reply>();
    };
    try {
      reply = await sendWithRetries(attempt, this.retries);
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

/**
 * Wrong credentials are a configuration problem (exit 1, nothing sent); anything else is an API
 * failure, put in words as every other request's (api-errors.ts), attempts included.
 */
async function exchangeError(error: unknown): Promise<unknown> {
  if (error instanceof HTTPError && [400, 401, 403].includes(error.response.status)) {
    const reply = await readReplyError(error);
    const message = reply?.message ?? `HTTP ${error.response.status}`;
    return new ConfigError(
      `RuangKerja refused the client credentials at POST /${TOKEN_PATH}: ${reply?.detail || message} (${message}). Check RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET.`,
    );
  }
  return toApiError("POST", TOKEN_PATH, error, gaveUpOn(error));
}

/** A token goes into a header: a line break or another control character would be refused by fetch, with the token in its message. */
export function isHeaderSafe(token: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return !/[\u0000-\u001F\u007F]/.test(token);
}
