/**
 * One test per row of EMULATOR_ERROR_CODES, over HTTP, and a last test that checks every row was
 * met: a row added without a test fails here.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EMULATOR_ERROR_CODES, type EmulatorErrorName } from "../../../src/emulator/index.js";
import { UserStore } from "../../../src/emulator/store.js";
import { type CallResult, SEED_PUT_BODY, startTestEmulator, type TestEmulator, user } from "./helpers.js";

let t: TestEmulator;
const seen = new Set<EmulatorErrorName>();

beforeAll(async () => {
  t = await startTestEmulator({ token: "s3cret" });
  await t.call("POST", "/ruangkerja/users", user("TAKEN", { username: "takenname", phone: "0811" }));
});
afterAll(async () => {
  await t.emulator.close();
});

/** Asserts a whole-request failure: the row's status, code and message, in the seed's key order. */
function expectError(reply: CallResult, name: EmulatorErrorName, detail?: string | RegExp): void {
  const row = EMULATOR_ERROR_CODES[name];
  expect(reply.status).toBe(row.httpStatus);
  expect(Object.keys(reply.body)).toEqual(["errorCode", "message", "detail"]);
  expect(reply.body.errorCode).toBe(row.code);
  expect(reply.body.message).toBe(row.message);
  if (typeof detail === "string") expect(reply.body.detail).toBe(detail);
  else if (detail) expect(reply.body.detail).toMatch(detail);
  seen.add(name);
}

describe("documented codes", () => {
  it("123: a missing, wrong or malformed token is refused on every /ruangkerja route", async () => {
    const text = "rpc error: code = PermissionDenied desc = Token is not valid";
    for (const authorization of [null, "", "wrong", "Bearer wrong", "Bearers3cret", "Basic s3cret", "S3CRET"]) {
      const reply = await t.call("GET", "/ruangkerja/users", undefined, { authorization });
      expectError(reply, "TOKEN_INVALID", text);
      expect(reply.body).toEqual({ errorCode: 123, message: text, detail: text });
    }
    for (const [method, path] of [
      ["POST", "/ruangkerja/users"],
      ["POST", "/ruangkerja/users/create-bulk"],
      ["PUT", "/ruangkerja/users/TAKEN"],
      ["POST", "/ruangkerja/users/update-bulk"],
      ["GET", "/ruangkerja/users/TAKEN"],
      ["GET", "/ruangkerja/unknown"],
    ] as const) {
      const body = method === "GET" ? undefined : { items: [] };
      expectError(await t.call(method, path, body, { authorization: "wrong" }), "TOKEN_INVALID");
    }
    expect(t.emulator.users()).toHaveLength(1);
  });

  it("accepts the token bare or after Bearer (any case)", async () => {
    for (const authorization of ["s3cret", "Bearer s3cret", "bearer s3cret"]) {
      expect((await t.call("GET", "/ruangkerja/users/TAKEN", undefined, { authorization })).status).toBe(200);
    }
  });

  it("400: /oauth/token with a wrong client secret or ID", async () => {
    const wrong = { clientID: "emulator-client", clientSecret: "not-it", grantType: "client_credentials" };
    expectError(
      await t.call("POST", "/oauth/token", wrong, { authorization: null }),
      "BAD_REQUEST",
      "Credentials does not match in our records",
    );
    const otherId = { ...wrong, clientID: "someone", clientSecret: "emulator-secret" };
    expectError(await t.call("POST", "/oauth/token", otherId, { authorization: null }), "BAD_REQUEST");
  });

  it("10101: create with a taken employeeID", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", user("TAKEN", { email: "new@example.com" }));
    expectError(reply, "USER_EMPLOYEE_ID_EXISTS", "employee id already been taken");
  });

  it("10102: create with a taken email, in another case", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", user("FRESH1", { email: "Taken@Example.COM" }));
    expectError(reply, "USER_EMAIL_EXISTS", "user email already been taken");
  });
});

describe("the emulator's own codes", () => {
  it("10103: create with a taken username", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", user("FRESH2", { username: "TakenName" }));
    expectError(reply, "USER_USERNAME_EXISTS", "username already been taken");
  });

  it("10104: GET and PUT of an unknown user", async () => {
    expectError(await t.call("GET", "/ruangkerja/users/NOBODY"), "USER_NOT_FOUND", 'no user has employeeID "NOBODY"');
    const put = await t.call("PUT", "/ruangkerja/users/NOBODY", { ...SEED_PUT_BODY, employeeID: "NOBODY" });
    expectError(put, "USER_NOT_FOUND");
  });

  it("40001: a field breaking its rule", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", { employeeID: "A B", name: "", isActive: 1, phone: 62811 });
    expectError(
      reply,
      "VALIDATION_ERROR",
      "employeeID: must be a string of letters a-z, A-Z and digits 0-9; name: must be a non-empty string; " +
        "phone: must be a string of digits, optionally after a leading +, or null; isActive: must be true or false",
    );
  });

  it("40002: an unknown field", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", user("FRESH3", { employeeId: "FRESH3" }));
    expectError(reply, "FIELD_NOT_ACCEPTED", "employeeId: not a user field");
  });

  it("40003: a body that is not JSON", async () => {
    expectError(
      await t.call("POST", "/ruangkerja/users", undefined, { raw: "{nope" }),
      "MALFORMED_JSON",
      /^request body is not valid JSON: /,
    );
    expectError(await t.call("POST", "/ruangkerja/users/create-bulk", undefined, { raw: "" }), "MALFORMED_JSON");
  });

  it("40003: a body that is not valid UTF-8, even inside a JSON string, is refused and stores nothing", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"items":[{"employeeID":"U1","name":"Bad '),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","isActive":true}]}'),
    ]);
    expectError(
      await t.call("POST", "/ruangkerja/users/create-bulk", undefined, { raw: bytes }),
      "MALFORMED_JSON",
      "request body is not valid JSON: it is not valid UTF-8",
    );
    expect(t.emulator.users().map((u) => u.employeeID)).not.toContain("U1");
  });

  it("40004: a body of the wrong shape", async () => {
    expectError(await t.call("POST", "/ruangkerja/users", [user("X1")]), "INVALID_BODY", "the user must be a JSON object");
    expectError(await t.call("PUT", "/ruangkerja/users/TAKEN", null), "INVALID_BODY");
    expectError(await t.call("POST", "/ruangkerja/users/create-bulk", [user("X1")]), "INVALID_BODY");
    expectError(
      await t.call("POST", "/ruangkerja/users/create-bulk", { items: { 0: user("X1") } }),
      "INVALID_BODY",
      "items: must be an array of users",
    );
    expectError(await t.call("POST", "/ruangkerja/users/update-bulk", {}), "INVALID_BODY", "items: must be an array of users");
    expectError(
      await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("X1")], dryRun: true }),
      "INVALID_BODY",
      'unexpected top-level key(s) "dryRun"; only "items" is accepted',
    );
    expect(t.emulator.users().map((u) => u.employeeID)).not.toContain("X1");
  });

  it("40005: an empty items list", async () => {
    expectError(await t.call("POST", "/ruangkerja/users/create-bulk", { items: [] }), "EMPTY_ITEMS", "items must not be empty");
    expectError(await t.call("POST", "/ruangkerja/users/update-bulk", { items: [] }), "EMPTY_ITEMS");
  });

  it("40006: more items than maxBulkItems, when set", async () => {
    const limited = await startTestEmulator({ maxBulkItems: 2 });
    try {
      expect((await limited.call("POST", "/ruangkerja/users/create-bulk", { items: [user("L1"), user("L2")] })).status).toBe(200);
      const reply = await limited.call("POST", "/ruangkerja/users/create-bulk", { items: [user("L3"), user("L4"), user("L5")] });
      expectError(reply, "TOO_MANY_ITEMS", "items has 3 entries; at most 2 are allowed per call");
      expect(limited.emulator.users()).toHaveLength(2);
    } finally {
      await limited.emulator.close();
    }
  });

  it("40401: a path the emulator does not serve", async () => {
    expectError(await t.call("GET", "/nothing/here"), "ROUTE_NOT_FOUND", "no route /nothing/here");
    expectError(await t.call("GET", "/ruangkerja/users/TAKEN/extra"), "ROUTE_NOT_FOUND");
    expectError(await t.call("GET", "/ruangkerja/users/"), "ROUTE_NOT_FOUND");
    expectError(await t.call("GET", "/_emulator/nothing"), "ROUTE_NOT_FOUND");
  });

  it("40501: a known path with another method, with an Allow header", async () => {
    const remove = await t.call("DELETE", "/ruangkerja/users/TAKEN");
    expectError(remove, "METHOD_NOT_ALLOWED", "DELETE is not allowed on /ruangkerja/users/TAKEN; allowed: GET, PUT");
    expect(remove.headers.get("allow")).toBe("GET, PUT");
    const bulkGet = await t.call("GET", "/ruangkerja/users/create-bulk");
    expectError(bulkGet, "METHOD_NOT_ALLOWED");
    expect(bulkGet.headers.get("allow")).toBe("POST");
    expectError(await t.call("PUT", "/ruangkerja/users", {}), "METHOD_NOT_ALLOWED");
    expectError(await t.call("GET", "/_emulator/reset"), "METHOD_NOT_ALLOWED");
  });

  it("41301: a body over 10 MiB, after which the connection still serves", async () => {
    const raw = JSON.stringify({ items: [{ name: "x".repeat(10 * 1024 * 1024) }] });
    expectError(await t.call("POST", "/ruangkerja/users/create-bulk", undefined, { raw }), "PAYLOAD_TOO_LARGE");
    expect((await t.call("GET", "/ruangkerja/users/TAKEN")).status).toBe(200);
  });

  it("42901, 50002, 50301: injected faults, with Retry-After on 429 and 503, and nothing processed", async () => {
    const faulty = await startTestEmulator({
      faults: { retryAfterSeconds: 7, next: [{ fault: "429" }, { fault: "500" }, { fault: "503" }] },
    });
    try {
      const create = () => faulty.call("POST", "/ruangkerja/users/create-bulk", { items: [user("F1")] });
      const limited = await create();
      expectError(limited, "RATE_LIMITED", "too many requests; retry after 7 seconds");
      expect(limited.headers.get("retry-after")).toBe("7");
      const broken = await create();
      expectError(broken, "INJECTED_SERVER_ERROR", "an injected fault: the request was not processed");
      expect(broken.headers.get("retry-after")).toBeNull();
      const unavailable = await create();
      expectError(unavailable, "SERVICE_UNAVAILABLE", "the service is unavailable; retry after 7 seconds");
      expect(unavailable.headers.get("retry-after")).toBe("7");
      expect(faulty.emulator.users()).toEqual([]);
      expect((await create()).status).toBe(200);
      expect(faulty.emulator.users().map((u) => u.employeeID)).toEqual(["F1"]);
    } finally {
      await faulty.emulator.close();
    }
  });

  it("41501: a body that is not declared as JSON", async () => {
    const raw = JSON.stringify(user("CT1"));
    const plain = await t.call("POST", "/ruangkerja/users", undefined, { raw, contentType: "text/plain" });
    expectError(plain, "UNSUPPORTED_MEDIA_TYPE", 'Content-Type must be application/json, got "text/plain"');
    const missing = await t.call("POST", "/ruangkerja/users", undefined, { raw: "", contentType: null });
    expectError(missing, "UNSUPPORTED_MEDIA_TYPE");
    const withCharset = await t.call("POST", "/ruangkerja/users", undefined, { raw, contentType: "Application/JSON; charset=utf-8" });
    expect(withCharset.status).toBe(200);
  });

  it("50000: an unexpected exception", async () => {
    const spy = vi.spyOn(UserStore.prototype, "list").mockImplementation(() => {
      throw new Error("boom");
    });
    try {
      expectError(await t.call("GET", "/ruangkerja/users"), "INTERNAL_ERROR", "boom");
    } finally {
      spy.mockRestore();
    }
    expect((await t.call("GET", "/ruangkerja/users")).status).toBe(200);
  });

  it("50001: a data file that cannot be written, after the change was applied", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-codes-"));
    const dataFile = join(dir, "users.json");
    const broken = await startTestEmulator({ dataFile });
    try {
      // A non-empty directory where the file should go makes the final rename fail.
      await mkdir(dataFile);
      await writeFile(join(dataFile, "keep"), "");
      const reply = await broken.call("POST", "/ruangkerja/users", user("W1"));
      expectError(reply, "DATA_FILE_WRITE_FAILED", new RegExp(`^could not write ${dataFile}: `));
      expect(broken.emulator.users().map((u) => u.employeeID)).toEqual(["W1"]);
    } finally {
      await broken.emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("EMULATOR_ERROR_CODES", () => {
  it("has one row per code, with a 4xx or 5xx status, and marks only the README's codes as documented", () => {
    const rows = Object.values(EMULATOR_ERROR_CODES);
    expect(new Set(rows.map((row) => row.code)).size).toBe(rows.length);
    for (const row of rows) expect(row.httpStatus >= 400 && row.httpStatus < 600).toBe(true);
    expect(rows.filter((row) => row.documented).map((row) => row.code)).toEqual([123, 400, 10101, 10102]);
  });

  it("is the table docs/emulator.md shows, row for row", async () => {
    const docs = await readFile(new URL("../../../docs/emulator.md", import.meta.url), "utf8");
    const documentedRows = docs.split("\n").filter((line) => /^\| \d+ \| `/.test(line));
    const rows = Object.values(EMULATOR_ERROR_CODES).map(
      (row) => `| ${row.code} | \`${row.message}\` | ${row.httpStatus} | ${row.documented ? "yes" : "no"} |`,
    );
    expect(documentedRows.map((line) => `${line.split(" | ").slice(0, 4).join(" | ")} |`)).toEqual(rows);
  });

  // Runs last (tests in a file run in order): every row above must have been met.
  it("was exercised row by row by the tests above", () => {
    expect([...seen].sort()).toEqual(Object.keys(EMULATOR_ERROR_CODES).sort());
  });
});
