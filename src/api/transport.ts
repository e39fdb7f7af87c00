/**
 * The fetch that ky sends with: node:http (node:https) over a keep-alive Agent, instead of Node's
 * fetch. ky stays in front (URLs, headers, the timeout, HTTPError and TimeoutError), and
 * retry-policy.ts stays the one retry loop; what this replaces is the part that cost most of the
 * client's CPU: Node's fetch builds web streams for every request and reply body, and ky tees a
 * request body for retries that are not its own (docs/performance.md, "The HTTP client").
 *
 * It answers as fetch does where the rest of the client can tell: a reply of any status is a
 * Response (ky turns one that is not ok into an HTTPError); a failure to connect, send or read
 * is a TypeError("fetch failed") whose `cause` is the socket's error, so it is retried as a
 * network error; an abort (ky's timeout) rejects with the signal's reason. Unlike fetch it never
 * follows a redirect: a 3xx is an answer, and an error (a redirected POST would be sent again,
 * perhaps as a GET, perhaps to another host). The whole reply is read before the Response is
 * given back, so the timeout covers the body too, and a reply over MAX_REPLY_BYTES is refused.
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import type { Options } from "ky";

/** The largest reply body read (the API's pages and bulk replies are tens of kilobytes). */
export const MAX_REPLY_BYTES = 32 * 1024 * 1024;

/**
 * The option under which the client hands ky a request body that is already text: ky passes
 * options it does not know to fetch as they are, so the body never becomes a Request's stream
 * (which ky would tee for every attempt, and which would have to be read back here).
 */
export const BODY_TEXT_OPTION = "bodyText";

/**
 * ky options for a JSON body sent as text under BODY_TEXT_OPTION, with its Content-Type. Typed as
 * ky's Options: ky hands the extra key to fetch untouched (it is neither a ky nor a Request option).
 */
export function jsonBody(value: unknown, headers: Record<string, string>): Options {
  return { [BODY_TEXT_OPTION]: JSON.stringify(value), headers: { ...headers, "content-type": "application/json" } } as Options;
}

/**
 * A fetch given by a test, made to see the body jsonBody() put aside: it gets a Request that
 * carries it, as Node's fetch would.
 */
export function withBodyText(inner: typeof fetch): typeof fetch {
  return (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const { [BODY_TEXT_OPTION]: text, ...rest } = (init ?? {}) as Record<string, unknown>;
    if (typeof text !== "string") return inner(input, init);
    const request = input instanceof Request ? input : new Request(input, rest);
    return inner(new Request(request, { body: text, duplex: "half" }), rest);
  };
}

/** A reply body over MAX_REPLY_BYTES: refused, not retried (the same request would get the same reply). */
export class ReplyTooLargeError extends Error {
  override readonly name = "ReplyTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`the reply was larger than ${limitBytes / (1024 * 1024)} MiB`);
  }
}

export interface Transport {
  /** Given to ky as its `fetch`. */
  readonly fetch: typeof fetch;
  /** Closes the idle keep-alive connections (the process also exits without it: idle sockets are unref'd). */
  close(): void;
}

export interface TransportOptions {
  /** The largest reply body accepted. @default MAX_REPLY_BYTES */
  readonly maxReplyBytes?: number;
}

/** A Transport over node:http and node:https with keep-alive Agents, one connection per request in flight. */
export function createTransport(options: TransportOptions = {}): Transport {
  const maxReplyBytes = options.maxReplyBytes ?? MAX_REPLY_BYTES;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const send = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const text = (init as Record<string, unknown> | undefined)?.[BODY_TEXT_OPTION];
    const body = typeof text === "string" ? Buffer.from(text, "utf8") : request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    return exchange(request, body, agents, maxReplyBytes);
  };
  return {
    fetch: send,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function exchange(
  request: Request,
  body: Buffer | undefined,
  agents: { http: HttpAgent; https: HttpsAgent },
  maxReplyBytes: number,
): Promise<Response> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  const url = new URL(request.url);
  const secure = url.protocol === "https:";
  const headers: OutgoingHttpHeaders = { "user-agent": "node" };
  for (const [name, value] of request.headers) headers[name] = value;
  if (body !== undefined) headers["content-length"] = body.length;
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      reject(error);
    };
    const onAbort = () => {
      fail(abortReason(signal));
      outgoing.destroy();
    };
    const onReply = (reply: IncomingMessage) => {
      readReply(reply, maxReplyBytes).then((response) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      }, fail);
    };
    const outgoing = (secure ? httpsRequest : httpRequest)(
      url,
      { method: request.method, headers, agent: secure ? agents.https : agents.http },
      onReply,
    );
    outgoing.on("error", (error) => fail(networkError(error)));
    signal.addEventListener("abort", onAbort, { once: true });
    outgoing.end(body);
  });
}

function readReply(reply: IncomingMessage, maxReplyBytes: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    reply.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxReplyBytes) {
        // Rejected first: destroying the reply reports it cut off, which would read as a network error.
        reject(new ReplyTooLargeError(maxReplyBytes));
        reply.destroy();
        return;
      }
      chunks.push(chunk);
    });
    reply.on("error", (error) => reject(networkError(error)));
    reply.on("aborted", () => reject(networkError(new Error("the reply was cut off"))));
    reply.on("end", () => {
      try {
        const body = decode(Buffer.concat(chunks, size), reply.headers["content-encoding"], maxReplyBytes);
        const status = reply.statusCode ?? 0;
        resolve(status >= 200 && status < 300 && !NULL_BODY_STATUSES.has(status) ? toLightResponse(reply, body) : toResponse(reply, body));
      } catch (error) {
        reject(error instanceof Error ? error : networkError(error));
      }
    });
  });
}

/** No Accept-Encoding is sent, but a server may compress anyway; fetch would decode it. */
function decode(raw: Buffer, encoding: string | undefined, maxReplyBytes: number): Buffer {
  const limit = { maxOutputLength: maxReplyBytes };
  try {
    switch (encoding?.trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return gunzipSync(raw, limit);
      case "deflate":
        return inflateSync(raw, limit);
      case "br":
        return brotliDecompressSync(raw, limit);
      default:
        return raw;
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new ReplyTooLargeError(maxReplyBytes);
    throw networkError(error);
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function toResponse(reply: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = reply.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    // The body is decoded and whole: these would describe what it was on the wire.
    if (!/^(content-encoding|content-length|transfer-encoding)$/i.test(name)) headers.append(name, raw[i + 1] as string);
  }
  const status = reply.statusCode ?? 0;
  return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText: reply.statusMessage ?? "", headers });
}

/**
 * A successful reply as ky reads it (status, ok, then text() once for .json()): plain fields and
 * the body as text, without the web stream, the Headers object and the body mixin of a Response,
 * which are built only when asked for (clone, headers, body, arrayBuffer…) from the real one.
 */
function toLightResponse(reply: IncomingMessage, body: Buffer): Response {
  const status = reply.statusCode ?? 0;
  let real: Response | undefined;
  const full = () => (real ??= toResponse(reply, body));
  const light = {
    ok: true,
    status,
    statusText: reply.statusMessage ?? "",
    redirected: false,
    type: "basic",
    url: "",
    bodyUsed: false,
    text: () => Promise.resolve(body.toString("utf8")),
    json: () => Promise.resolve(JSON.parse(body.toString("utf8")) as unknown),
    get headers() {
      return full().headers;
    },
    get body() {
      return full().body;
    },
    arrayBuffer: () => full().arrayBuffer(),
    blob: () => full().blob(),
    formData: () => full().formData(),
    clone: () => full().clone(),
  };
  return light as unknown as Response;
}

/** As fetch reports a failure of the connection: a TypeError whose cause says what happened. */
function networkError(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("This operation was aborted", "AbortError");
}
