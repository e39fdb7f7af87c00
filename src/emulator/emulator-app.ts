/**
 * One request, start to end: route it, check who asks, count it, inject a fault, run the handler,
 * save the data file before answering a change, and reply. The state a running emulator keeps
 * (store, tokens, faults, counters) lives in this object, so server.ts only listens and closes.
 */
import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DataFileWriter } from "./data-file.js";
import { type ErrorBody, errorBody, messageOf } from "./error-codes.js";
import { type FaultInjector, parseFaultSettings } from "./faults.js";
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
import type { TokenIssuer } from "./oauth.js";
import { type AdminRoute, API_ROUTES, type ApiRoute, isApiPath, matchRoute } from "./routes.js";
import type { EmulatedUser, UserStore } from "./store.js";

export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

type CounterName = ApiRoute | "unauthorized" | "unrouted";

function zeroCounts(): Record<CounterName, number> {
  const counts = Object.fromEntries(API_ROUTES.map((route) => [route, 0])) as Record<ApiRoute, number>;
  return { ...counts, unauthorized: 0, unrouted: 0 };
}

/** What routing decided: the reply, whether producing it changed the store, and whether a fault drops the connection instead. */
interface Routed {
  readonly reply: Reply;
  readonly changed: boolean;
  readonly drop: boolean;
}

const answer = (reply: Reply): Routed => ({ reply, changed: false, drop: false });

export interface EmulatorParts {
  readonly token: string;
  readonly store: UserStore;
  readonly issuer: TokenIssuer;
  readonly injector: FaultInjector;
  readonly writer: DataFileWriter | undefined;
}

export class EmulatorApp {
  private counts = zeroCounts();
  private readonly limits: HandlerLimits;

  constructor(private readonly parts: EmulatorParts) {
    const { injector } = parts;
    this.limits = {
      get maxBulkItems() {
        return injector.maxBulkItems;
      },
    };
  }

  requestCounts(): Record<string, number> {
    return { ...this.counts };
  }

  users(): EmulatedUser[] {
    return copyUsers(this.parts.store.all());
  }

  /** Answers one request; never throws for a client's mistake (an internal error becomes a 500). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      // Prefixed rather than resolved: "//ruangkerja/users" is a path here, not a host.
      url = new URL(`http://emulator.invalid${req.url ?? "/"}`);
    } catch {
      req.resume();
      sendJson(res, 400, errorBody("INVALID_BODY", "the request target is not a valid path"));
      return;
    }
    const routed = await this.route(req, res, url, req.method ?? "GET");
    let reply = routed.reply;
    // Answer only once the file holds this change, so an acknowledged change survives a crash.
    if (this.parts.writer && routed.changed) {
      try {
        await this.parts.writer.save();
      } catch (error) {
        reply = failure(errorBody("DATA_FILE_WRITE_FAILED", messageOf(error)));
      }
    }
    // The ambiguous case: the request was processed (and saved), but its reply never arrives.
    if (routed.drop) {
      req.socket.destroy();
      return;
    }
    sendJson(res, reply.status, reply.body);
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<Routed> {
    const match = matchRoute(method, url.pathname);
    if (match.kind === "admin") {
      if (match.route === "set-faults") {
        const body = await readJsonBody(req);
        if (!body.ok) return answer(failure(body.error));
        const parsed = parseFaultSettings(body.value);
        if (!parsed.ok) return answer(failure(errorBody("VALIDATION_ERROR", parsed.problems.join("; "))));
        this.parts.injector.set(parsed.value);
      }
      return this.measured(() => this.adminReply(match.route));
    }
    if (match.kind === "api") this.counts[match.route]++;
    if (isApiPath(url.pathname) && !this.authorized(req.headers.authorization)) {
      this.counts.unauthorized++;
      return answer(failure(errorBody("TOKEN_INVALID")));
    }
    if (match.kind === "not-found") {
      this.counts.unrouted++;
      return answer(failure(errorBody("ROUTE_NOT_FOUND", `no route ${url.pathname}`)));
    }
    if (match.kind === "method-not-allowed") {
      this.counts.unrouted++;
      const allowed = match.allow.join(", ");
      res.setHeader("Allow", allowed);
      return answer(failure(errorBody("METHOD_NOT_ALLOWED", `${method} is not allowed on ${url.pathname}; allowed: ${allowed}`)));
    }
    const body = method === "POST" || method === "PUT" ? await readJsonBody(req) : { ok: true as const, value: undefined };
    const fault = this.parts.injector.decide(match.route);
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
    if (fault.fault === "429" || fault.fault === "503") {
      res.setHeader("Retry-After", String(fault.retryAfterSeconds));
      const detail = `retry after ${fault.retryAfterSeconds} seconds`;
      return answer(
        failure(
          fault.fault === "429"
            ? errorBody("RATE_LIMITED", `too many requests; ${detail}`)
            : errorBody("SERVICE_UNAVAILABLE", `the service is unavailable; ${detail}`),
        ),
      );
    }
    if (fault.fault === "500") return answer(failure(errorBody("INJECTED_SERVER_ERROR")));
    if (!body.ok) return answer(failure(body.error));
    const routed = this.measured(() => this.apiReply(match.route, match.employeeID ?? "", body.value, url.searchParams));
    return { ...routed, drop: fault.fault === "drop" };
  }

  /** Measured around synchronous code only, so other requests cannot blur whether this one changed the store. */
  private measured(produce: () => Reply): Routed {
    const before = this.parts.store.revision;
    const reply = produce();
    return { reply, changed: this.parts.store.revision !== before, drop: false };
  }

  private apiReply(route: ApiRoute, employeeID: string, body: unknown, query: URLSearchParams): Reply {
    const { store, issuer } = this.parts;
    switch (route) {
      case "create":
        return createUser(store, body);
      case "create-bulk":
        return createUsers(store, body, this.limits);
      case "update":
        return updateUser(store, employeeID, body);
      case "update-bulk":
        return updateUsers(store, body, this.limits);
      case "list":
        return listUsers(store, query);
      case "get":
        return getUser(store, employeeID);
      case "update-email-bulk":
        return updateEmails(store, body, this.limits);
      case "token":
        return issuer.exchange(body);
    }
  }

  private adminReply(route: AdminRoute): Reply {
    switch (route) {
      case "stats":
        return { status: 200, body: { requests: { ...this.counts } } };
      case "reset":
        this.parts.store.clear();
        this.counts = zeroCounts();
        this.parts.injector.resetCounts();
        return { status: 200, body: { status: "success", message: "Success" } };
      case "users":
        return { status: 200, body: { users: copyUsers(this.parts.store.all()) } };
      case "faults":
      case "set-faults":
        return { status: 200, body: this.parts.injector.describe() };
    }
  }

  private authorized(header: string | undefined): boolean {
    if (header === undefined) return false;
    const valid = (given: string) => given === this.parts.token || this.parts.issuer.accepts(given);
    return valid(header) || (/^bearer /i.test(header) && valid(header.slice(7)));
  }
}

function copyUsers(users: readonly EmulatedUser[]): EmulatedUser[] {
  return users.map((user) => ({ ...user, tagSerials: [...user.tagSerials] }));
}

type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorBody };

/** The whole body, however large, keeping at most `limit` bytes of it; rejects when the request breaks off. */
function readBody(req: IncomingMessage, limit: number): Promise<{ kept: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let size = 0;
    let ended = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) kept.push(chunk);
    });
    req.once("end", () => {
      ended = true;
      resolve({ kept, size });
    });
    req.once("error", reject);
    req.once("close", () => {
      if (!ended) reject(new Error("the request ended before its body did"));
    });
  });
}

const BOM = 0xfeff;

/** Reads the whole body even when it is refused, so the keep-alive connection stays usable. */
async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  const { kept, size } = await readBody(req, BODY_LIMIT_BYTES);
  if (size > BODY_LIMIT_BYTES) {
    return { ok: false, error: errorBody("PAYLOAD_TOO_LARGE", `request body exceeds ${BODY_LIMIT_BYTES} bytes`) };
  }
  if (mediaType !== "application/json") {
    return { ok: false, error: errorBody("UNSUPPORTED_MEDIA_TYPE", `Content-Type must be application/json, got "${mediaType}"`) };
  }
  const bytes = kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept, size);
  // A real server refuses bytes that are not UTF-8 instead of reading U+FFFD into a name. isUtf8
  // is the strict check TextDecoder's `fatal` makes, several times faster on large bodies.
  if (!isUtf8(bytes)) {
    return { ok: false, error: errorBody("MALFORMED_JSON", "request body is not valid JSON: it is not valid UTF-8") };
  }
  let text = bytes.toString("utf8");
  // As TextDecoder did: a leading byte-order mark is not part of the text.
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: errorBody("MALFORMED_JSON", `request body is not valid JSON: ${messageOf(error)}`) };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // Encoded once: Content-Length is the buffer's length, and the socket writes the bytes as they are.
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": bytes.length,
  });
  res.end(bytes);
}
