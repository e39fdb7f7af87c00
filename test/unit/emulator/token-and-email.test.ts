/** The emulator's two neighbouring endpoints: POST /oauth/token and POST /ruangkerja/users/update-email-bulk. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenIssuer } from "../../../src/emulator/oauth.js";
import { SERIAL_PATTERN, startTestEmulator, type TestEmulator, user } from "./helpers.js";

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator({ token: "fixed", clientID: "acme", clientSecret: "hunter2", tokenLifetimeSeconds: 600 });
});
afterAll(() => t.emulator.close());

const CREDENTIALS = { clientID: "acme", clientSecret: "hunter2", grantType: "client_credentials" };

describe("POST /oauth/token", () => {
  it("issues a token, without asking for one, shaped as documented, that every /ruangkerja route accepts", async () => {
    const reply = await t.call("POST", "/oauth/token", CREDENTIALS, { authorization: null });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["status", "message", "data"]);
    expect(Object.keys(reply.body.data)).toEqual(["accessToken", "expiresIn", "tokenType"]);
    expect(reply.body.data).toMatchObject({ expiresIn: "600", tokenType: "bearer" });
    const token = reply.body.data.accessToken as string;
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect((await t.call("GET", "/ruangkerja/users", undefined, { authorization: token })).status).toBe(200);
    expect((await t.call("GET", "/ruangkerja/users", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    const again = await t.call("POST", "/oauth/token", CREDENTIALS, { authorization: null });
    expect(again.body.data.accessToken).not.toBe(token);
  });

  it("stops accepting exchanged tokens after expireTokens(), but keeps the fixed one", async () => {
    const token = (await t.call("POST", "/oauth/token", CREDENTIALS, { authorization: null })).body.data.accessToken as string;
    t.emulator.expireTokens();
    const refused = await t.call("GET", "/ruangkerja/users", undefined, { authorization: token });
    expect(refused.status).toBe(401);
    expect(refused.body.errorCode).toBe(123);
    expect((await t.call("GET", "/ruangkerja/users", undefined, { authorization: "fixed" })).status).toBe(200);
  });

  it("checks the body: fields, grant type, and the credentials themselves", async () => {
    const call = (body: unknown) => t.call("POST", "/oauth/token", body, { authorization: null });
    expect((await call({ ...CREDENTIALS, scope: "all" })).body).toMatchObject({
      errorCode: 40002,
      detail: "scope: not accepted by POST /oauth/token",
    });
    expect((await call({ ...CREDENTIALS, grantType: "password" })).body).toMatchObject({
      errorCode: 40001,
      detail: 'grantType: must be "client_credentials"',
    });
    expect((await call({ clientID: "acme", grantType: "client_credentials" })).body.detail).toBe(
      "clientSecret: must be a non-empty string",
    );
    expect((await call([CREDENTIALS])).body.errorCode).toBe(40004);
    const wrong = await call({ ...CREDENTIALS, clientSecret: "hunter3" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ errorCode: 400, message: "BAD_REQUEST", detail: "Credentials does not match in our records" });
    expect(JSON.stringify(wrong.body)).not.toContain("hunter");
  });

  it("is counted under `token`, and GET on it is 405", async () => {
    const before = t.emulator.requestCounts().token ?? 0;
    await t.call("POST", "/oauth/token", CREDENTIALS, { authorization: null });
    expect(t.emulator.requestCounts().token).toBe(before + 1);
    expect((await t.call("GET", "/oauth/token", undefined, { authorization: null })).status).toBe(405);
  });
});

describe("TokenIssuer lifetime", () => {
  it("accepts a token until its lifetime has run out, by its clock", () => {
    const clock = { t: 0 };
    const issuer = new TokenIssuer({ clientID: "a", clientSecret: "b", lifetimeSeconds: 2, now: () => clock.t });
    const reply = issuer.exchange({ clientID: "a", clientSecret: "b", grantType: "client_credentials" });
    const token = (reply.body as { data: { accessToken: string } }).data.accessToken;
    clock.t = 1_999;
    expect(issuer.accepts(token)).toBe(true);
    clock.t = 2_000;
    expect(issuer.accepts(token)).toBe(false);
    expect(issuer.accepts("never-issued")).toBe(false);
  });

  it("refuses empty credentials and a lifetime under a second", () => {
    expect(() => new TokenIssuer({ clientID: "", clientSecret: "b", lifetimeSeconds: 1 })).toThrow(/must not be empty/);
    expect(() => new TokenIssuer({ clientID: "a", clientSecret: "b", lifetimeSeconds: 0 })).toThrow(/lifetime/);
  });
});

describe("POST /ruangkerja/users/update-email-bulk", () => {
  it("changes each user's e-mail, answers like create-bulk, and keeps everything else", async () => {
    await t.reset();
    await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("M1", { username: "mone" }), user("M2")] });
    const serial = t.emulator.users()[0]?.serial;
    const reply = await t.call("POST", "/ruangkerja/users/update-email-bulk", {
      items: [
        { employeeID: "M1", email: "m1.new@example.com" },
        { employeeID: "M2", email: "M2@EXAMPLE.COM", password: null },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe("success");
    expect(reply.body.data.failedItems).toEqual([]);
    expect(reply.body.data.successItems[0]).toEqual({ payload: { employeeID: "M1", email: "m1.new@example.com" }, response: { serial } });
    expect(reply.body.data.successItems[1].response.serial).toMatch(SERIAL_PATTERN);
    const [m1, m2] = t.emulator.users();
    expect(m1).toMatchObject({ employeeID: "M1", email: "m1.new@example.com", username: "mone", name: "User M1" });
    expect(m2?.email).toBe("M2@EXAMPLE.COM"); // its own address in another case is not "taken"
    // The old address is free again.
    expect((await t.call("POST", "/ruangkerja/users", user("M3", { email: "m1@example.com" }))).status).toBe(200);
  });

  it("fails an item per user: a taken e-mail (10102), an unknown user (10104), bad fields (40001, 40002)", async () => {
    const reply = await t.call("POST", "/ruangkerja/users/update-email-bulk", {
      items: [
        { employeeID: "M2", email: "m1.new@EXAMPLE.com" },
        { employeeID: "NOBODY", email: "nobody@example.com" },
        { employeeID: "M1", email: "not an address" },
        { employeeID: "M1", email: "ok@example.com", name: "X" },
        { employeeID: "M1" },
        { employeeID: "M3", email: "m3.new@example.com" },
      ],
    });
    expect(reply.status).toBe(200);
    const failed = reply.body.data.failedItems as { error: { errorCode: number; message: string; detail: string } }[];
    expect(failed.map((f) => f.error.errorCode)).toEqual([10102, 10104, 40001, 40002, 40001]);
    expect(failed[0]?.error.message).toBe("USER_EMAIL_EXISTS");
    expect(failed[1]?.error.message).toBe("USER_NOT_FOUND");
    expect(failed[3]?.error.detail).toBe("name: not accepted by POST /ruangkerja/users/update-email-bulk");
    expect(failed[4]?.error.detail).toBe("email: is required");
    expect(reply.body.data.successItems.map((s: { payload: { employeeID: string } }) => s.payload.employeeID)).toEqual(["M3"]);
    expect(t.emulator.users().find((u) => u.employeeID === "M2")?.email).toBe("M2@EXAMPLE.COM");
  });

  it("needs the token, refuses an empty list, and is counted", async () => {
    expect((await t.call("POST", "/ruangkerja/users/update-email-bulk", { items: [] }, { authorization: null })).status).toBe(401);
    expect((await t.call("POST", "/ruangkerja/users/update-email-bulk", { items: [] })).body.errorCode).toBe(40005);
    expect(t.emulator.requestCounts()["update-email-bulk"]).toBeGreaterThanOrEqual(4);
  });
});
