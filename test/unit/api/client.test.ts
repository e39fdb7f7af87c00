import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkBaseUrl, RuangkerjaClient } from "../../../src/api/client.js";
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
});

const client = () => new RuangkerjaClient({ baseUrl: url, token: "tok-secret-123", retries: 2, timeoutMs: 2000 });

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

  it("retries a POST after 429, honouring Retry-After", async () => {
    script = [json(429, { message: "slow down" }, { "retry-after": "0" }), bulkOk];
    const c = client();
    await c.createBulk([{ employeeID: "E1", name: "A", isActive: true }]);
    expect(seen).toHaveLength(2);
    expect(c.counts["create-bulk"]).toBe(1);
  });

  it("does not retry a POST after a 500 (it may have been processed)", async () => {
    script = [json(500, {}), bulkOk];
    const error = await client()
      .updateBulk([{ employeeID: "E1", name: "A", isActive: true }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(seen).toHaveLength(1);
  });

  it("retries an idempotent PUT after a 503", async () => {
    script = [json(503, {}), json(200, { status: "success", message: "Success", data: { serial: "S9" } })];
    const result = await client().updateUser("E1", { employeeID: "E1", name: "A", isActive: true });
    expect(result).toEqual({ ok: true, serial: "S9" });
    expect(seen).toHaveLength(2);
  });

  it("does not retry a renaming PUT after a 503", async () => {
    script = [json(503, {}), json(200, { data: { serial: "S9" } })];
    await expect(client().updateUser("E1", { employeeID: "E1", newEmployeeID: "E2", name: "A", isActive: true })).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(seen).toHaveLength(1);
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

  it("reports an unexpected reply shape", async () => {
    script = [json(200, { status: "success" })];
    await expect(client().createBulk([])).rejects.toThrow(/unexpected reply/);
  });

  it("reports an unreachable API without retrying a POST", async () => {
    const c = new RuangkerjaClient({ baseUrl: "http://127.0.0.1:1", token: "t", retries: 2, timeoutMs: 2000 });
    await expect(c.createBulk([])).rejects.toThrow(/could not reach the API/);
  });

  it("returns undefined for a user the API does not know", async () => {
    script = [json(404, { errorCode: 10104, message: "USER_NOT_FOUND", detail: "user not found" })];
    expect(await client().getUser("NOPE")).toBeUndefined();
  });
});
