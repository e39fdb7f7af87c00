/**
 * The emulator's server on node:http: its options, starting (the store from the data file, tokens,
 * faults), listening and closing. One request's way through routing, auth, faults and the data
 * file is emulator-app.ts; what each endpoint does is handlers.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DataFileWriter, readDataFile, serializeUsers } from "./data-file.js";
import { EmulatorApp, sendJson } from "./emulator-app.js";
import { errorBody, messageOf } from "./error-codes.js";
import { FaultInjector, type FaultSettings, parseFaultSettings } from "./faults.js";
import { failure } from "./handlers.js";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN_LIFETIME_SECONDS, TokenIssuer } from "./oauth.js";
import { type EmulatedUser, UserStore } from "./store.js";

export { BODY_LIMIT_BYTES } from "./emulator-app.js";

/** The emulator could not start: a bad option, a bad data file, or an address it cannot listen on. */
export class EmulatorStartError extends Error {
  override name = "EmulatorStartError";
  /** The system's error code when listening failed (EADDRINUSE, EACCES, …). */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

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
// Longer than clients' usual idle timeouts, so the server is not the side that closes a socket a client is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

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
  const { injector, issuer, store, writer } = await startingParts(options, token);
  const app = new EmulatorApp({ token, store, issuer, injector, writer });
  const server = createServer({ noDelay: true }, (req, res) => {
    app.handle(req, res).catch((error: unknown) => {
      const reply = failure(errorBody("INTERNAL_ERROR", messageOf(error)));
      if (!res.headersSent) sendJson(res, reply.status, reply.body);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await listen(server, options.port ?? 0, host);
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
    requestCounts: () => app.requestCounts(),
    users: () => app.users(),
    expireTokens: () => issuer.expireAll(),
    setFaults: (settings) => injector.set(checkedFaults(settings)),
    faults: () => injector.describe(),
    close,
  };
}

function checkedFaults(settings: unknown): FaultSettings {
  const parsed = parseFaultSettings(settings);
  if (!parsed.ok) throw new EmulatorStartError(`invalid fault settings: ${parsed.problems.join("; ")}`);
  return parsed.value;
}

/** The store (loaded from the data file), tokens and faults; every problem is an EmulatorStartError. */
async function startingParts(options: EmulatorOptions, token: string) {
  if (token === "") throw new EmulatorStartError("emulator token must not be empty");
  const maxBulkItems = options.maxBulkItems ?? Number.POSITIVE_INFINITY;
  if (!(maxBulkItems >= 1)) throw new EmulatorStartError(`maxBulkItems must be at least 1, got ${maxBulkItems}`);
  const injector = new FaultInjector(checkedFaults({ ...(Number.isFinite(maxBulkItems) ? { maxBulkItems } : {}), ...options.faults }));
  const store = new UserStore();
  let issuer: TokenIssuer;
  try {
    issuer = new TokenIssuer({
      clientID: options.clientID ?? DEFAULT_CLIENT_ID,
      clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
      lifetimeSeconds: options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
    });
  } catch (error) {
    throw new EmulatorStartError(messageOf(error), { cause: error });
  }
  if (options.dataFile) {
    try {
      const users = await readDataFile(options.dataFile);
      if (users) store.load(users);
    } catch (error) {
      const message = messageOf(error);
      throw new EmulatorStartError(message.includes(options.dataFile) ? message : `emulator data file ${options.dataFile}: ${message}`, {
        cause: error,
      });
    }
  }
  const writer = options.dataFile ? new DataFileWriter(options.dataFile, () => serializeUsers(store.all())) : undefined;
  return { injector, issuer, store, writer };
}

/** Listens, or says in words why not: a port in use, a port that needs privileges, an address that is not this machine's. */
async function listen(server: Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${host}:${port}`;
    const why =
      code === "EADDRINUSE"
        ? `port ${port} is in use by another program: choose another --port, or 0 for a free one`
        : code === "EACCES"
          ? `this user may not listen on port ${port} (ports below 1024 need privileges): choose another --port`
          : code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? `${host} is not an address of this machine: use --host 127.0.0.1`
            : error instanceof Error
              ? error.message
              : String(error);
    throw new EmulatorStartError(`cannot listen on ${where}${code ? ` (${code})` : ""}: ${why}`, {
      cause: error,
      ...(code !== undefined && { code }),
    });
  }
}
