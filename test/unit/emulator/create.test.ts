import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SEED_CREATE_ITEM, SERIAL_PATTERN, startTestEmulator, type TestEmulator, user } from "./helpers.js";

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.close();
});
beforeEach(async () => {
  await t.reset();
});

describe("POST /ruangkerja/users", () => {
  it("answers the seed page's success shape with a fresh serial", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", SEED_CREATE_ITEM);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(Object.keys(reply.body)).toEqual(["status", "message", "data"]);
    expect(reply.body).toEqual({ status: "success", message: "Success", data: { serial: expect.stringMatching(SERIAL_PATTERN) } });
    expect(t.emulator.users()).toEqual([
      {
        employeeID: "EMPLY001",
        name: "John Doe",
        username: null,
        email: "john.doe@example.com",
        phone: "6281122334455",
        isActive: true,
        tagSerials: ["RUKRTAG-9WHL0JGP"],
        organizationSerial: "COMPFJLYTHWL",
        serial: reply.body.data.serial,
      },
    ]);
  });

  it("answers the seed page's failure shape when the employeeID is taken", async () => {
    await t.call("POST", "/ruangkerja/users", SEED_CREATE_ITEM);
    const reply = await t.call("POST", "/ruangkerja/users", { ...SEED_CREATE_ITEM, email: "other@example.com" });
    expect(reply.status).toBe(409);
    expect(Object.keys(reply.body)).toEqual(["errorCode", "message", "detail"]);
    expect(reply.body).toEqual({ errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" });
  });

  it("keeps no password, in any form", async () => {
    await t.call("POST", "/ruangkerja/users", user("P1", { password: "s3cret-Pa55" }));
    const stored = await t.call("GET", "/_emulator/users");
    expect(JSON.stringify(stored.body)).not.toContain("s3cret");
    expect(Object.keys(stored.body.users[0])).not.toContain("password");
    const view = await t.call("GET", "/ruangkerja/users/P1");
    expect(JSON.stringify(view.body)).not.toContain("password");
  });

  it("requires email or phone", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", { employeeID: "N1", name: "No Contact", isActive: true, email: null });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ errorCode: 40001, message: "VALIDATION_ERROR", detail: "email or phone: at least one is required" });
  });

  it("refuses values longer than its own limits (docs/emulator.md), counting characters, not UTF-16 units", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x".repeat(201) }, "name: must be at most 200 characters long"],
      [{ employeeID: "E".repeat(65) }, "employeeID: must be at most 64 characters long"],
      [{ phone: "6".repeat(21) }, "phone: must be at most 20 characters long"],
      [{ email: `${"a".repeat(250)}@b.co` }, "email: must be an e-mail address (name@domain.tld) or null, at most 254 characters"],
      [{ organizationSerial: "C".repeat(65) }, "organizationSerial: must be at most 64 characters long"],
      [{ tagSerials: ["T".repeat(65)] }, "tagSerials: each serial must be at most 64 characters long"],
      [{ tagSerials: Array.from({ length: 101 }, (_, i) => `T${i}`) }, "tagSerials: must hold at most 100 serials"],
    ];
    for (const [fields, detail] of cases) {
      const reply = await t.call("POST", "/ruangkerja/users", user("L1", fields));
      expect(reply.status, detail).toBe(400);
      expect(reply.body.detail, JSON.stringify(fields).slice(0, 80)).toContain(detail);
    }
    expect(t.emulator.users()).toEqual([]);
    // At the limits, in characters beyond the BMP too: 200 emoji are 400 UTF-16 units.
    const atLimit = user("L2", {
      name: "😀".repeat(200),
      phone: "6".repeat(20),
      tagSerials: Array.from({ length: 100 }, (_, i) => `T${i}`.padEnd(64, "x")),
      organizationSerial: "C".repeat(64),
    });
    expect((await t.call("POST", "/ruangkerja/users", atLimit)).status).toBe(200);
  });

  it("refuses newEmployeeID, which only updates accept", async () => {
    const reply = await t.call("POST", "/ruangkerja/users", user("N2", { newEmployeeID: null }));
    expect(reply.status).toBe(400);
    expect(reply.body.errorCode).toBe(40002);
    expect(reply.body.detail).toContain("newEmployeeID: not accepted");
    expect(t.emulator.users()).toEqual([]);
  });
});

describe("POST /ruangkerja/users/create-bulk", () => {
  it("answers the seed page's success shape, echoing each item as sent", async () => {
    const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items: [SEED_CREATE_ITEM] });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["data", "status", "message"]);
    expect(Object.keys(reply.body.data)).toEqual(["failedItems", "successItems"]);
    expect(reply.body).toEqual({
      data: {
        failedItems: [],
        successItems: [{ payload: SEED_CREATE_ITEM, response: { serial: expect.stringMatching(SERIAL_PATTERN) } }],
      },
      status: "success",
      message: "success",
    });
    expect(Object.keys(reply.body.data.successItems[0])).toEqual(["payload", "response"]);
  });

  it("answers the seed page's failure shape with HTTP 200", async () => {
    await t.call("POST", "/ruangkerja/users", SEED_CREATE_ITEM);
    const item = { ...SEED_CREATE_ITEM, email: "someone.else@example.com" };
    const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items: [item] });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        failedItems: [
          {
            error: { detail: "employee id already been taken", errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS" },
            payload: item,
          },
        ],
        successItems: [],
      },
      status: "success",
      message: "success",
    });
    expect(Object.keys(reply.body.data.failedItems[0])).toEqual(["error", "payload"]);
    expect(Object.keys(reply.body.data.failedItems[0].error)).toEqual(["detail", "errorCode", "message"]);
  });

  it("processes items in order, each on its own: a later item sees an earlier one", async () => {
    const items = [
      user("B1"),
      user("B1", { email: "second@example.com" }),
      user("B2", { email: "B1@EXAMPLE.COM" }),
      user("B3", { phone: "12x" }),
      { employeeID: "B4", name: "Four", phone: "+628123", isActive: false },
      "not an object",
    ];
    const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items });
    expect(reply.status).toBe(200);
    expect(reply.body.data.successItems.map((s: { payload: { employeeID: string } }) => s.payload.employeeID)).toEqual(["B1", "B4"]);
    expect(reply.body.data.failedItems.map((f: { error: { errorCode: number } }) => f.error.errorCode)).toEqual([
      10101, 10102, 40001, 40004,
    ]);
    expect(reply.body.data.failedItems[3].payload).toBe("not an object");
    expect(reply.body.data.failedItems[2].error.detail).toBe("phone: must be a string of digits, optionally after a leading +, or null");
    expect(t.emulator.users().map((u) => u.employeeID)).toEqual(["B1", "B4"]);
  });

  it("gives each created user its own serial, matching what GET returns", async () => {
    const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items: [user("S1"), user("S2")] });
    const serials = reply.body.data.successItems.map((s: { response: { serial: string } }) => s.response.serial);
    expect(new Set(serials).size).toBe(2);
    expect(t.emulator.users().map((u) => u.serial)).toEqual(serials);
  });
});

describe("request bodies", () => {
  it("reads a body of many chunks whole, characters split across chunks included", async () => {
    // About 1 MB: many socket reads, so multi-byte characters land on chunk boundaries.
    const items = Array.from({ length: 8_000 }, (_, i) => user(`CHUNK${i}`, { name: `Ñandú ${i} 🦜 Łódź ${"é".repeat(i % 40)}` }));
    const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items });
    expect(reply.status).toBe(200);
    expect(reply.body.data.failedItems).toEqual([]);
    expect(t.emulator.users().map((u) => u.name)).toEqual(items.map((item) => item.name));
  });

  it("reads a body after a UTF-8 byte-order mark as the JSON that follows it", async () => {
    const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(user("BOM1")))]);
    const reply = await t.call("POST", "/ruangkerja/users", undefined, { raw });
    expect(reply.status).toBe(200);
    expect(t.emulator.users().map((u) => u.employeeID)).toEqual(["BOM1"]);
  });
});
