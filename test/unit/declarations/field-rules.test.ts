import { describe, expect, it } from "vitest";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { errorsOf, expectDiagnostic, lines } from "./helpers.js";

const FILE = "users/fields.yaml";

/** Validates the lines as FILE; every diagnostic of a single file must be located in it. */
function check(...text: string[]) {
  const result = validateDeclarationText(FILE, lines(...text));
  for (const d of result.diagnostics) expect(d.location?.file, d.summary).toBe(FILE);
  return result;
}

/** A valid user's lines with one line replaced or added; line 2 is `- employeeID`, fields follow. */
function userWith(...fields: string[]) {
  return check("users:", "  - employeeID: E1", "    name: Budi Santoso", ...fields);
}

describe("field rules", () => {
  describe("required fields", () => {
    it("locates a missing employeeID or name at the user's mapping", () => {
      const { diagnostics } = check(
        "users:",
        "  - name: Budi",
        "    email: budi@contoh.co.id",
        "  - employeeID: E2",
        "    email: e2@contoh.co.id",
      );
      expectDiagnostic(diagnostics, {
        line: 2,
        column: 5,
        field: "users[0].employeeID",
        summary: "users[0] (Budi) has no employeeID",
        detail: "letters and digits",
      });
      expectDiagnostic(diagnostics, { line: 4, column: 5, field: "users[1].name", summary: "user E2 has no name" });
      expect(errorsOf(diagnostics)).toHaveLength(2);
    });

    it("requires email or phone, once per user", () => {
      const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi");
      expectDiagnostic(diagnostics, {
        line: 2,
        column: 5,
        field: "users[0]",
        summary: "user E1 has neither email nor phone",
        detail: "Add email: or phone:",
      });
      expect(diagnostics).toHaveLength(1);
    });

    it("accepts phone alone and email alone", () => {
      expect(userWith("    phone: '6281122334455'").diagnostics).toEqual([]);
      expect(userWith("    email: budi@contoh.co.id").diagnostics).toEqual([]);
    });

    it("requires the users: list", () => {
      const { diagnostics } = check("defaults:", "  isActive: true");
      expectDiagnostic(diagnostics, { line: 1, column: 1, summary: "the file has no users: list", detail: "users: []" });
    });
  });

  describe("unknown fields", () => {
    it.each([
      ["employeeId", "employeeID", "case-sensitive"],
      ["tags", "tagSerials", "Did you mean"],
      ["emial", "email", "Did you mean"],
      ["Phone", "phone", "case-sensitive"],
      ["organisation", "organizationSerial", "Did you mean"],
      ["nama", "name", "Did you mean"],
      ["active", "isActive", "Did you mean"],
      ["previousEmployeeIds", "previousEmployeeIDs", "case-sensitive"],
    ])("suggests the right name for %s (%s) at the key", (wrong, right, phrase) => {
      const { diagnostics } = userWith("    email: budi@contoh.co.id", `    ${wrong}: x`);
      const d = expectDiagnostic(diagnostics, {
        line: 5,
        column: 5,
        field: `users[0].${wrong}`,
        summary: `unknown field "${wrong}" in user E1`,
      });
      expect(d.detail).toContain(`"${right}"`);
      expect(d.detail).toContain(phrase);
    });

    it("lists the allowed fields when nothing is close", () => {
      const { diagnostics } = userWith("    email: budi@contoh.co.id", "    shoeSize: 42");
      expectDiagnostic(diagnostics, { line: 5, column: 5, field: "users[0].shoeSize", detail: "Allowed for a user: employeeID, name," });
    });

    it.each(["~: y", "null: y", '"": y', ": y"])("locates a key with no name (%s) at the key and says what to do", (line) => {
      const { diagnostics } = userWith("    email: budi@contoh.co.id", `    ${line}`);
      expectDiagnostic(diagnostics, {
        line: 5,
        column: 5,
        field: "users[0]",
        summary: "a key with no name in user E1",
        detail: "Give the field a name or remove the line",
      });
      expect(errorsOf(diagnostics)).toHaveLength(1);
    });

    it("names a key with no name at the top of the file and in defaults", () => {
      const top = check("users: []", "~: y");
      expectDiagnostic(top.diagnostics, { line: 2, column: 1, summary: "a key with no name at the top of the file" });
      expect(top.diagnostics[0]?.field).toBeUndefined();
      const defaults = check("defaults:", "  ~: y", "users: []");
      expectDiagnostic(defaults.diagnostics, { line: 2, column: 3, field: "defaults", summary: "a key with no name in defaults" });
    });

    it("suggests users for a top-level user:", () => {
      const { diagnostics } = check("users: []", "user: []");
      expectDiagnostic(diagnostics, {
        line: 2,
        column: 1,
        field: "user",
        summary: 'unknown field "user" at the top of the file',
        detail: '"users"',
      });
    });
  });

  describe("passwords", () => {
    it.each([
      [
        "in a user",
        ["users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    password: Rahasia123"],
        5,
        5,
        "users[0].password",
      ],
      ["in defaults", ["defaults:", "  password: Rahasia123", "users: []"], 2, 3, "defaults.password"],
      ["at the top", ["password: Rahasia123", "users: []"], 1, 1, "password"],
      [
        "under another spelling",
        ["users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    kata_sandi: Rahasia123"],
        5,
        5,
        "users[0].kata_sandi",
      ],
    ])("refuses a password %s and explains that RuangKerja e-mails one", (_where, text, line, column, field) => {
      const { diagnostics } = check(...text);
      const d = expectDiagnostic(diagnostics, {
        line,
        column,
        field,
        summary: "must not be written",
      });
      expect(d.detail).toContain("never go into git");
      expect(d.detail).toContain("generates one and e-mails it");
      expect(errorsOf(diagnostics)).toHaveLength(1);
    });
  });

  describe("defaults", () => {
    it.each(["employeeID", "name", "username", "email", "phone", "previousEmployeeIDs"])(
      "refuses %s as a default, saying it belongs to one person",
      (field) => {
        const { diagnostics } = check("defaults:", `  ${field}: x`, "users: []");
        expectDiagnostic(diagnostics, {
          line: 2,
          column: 3,
          field: `defaults.${field}`,
          summary: `${field} cannot be set in defaults`,
          detail: "belongs to one person",
        });
      },
    );

    it("suggests the defaults name for a near miss", () => {
      const { diagnostics } = check("defaults:", "  tags: [RUKRTAG-A]", "users: []");
      expectDiagnostic(diagnostics, {
        line: 2,
        column: 3,
        field: "defaults.tags",
        summary: 'unknown field "tags" in defaults',
        detail: '"tagSerials"',
      });
    });

    it("refuses defaults that are not a mapping", () => {
      expectDiagnostic(check("defaults: [isActive]", "users: []").diagnostics, {
        line: 1,
        column: 11,
        field: "defaults",
        summary: "defaults must be a mapping",
      });
      expectDiagnostic(check("defaults:", "users: []").diagnostics, { line: 1, field: "defaults", summary: "defaults has no value" });
    });
  });

  describe("values", () => {
    it("explains the employeeID alphabet and suggests a cleaned id", () => {
      const { diagnostics } = check("users:", '  - employeeID: "EMP 01"', "    name: Budi", "    phone: '62811'");
      const d = expectDiagnostic(diagnostics, {
        line: 2,
        column: 17,
        field: "users[0].employeeID",
        summary: 'employeeID "EMP 01" may contain only letters A–Z, a–z and digits 0–9 (no spaces, dashes or dots)',
      });
      expect(d.detail).toContain('"EMP01"');
    });

    it("mentions a space at the start or end of an id", () => {
      const { diagnostics } = check("users:", "  - employeeID: 'E1 '", "    name: Budi", "    phone: '62811'");
      expectDiagnostic(diagnostics, { line: 2, field: "users[0].employeeID", detail: "space at the start or end" });
    });

    it("applies the id alphabet to username and to previousEmployeeIDs", () => {
      const { diagnostics } = userWith("    phone: '62811'", "    username: budi.s", "    previousEmployeeIDs: [OLD1, OLD-2]");
      expectDiagnostic(diagnostics, {
        line: 5,
        column: 15,
        field: "users[0].username",
        summary: 'username "budi.s" may contain only letters',
      });
      expectDiagnostic(diagnostics, {
        line: 6,
        column: 33,
        field: "users[0].previousEmployeeIDs[1]",
        summary: 'previousEmployeeIDs[1] "OLD-2" may contain only',
      });
    });

    it("explains the phone format and shows it cleaned", () => {
      const { diagnostics } = userWith("    phone: '+62 812-1122-3344'");
      expectDiagnostic(diagnostics, {
        line: 4,
        column: 12,
        field: "users[0].phone",
        summary: "only digits, with an optional +",
        detail: '"+6281211223344"',
      });
    });

    it("refuses an invalid e-mail address", () => {
      const { diagnostics } = userWith("    email: budi@");
      expectDiagnostic(diagnostics, { line: 4, column: 12, field: "users[0].email", summary: '"budi@" is not a valid e-mail address' });
    });

    it("refuses an empty name, an empty tag and an empty organizationSerial", () => {
      const { diagnostics } = check(
        "users:",
        "  - employeeID: E1",
        "    name: '  '",
        "    phone: '62811'",
        "    tagSerials: [RUKRTAG-A, '']",
        "    organizationSerial: ''",
      );
      expectDiagnostic(diagnostics, { line: 3, column: 11, field: "users[0].name", summary: "name is empty" });
      expectDiagnostic(diagnostics, { line: 5, column: 29, field: "users[0].tagSerials[1]", summary: "tagSerials[1] is empty" });
      expectDiagnostic(diagnostics, {
        line: 6,
        column: 25,
        field: "users[0].organizationSerial",
        summary: "organizationSerial is empty",
        detail: "remove the line",
      });
    });

    it("points at the repeated item of a list", () => {
      const { diagnostics } = userWith(
        "    phone: '62811'",
        "    tagSerials:",
        "      - RUKRTAG-A",
        "      - RUKRTAG-B",
        "      - RUKRTAG-A",
      );
      expectDiagnostic(diagnostics, { line: 8, column: 9, field: "users[0].tagSerials[2]", summary: 'tagSerials lists "RUKRTAG-A" twice' });
    });

    it("says a list was expected when a single value is given", () => {
      const { diagnostics } = userWith("    phone: '62811'", "    tagSerials: RUKRTAG-A");
      expectDiagnostic(diagnostics, {
        line: 5,
        column: 17,
        field: "users[0].tagSerials",
        summary: "tagSerials must be a list",
        detail: '["RUKRTAG-A"]',
      });
    });

    it("says what an empty value is and what to do", () => {
      const { diagnostics } = userWith("    phone:");
      expectDiagnostic(diagnostics, { line: 4, field: "users[0].phone", summary: "phone has no value", detail: "remove the line" });
    });

    it("refuses a user listing its own employeeID among the previous ones", () => {
      const { diagnostics } = userWith("    phone: '62811'", "    previousEmployeeIDs: [E0, E1]");
      expectDiagnostic(diagnostics, {
        line: 5,
        column: 31,
        field: "users[0].previousEmployeeIDs[1]",
        summary: "user E1 lists its own employeeID",
      });
    });

    it("still finds its own employeeID among the previous ones when other items are wrong", () => {
      const { diagnostics } = userWith("    phone: '62811'", '    previousEmployeeIDs: [0042, E1, "E 2"]');
      expectDiagnostic(diagnostics, { line: 5, column: 27, field: "users[0].previousEmployeeIDs[0]", summary: "the number 42" });
      expectDiagnostic(diagnostics, { line: 5, column: 37, field: "users[0].previousEmployeeIDs[2]", summary: "may contain only" });
      expectDiagnostic(diagnostics, {
        line: 5,
        column: 33,
        field: "users[0].previousEmployeeIDs[1]",
        summary: "user E1 lists its own employeeID",
      });
    });

    it("collects every problem of a file, not just the first", () => {
      const { diagnostics } = check(
        "users:",
        "  - employeeID: E 1",
        "    name: Budi",
        "    phone: 62811",
        "  - employeeID: E2",
        "    name: Ani",
        "    email: ani@",
        "    isActive: no",
      );
      expect(errorsOf(diagnostics).map((d) => d.field)).toEqual([
        "users[0].employeeID",
        "users[0].phone",
        "users[1].email",
        "users[1].isActive",
      ]);
    });
  });
});

describe("names, serials and long addresses", () => {
  it("refuses a name that a block scalar left with a line break", () => {
    const { diagnostics } = check(
      "users:",
      "  - employeeID: E1",
      "    name: >",
      "      Siti",
      "      Nurhaliza",
      "    email: siti@contoh.co.id",
    );
    expectDiagnostic(diagnostics, { line: 3, column: 11, field: "users[0].name", summary: "contains a line break", detail: ">-" });
  });

  it("refuses a name with a space at the start or end, showing the trimmed one", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", '    name: " Budi "', "    email: budi@contoh.co.id");
    expectDiagnostic(diagnostics, { line: 3, field: "users[0].name", summary: "has a space at the start or end", detail: '"Budi"' });
  });

  it("accepts names in any script", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Zoë Tanoesoedibjo 陈伟", "    email: zoe@contoh.co.id");
    expect(diagnostics).toEqual([]);
  });

  it("refuses tag and organization serials with spaces", () => {
    const { diagnostics } = userWith("    email: budi@contoh.co.id", '    tagSerials: ["a b"]', '    organizationSerial: "X Y"');
    expectDiagnostic(diagnostics, { line: 5, field: "users[0].tagSerials[0]", summary: "only letters, digits and dashes" });
    expectDiagnostic(diagnostics, { line: 6, field: "users[0].organizationSerial", summary: "only letters, digits and dashes" });
  });

  it("refuses an e-mail address over 254 characters", () => {
    const { diagnostics } = userWith(`    email: ${"x".repeat(250)}@contoh.co.id`);
    expectDiagnostic(diagnostics, { line: 4, field: "users[0].email", summary: "longer than 254 characters" });
  });
});

describe("merge keys", () => {
  it("says that << is not supported and points to defaults", () => {
    const { diagnostics } = check(
      "users:",
      "  - &base",
      "    employeeID: E1",
      "    name: Budi",
      "    email: budi@contoh.co.id",
      "  - <<: *base",
      "    employeeID: E2",
    );
    expectDiagnostic(diagnostics, { line: 6, summary: "merge keys (<<) are not supported", detail: "defaults:" });
  });
});
