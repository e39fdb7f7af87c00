import { describe, expect, it } from "vitest";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { expectDiagnostic, lines } from "./helpers.js";

const FILE = "users/team.yaml";

describe("validateDeclarationText: normalization and defaults", () => {
  it("turns a minimal user into a desired user with isActive defaulted and no absent keys", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines("users:", "  - employeeID: ND0012", "    name: Budi Santoso", "    email: budi@contoh.co.id"),
    );
    expect(diagnostics).toEqual([]);
    expect(users).toEqual([
      {
        employeeID: "ND0012",
        name: "Budi Santoso",
        email: "budi@contoh.co.id",
        isActive: true,
        source: { file: FILE, line: 2, column: 5 },
      },
    ]);
    expect(Object.keys(users[0] ?? {})).toEqual(["employeeID", "name", "email", "isActive", "source"]);
  });

  it("keeps every field as written, sorts tagSerials and keeps previousEmployeeIDs in order", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines(
        "users:",
        "  - employeeID: ND0105",
        "    name: 'I Made  Wirawan'",
        "    username: madew",
        "    email: made@contoh.co.id",
        '    phone: "+6281122334455"',
        "    isActive: false",
        "    tagSerials: [RUKRTAG-Z, RUKRTAG-A, RUKRTAG-M]",
        "    organizationSerial: COMPENGR7K2M",
        "    previousEmployeeIDs: [CTR0031, CTR0002]",
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(users[0]).toEqual({
      employeeID: "ND0105",
      name: "I Made  Wirawan",
      username: "madew",
      email: "made@contoh.co.id",
      phone: "+6281122334455",
      isActive: false,
      tagSerials: ["RUKRTAG-A", "RUKRTAG-M", "RUKRTAG-Z"],
      organizationSerial: "COMPENGR7K2M",
      previousEmployeeIDs: ["CTR0031", "CTR0002"],
      source: { file: FILE, line: 2, column: 5 },
    });
  });

  it("applies defaults to users that do not set the field, and lets a user's own value win", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines(
        "defaults:",
        "  isActive: false",
        "  organizationSerial: COMPDEFAULT1",
        "  tagSerials: [RUKRTAG-B, RUKRTAG-A]",
        "users:",
        "  - employeeID: E1",
        "    name: Uses Defaults",
        "    phone: '628111'",
        "  - employeeID: E2",
        "    name: Overrides",
        "    phone: '628222'",
        "    isActive: true",
        "    organizationSerial: COMPOWN00002",
        "    tagSerials: [RUKRTAG-C]",
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(users.map(({ source: _source, ...u }) => u)).toEqual([
      {
        employeeID: "E1",
        name: "Uses Defaults",
        phone: "628111",
        isActive: false,
        tagSerials: ["RUKRTAG-A", "RUKRTAG-B"],
        organizationSerial: "COMPDEFAULT1",
      },
      {
        employeeID: "E2",
        name: "Overrides",
        phone: "628222",
        isActive: true,
        tagSerials: ["RUKRTAG-C"],
        organizationSerial: "COMPOWN00002",
      },
    ]);
  });

  it("replaces the default list with the user's list, never merges; an empty list means no tags", () => {
    const { users } = validateDeclarationText(
      FILE,
      lines(
        "defaults:",
        "  tagSerials: [RUKRTAG-DEFAULT]",
        "users:",
        "  - employeeID: E1",
        "    name: A",
        "    phone: '1'",
        "    tagSerials: [RUKRTAG-OWN]",
        "  - employeeID: E2",
        "    name: B",
        "    phone: '2'",
        "    tagSerials: []",
      ),
    );
    expect(users[0]?.tagSerials).toEqual(["RUKRTAG-OWN"]);
    expect(users[1]).not.toHaveProperty("tagSerials");
  });

  it("omits tagSerials and previousEmployeeIDs when they are empty", () => {
    const { users } = validateDeclarationText(
      FILE,
      lines("users:", "  - employeeID: E1", "    name: A", "    phone: '1'", "    tagSerials: []", "    previousEmployeeIDs: []"),
    );
    expect(users[0]).not.toHaveProperty("tagSerials");
    expect(users[0]).not.toHaveProperty("previousEmployeeIDs");
  });

  it("locates each user at the start of its list item, for block and flow items", () => {
    const { users } = validateDeclarationText(
      FILE,
      lines("users:", "  - employeeID: E1", "    name: A", "    phone: '1'", "", "  -   {employeeID: E2, name: B, phone: '2'}"),
    );
    expect(users.map((u) => u.source)).toEqual([
      { file: FILE, line: 2, column: 5 },
      { file: FILE, line: 6, column: 7 },
    ]);
  });

  it("accepts `users: []` without any diagnostic, and warns about an empty file", () => {
    expect(validateDeclarationText(FILE, "users: []\n")).toEqual({ users: [], diagnostics: [] });
    const empty = validateDeclarationText(FILE, "");
    expect(empty.users).toEqual([]);
    expectDiagnostic(empty.diagnostics, { severity: "warning", file: FILE, line: 1, column: 1, summary: "empty" });
    expectDiagnostic(validateDeclarationText(FILE, lines("# only a comment", "---")).diagnostics, {
      severity: "warning",
      summary: "empty",
    });
  });

  it("accepts a byte order mark silently and counts columns without it", () => {
    const { users, diagnostics } = validateDeclarationText(FILE, `\uFEFF${lines("users:", "- {employeeID: E1, name: A, phone: '1'}")}`);
    expect(diagnostics).toEqual([]);
    expect(users[0]?.source).toEqual({ file: FILE, line: 2, column: 3 });
  });

  it("accepts the yaml-language-server modeline and anchors used within limits", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines(
        "# yaml-language-server: $schema=../schemas/users.schema.json",
        "users:",
        "  - {employeeID: E1, name: A, phone: '1', tagSerials: &eng [RUKRTAG-A, RUKRTAG-B]}",
        "  - {employeeID: E2, name: B, phone: '2', tagSerials: *eng}",
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(users[1]?.tagSerials).toEqual(["RUKRTAG-A", "RUKRTAG-B"]);
  });

  it("returns the valid users of a file that has errors elsewhere (callers check for errors)", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines(
        "users:",
        "  - {employeeID: GOOD1, name: A, phone: '1'}",
        "  - {employeeID: BAD 2, name: B, phone: '2'}",
        "  - {employeeID: GOOD3, name: C, phone: '3'}",
      ),
    );
    expect(users.map((u) => u.employeeID)).toEqual(["GOOD1", "GOOD3"]);
    expectDiagnostic(diagnostics, { line: 3, field: "users[1].employeeID" });
  });

  it("returns no users when the defaults are invalid, since every user depends on them", () => {
    const { users, diagnostics } = validateDeclarationText(
      FILE,
      lines("defaults:", "  isActive: maybe", "users:", "  - {employeeID: E1, name: A, phone: '1'}"),
    );
    expect(users).toEqual([]);
    expectDiagnostic(diagnostics, { line: 2, column: 13, field: "defaults.isActive", summary: '"maybe" is text' });
  });
});
