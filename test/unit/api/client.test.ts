import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkBaseUrl, RuangkerjaClient } from "../../../src/api/client.js";
import type { TokenSource } from "../../../src/api/token-source.js";
import { ApiError, ConfigError } from "../../../src/errors.js";

/** A scripted loopback server: each request takes the next reply of the current script. */
let server: Server;
let url: string;
let script: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
let seen: { method: string; path: string; auth: string | undefined }[] = [];

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
const bulkOk = json(200, {
  data: { failedItems: [], successItems: [{ payload: { employeeID: "E1" }, response: { serial: "S1" } }] },
  status: "success",
  message: "success",
});

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", path: req.url ?? "", auth: req.headers.authorization });
    req.resume();
    req.on("end", () => {
      const next = script.shift();
      if (next) next(req, res);
      else json(500, { message: "script exhausted" })(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen = [];
  slept = [];
});

let slept: number[] = [];
const client = (maxAttempts = 3, random = () => 1) =>
  new RuangkerjaClient({
    baseUrl: url,
    token: "tok-secret-123",
    maxAttempts,
    timeoutMs: 2000,
    retryTiming: {
      random,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  });
const dropConnection = (req: IncomingMessage) => req.socket.destroy();
const unavailable = json(503, { errorCode: 50301, message: "SERVICE_UNAVAILABLE", detail: "down" });
const tokenRefused = json(401, { errorCode: 123, message: "rpc error: code = PermissionDenied desc = Token is not valid", detail: "" });

/** A renewable token source whose tokens are numbered: tok-1, then tok-2 after an invalidate, … */
function renewableTokens(): TokenSource & { readonly invalidated: string[] } {
  let n = 1;
  const invalidated: string[] = [];
  return {
    renewable: true,
    invalidated,
    token: () => Promise.resolve(`tok-${n}`),
    invalidate(token: string) {
      invalidated.push(token);
      if (token === `tok-${n}`) n++;
    },
  };
}
const renewingClient = (maxAttempts: number, tokenSource: TokenSource) =>
  new RuangkerjaClient({
    baseUrl: url,
    tokenSource,
    maxAttempts,
    timeoutMs: 2000,
    retryTiming: {
      random: () => 1,
      sleep: async (ms) => {
        slept.push(ms);
      },
    },
  });

describe("checkBaseUrl", () => {
  it("accepts https anywhere and http only on loopback", () => {
    expect(checkBaseUrl("https://api.ruangkerja.id").host).toBe("api.ruangkerja.id");
    expect(checkBaseUrl("http://127.0.0.1:8080").port).toBe("8080");
    expect(checkBaseUrl("http://localhost:1").hostname).toBe("localhost");
    expect(checkBaseUrl("http://[::1]:1").hostname).toBe("[::1]");
    expect(() => checkBaseUrl("http://api.ruangkerja.id")).toThrow(/plain http/);
    expect(() => checkBaseUrl("http://10.0.0.5")).toThrow(ConfigError);
    expect(() => checkBaseUrl("ftp://x")).toThrow(ConfigError);
    expect(() => checkBaseUrl("not a url")).toThrow(/not a URL/);
  });

  it("refuses a token with a line break, without echoing it", () => {
    const make = () => new RuangkerjaClient({ baseUrl: "http://127.0.0.1:9", token: "SECRET-PART\nsecond-line" });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/control character/);
    try {
      make();
    } catch (error) {
      expect((error as Error).message).not.toContain("SECRET-PART");
    }
  });

  it("refuses to build a client without a token", () => {
    expect(() => new RuangkerjaClient({ baseUrl: url, token: "" })).toThrow(/RUANGKERJA_TOKEN/);
  });
});

describe("RuangkerjaClient", () => {
  it("sends the token as the Authorization header and reads a bulk reply", async () => {
    script = [bulkOk];
    const result = await client().createBulk([{ employeeID: "E1", name: "A", isActive: true, email: "a@b.co" }]);
    expect(result.successItems[0]?.response.serial).toBe("S1");
    expect(seen).toEqual([{ method: "POST", path: "/ruangkerja/users/create-bulk", auth: "tok-secret-123" }]);
  });

  it("retries a POST after 429, waiting exactly the Retry-After", async () => {
    script = [json(429, { message: "slow down" }, { "retry-after": "2" }), bulkOk];
    const c = client();
    await c.createBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    expect(seen).toHaveLength(2);
    expect(slept).toEqual([2000]);
    expect(c.counts["create-bulk"]).toBe(1);
  });

  it("counts each HTTP attempt apart from the call: a call retried twice is one call and three attempts", async () => {
    script = [unavailable, dropConnection, bulkOk, json(200, { data: { serial: "S9" } })];
    const c = client();
    await c.createBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    await c.updateUser("E1", { employeeID: "E1", name: "A", isActive: true });
    expect(seen).toHaveLength(4);
    expect(c.counts).toMatchObject({ "create-bulk": 1, update: 1 });
    expect(c.counts.attempts).toEqual({ "create-bulk": 3, "update-bulk": 0, update: 1, "update-email-bulk": 0, get: 0, list: 0, token: 0 });
  });

  it("retries a create-bulk after 500s and a dropped connection, backing off exponentially with full jitter", async () => {
    script = [json(500, {}), dropConnection, unavailable, bulkOk];
    const result = await client(4, () => 0.5).createBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    expect(result.successItems).toHaveLength(1);
    expect(seen).toHaveLength(4);
    // Full jitter: random() × min(10 s, 500 ms × 2^(retry-1)).
    expect(slept).toEqual([250, 500, 1000]);
  });

  it("caps the backoff at 10 s", async () => {
    script = [unavailable, unavailable, unavailable, unavailable, unavailable, unavailable, bulkOk];
    await client(7).updateBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    expect(slept).toEqual([500, 1000, 2000, 4000, 8000, 10000]);
  });

  it("gives up after maxAttempts with the count and the last reply in the message", async () => {
    script = [unavailable, unavailable, unavailable, bulkOk];
    const error = (await client(3)
      .updateBulk([{ employeeID: "E1", name: "A", isActive: true }])
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      "POST /ruangkerja/users/update-bulk: gave up after 3 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE (50301): down",
    );
    expect(seen).toHaveLength(3);
  });

  it("gives up on a network error after maxAttempts, saying so", async () => {
    script = [dropConnection, dropConnection];
    const error = (await client(2)
      .createBulk([{ employeeID: "E1", name: "A", isActive: true }])
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 2 attempts: last error: could not reach the API: /,
    );
  });

  it("stops retrying once told to (an interrupt), ending a long Retry-After wait at once", async () => {
    const c = new RuangkerjaClient({ baseUrl: url, token: "t", maxAttempts: 5, timeoutMs: 2000 });
    script = [
      (req, res) => {
        json(429, { errorCode: 42901, message: "RATE_LIMITED", detail: "" }, { "retry-after": "50" })(req, res);
        setTimeout(() => c.stopRetrying(), 20);
      },
      bulkOk,
    ];
    const error = (await c.createBulk([]).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toContain("gave up after 1 attempt (interrupted): last reply HTTP 429 RATE_LIMITED (42901)");
    expect(seen).toHaveLength(1);
  });

  it("fails at once when Retry-After is longer than 60 s", async () => {
    script = [json(429, {}, { "retry-after": "61" }), bulkOk];
    const error = (await client()
      .createBulk([])
      .catch((e: unknown) => e)) as ApiError;
    expect(error.message).toContain("gave up after 1 attempt (the API asked to retry after 61 s, longer than the 60 s the client waits)");
    expect(seen).toHaveLength(1);
  });

  it("renews a refused token and sends again at once, as one of maxAttempts: 503, 401, then the renewed token lands", async () => {
    script = [unavailable, tokenRefused, bulkOk];
    const tokens = renewableTokens();
    const c = renewingClient(3, tokens);
    const result = await c.createBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    expect(result.successItems).toHaveLength(1);
    expect(seen.map((s) => s.auth)).toEqual(["tok-1", "tok-1", "tok-2"]);
    expect(tokens.invalidated).toEqual(["tok-1"]);
    // One backoff, after the 503; the resend with the new token does not wait.
    expect(slept).toEqual([500]);
    expect(c.counts.attempts["create-bulk"]).toBe(3);
  });

  it("maxAttempts bounds a request whose token is renewed: 503, 401, 503, 503 gives up after 3 attempts, not 3 more", async () => {
    script = [unavailable, tokenRefused, unavailable, unavailable, unavailable, bulkOk];
    const c = renewingClient(3, renewableTokens());
    const error = (await c.updateBulk([{ employeeID: "E1", name: "A", isActive: true }]).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe(
      "POST /ruangkerja/users/update-bulk: gave up after 3 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE (50301): down",
    );
    expect(error.attempts).toBe(3);
    expect(seen).toHaveLength(3);
    expect(c.counts.attempts["update-bulk"]).toBe(3);
  });

  it("a token refused on the last attempt is renewed but not resent, and the message says why", async () => {
    script = [unavailable, tokenRefused, bulkOk];
    const tokens = renewableTokens();
    const c = renewingClient(2, tokens);
    const error = (await c.createBulk([]).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 2 attempts \(the token was not valid, and no attempt was left to send the request with a new one\): last reply HTTP 401 /,
    );
    expect(error.isTokenRejected).toBe(true);
    expect(seen).toHaveLength(2);
    // The next request starts with a new token.
    expect(tokens.invalidated).toEqual(["tok-1"]);
  });

  it("renews once per request: a renewed token refused too is not renewed again", async () => {
    script = [tokenRefused, tokenRefused, bulkOk];
    const tokens = renewableTokens();
    const error = (await renewingClient(5, tokens)
      .createBulk([])
      .catch((e: unknown) => e)) as ApiError;
    expect(error.message).toMatch(/^POST \/ruangkerja\/users\/create-bulk: gave up after 2 attempts: last reply HTTP 401 /);
    expect(seen.map((s) => s.auth)).toEqual(["tok-1", "tok-2"]);
    expect(tokens.invalidated).toEqual(["tok-1"]);
  });

  it("does not retry a refusal: 413, 400, 401", async () => {
    for (const status of [413, 400, 401]) {
      script = [json(status, { errorCode: 1, message: "NO", detail: "" }), bulkOk];
      seen = [];
      await expect(client().createBulk([])).rejects.toBeInstanceOf(ApiError);
      expect(seen).toHaveLength(1);
    }
  });

  it("sends once with maxAttempts 1, and refuses a maxAttempts below 1", async () => {
    script = [unavailable, bulkOk];
    await expect(client(1).createBulk([])).rejects.toThrow("POST /ruangkerja/users/create-bulk failed: SERVICE_UNAVAILABLE (50301)");
    expect(() => client(0)).toThrow(ConfigError);
  });

  it("retries an idempotent PUT after a 503", async () => {
    script = [json(503, {}), json(200, { status: "success", message: "Success", data: { serial: "S9" } })];
    const result = await client().updateUser("E1", { employeeID: "E1", name: "A", isActive: true });
    expect(result).toEqual({ ok: true, serial: "S9" });
    expect(seen).toHaveLength(2);
  });

  it("retries a renaming PUT after a 503 too (apply reads the user back if the first one had landed)", async () => {
    script = [json(503, {}), json(200, { data: { serial: "S9" } })];
    expect(await client().updateUser("E1", { employeeID: "E1", newEmployeeID: "E2", name: "A", isActive: true })).toEqual({
      ok: true,
      serial: "S9",
    });
    expect(seen).toHaveLength(2);
  });

  it("returns a single-user API error as a result, not an exception", async () => {
    script = [json(400, { errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" })];
    const result = await client().updateUser("E1", { employeeID: "E1", newEmployeeID: "E2", name: "A", isActive: true });
    expect(result).toEqual({
      ok: false,
      error: { errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" },
    });
  });

  it("throws on a rejected token, with the API's words and without the token", async () => {
    const denied = { errorCode: 123, message: "rpc error: code = PermissionDenied desc = Token is not valid", detail: "x" };
    script = [json(401, denied)];
    const error = (await client()
      .updateUser("E1", { employeeID: "E1", name: "A", isActive: true })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.reply?.errorCode).toBe(123);
    expect(error.message).toContain("Token is not valid");
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain("tok-secret-123");
  });

  it("treats error code 123 as a rejected token whatever the HTTP status", async () => {
    script = [json(400, { errorCode: 123, message: "rpc error: code = PermissionDenied desc = Token is not valid", detail: "x" })];
    const error = (await client()
      .updateUser("E1", { employeeID: "E1", name: "A", isActive: true })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.isTokenRejected).toBe(true);
  });

  it("drops bulk items without an id or a serial, so apply reports them as having no result", async () => {
    script = [
      json(200, {
        data: {
          failedItems: [{ payload: {}, error: { errorCode: 1, message: "x", detail: "" } }],
          successItems: [
            { payload: { employeeID: "E1" }, response: { serial: 1000 } },
            { payload: { employeeID: "E2" } },
            { payload: { employeeID: "E3" }, response: { serial: "S3" } },
          ],
        },
      }),
    ];
    const result = await client().createBulk([]);
    expect(result.successItems.map((i) => i.payload.employeeID)).toEqual(["E3"]);
    expect(result.failedItems).toEqual([]);
  });

  it("never shows a password given in the API URL", () => {
    expect(() => checkBaseUrl("ftp://user:pa55word@example.com")).toThrow(ConfigError);
    try {
      checkBaseUrl("ftp://user:pa55word@example.com");
    } catch (error) {
      expect((error as Error).message).not.toContain("pa55word");
    }
  });

  it("refuses a user name or password in the API URL, without echoing it (fetch's errors would)", () => {
    const error = (() => {
      try {
        checkBaseUrl("http://admin:pa55word@127.0.0.1:8080");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("must not contain a user name or password");
    expect((error as Error).message).not.toContain("pa55word");
  });

  it("refuses a query string or fragment in the API URL, without echoing it", () => {
    for (const url of ["https://api.example/?access_token=s3cr3t", "https://api.example/#s3cr3t", "http://127.0.0.1:9/?"]) {
      expect(() => checkBaseUrl(url), url).toThrow(ConfigError);
      try {
        checkBaseUrl(url);
      } catch (error) {
        expect((error as Error).message).toContain("must not contain a query string or fragment");
        expect((error as Error).message).not.toContain("s3cr3t");
      }
    }
  });

  it("reports an unexpected reply shape", async () => {
    script = [json(200, { status: "success" })];
    await expect(client().createBulk([])).rejects.toThrow(/unexpected reply/);
  });

  it("reports an unreachable API", async () => {
    const c = new RuangkerjaClient({ baseUrl: "http://127.0.0.1:1", token: "t", maxAttempts: 1, timeoutMs: 2000 });
    await expect(c.createBulk([])).rejects.toThrow(/could not reach the API/);
  });

  it("returns undefined for a user the API does not know", async () => {
    script = [json(404, { errorCode: 10104, message: "USER_NOT_FOUND", detail: "user not found" })];
    expect(await client().getUser("NOPE")).toBeUndefined();
  });
});
