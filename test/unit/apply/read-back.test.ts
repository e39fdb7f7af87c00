import { describe, expect, it } from "vitest";
import type { UserView } from "../../../src/api/types.js";
import { userFieldsFromView } from "../../../src/api/user-view.js";
import { CREATE_FIELDS, compareFields, readBack, UPDATE_BULK_FIELDS } from "../../../src/apply/read-back.js";

const view: UserView = {
  employeeID: "E1",
  name: "Budi",
  username: "budi",
  email: "Budi@Contoh.co.id",
  phone: null,
  isActive: true,
  companyName: "X",
  companySerial: "C",
  organizationDisplayName: "Org",
  organizationLevelSerial: "ORG1",
  tags: [
    { serial: "T2", name: "two" },
    { serial: "T1", name: "one" },
  ],
};
const sent = {
  employeeID: "E1",
  name: "Budi",
  username: "budi",
  email: "budi@contoh.co.id",
  isActive: true,
  tagSerials: ["T1", "T2"],
  organizationSerial: "ORG1",
};

/** What the view holds, as our fields (the mapping read-back uses). */
const found = (v: UserView = view) => {
  const reading = userFieldsFromView(v);
  if (!reading.ok) throw new Error(reading.reason);
  return reading.fields;
};

describe("compareFields on a read-back view", () => {
  it("reads the view's own names: organizationLevelSerial, tags as objects (a set), e-mail in any case, null as absent", () => {
    expect(compareFields(sent, found(), CREATE_FIELDS)).toEqual([]);
  });

  it("names every field that differs, with what was sent and what was found", () => {
    const other = { ...sent, name: "Budi S", phone: "62811", tagSerials: ["T1"], organizationSerial: "ORG2" };
    expect(compareFields(other, found(), CREATE_FIELDS)).toEqual([
      { field: "name", sent: "Budi S", found: "Budi" },
      { field: "phone", sent: "62811", found: null },
      { field: "tagSerials", sent: ["T1"], found: ["T1", "T2"] },
      { field: "organizationSerial", sent: "ORG2", found: "ORG1" },
    ]);
  });

  it("compares only the fields the request sent (update-bulk sends no e-mail or organization)", () => {
    expect(compareFields({ ...sent, email: "new@x.co", organizationSerial: "ORG9" }, found(), UPDATE_BULK_FIELDS)).toEqual([]);
  });
});

describe("readBack", () => {
  it("tells same, different, missing and unreadable apart", async () => {
    const client = (reply: UserView | undefined | Error) => ({
      getUser: async () => {
        if (reply instanceof Error) throw reply;
        return reply;
      },
    });
    expect((await readBack(client(view), sent, CREATE_FIELDS)).outcome).toBe("same");
    expect(await readBack(client({ ...view, isActive: false }), sent, CREATE_FIELDS)).toMatchObject({
      outcome: "different",
      differences: [{ field: "isActive", sent: true, found: false }],
    });
    expect(await readBack(client(undefined), sent, CREATE_FIELDS)).toEqual({ outcome: "missing" });
    expect(await readBack(client(new Error("boom")), sent, CREATE_FIELDS)).toEqual({ outcome: "unreadable", reason: "boom" });
    expect(await readBack(client({ ...view, isActive: "yes" } as unknown as UserView), sent, CREATE_FIELDS)).toEqual({
      outcome: "unreadable",
      reason: "user view E1 has no isActive (true or false)",
    });
  });
});
