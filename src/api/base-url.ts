/**
 * The API's URL: what may be used (checkBaseUrl: https, or http to loopback; no credentials,
 * query or fragment), how it is shown (redactUrl), and which API a state belongs to. A state records the API it was applied against; used against
 * another one (a staging tenant, a restored backup under a new URL), its users would be planned
 * as if they were there: creates that collide, deactivations of the wrong people. No ky, no I/O:
 * the state commands use this without loading the client.
 */
import { ConfigError } from "../errors.js";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/** The API's identity as the state records it: scheme, host, port (default ports dropped) and path, lower-cased, no trailing slash. */
export function normalizeApiOrigin(baseUrl: string | URL): string {
  const url = typeof baseUrl === "string" ? new URL(baseUrl) : baseUrl;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`.toLowerCase();
}

/**
 * True when two recorded origins are the same API. Every loopback address on any port is one: the
 * emulator picks a new port on every start, and a state applied to it stays the emulator's.
 */
export function sameApi(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return isLoopbackUrl(new URL(a)) && isLoopbackUrl(new URL(b));
  } catch {
    return false;
  }
}

/** The URL without user name and password, for messages. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.toString());
  copy.username = "";
  copy.password = "";
  // A query or fragment may carry a secret (?access_token=…): never shown.
  copy.search = "";
  copy.hash = "";
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
  if (url.search !== "" || url.hash !== "" || baseUrl.includes("?") || baseUrl.includes("#")) {
    // The API's paths are appended to this URL: a query or fragment would be dropped or misplaced,
    // and may hold a secret, so it is neither used nor echoed.
    throw new ConfigError(
      `RUANGKERJA_API_URL must not contain a query string or fragment (${redactUrl(url)}?…): give the API's base URL, e.g. https://api.ruangkerja.id`,
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
