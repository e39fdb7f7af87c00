import { describe, expect, it } from "vitest";
import { userFieldsFromView } from "../../../src/api/user-view.js";
import { toUserView } from "../../../src/emulator/replies.js";

/** A view as docs/emulator.md and the API README show it. */
const view = {
  employeeID: "EMPLY001",
  name: "John Doe",
  username: "johndoe",
  email: "john.doe@example.com",
  phone: "6281122334455",
  isActive: true,
  companyName: "Emulated Company",
  companySerial: "COMPEMULATOR",
  organizationDisplayName: "Engineering",
  organizationLevelSerial: "COMPFJLYTHWL",
  tags: [
    { serial: "RUKRTAG-B", name: "Secure coding" },
    { serial: "RUKRTAG-A", name: "Onboarding" },
    { serial: "RUKRTAG-B", name: "Secure coding" },
  ],
};

describe("userFieldsFromView", () => {
  it("maps organizationLevelSerial to organizationSerial and tag objects to sorted, unique tagSerials", () => {
    expect(userFieldsFromView(view)).toEqual({
      ok: true,
      fields: {
        employeeID: "EMPLY001",
        name: "John Doe",
        username: "johndoe",
        email: "john.doe@example.com",
        phone: "6281122334455",
        isActive: true,
        tagSerials: ["RUKRTAG-A", "RUKRTAG-B"],
        organizationSerial: "COMPFJLYTHWL",
      },
    });
  });

  it("leaves out what is null, empty or absent, as declarations do (no tags: no tagSerials)", () => {
    const reading = userFieldsFromView({
      ...view,
      username: null,
      email: "",
      phone: undefined,
      organizationLevelSerial: null,
      tags: [],
      isActive: false,
    });
    expect(reading).toEqual({ ok: true, fields: { employeeID: "EMPLY001", name: "John Doe", isActive: false } });
    expect(Object.keys(reading.ok ? reading.fields : {})).toEqual(["employeeID", "name", "isActive"]);
    expect(userFieldsFromView({ ...view, tags: null })).toMatchObject({ ok: true, fields: { organizationSerial: "COMPFJLYTHWL" } });
  });

  it("keeps only the managed fields: company and display names are not ours", () => {
    const reading = userFieldsFromView(view);
    expect(reading.ok && Object.keys(reading.fields)).not.toContain("companySerial");
    expect(reading.ok && Object.keys(reading.fields)).not.toContain("organizationLevelSerial");
  });

  it.each([
    [null, "a user view is not an object"],
    [[], "a user view is not an object"],
    [{ ...view, employeeID: "" }, "a user view has no employeeID"],
    [{ ...view, name: 5 }, "user view EMPLY001 has no name"],
    [{ ...view, isActive: "true" }, "user view EMPLY001 has no isActive (true or false)"],
    [{ ...view, phone: 6281 }, "user view EMPLY001 has a phone that is not text"],
    [{ ...view, organizationLevelSerial: {} }, "user view EMPLY001 has a organizationLevelSerial that is not text"],
    [{ ...view, tags: "RUKRTAG-A" }, "user view EMPLY001 has tags that are not a list"],
    [{ ...view, tags: [{ name: "x" }] }, "user view EMPLY001 has a tag without a serial"],
  ])("refuses a view of the wrong shape: %j", (bad, reason) => {
    expect(userFieldsFromView(bad)).toEqual({ ok: false, reason });
  });

  it("reads back what the emulator stores, through the view its GET endpoints send", () => {
    const stored = {
      employeeID: "E1",
      name: "Budi",
      username: null,
      email: null,
      phone: "+6281",
      isActive: true,
      tagSerials: ["T2", "T1"],
      organizationSerial: "ORG1",
      serial: "OPENAPI9Z7ZIHIFW",
    };
    expect(userFieldsFromView(toUserView(stored))).toEqual({
      ok: true,
      fields: { employeeID: "E1", name: "Budi", phone: "+6281", isActive: true, tagSerials: ["T1", "T2"], organizationSerial: "ORG1" },
    });
  });
});
