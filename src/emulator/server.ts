/**
 * The emulator's HTTP side on node:http: routing, the token, body limits, request counting, injected faults, the
 * /_emulator admin endpoints and persistence after each change. What each endpoint does lives in
 * handlers.ts; this file only moves bytes and decides who may ask.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DataFileWriter, readDataFile, serializeUsers } from "./data-file.js";
import { type ErrorBody, errorBody } from "./error-codes.js";
import { FaultInjector, type FaultSettings, parseFaultSettings } from "./faults.js";
import {
  createUser,
  createUsers,
  failure,
  getUser,
  type HandlerLimits,
  listUsers,
  type Reply,
  updateEmails,
  updateUser,
  updateUsers,
} from "./handlers.js";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN_LIFETIME_SECONDS, TokenIssuer } from "./oauth.js";
import { type AdminRoute, API_ROUTES, type ApiRoute, isApiPath, matchRoute } from "./routes.js";
import { type EmulatedUser, UserStore } from "./store.js";

export interface EmulatorOptions {
  /** Address to bind. Anything but loopback exposes the emulator (and its unauthenticated admin routes) to the network. @default "127.0.0.1" */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it from `url`). @default 0 */
  readonly port?: number;
  /** The access token every /ruangkerja request must send, as `Authorization: <token>` or `Bearer <token>`. @default "emulator-token" */
  readonly token?: string;
  /** Load users from this JSON file at start if it exists, and rewrite it atomically after every change. @default no file: users live in memory only */
  readonly dataFile?: string;
  /** Items allowed in one bulk call; more is answered with TOO_MANY_ITEMS (40006). Same as `faults.maxBulkItems`, which wins. @default unlimited, as documented upstream */
  readonly maxBulkItems?: number;
  /** The client ID POST /oauth/token accepts. @default "emulator-client" */
  readonly clientID?: string;
  /** The client secret POST /oauth/token accepts. @default "emulator-secret" */
  readonly clientSecret?: string;
  /** Seconds an exchanged token stays valid (its `expiresIn`). @default 43199 */
  readonly tokenLifetimeSeconds?: number;
  /** Faults to inject from the start (see faults.ts and docs/emulator.md); `setFaults` changes them later. @default none */
  readonly faults?: FaultSettings;
}

export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly token: string;
  /** Requests per /ruangkerja route (whatever their outcome), plus `unauthorized` (401s) and `unrouted` (404/405s). */
  requestCounts(): Record<string, number>;
  /** Every stored user, in creation order (a copy). */
  users(): EmulatedUser[];
  /** Ends every token issued by POST /oauth/token now, as if its lifetime had run out (the fixed `token` stays valid). */
  expireTokens(): void;
  /** Replaces every fault switch (as `PUT /_emulator/faults`); throws on an invalid setting. */
  setFaults(settings: FaultSettings): void;
  /** The fault switches in force, what is left of the schedule, and the faults injected so far (as `GET /_emulator/faults`). */
  faults(): ReturnType<FaultInjector["describe"]>;
  /** Stops listening, ends idle keep-alive connections and waits for the data file's last write. */
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = "emulator-token";
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;
// Longer than clients' usual idle timeouts, so the server is not the side that closes a socket a client is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

type CounterName = ApiRoute | "unauthorized" | "unrouted";

function zeroCounts(): Record<CounterName, number> {
  const counts = Object.fromEntries(API_ROUTES.map((route) => [route, 0])) as Record<ApiRoute, number>;
  return { ...counts, unauthorized: 0, unrouted: 0 };
}

/**
 * Starts the emulator and resolves once it listens.
 * @example
 * const emulator = await startEmulator();
 * await fetch(`${emulator.url}/ruangkerja/users`, { headers: { Authorization: emulator.token } });
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? DEFAULT_TOKEN;
  if (token === "") throw new Error("emulator token must not be empty");
  const maxBulkItems = options.maxBulkItems ?? Number.POSITIVE_INFINITY;
  if (!(maxBulkItems >= 1)) throw new Error(`maxBulkItems must be at least 1, got ${maxBulkItems}`);
  const checkedFaults = (settings: unknown): FaultSettings => {
    const parsed = parseFaultSettings(settings);
    if (!parsed.ok) throw new Error(`invalid fault settings: ${parsed.problems.join("; ")}`);
    return parsed.value;
  };
  const injector = new FaultInjector(checkedFaults({ ...(Number.isFinite(maxBulkItems) ? { maxBulkItems } : {}), ...options.faults }));
  const limits: HandlerLimits = {
    get maxBulkItems() {
      return injector.maxBulkItems;
    },
  };
  const issuer = new TokenIssuer({
    clientID: options.clientID ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
  });
  const store = new UserStore();
  if (options.dataFile) {
    const users = await readDataFile(options.dataFile);
    if (users) {
      try {
        store.load(users);
      } catch (error) {
        throw new Error(`emulator data file ${options.dataFile}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  const writer = options.dataFile ? new DataFileWriter(options.dataFile, () => serializeUsers(store.all())) : undefined;
  let counts = zeroCounts();

  const apiReply = (route: ApiRoute, employeeID: string, body: unknown, query: URLSearchParams): Reply => {
    switch (route) {
      case "create":
        return createUser(store, body);
      case "create-bulk":
        return createUsers(store, body, limits);
      case "update":
        return updateUser(store, employeeID, body);
      case "update-bulk":
        return updateUsers(store, body, limits);
      case "list":
        return listUsers(store, query);
      case "get":
        return getUser(store, employeeID);
      case "update-email-bulk":
        return updateEmails(store, body, limits);
      case "token":
        return issuer.exchange(body);
    }
  };

  const adminReply = (route: AdminRoute): Reply => {
    switch (route) {
      case "stats":
        return { status: 200, body: { requests: { ...counts } } };
      case "reset":
        store.clear();
        counts = zeroCounts();
        injector.resetCounts();
        return { status: 200, body: { status: "success", message: "Success" } };
      case "users":
        return { status: 200, body: { users: copyUsers(store.all()) } };
      case "faults":
      case "set-faults":
        return { status: 200, body: injector.describe() };
    }
  };

  const authorized = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    const valid = (given: string) => given === token || issuer.accepts(given);
    return valid(header) || (/^bearer /i.test(header) && valid(header.slice(7)));
  };

  /**
   * The reply, whether producing it changed the store (measured around synchronous code only, so
   * other requests cannot blur it), and whether an injected fault drops the connection instead.
   */
  const routeReply = async (req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<[Reply, boolean, boolean?]> => {
    const match = matchRoute(method, url.pathname);
    const measured = (produce: () => Reply): [Reply, boolean] => {
      const before = store.revision;
      const reply = produce();
      return [reply, store.revision !== before];
    };
    if (match.kind === "admin" && match.route === "set-faults") {
      const body = await readJsonBody(req);
      if (!body.ok) return [failure(body.error), false];
      const parsed = parseFaultSettings(body.value);
      if (!parsed.ok) return [failure(errorBody("VALIDATION_ERROR", parsed.problems.join("; "))), false];
      injector.set(parsed.value);
    }
    if (match.kind === "admin") return measured(() => adminReply(match.route));
    if (match.kind === "api") counts[match.route]++;
    if (isApiPath(url.pathname) && !authorized(req.headers.authorization)) {
      counts.unauthorized++;
      return [failure(errorBody("TOKEN_INVALID")), false];
    }
    if (match.kind === "not-found") {
      counts.unrouted++;
      return [failure(errorBody("ROUTE_NOT_FOUND", `no route ${url.pathname}`)), false];
    }
    if (match.kind === "method-not-allowed") {
      counts.unrouted++;
      const allowed = match.allow.join(", ");
      res.setHeader("Allow", allowed);
      return [failure(errorBody("METHOD_NOT_ALLOWED", `${method} is not allowed on ${url.pathname}; allowed: ${allowed}`)), false];
    }
    const body = method === "POST" || method === "PUT" ? await readJsonBody(req) : { ok: true as const, value: undefined };
    const fault = injector.decide(match.route);
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault.fault === "429" || fault.fault === "503") {
      res.setHeader("Retry-After", String(fault.retryAfterSeconds));
      const detail = `retry after ${fault.retryAfterSeconds} seconds`;
      return [
        failure(
          fault.fault === "429"
            ? errorBody("RATE_LIMITED", `too many requests; ${detail}`)
            : errorBody("SERVICE_UNAVAILABLE", `the service is unavailable; ${detail}`),
        ),
        false,
      ];
    }
    if (fault.fault === "500") return [failure(errorBody("INJECTED_SERVER_ERROR")), false];
    if (!body.ok) return [failure(body.error), false];
    const [reply, changed] = measured(() => apiReply(match.route, match.employeeID ?? "", body.value, url.searchParams));
    return [reply, changed, fault.fault === "drop"];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      // Prefixed rather than resolved: "//ruangkerja/users" is a path here, not a host.
      url = new URL(`http://emulator.invalid${req.url ?? "/"}`);
    } catch {
      req.resume();
      sendJson(res, 400, errorBody("INVALID_BODY", "the request target is not a valid path"));
      return;
    }
    const [routed, changed, drop] = await routeReply(req, res, url, req.method ?? "GET");
    let reply = routed;
    // Answer only once the file holds this change, so an acknowledged change survives a crash.
    if (writer && changed) {
      try {
        await writer.save();
      } catch (error) {
        reply = failure(errorBody("DATA_FILE_WRITE_FAILED", (error as Error).message));
      }
    }
    // The ambiguous case: the request was processed (and saved), but its reply never arrives.
    if (drop) {
      req.socket.destroy();
      return;
    }
    sendJson(res, reply.status, reply.body);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      const reply = failure(errorBody("INTERNAL_ERROR", error instanceof Error ? error.message : String(error)));
      if (!res.headersSent) sendJson(res, reply.status, reply.body);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        // A request still running would hold close() forever: give it a moment, then cut it.
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      await writer?.flush();
    })();
    return closing;
  };

  return {
    url,
    token,
    requestCounts: () => ({ ...counts }),
    users: () => copyUsers(store.all()),
    expireTokens: () => issuer.expireAll(),
    setFaults: (settings) => injector.set(checkedFaults(settings)),
    faults: () => injector.describe(),
    close,
  };
}

function copyUsers(users: readonly EmulatedUser[]): EmulatedUser[] {
  return users.map((user) => ({ ...user, tagSerials: [...user.tagSerials] }));
}

type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorBody };

/** Reads the whole body even when it is refused, so the keep-alive connection stays usable. */
async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
  }
  if (size > BODY_LIMIT_BYTES) {
    return { ok: false, error: errorBody("PAYLOAD_TOO_LARGE", `request body exceeds ${BODY_LIMIT_BYTES} bytes`) };
  }
  if (mediaType !== "application/json") {
    return { ok: false, error: errorBody("UNSUPPORTED_MEDIA_TYPE", `Content-Type must be application/json, got "${mediaType}"`) };
  }
  let text: string;
  try {
    // fatal: a real server refuses bytes that are not UTF-8 instead of reading U+FFFD into a name.
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    return { ok: false, error: errorBody("MALFORMED_JSON", "request body is not valid JSON: it is not valid UTF-8") };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: errorBody("MALFORMED_JSON", `request body is not valid JSON: ${(error as Error).message}`) };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}
