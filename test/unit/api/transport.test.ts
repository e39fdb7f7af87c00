/**
 * The client's transport (src/api/transport.ts: node:http behind ky) against real loopback
 * servers on 127.0.0.1: redirects refused, timeouts (before and during the body), retries on 503
 * with Retry-After, body sizes both ways, compressed replies, kept-alive connections, and no
 * secret in any error.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import { createTransport, jsonBody, MAX_REPLY_BYTES, ReplyTooLargeError, withBodyText } from "../../../src/api/transport.js";
import { ApiError } from "../../../src/errors.js";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: LoopbackServer;
let url: string;
let script: Handler[] = [];
let seen: { method: string; path: string; body: string; headers: IncomingMessage["headers"] }[] = [];
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => {
    sockets.add(req.socket);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", path: req.url ?? "", body, headers: req.headers });
      (script.shift() ?? json(500, { message: "script exhausted" }))(req, res, body);
    });
  });
  url = server.url;
});
afterAll(() => server.close());
beforeEach(() => {
  script = [];
  seen = [];
  slept = [];
  sockets.clear();
});

const TOKEN = "tok-secret-transport-42";
let slept: number[] = [];
const client = (maxAttempts = 3, timeoutMs = 2000) =>
  new RuangkerjaClient({
    baseUrl: url,
    token: TOKEN,
    maxAttempts,
    timeoutMs,
    retryTiming: {
      random: () => 1,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  });

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
}
const bulkOk = (serial = "S1"): Handler =>
  json(200, {
    data: { failedItems: [], successItems: [{ payload: { employeeID: "E1" }, response: { serial } }] },
    status: "success",
    message: "success",
  });
const user = { employeeID: "E1", name: "A", isActive: true };
const found = json(200, { data: { employeeID: "E1", name: "A", username: null, email: null, phone: null, isActive: true } });
/** Every message and cause of an error, joined: what a person could ever be shown. */
function allText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) parts.push(e.message, String(e.stack));
  return parts.join("\n");
}
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("the transport: redirects", () => {
  it.each([301, 302, 303, 307, 308])("refuses a %i: not followed, not retried, its Location not shown", async (status) => {
    script = [
      (_req, res) => {
        res.writeHead(status, { location: `${url}/elsewhere?access_token=LOCATION-SECRET` });
        res.end();
      },
    ];
    const error = await failure(client().createBulk([user]));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe(
      `POST /ruangkerja/users/create-bulk failed: HTTP ${status} (a redirect, not followed: RUANGKERJA_API_URL should be the API's own address)`,
    );
    expect(seen.map((s) => s.path)).toEqual(["/ruangkerja/users/create-bulk"]);
    expect(allText(error)).not.toContain("LOCATION-SECRET");
    expect(allText(error)).not.toContain(TOKEN);
  });
});

describe("the transport: timeouts", () => {
  it("times out a request with no reply, and retries it up to maxAttempts", async () => {
    script = [() => undefined, () => undefined];
    const error = await failure(client(2, 150).getUser("E1"));
    expect((error as ApiError).message).toBe("GET /ruangkerja/users/E1: gave up after 2 attempts: last attempt timed out");
    expect(seen).toHaveLength(2);
  });

  it("times out a reply whose body stalls after its headers (the timeout covers the whole reply)", async () => {
    script = [
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"data":');
      },
      found,
    ];
    const c = client(2, 150);
    await expect(c.getUser("E1")).resolves.toMatchObject({ employeeID: "E1" });
    expect(seen).toHaveLength(2);
    expect(c.counts.attempts.get).toBe(2);
  });
});

describe("the transport: retries", () => {
  it("retries a create-bulk after a 503, waiting exactly its Retry-After, on a kept-alive connection", async () => {
    script = [json(503, { errorCode: 50301, message: "SERVICE_UNAVAILABLE", detail: "down" }, { "retry-after": "3" }), bulkOk("S7")];
    const c = client();
    const result = await c.createBulk([user]);
    expect(result.successItems[0]?.response.serial).toBe("S7");
    expect(slept).toEqual([3000]);
    expect(c.counts.attempts["create-bulk"]).toBe(2);
    expect(seen.map((s) => s.body)).toEqual([JSON.stringify({ items: [user] }), JSON.stringify({ items: [user] })]);
    expect(sockets.size).toBe(1);
  });

  it("retries a dropped connection as a network error, and says what the socket said", async () => {
    script = [(req) => req.socket.destroy(), (req) => req.socket.destroy()];
    const error = await failure(client(2).createBulk([user]));
    expect((error as ApiError).message).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 2 attempts: last error: could not reach the API: socket hang up$/,
    );
    expect(seen).toHaveLength(2);
    expect(allText(error)).not.toContain(TOKEN);
  });

  it("reuses connections: 20 calls, four at a time, over at most four", async () => {
    script = Array.from({ length: 20 }, () => bulkOk());
    const c = client();
    const lane = async () => {
      for (let i = 0; i < 5; i++) await c.createBulk([user]);
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
    expect(seen).toHaveLength(20);
    expect(sockets.size).toBeGreaterThan(0);
    expect(sockets.size).toBeLessThanOrEqual(4);
  });
});

describe("the transport: bodies", () => {
  it("sends the headers and the exact body, its Content-Length in bytes (not characters)", async () => {
    script = [bulkOk()];
    const named = { employeeID: "E1", name: "Ñyoman Śūrya 🌏", isActive: true };
    await client().createBulk([named]);
    const [request] = seen;
    expect(request?.body).toBe(JSON.stringify({ items: [named] }));
    expect(Number(request?.headers["content-length"])).toBe(Buffer.byteLength(JSON.stringify({ items: [named] })));
    expect(request?.headers).toMatchObject({ authorization: TOKEN, accept: "application/json", "content-type": "application/json" });
  });

  it("refuses a reply over the limit, without retrying it", async () => {
    const transport = createTransport({ maxReplyBytes: 1024 });
    script = [(_req, res) => res.end("x".repeat(4096))];
    await expect(transport.fetch(`${url}/big`)).rejects.toBeInstanceOf(ReplyTooLargeError);
    script = [(_req, res) => res.end("x".repeat(1024))];
    await expect((await transport.fetch(`${url}/fits`)).text()).resolves.toHaveLength(1024);
    transport.close();
  });

  it("refuses a compressed reply that inflates over the limit", async () => {
    const transport = createTransport({ maxReplyBytes: 1024 });
    script = [
      (_req, res) => {
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end(gzipSync("x".repeat(8192)));
      },
    ];
    await expect(transport.fetch(`${url}/bomb`)).rejects.toBeInstanceOf(ReplyTooLargeError);
    transport.close();
  });

  it("puts a reply over MAX_REPLY_BYTES in words, after one attempt", async () => {
    script = [(_req, res) => res.end(Buffer.alloc(MAX_REPLY_BYTES + 1, 0x20))];
    const error = await failure(client().createBulk([user]));
    expect((error as ApiError).message).toBe("POST /ruangkerja/users/create-bulk failed: the reply was larger than 32 MiB");
    expect(seen).toHaveLength(1);
  });

  it("decodes a gzip reply, which fetch would have decoded too", async () => {
    script = [
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(gzipSync(JSON.stringify({ data: { employeeID: "E1", name: "Zipped", isActive: true } })));
      },
    ];
    await expect(client().getUser("E1")).resolves.toMatchObject({ name: "Zipped" });
  });

  it("reads an error reply's API error as before (status, errorCode, Retry-After headers)", async () => {
    script = [json(404, { errorCode: 10104, message: "USER_NOT_FOUND", detail: "" })];
    await expect(client().getUser("E404")).resolves.toBeUndefined();
    script = [json(422, { errorCode: 42201, message: "USER_EMPLOYEE_ID_EXISTS", detail: "E1" })];
    await expect(client().updateUser("E1", user)).resolves.toEqual({
      ok: false,
      error: { errorCode: 42201, message: "USER_EMPLOYEE_ID_EXISTS", detail: "E1" },
    });
  });

  it("sends a body ky built as a Request stream too (the token exchange), and counts it", async () => {
    script = [json(200, { data: { accessToken: "exchanged-token", expiresIn: 3600 } }), found];
    const c = new RuangkerjaClient({ baseUrl: url, clientCredentials: { clientID: "id-1", clientSecret: "CLIENT-SECRET-9" } });
    await c.getUser("E1");
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /oauth/token", "GET /ruangkerja/users/E1"]);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ clientID: "id-1", clientSecret: "CLIENT-SECRET-9", grantType: "client_credentials" });
    expect(seen[1]?.headers.authorization).toBe("exchanged-token");
    expect(c.counts.attempts).toMatchObject({ token: 1, get: 1 });
  });
});

describe("the transport: errors", () => {
  it("an API that is not there: could not reach it, the token in no message", async () => {
    // A port that was just listened on and closed: nothing answers there.
    const closed = await startLoopbackServer();
    const port = new URL(closed.url).port;
    await closed.close();
    const c = new RuangkerjaClient({ baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, maxAttempts: 1 });
    const error = await failure(c.createBulk([user]));
    expect((error as ApiError).message).toBe(
      `POST /ruangkerja/users/create-bulk could not reach the API: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(allText(error)).not.toContain(TOKEN);
  });

  it("an HTTP error names the method and path, never the token or the body", async () => {
    script = [json(400, { message: "nope" })];
    const error = await failure(client().createBulk([{ employeeID: "E1", name: "BODY-NAME", isActive: true }]));
    expect((error as ApiError).message).toBe("POST /ruangkerja/users/create-bulk failed: HTTP 400");
    expect(allText(error)).not.toContain(TOKEN);
    expect(allText(error)).not.toContain("BODY-NAME");
  });
});

describe("withBodyText", () => {
  it("gives a test's fetch the body as a Request body, as Node's fetch would see it", async () => {
    const bodies: string[] = [];
    const inner = (async (input: Request) => {
      bodies.push(await input.text());
      return new Response("{}", { status: 200 });
    }) as unknown as typeof fetch;
    const wrapped = withBodyText(inner);
    const request = new Request(`${url}/x`, { method: "POST", headers: { "content-type": "application/json" } });
    const options = jsonBody({ items: [1] }, {}) as RequestInit;
    await wrapped(request, options);
    expect(bodies).toEqual(['{"items":[1]}']);
  });
});
