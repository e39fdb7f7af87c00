/**
 * PostgreSQL connection strings as users give them (`postgres://user:password@host:port/db?…`):
 * recognised, shown without their secrets, and used to scrub those secrets from any message.
 */
import { ConfigError } from "../errors.js";

export interface PostgresUrl {
  /** The connection string as given, for the driver only: never print it. */
  readonly connectionString: string;
  /** `postgres://user@host:port/db`: no password, no query (which may hold `password=`). */
  readonly display: string;
  /** Every secret the string holds (password, as written and decoded), for redact(). */
  readonly secrets: readonly string[];
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

const SECRET_PARAMS = /pass/i;

export function parsePostgresUrl(connectionString: string): PostgresUrl {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Not echoed: a malformed URL may still hold a password.
    throw new ConfigError(
      "the PostgreSQL state URL cannot be parsed (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE, with special characters in the password percent-encoded)",
    );
  }
  // "postgres://u:12/ab@host/db" parses as host "u:12" and path "/ab@host/db": a password with an
  // unencoded "/", "?" or "#" that would otherwise be shown as part of the path. Refused, not echoed.
  if (url.pathname.includes("@") || url.search.includes("@") || url.hash.includes("@")) {
    throw new ConfigError(
      'the PostgreSQL state URL is ambiguous: an "@" follows a "/", "?" or "#", as when a password holds one of them unencoded. Percent-encode the password (/ as %2F, ? as %3F, # as %23, @ as %40)',
    );
  }
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value === "") return;
    secrets.add(value);
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not valid percent-encoding: the raw form is enough.
    }
  };
  add(url.password);
  for (const [name, value] of url.searchParams) if (SECRET_PARAMS.test(name)) add(value);
  // Longest first, so a secret that contains another is removed whole.
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  const user = url.username ? `${url.username}@` : "";
  const display = `${url.protocol}//${user}${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  return { connectionString, display, secrets: sorted };
}

/** The text with every secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}
