import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../../src/emulator/index.js";
import { SEED_PUT_BODY, startTestEmulator, type TestEmulator, user } from "./helpers.js";

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.close();
});

const ZERO = {
  create: 0,
  "create-bulk": 0,
  update: 0,
  "update-bulk": 0,
  list: 0,
  get: 0,
  "update-email-bulk": 0,
  token: 0,
  unauthorized: 0,
  unrouted: 0,
};

describe("/_emulator admin routes", () => {
  it("counts every request that reached a /ruangkerja route, whatever its outcome", async () => {
    await t.reset();
    await t.call("POST", "/ruangkerja/users", user("A1"));
    await t.call("POST", "/ruangkerja/users", user("A1")); // fails 10101, still counted
    await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("A2"), user("A3")] });
    await t.call("PUT", "/ruangkerja/users/A1", { ...SEED_PUT_BODY, employeeID: "A1" });
    await t.call("POST", "/ruangkerja/users/update-bulk", { items: [{ ...SEED_PUT_BODY, employeeID: "A2" }] });
    await t.call("POST", "/ruangkerja/users/update-bulk", { items: [] });
    await t.call("GET", "/ruangkerja/users?pageSize=5");
    await t.call("GET", "/ruangkerja/users/A1");
    await t.call("GET", "/ruangkerja/users/A1", undefined, { authorization: null });
    await t.call("DELETE", "/ruangkerja/users/A1");
    await t.call("GET", "/elsewhere");
    await t.call("GET", "/_emulator/users");

    const stats = await t.call("GET", "/_emulator/stats", undefined, { authorization: null });
    expect(stats.status).toBe(200);
    const expected = { ...ZERO, create: 2, "create-bulk": 1, update: 1, "update-bulk": 2, list: 1, get: 2, unauthorized: 1, unrouted: 2 };
    expect(stats.body).toEqual({ requests: expected });
    expect(t.emulator.requestCounts()).toEqual(expected);
  });

  it("lists stored users in creation order without a token", async () => {
    const reply = await t.call("GET", "/_emulator/users", undefined, { authorization: null });
    expect(reply.status).toBe(200);
    expect(reply.body.users.map((u: { employeeID: string }) => u.employeeID)).toEqual(["A1", "A2", "A3"]);
    expect(reply.body.users[0]).toEqual(t.emulator.users()[0]);
    expect(Object.keys(reply.body.users[0]).sort()).toEqual(
      ["email", "employeeID", "isActive", "name", "organizationSerial", "phone", "serial", "tagSerials", "username"].sort(),
    );
  });

  it("hands out copies from users(), not the store's own objects", async () => {
    const users = t.emulator.users() as unknown as { tagSerials: string[] }[];
    users[0]?.tagSerials.push("MUTATED");
    expect(t.emulator.users()[0]?.tagSerials).not.toContain("MUTATED");
  });

  it("resets users and counts", async () => {
    const reply = await t.call("POST", "/_emulator/reset", undefined, { authorization: null });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "success", message: "Success" });
    expect(t.emulator.users()).toEqual([]);
    expect(t.emulator.requestCounts()).toEqual(ZERO);
    expect((await t.call("GET", "/ruangkerja/users")).body.data.totalItems).toBe(0);
  });
});

describe("serving", () => {
  it("handles concurrent requests, each seeing a consistent store", async () => {
    await t.reset();
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => t.call("POST", "/ruangkerja/users", user(`C${i % 250}`, { email: `c${i}@example.com` }))),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(250);
    expect(statuses.filter((s) => s === 409)).toHaveLength(250);
    const serials = new Set(t.emulator.users().map((u) => u.serial));
    expect(serials.size).toBe(250);
    expect(t.emulator.requestCounts().create).toBe(500);
  });

  /** Sends a raw request target, which fetch would normalise. */
  const rawGet = (path: string) => {
    const { hostname, port } = new URL(t.emulator.url);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ hostname, port, path, method: "GET" }, (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
  };

  it("reads a doubled leading slash as a path, not as a host", async () => {
    const reply = await rawGet("//ruangkerja/users");
    expect(reply.status).toBe(404);
    expect(reply.body).toContain("//ruangkerja/users");
  });

  it("answers a client error, not 500, to a request target that is not a path", async () => {
    const reply = await rawGet("http://[");
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
  });

  it("keeps connections alive between requests", async () => {
    const { hostname, port } = new URL(t.emulator.url);
    const ports = new Set<number>();
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ hostname, port, path: "/_emulator/stats", agent, method: "GET" }, (res) => {
          ports.add(res.socket.localPort ?? -1);
          expect(res.headers.connection).toBe("keep-alive");
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.end();
      });
    const { Agent } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) await get();
    } finally {
      agent.destroy();
    }
    expect(ports.size).toBe(1);
  });

  it("refuses to start on a taken port or with options that cannot work", async () => {
    const { port } = new URL(t.emulator.url);
    await expect(startEmulator({ port: Number(port) })).rejects.toMatchObject({ code: "EADDRINUSE" });
    await expect(startEmulator({ token: "" })).rejects.toThrow("emulator token must not be empty");
    await expect(startEmulator({ maxBulkItems: 0 })).rejects.toThrow("maxBulkItems must be at least 1, got 0");
  });

  it("defaults to loopback, the documented token, and a URL without trailing slash", async () => {
    const e = await startEmulator();
    try {
      expect(e.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(e.token).toBe("emulator-token");
      const reply = await fetch(`${e.url}/ruangkerja/users`, { headers: { Authorization: "Bearer emulator-token" } });
      expect(reply.status).toBe(200);
    } finally {
      await e.close();
      await e.close();
    }
  });
});
