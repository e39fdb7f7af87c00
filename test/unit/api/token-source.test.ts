/**
 * The token source on its own (a fake fetch and an injected clock, so renewal is decided by the
 * test, not by time passing), then the client with client credentials against the emulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import { ClientCredentialsTokenSource, renewalMarginMs, StaticTokenSource } from "../../../src/api/token-source.js";
import { apiSettings } from "../../../src/cli/options.js";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import { ApiError, ConfigError } from "../../../src/errors.js";

const SECRET = "s3cr3t-value-never-printed";

/** A fetch that answers POST /oauth/token from a script, recording each request body. */
function fakeTokenFetch(replies: (() => Response)[]) {
  const bodies: unknown[] = [];
  let issued = 0;
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    bodies.push(await request.json());
    const next = replies.shift();
    if (next) return next();
    issued++;
    return Response.json({
      status: "success",
      message: "Success",
      data: { accessToken: `tok-${issued}`, expiresIn: "100", tokenType: "bearer" },
    });
  };
  return { fetch: fetch, bodies };
}

function source(fetch: typeof globalThis.fetch, clock: { t: number }) {
  return new ClientCredentialsTokenSource({
    baseUrl: "http://127.0.0.1:9/",
    clientID: "client-1",
    clientSecret: SECRET,
    retries: { maxAttempts: 1, timing: {}, stopped: new AbortController().signal },
    fetch,
    now: () => clock.t,
  });
}

describe("ClientCredentialsTokenSource", () => {
  it("exchanges the credentials once and reuses the token until shortly before expiresIn runs out", async () => {
    const fake = fakeTokenFetch([]);
    const clock = { t: 1_000_000 };
    const tokens = source(fake.fetch, clock);
    expect(await tokens.token()).toBe("tok-1");
    expect(fake.bodies).toEqual([{ clientID: "client-1", clientSecret: SECRET, grantType: "client_credentials" }]);
    clock.t += 89_999; // lifetime 100 s, margin 10 s
    expect(await tokens.token()).toBe("tok-1");
    clock.t += 1;
    expect(await tokens.token()).toBe("tok-2");
    expect(tokens.exchanges).toBe(2);
  });

  it("renews a long-lived token one minute before it expires, at most", () => {
    expect(renewalMarginMs(43_199_000)).toBe(60_000);
    expect(renewalMarginMs(100_000)).toBe(10_000);
    expect(renewalMarginMs(0)).toBe(0);
  });

  it("shares one exchange between concurrent callers", async () => {
    const fake = fakeTokenFetch([]);
    const tokens = source(fake.fetch, { t: 0 });
    const all = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(all).toEqual(["tok-1", "tok-1", "tok-1"]);
    expect(fake.bodies).toHaveLength(1);
  });

  it("renews after invalidate, and a late invalidate of the old token keeps the new one", async () => {
    const fake = fakeTokenFetch([]);
    const tokens = source(fake.fetch, { t: 0 });
    expect(await tokens.token()).toBe("tok-1");
    tokens.invalidate("tok-1");
    expect(await tokens.token()).toBe("tok-2");
    tokens.invalidate("tok-1");
    expect(await tokens.token()).toBe("tok-2");
    expect(tokens.exchanges).toBe(2);
  });

  it("turns wrong credentials into a ConfigError that names the variables and not the secret", async () => {
    const refused = () =>
      Response.json({ errorCode: 400, message: "BAD_REQUEST", detail: "Credentials does not match in our records" }, { status: 400 });
    const tokens = source(fakeTokenFetch([refused]).fetch, { t: 0 });
    const error = await tokens.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("Credentials does not match in our records");
    expect((error as Error).message).toContain("RUANGKERJA_CLIENT_SECRET");
    expect((error as Error).message).not.toContain(SECRET);
  });

  it("reports a server error and a reply without a token as API errors", async () => {
    const broken = () => Response.json({ errorCode: 50000, message: "INTERNAL_ERROR", detail: "boom" }, { status: 500 });
    const noToken = () => Response.json({ status: "success", data: { expiresIn: "10" } });
    const badLifetime = () => Response.json({ status: "success", data: { accessToken: "x", expiresIn: "soon" } });
    const tokens = source(fakeTokenFetch([broken, noToken, badLifetime]).fetch, { t: 0 });
    await expect(tokens.token()).rejects.toThrow(ApiError);
    await expect(tokens.token()).rejects.toThrow(/data.accessToken is missing/);
    await expect(tokens.token()).rejects.toThrow(/data.expiresIn/);
  });

  it("gives up on the exchange after maxAttempts, saying how many attempts it made and what the API said last", async () => {
    const limited = () =>
      Response.json({ errorCode: 42901, message: "RATE_LIMITED", detail: "slow down" }, { status: 429, headers: { "retry-after": "3" } });
    const fake = fakeTokenFetch([limited, limited, limited, limited, limited]);
    const slept: number[] = [];
    let attempts = 0;
    const tokens = new ClientCredentialsTokenSource({
      baseUrl: "http://127.0.0.1:9/",
      clientID: "client-1",
      clientSecret: SECRET,
      fetch: fake.fetch,
      retries: {
        maxAttempts: 4,
        timing: {
          sleep: async (ms) => {
            slept.push(ms);
          },
        },
        stopped: new AbortController().signal,
      },
      onAttempt: () => attempts++,
    });
    const error = (await tokens.token().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("POST /oauth/token: gave up after 4 attempts: last reply HTTP 429 RATE_LIMITED (42901): slow down");
    expect(error).toMatchObject({ status: 429, attempts: 4, request: { method: "POST", path: "/oauth/token" } });
    expect(error.message).not.toContain(SECRET);
    expect(fake.bodies).toHaveLength(4);
    expect(attempts).toBe(4);
    expect(slept).toEqual([3000, 3000, 3000]);
    expect(tokens.exchanges).toBe(1);
  });

  it("an exchange that failed once, for good, says so without an attempt count", async () => {
    const broken = () => Response.json({ errorCode: 50000, message: "INTERNAL_ERROR", detail: "boom" }, { status: 500 });
    const tokens = source(fakeTokenFetch([broken]).fetch, { t: 0 });
    await expect(tokens.token()).rejects.toThrow(/^POST \/oauth\/token failed: INTERNAL_ERROR \(50000\)$/);
  });

  it("needs both an ID and a secret", () => {
    expect(() => new ClientCredentialsTokenSource({ baseUrl: "http://127.0.0.1:9/", clientID: "x", clientSecret: "" })).toThrow(
      ConfigError,
    );
  });

  it("a static token is never renewed", async () => {
    const tokens = new StaticTokenSource("fixed");
    tokens.invalidate();
    expect(await tokens.token()).toBe("fixed");
    expect(tokens.renewable).toBe(false);
  });
});

describe("apiSettings", () => {
  it("takes the token first, then client credentials, and names a missing half", () => {
    const url = { RUANGKERJA_API_URL: "http://127.0.0.1:1" };
    expect(apiSettings({ ...url, RUANGKERJA_TOKEN: "t", RUANGKERJA_CLIENT_ID: "c", RUANGKERJA_CLIENT_SECRET: "s" })).toEqual({
      baseUrl: "http://127.0.0.1:1",
      token: "t",
    });
    expect(apiSettings({ ...url, RUANGKERJA_CLIENT_ID: "c", RUANGKERJA_CLIENT_SECRET: "s" })).toEqual({
      baseUrl: "http://127.0.0.1:1",
      clientCredentials: { clientID: "c", clientSecret: "s" },
    });
    expect(() => apiSettings({ RUANGKERJA_CLIENT_ID: "c" })).toThrow(/RUANGKERJA_CLIENT_SECRET is not set/);
    expect(() => apiSettings({ RUANGKERJA_CLIENT_SECRET: "s" })).toThrow(/RUANGKERJA_CLIENT_ID is not set/);
    expect(() => apiSettings({})).toThrow(/RUANGKERJA_TOKEN.*RUANGKERJA_CLIENT_ID/);
  });
});

describe("RuangkerjaClient with client credentials, against the emulator", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: "fixed-token", clientID: "client-1", clientSecret: SECRET });
  });
  afterAll(() => emulator.close());

  beforeEach(() => emulator.setFaults({}));

  const make = (clientSecret = SECRET, maxAttempts = 1, onSleep = () => {}) =>
    new RuangkerjaClient({
      baseUrl: emulator.url,
      clientCredentials: { clientID: "client-1", clientSecret },
      maxAttempts,
      timeoutMs: 5000,
      retryTiming: { sleep: async () => onSleep() },
    });
  const oneUser = (id: string) => [{ employeeID: id, name: "T", email: `${id.toLowerCase()}@example.com`, isActive: true }];
  const since = (before: Record<string, number>, key: string) => (emulator.requestCounts()[key] ?? 0) - (before[key] ?? 0);

  it("exchanges once, then renews once when the API says the token is no longer valid", async () => {
    const client = make(SECRET, 2);
    const before = emulator.requestCounts();
    expect((await client.listUsers(1)).items).toEqual([]);
    expect((await client.listUsers(1)).items).toEqual([]);
    emulator.expireTokens();
    const created = await client.createBulk([{ employeeID: "T1", name: "T", email: "t1@example.com", isActive: true }]);
    expect(created.successItems).toHaveLength(1);
    const after = emulator.requestCounts();
    expect((after.token ?? 0) - (before.token ?? 0)).toBe(2);
    expect((after.unauthorized ?? 0) - (before.unauthorized ?? 0)).toBe(1);
    expect((after["create-bulk"] ?? 0) - (before["create-bulk"] ?? 0)).toBe(2); // the refused one and the one that landed
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["T1"]);
    expect(client.counts.attempts).toMatchObject({ list: 2, "create-bulk": 2, token: 2 });
  });

  it("with maxAttempts 1 a refused token is renewed for the next request, but this one is not sent again", async () => {
    const client = make();
    await client.authenticate();
    emulator.expireTokens();
    const before = emulator.requestCounts();
    await expect(client.createBulk(oneUser("M1"))).rejects.toThrow(
      "gave up after 1 attempt (the token was not valid, and no attempt was left to send the request with a new one)",
    );
    expect(since(before, "create-bulk")).toBe(1);
    expect((await client.listUsers(1)).items.map((u) => u.employeeID)).not.toContain("M1");
    expect(since(before, "token")).toBe(1);
  });

  it("maxAttempts bounds a request through a renewal: the token expires during a 503's backoff, then 503s go on", async () => {
    // Attempt 1: 503; the token ends while the client waits; attempt 2: refused, renewed; attempt 3: 503, the last.
    // Before, the renewal started the attempts over: 2 + 3 = 5 in all.
    emulator.setFaults({ retryAfterSeconds: 0, next: [{ fault: "503", route: "create-bulk", count: 5 }] });
    const client = make(SECRET, 3, () => emulator.expireTokens());
    await client.authenticate();
    const before = emulator.requestCounts();
    const injectedBefore = emulator.faults().injected["503"];
    const error = (await client.createBulk(oneUser("B1")).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 3 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE/,
    );
    expect(since(before, "create-bulk")).toBe(3);
    expect(since(before, "unauthorized")).toBe(1);
    expect(since(before, "token")).toBe(1);
    expect(emulator.faults().injected["503"] - injectedBefore).toBe(2);
    expect(client.counts.attempts).toMatchObject({ "create-bulk": 3, token: 2 });
    expect(emulator.users().map((u) => u.employeeID)).not.toContain("B1");
  });

  it("counts the exchange's retries under attempts.token, and its give-up names the attempts", async () => {
    emulator.setFaults({ retryAfterSeconds: 0, next: [{ fault: "429", route: "token", count: 3 }] });
    const client = make(SECRET, 3);
    const before = emulator.requestCounts();
    await expect(client.authenticate()).rejects.toThrow(
      /^POST \/oauth\/token: gave up after 3 attempts: last reply HTTP 429 RATE_LIMITED \(42901\)/,
    );
    expect(since(before, "token")).toBe(3);
    expect(client.counts.attempts.token).toBe(3);
  });

  it("authenticate() fails on wrong credentials before any /ruangkerja request", async () => {
    const before = emulator.requestCounts();
    await expect(make("wrong").authenticate()).rejects.toThrow(/Credentials does not match in our records/);
    const after = emulator.requestCounts();
    expect(after.list).toBe(before.list);
    expect(after.token).toBe((before.token ?? 0) + 1);
  });

  it("a fixed token that is refused is not retried", async () => {
    const client = new RuangkerjaClient({ baseUrl: emulator.url, token: "not-the-token", maxAttempts: 1 });
    const before = emulator.requestCounts();
    await expect(client.listUsers(1)).rejects.toThrow(/Token is not valid/);
    expect(emulator.requestCounts().list).toBe((before.list ?? 0) + 1);
  });
});
