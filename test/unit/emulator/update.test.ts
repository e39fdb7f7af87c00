import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  SEED_CREATE_ITEM,
  SEED_PUT_BODY,
  SEED_UPDATE_BULK_ITEM,
  SERIAL_PATTERN,
  startTestEmulator,
  type TestEmulator,
  user,
} from "./helpers.js";

let t: TestEmulator;
let serial: string;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.close();
});
beforeEach(async () => {
  await t.reset();
  const created = await t.call("POST", "/ruangkerja/users", {
    ...SEED_CREATE_ITEM,
    username: "johnd",
    tagSerials: ["T1", "T2"],
  });
  serial = created.body.data.serial;
  expect(serial).toMatch(SERIAL_PATTERN);
});

const stored = (employeeID: string) => t.emulator.users().find((u) => u.employeeID === employeeID);

describe("PUT /ruangkerja/users/:employeeID", () => {
  it("answers the seed page's success shape with the user's own serial", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, name: "John D." });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body)).toEqual(["status", "message", "data"]);
    expect(reply.body).toEqual({ status: "success", message: "Success", data: { serial } });
    expect(stored("EMPLY001")).toMatchObject({ name: "John D.", username: null, tagSerials: ["RUKRTAG-9WHL0JGP"] });
  });

  it("renames with newEmployeeID, keeping the serial; the old id is gone", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, newEmployeeID: "EMPLY900" });
    expect(reply.body.data.serial).toBe(serial);
    expect(stored("EMPLY900")?.serial).toBe(serial);
    expect((await t.call("GET", "/ruangkerja/users/EMPLY001")).status).toBe(404);
    expect((await t.call("GET", "/ruangkerja/users/EMPLY900")).status).toBe(200);
  });

  it("refuses a rename onto a taken id with the seed page's failure", async () => {
    await t.call("POST", "/ruangkerja/users", user("TAKEN"));
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, newEmployeeID: "TAKEN" });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ errorCode: 10101, message: "USER_EMPLOYEE_ID_EXISTS", detail: "employee id already been taken" });
    expect(stored("EMPLY001")?.name).toBe("John Doe");
  });

  it("leaves absent fields unchanged", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { employeeID: "EMPLY001", name: "Only Name", isActive: false });
    expect(reply.status).toBe(200);
    expect(stored("EMPLY001")).toEqual({
      employeeID: "EMPLY001",
      name: "Only Name",
      username: "johnd",
      email: "john.doe@example.com",
      phone: "6281122334455",
      isActive: false,
      tagSerials: ["T1", "T2"],
      organizationSerial: "COMPFJLYTHWL",
      serial,
    });
  });

  it("clears fields sent as null, and tags sent as []", async () => {
    const body = {
      employeeID: "EMPLY001",
      name: "John Doe",
      isActive: true,
      newEmployeeID: null,
      username: null,
      phone: null,
      tagSerials: [],
      organizationSerial: null,
    };
    expect((await t.call("PUT", "/ruangkerja/users/EMPLY001", body)).status).toBe(200);
    expect(stored("EMPLY001")).toMatchObject({
      employeeID: "EMPLY001",
      username: null,
      phone: null,
      tagSerials: [],
      organizationSerial: null,
      email: "john.doe@example.com",
    });
    await t.call("PUT", "/ruangkerja/users/EMPLY001", { employeeID: "EMPLY001", name: "J", isActive: true, tagSerials: ["T9"] });
    expect(stored("EMPLY001")?.tagSerials).toEqual(["T9"]);
    await t.call("PUT", "/ruangkerja/users/EMPLY001", { employeeID: "EMPLY001", name: "J", isActive: true, tagSerials: null });
    expect(stored("EMPLY001")?.tagSerials).toEqual([]);
  });

  it("refuses email and password, which PUT does not accept", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, email: "new@example.com", password: "x" });
    expect(reply.status).toBe(400);
    expect(reply.body.errorCode).toBe(40002);
    expect(reply.body.detail).toBe(
      "email: not accepted by PUT /ruangkerja/users/:employeeID; password: not accepted by PUT /ruangkerja/users/:employeeID",
    );
    expect(stored("EMPLY001")?.email).toBe("john.doe@example.com");
  });

  it("requires the body's employeeID to equal the path's", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, employeeID: "OTHER" });
    expect(reply.status).toBe(400);
    expect(reply.body.errorCode).toBe(40001);
    expect(reply.body.detail).toContain("employeeID: must equal the employeeID in the path");
  });

  it("answers 404 USER_NOT_FOUND for an unknown user", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/NOBODY", { ...SEED_PUT_BODY, employeeID: "NOBODY" });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errorCode: 10104, message: "USER_NOT_FOUND", detail: 'no user has employeeID "NOBODY"' });
  });

  it("refuses a username another user has, whatever its case", async () => {
    await t.call("POST", "/ruangkerja/users", user("OTHER", { username: "Taken" }));
    const reply = await t.call("PUT", "/ruangkerja/users/EMPLY001", { ...SEED_PUT_BODY, username: "tAKEN" });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ errorCode: 10103, message: "USER_USERNAME_EXISTS", detail: "username already been taken" });
  });

  it("refuses to leave a user without email or phone", async () => {
    await t.call("POST", "/ruangkerja/users", { employeeID: "PHONEONLY", name: "P", phone: "0811", isActive: true });
    const reply = await t.call("PUT", "/ruangkerja/users/PHONEONLY", { employeeID: "PHONEONLY", name: "P", isActive: true, phone: null });
    expect(reply.status).toBe(400);
    expect(reply.body.errorCode).toBe(40001);
    expect(reply.body.detail).toContain("email or phone");
  });

  it("applies the employeeID alphabet to a percent-encoded path id", async () => {
    const reply = await t.call("PUT", "/ruangkerja/users/EMP%2D1", { ...SEED_PUT_BODY, employeeID: "EMP-1" });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toContain("employeeID: must be a string of letters");
  });
});

describe("POST /ruangkerja/users/update-bulk", () => {
  it("answers the seed page's success shape, echoing the item as sent", async () => {
    const reply = await t.call("POST", "/ruangkerja/users/update-bulk", { items: [SEED_UPDATE_BULK_ITEM] });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: { failedItems: [], successItems: [{ payload: SEED_UPDATE_BULK_ITEM, response: { serial } }] },
      status: "success",
      message: "success",
    });
    // The seed item leaves organizationSerial out (update-bulk does not take it): it is kept.
    expect(stored("EMPLY001")).toMatchObject({ username: null, tagSerials: ["RUKRTAG-9WHL0JGP"], organizationSerial: "COMPFJLYTHWL" });
  });

  it("answers the seed page's failure shape for a rename onto a taken id", async () => {
    await t.call("POST", "/ruangkerja/users", user("EMPLY002"));
    const item = { ...SEED_UPDATE_BULK_ITEM, newEmployeeID: "EMPLY002" };
    const reply = await t.call("POST", "/ruangkerja/users/update-bulk", { items: [item] });
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
  });

  it("fails items one by one: unknown user, unaccepted field, and a chain of renames", async () => {
    const items = [
      { ...SEED_UPDATE_BULK_ITEM, employeeID: "GHOST" },
      { ...SEED_UPDATE_BULK_ITEM, organizationSerial: "COMPX" },
      { ...SEED_UPDATE_BULK_ITEM, email: "x@example.com" },
      { ...SEED_UPDATE_BULK_ITEM, newEmployeeID: "STEP1" },
      { ...SEED_UPDATE_BULK_ITEM, employeeID: "STEP1", newEmployeeID: "STEP2" },
    ];
    const reply = await t.call("POST", "/ruangkerja/users/update-bulk", { items });
    const failed = reply.body.data.failedItems;
    expect(failed.map((f: { error: { errorCode: number } }) => f.error.errorCode)).toEqual([10104, 40002, 40002]);
    expect(failed[1].error.detail).toBe("organizationSerial: not accepted by POST /ruangkerja/users/update-bulk");
    expect(failed[2].error.detail).toBe("email: not accepted by POST /ruangkerja/users/update-bulk");
    expect(reply.body.data.successItems.map((s: { response: { serial: string } }) => s.response.serial)).toEqual([serial, serial]);
    expect(t.emulator.users().map((u) => u.employeeID)).toEqual(["STEP2"]);
  });
});
