import { describe, expect, it } from "vitest";
import { randomSerial, UserStore } from "../../../src/emulator/store.js";
import { type CreateInput, checkCreate, checkUpdate } from "../../../src/emulator/validation.js";

function input(id: string, extra: Partial<CreateInput> = {}): CreateInput {
  return {
    employeeID: id,
    name: `User ${id}`,
    username: null,
    email: `${id.toLowerCase()}@example.com`,
    phone: null,
    isActive: true,
    tagSerials: null,
    organizationSerial: null,
    ...extra,
  };
}

function counterSerials(): () => string {
  let n = 0;
  return () => `SERIAL${String(++n).padStart(10, "0")}`;
}

describe("randomSerial", () => {
  it("draws 16 uppercase letters and digits, different each time", () => {
    const serials = new Set(Array.from({ length: 200 }, randomSerial));
    expect(serials.size).toBe(200);
    for (const serial of serials) expect(serial).toMatch(/^[A-Z0-9]{16}$/);
  });

  it("stays distinct and uses every character at every position across many blocks of random bytes", () => {
    // 10,000 serials take about 2.6 blocks of 64 KiB: a block reused instead of refilled repeats serials.
    const serials = Array.from({ length: 10_000 }, randomSerial);
    expect(new Set(serials).size).toBe(serials.length);
    for (let position = 0; position < 16; position++) {
      // About 278 of each character per position; a missing one means a skewed or stuck draw.
      const seen = new Set(serials.map((serial) => serial[position]));
      expect([...seen].sort().join("")).toBe("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
  });
});

describe("UserStore", () => {
  it("creates users with a serial and lists them in creation order", () => {
    const store = new UserStore(counterSerials());
    const a = store.create(input("B1"));
    const b = store.create(input("A1"));
    expect(a.ok && a.user.serial).toBe("SERIAL0000000001");
    expect(b.ok && b.user.serial).toBe("SERIAL0000000002");
    expect(store.all().map((u) => u.employeeID)).toEqual(["B1", "A1"]);
  });

  it("keeps employeeID unique case-sensitively, email and username case-insensitively", () => {
    const store = new UserStore();
    expect(store.create(input("E1", { username: "john" })).ok).toBe(true);
    expect(store.create(input("e1", { email: "other@example.com" })).ok).toBe(true);
    const sameID = store.create(input("E1", { email: "x@example.com" }));
    expect(!sameID.ok && sameID.error.errorCode).toBe(10101);
    const sameEmail = store.create(input("E2", { email: "E1@EXAMPLE.com" }));
    expect(!sameEmail.ok && sameEmail.error.errorCode).toBe(10102);
    const sameUsername = store.create(input("E3", { username: "JOHN" }));
    expect(!sameUsername.ok && sameUsername.error.errorCode).toBe(10103);
  });

  it("renames in place: the serial and the position in the list stay, the old id is free again", () => {
    const store = new UserStore();
    store.create(input("A"));
    const created = store.create(input("B"));
    store.create(input("C"));
    const renamed = store.update({ employeeID: "B", newEmployeeID: "B2", name: "Bee", isActive: false });
    expect(renamed.ok && created.ok && renamed.user.serial === created.user.serial).toBe(true);
    expect(store.all().map((u) => u.employeeID)).toEqual(["A", "B2", "C"]);
    expect(store.get("B")).toBeUndefined();
    expect(store.create(input("B", { email: "b-again@example.com" })).ok).toBe(true);
  });

  it("refuses a rename onto another user's id but allows a rename onto its own", () => {
    const store = new UserStore();
    store.create(input("A"));
    store.create(input("B"));
    const taken = store.update({ employeeID: "B", newEmployeeID: "A", name: "B", isActive: true });
    expect(!taken.ok && taken.error.errorCode).toBe(10101);
    expect(store.update({ employeeID: "B", newEmployeeID: "B", name: "B", isActive: true }).ok).toBe(true);
  });

  it("lets a user keep its own username under another case, but not take someone else's", () => {
    const store = new UserStore();
    store.create(input("A", { username: "alice" }));
    store.create(input("B", { username: "bob" }));
    expect(store.update({ employeeID: "A", username: "ALICE", name: "A", isActive: true }).ok).toBe(true);
    const taken = store.update({ employeeID: "A", username: "Bob", name: "A", isActive: true });
    expect(!taken.ok && taken.error.errorCode).toBe(10103);
    // The freed username of a renamed-away value is reusable.
    expect(store.update({ employeeID: "B", username: null, name: "B", isActive: true }).ok).toBe(true);
    expect(store.update({ employeeID: "A", username: "bob", name: "A", isActive: true }).ok).toBe(true);
  });

  it("keeps absent fields, clears null ones, and deduplicates tags", () => {
    const store = new UserStore();
    store.create(input("A", { phone: "+62811", username: "a1", tagSerials: ["T1", "T2", "T1"], organizationSerial: "ORG" }));
    expect(store.get("A")?.tagSerials).toEqual(["T1", "T2"]);
    store.update({ employeeID: "A", name: "New", isActive: false });
    expect(store.get("A")).toMatchObject({ name: "New", isActive: false, phone: "+62811", username: "a1", organizationSerial: "ORG" });
    store.update({ employeeID: "A", name: "New", isActive: false, phone: null, username: null, tagSerials: [], organizationSerial: null });
    expect(store.get("A")).toMatchObject({ phone: null, username: null, tagSerials: [], organizationSerial: null });
  });

  it("refuses to clear the phone of a user without email", () => {
    const store = new UserStore();
    store.create(input("A", { email: null, phone: "0811" }));
    const result = store.update({ employeeID: "A", name: "A", isActive: true, phone: null });
    expect(!result.ok && result.error.errorCode).toBe(40001);
    expect(store.get("A")?.phone).toBe("0811");
  });

  it("answers USER_NOT_FOUND for an update of an unknown id", () => {
    const result = new UserStore().update({ employeeID: "NOPE", name: "x", isActive: true });
    expect(!result.ok && result.error).toMatchObject({ errorCode: 10104, message: "USER_NOT_FOUND" });
  });

  it("filters and pages", () => {
    const store = new UserStore();
    for (let i = 1; i <= 25; i++) store.create(input(`U${i}`, { isActive: i % 5 !== 0, phone: `0811${i}` }));
    const page = store.list({}, 3, 10);
    expect(page.totalItems).toBe(25);
    expect(page.items.map((u) => u.employeeID)).toEqual(["U21", "U22", "U23", "U24", "U25"]);
    expect(store.list({ isActive: false }, 1, 10).items.map((u) => u.employeeID)).toEqual(["U5", "U10", "U15", "U20", "U25"]);
    expect(store.list({ name: "user u1" }, 1, 100).totalItems).toBe(11); // U1, U10..U19
    expect(store.list({ employeeID: "u1" }, 1, 10).totalItems).toBe(0);
    expect(store.list({ employeeID: "U1" }, 1, 10).totalItems).toBe(1);
  });

  it("counts a revision per change and none for a refused one", () => {
    const store = new UserStore();
    const start = store.revision;
    store.create(input("A"));
    expect(store.revision).toBe(start + 1);
    store.create(input("A"));
    store.update({ employeeID: "ZZZ", name: "x", isActive: true });
    expect(store.revision).toBe(start + 1);
  });

  it("loads users and refuses duplicates without keeping half of them", () => {
    const store = new UserStore();
    const base = { username: null, phone: null, isActive: true, tagSerials: [], organizationSerial: null };
    store.load([{ ...base, employeeID: "A", name: "A", email: "a@example.com", serial: "S1" }]);
    expect(store.get("A")?.serial).toBe("S1");
    expect(() =>
      store.load([
        { ...base, employeeID: "A", name: "A", email: "a@example.com", serial: "S1" },
        { ...base, employeeID: "B", name: "B", email: "A@example.com", serial: "S2" },
      ]),
    ).toThrow(/email/);
    expect(store.size).toBe(0);
  });
});

describe("validation", () => {
  it("accepts the seed's create item and fills absent optional fields with null", () => {
    const checked = checkCreate({ employeeID: "EMPLY001", name: "John Doe", phone: "6281122334455", isActive: true });
    expect(checked).toEqual({
      ok: true,
      value: {
        employeeID: "EMPLY001",
        name: "John Doe",
        username: null,
        email: null,
        phone: "6281122334455",
        isActive: true,
        tagSerials: null,
        organizationSerial: null,
      },
    });
  });

  it("collects every broken rule of an item into one detail", () => {
    const checked = checkCreate({ employeeID: "EMP-1", name: " ", email: "nope", phone: "12a", isActive: "yes", tagSerials: [1] });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.errorCode).toBe(40001);
    for (const field of ["employeeID", "name", "email", "phone", "isActive", "tagSerials"]) {
      expect(checked.error.detail).toContain(`${field}:`);
    }
  });

  it("names unaccepted and unknown fields, per endpoint", () => {
    const put = checkUpdate({ employeeID: "A", name: "A", isActive: true, email: "a@example.com", password: "x" }, "update-one", "A");
    expect(!put.ok && put.error.errorCode).toBe(40002);
    expect(!put.ok && put.error.detail).toMatch(/email: not accepted by PUT.*password: not accepted by PUT/);
    const bulk = checkUpdate({ employeeID: "A", name: "A", isActive: true, organizationSerial: null }, "update-bulk");
    expect(!bulk.ok && bulk.error.detail).toContain("organizationSerial: not accepted by POST /ruangkerja/users/update-bulk");
    const create = checkCreate({ employeeID: "A", name: "A", isActive: true, phone: "1", newEmployeeID: "B", nickname: "x" });
    expect(!create.ok && create.error.detail).toBe(
      "newEmployeeID: not accepted by create (POST /ruangkerja/users, create-bulk); nickname: not a user field",
    );
  });

  it("keeps absent update fields absent and null ones null", () => {
    const checked = checkUpdate({ employeeID: "A", name: "A", isActive: true, phone: null }, "update-bulk");
    expect(checked.ok && checked.value).toEqual({ employeeID: "A", name: "A", isActive: true, phone: null });
  });

  it("requires the PUT body's employeeID to equal the path's", () => {
    const checked = checkUpdate({ employeeID: "A", name: "A", isActive: true }, "update-one", "B");
    expect(!checked.ok && checked.error.detail).toContain('must equal the employeeID in the path ("B")');
  });

  it("requires employeeID, name and isActive, also as null", () => {
    const checked = checkUpdate({ employeeID: null }, "update-bulk");
    expect(!checked.ok && checked.error.detail).toBe("employeeID: is required; name: is required; isActive: is required");
  });
});
