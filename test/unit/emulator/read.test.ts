import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_CREATE_ITEM, startTestEmulator, type TestEmulator, user } from "./helpers.js";

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
  await t.call("POST", "/ruangkerja/users", SEED_CREATE_ITEM);
  const items = [];
  for (let i = 1; i <= 24; i++) {
    items.push(user(`U${String(i).padStart(2, "0")}`, { isActive: i % 4 !== 0, phone: i <= 12 ? `+62811${i}` : null }));
  }
  items.push({ employeeID: "PHONE1", name: "Siti Aminah", phone: "0812345", isActive: false });
  const reply = await t.call("POST", "/ruangkerja/users/create-bulk", { items });
  expect(reply.body.data.failedItems).toEqual([]);
});
afterAll(async () => {
  await t.emulator.close();
});

const ids = (items: { employeeID: string }[]) => items.map((item) => item.employeeID);

describe("GET /ruangkerja/users/:employeeID", () => {
  it("answers the user view in the success envelope", async () => {
    const reply = await t.call("GET", "/ruangkerja/users/EMPLY001");
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["status", "message", "data"]);
    expect(reply.body).toEqual({
      status: "success",
      message: "Success",
      data: {
        employeeID: "EMPLY001",
        name: "John Doe",
        username: null,
        email: "john.doe@example.com",
        phone: "6281122334455",
        isActive: true,
        companyName: "Emulated Company",
        companySerial: "COMPEMULATOR",
        organizationDisplayName: "COMPFJLYTHWL",
        organizationLevelSerial: "COMPFJLYTHWL",
        tags: [{ serial: "RUKRTAG-9WHL0JGP", name: "RUKRTAG-9WHL0JGP" }],
      },
    });
  });

  it("shows null organization and no tags for a user without them", async () => {
    const reply = await t.call("GET", "/ruangkerja/users/PHONE1");
    expect(reply.body.data).toMatchObject({ email: null, organizationDisplayName: null, organizationLevelSerial: null, tags: [] });
  });

  it("decodes a percent-encoded id", async () => {
    const reply = await t.call("GET", "/ruangkerja/users/EMPLY%30%30%31");
    expect(reply.body.data?.employeeID).toBe("EMPLY001");
  });

  it("answers 404 USER_NOT_FOUND for an unknown id, which is case-sensitive", async () => {
    const reply = await t.call("GET", "/ruangkerja/users/emply001");
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorCode: 10104, message: "USER_NOT_FOUND", detail: 'no user has employeeID "emply001"' });
  });
});

describe("GET /ruangkerja/users", () => {
  it("answers page 1 of 10 by default, in creation order", async () => {
    const reply = await t.call("GET", "/ruangkerja/users");
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.data)).toEqual(["currentPage", "totalItems", "totalPage", "items"]);
    expect(reply.body.status).toBe("success");
    expect(reply.body.message).toBe("Success");
    expect(reply.body.data).toMatchObject({ currentPage: 1, totalItems: 26, totalPage: 3 });
    expect(ids(reply.body.data.items)).toEqual(["EMPLY001", "U01", "U02", "U03", "U04", "U05", "U06", "U07", "U08", "U09"]);
    expect(reply.body.data.items[0].companyName).toBe("Emulated Company");
  });

  it("pages with page and pageSize, and answers an empty page past the end", async () => {
    const last = await t.call("GET", "/ruangkerja/users?page=3&pageSize=12");
    expect(last.body.data).toMatchObject({ currentPage: 3, totalItems: 26, totalPage: 3 });
    expect(ids(last.body.data.items)).toEqual(["U24", "PHONE1"]);
    const past = await t.call("GET", "/ruangkerja/users?page=9&pageSize=100");
    expect(past.body.data).toEqual({ currentPage: 9, totalItems: 26, totalPage: 1, items: [] });
  });

  it("accepts pageSize 100 and refuses 101", async () => {
    expect((await t.call("GET", "/ruangkerja/users?pageSize=100")).body.data.items).toHaveLength(26);
    const reply = await t.call("GET", "/ruangkerja/users?pageSize=101");
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      errorCode: 40001,
      message: "VALIDATION_ERROR",
      detail: "pageSize: must be an integer from 1 to 100",
    });
  });

  it("refuses page 0, fractions, repeated parameters and unknown ones", async () => {
    const bad = await t.call("GET", "/ruangkerja/users?page=0&pageSize=1.5&isActive=yes&name=a&name=b");
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe(
      "page: must be an integer from 1; pageSize: must be an integer from 1 to 100; isActive: must be true or false; name: given more than once",
    );
    const unknown = await t.call("GET", "/ruangkerja/users?page_size=5");
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      errorCode: 40002,
      message: "FIELD_NOT_ACCEPTED",
      detail: "page_size: not a query parameter of GET /ruangkerja/users",
    });
  });

  it("filters by isActive", async () => {
    const inactive = await t.call("GET", "/ruangkerja/users?isActive=false&pageSize=100");
    expect(ids(inactive.body.data.items)).toEqual(["U04", "U08", "U12", "U16", "U20", "U24", "PHONE1"]);
    const active = await t.call("GET", "/ruangkerja/users?isActive=true&pageSize=100");
    expect(active.body.data.totalItems).toBe(19);
  });

  it("filters by exact employeeID", async () => {
    expect(ids((await t.call("GET", "/ruangkerja/users?employeeID=U01")).body.data.items)).toEqual(["U01"]);
    expect((await t.call("GET", "/ruangkerja/users?employeeID=U0")).body.data.totalItems).toBe(0);
    expect((await t.call("GET", "/ruangkerja/users?employeeID=u01")).body.data.totalItems).toBe(0);
  });

  it("filters name, email and phone by case-insensitive substring, combined with AND", async () => {
    expect(ids((await t.call("GET", "/ruangkerja/users?name=siti%20AMI")).body.data.items)).toEqual(["PHONE1"]);
    expect(ids((await t.call("GET", "/ruangkerja/users?email=U2&pageSize=100")).body.data.items)).toEqual([
      "U20",
      "U21",
      "U22",
      "U23",
      "U24",
    ]);
    expect(ids((await t.call("GET", "/ruangkerja/users?phone=%2B628111&pageSize=100")).body.data.items)).toEqual([
      "U01",
      "U10",
      "U11",
      "U12",
    ]);
    const combined = await t.call("GET", "/ruangkerja/users?phone=62811&isActive=false&name=user");
    expect(ids(combined.body.data.items)).toEqual(["U04", "U08", "U12"]);
  });

  it("refuses an empty filter value", async () => {
    const reply = await t.call("GET", "/ruangkerja/users?email=");
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toBe("email: must not be empty");
  });
});
