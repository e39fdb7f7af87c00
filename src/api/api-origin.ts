/**
 * Which API a state belongs to. A state records the API it was applied against; used against
 * another one (a staging tenant, a restored backup under a new URL), its users would be planned
 * as if they were there: creates that collide, deactivations of the wrong people. No ky, no I/O:
 * the state commands use this without loading the client.
 */

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
