/**
 * POST /oauth/token: the emulator's side of the client-credentials exchange. It knows one client
 * (ID and secret from the options), issues random tokens valid for a configurable lifetime, and
 * tells the server whether a token it is shown is one it issued and that has not expired.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { errorBody } from "./error-codes.js";
import { failure, type Reply } from "./handlers.js";
import { successReply } from "./replies.js";
import { isPlainObject } from "./validation.js";

export const DEFAULT_CLIENT_ID = "emulator-client";
export const DEFAULT_CLIENT_SECRET = "emulator-secret";
/** What the documentation's example shows: 12 hours less a second. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 43_199;

export interface TokenIssuerOptions {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly lifetimeSeconds: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

const FIELDS = new Set(["clientID", "clientSecret", "grantType"]);

export class TokenIssuer {
  /** Issued token → when it expires (ms since the epoch). */
  private readonly issued = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: TokenIssuerOptions) {
    if (options.clientID === "" || options.clientSecret === "") throw new Error("emulator client ID and secret must not be empty");
    if (!(Number.isInteger(options.lifetimeSeconds) && options.lifetimeSeconds >= 1)) {
      throw new Error(`token lifetime must be a whole number of seconds from 1, got ${options.lifetimeSeconds}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** The reply to POST /oauth/token. */
  exchange(body: unknown): Reply {
    if (!isPlainObject(body))
      return failure(errorBody("INVALID_BODY", "the body must be a JSON object {clientID, clientSecret, grantType}"));
    const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
    if (unknown.length > 0) {
      return failure(errorBody("FIELD_NOT_ACCEPTED", unknown.map((key) => `${key}: not accepted by POST /oauth/token`).join("; ")));
    }
    const problems: string[] = [];
    for (const key of ["clientID", "clientSecret"] as const) {
      if (typeof body[key] !== "string" || body[key] === "") problems.push(`${key}: must be a non-empty string`);
    }
    if (body.grantType !== "client_credentials") problems.push('grantType: must be "client_credentials"');
    if (problems.length > 0) return failure(errorBody("VALIDATION_ERROR", problems.join("; ")));
    const idMatches = sameText(body.clientID as string, this.options.clientID);
    const secretMatches = sameText(body.clientSecret as string, this.options.clientSecret);
    if (!idMatches || !secretMatches) return failure(errorBody("BAD_REQUEST"));

    const now = this.now();
    for (const [token, expiresAt] of this.issued) if (expiresAt <= now) this.issued.delete(token);
    const accessToken = randomBytes(24).toString("base64url");
    this.issued.set(accessToken, now + this.options.lifetimeSeconds * 1000);
    return {
      status: 200,
      body: successReply({ accessToken, expiresIn: String(this.options.lifetimeSeconds), tokenType: "bearer" }),
    };
  }

  /** True for a token this issuer gave out whose lifetime has not run out. */
  accepts(token: string): boolean {
    const expiresAt = this.issued.get(token);
    return expiresAt !== undefined && this.now() < expiresAt;
  }

  /** Ends every issued token now, as if their lifetime had run out (for tests of a client's renewal). */
  expireAll(): void {
    this.issued.clear();
  }
}

/** Compares without leaking, through timing, how much of a secret was right. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
