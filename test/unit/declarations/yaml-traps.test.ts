import { describe, expect, it } from "vitest";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { errorsOf, expectDiagnostic, lines } from "./helpers.js";

const FILE = "users/traps.yaml";

/** Validates the lines as FILE; every diagnostic of a single file must be located in it. */
function check(...text: string[]) {
  const result = validateDeclarationText(FILE, lines(...text));
  for (const d of result.diagnostics) expect(d.location?.file, d.summary).toBe(FILE);
  return result;
}

describe("YAML traps", () => {
  it("tells to quote an unquoted phone, showing the number as written", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: 6281122334455");
    const d = expectDiagnostic(diagnostics, {
      file: FILE,
      line: 4,
      column: 12,
      field: "users[0].phone",
      summary: "read by YAML as a number",
    });
    expect(d.detail).toContain('phone: "6281122334455"');
  });

  it("quotes an id with leading zeros from its source text, not from the number it became", () => {
    const { diagnostics } = check("users:", "  - employeeID: 001234", "    name: Budi", "    email: budi@contoh.co.id");
    const d = expectDiagnostic(diagnostics, { line: 2, column: 17, field: "users[0].employeeID", summary: "the number 1234" });
    expect(d.detail).toContain('employeeID: "001234"');
    expect(d.detail).toContain("leading");
  });

  it("quotes numeric items of previousEmployeeIDs as list items", () => {
    const { diagnostics } = check(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    phone: '62811'",
      "    previousEmployeeIDs:",
      "      - 12345",
      "      - 007",
    );
    expectDiagnostic(diagnostics, {
      line: 6,
      column: 9,
      field: "users[0].previousEmployeeIDs[0]",
      detail: 'quotes so it is kept exactly as written: "12345"',
    });
    expectDiagnostic(diagnostics, { line: 7, column: 9, field: "users[0].previousEmployeeIDs[1]", detail: '"007"' });
  });

  it("keeps a + and every digit of a long phone in the quoted form", () => {
    const { diagnostics } = check("users:", "  - {employeeID: E1, name: Budi, phone: +628112233445566778899}");
    expectDiagnostic(diagnostics, { line: 2, column: 41, field: "users[0].phone", detail: 'phone: "+628112233445566778899"' });
  });

  it("advises removing a tag that makes a quoted value a number, without doubling the quotes", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", '    phone: !!int "12"');
    const d = expectDiagnostic(diagnostics, { line: 4, column: 18, field: "users[0].phone", summary: "tagged !!int" });
    expect(d.detail).toContain('Remove the !!int tag so it is kept exactly as written: phone: "12"');
    expect(d.detail).not.toContain('""');
  });

  it.each([
    ["!!timestamp 2001-12-14", "a date/time (!!timestamp)", 'Remove the !!timestamp tag and put the value in quotes: phone: "2001-12-14"'],
    ["!!binary aGVsbG8=", "binary data (!!binary)", 'Remove the !!binary tag and put the value in quotes: phone: "aGVsbG8="'],
  ])("describes phone: %s as what YAML made of it", (value, kind, advice) => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", `    phone: ${value}`);
    const d = expectDiagnostic(diagnostics, { line: 4, field: "users[0].phone", summary: `phone must be text, but it is ${kind}` });
    expect(d.detail).toContain(advice);
  });

  it("blames a !!str tag, not YAML 1.2, for isActive: !!str true", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    isActive: !!str true");
    expectDiagnostic(diagnostics, {
      line: 5,
      field: "users[0].isActive",
      summary: '"true" is text',
      detail: "Remove the !!str tag: isActive: true",
    });
  });

  it("refuses a user written as a !!set, once, instead of reading it as a user without fields", () => {
    const { diagnostics } = check("users:", "  - !!set {a, b}", "  - employeeID: E2", "    name: Ani", "    phone: '62811'");
    expectDiagnostic(diagnostics, {
      line: 2,
      column: 11,
      field: "users[0]",
      summary: "users[0] must be a user (employeeID:, name:, email: …), but it is a set (!!set)",
      detail: "Remove the !!set tag",
    });
    expect(diagnostics).toHaveLength(1);
  });

  it("refuses defaults written as a !!set, which the schema alone would take for empty defaults", () => {
    const { diagnostics } = check("defaults: !!set {isActive}", "users: []");
    expectDiagnostic(diagnostics, { line: 1, field: "defaults", summary: "defaults must be a mapping", detail: "Remove the !!set tag" });
    expect(diagnostics).toHaveLength(1);
  });

  it.each([
    ["yes", "true", "YAML 1.2 reads yes/no/on/off as text"],
    ["no", "false", "YAML 1.2 reads yes/no/on/off as text"],
    ["on", "true", "YAML 1.2 reads yes/no/on/off as text"],
    ["off", "false", "YAML 1.2 reads yes/no/on/off as text"],
    ['"false"', "false", "Remove the quotes"],
  ])("explains isActive: %s and suggests isActive: %s", (written, meant, phrase) => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", `    isActive: ${written}`);
    const d = expectDiagnostic(diagnostics, { line: 5, column: 15, field: "users[0].isActive", summary: "is text, not true or false" });
    expect(d.detail).toContain(phrase);
    expect(d.detail).toContain(`isActive: ${meant}`);
  });

  it("reports a duplicate key at the second occurrence, naming the key and its field", () => {
    const { users, diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    name: Ani");
    expect(users).toEqual([]);
    expectDiagnostic(diagnostics, { line: 5, column: 5, field: "users[0].name", summary: '"name" is written twice' });
  });

  it("still reports the file's other problems after a duplicate key", () => {
    const { users, diagnostics } = check(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    name: Ani",
      "  - employeeID: E 2",
      "    name: Sari",
    );
    expect(users).toEqual([]);
    expectDiagnostic(diagnostics, { line: 4, column: 5, summary: '"name" is written twice' });
    expectDiagnostic(diagnostics, { line: 5, field: "users[1].employeeID", summary: "may contain only letters" });
    expectDiagnostic(diagnostics, { line: 5, field: "users[1]", summary: "has neither email nor phone" });
  });

  it("reports a key with no name written twice without an empty name or field path", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    ~: a", "    null: b");
    expectDiagnostic(diagnostics, {
      line: 6,
      column: 5,
      field: "users[0]",
      summary: "a key with no name (~, null or nothing before the colon) is written twice",
    });
  });

  it("reports a duplicate top-level key", () => {
    const { diagnostics } = check("users: []", "users: []");
    expectDiagnostic(diagnostics, { line: 2, column: 1, field: "users", summary: '"users" is written twice' });
  });

  it("names a tab used for indentation, once per line, instead of yaml's confusing follow-up errors", () => {
    const first = check("users:", "\t- employeeID: E1");
    expectDiagnostic(first.diagnostics, { line: 2, column: 1, summary: "line 2 is indented with a tab", detail: "only spaces" });
    const second = check("users:", "  - employeeID: E1", "  \tname: Budi", "    phone: '62811'");
    expectDiagnostic(second.diagnostics, { line: 3, column: 1, summary: "line 3 is indented with a tab" });
    expect(second.diagnostics).toHaveLength(1);
  });

  it("locates a YAML syntax error and says what to do", () => {
    const { diagnostics } = check("users:", '  - employeeID: "E1', "    name: Budi");
    expectDiagnostic(diagnostics, { line: 4, column: 1, summary: /YAML syntax error: missing closing "quote/i, detail: "Close the quote" });
  });

  it("explains a missing colon", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name Budi", "    phone: '62811'");
    expectDiagnostic(diagnostics, { line: 3, column: 5, summary: "YAML syntax error", detail: "missing colon" });
  });

  it("refuses a document that is not a mapping", () => {
    const { diagnostics } = check("- employeeID: E1", "  name: Budi");
    expectDiagnostic(diagnostics, { line: 1, column: 1, summary: "the file must be a mapping with a users: list, but it is a list" });
  });

  it("refuses a users: that is not a list, and an empty users:", () => {
    expectDiagnostic(check("users:", "  employeeID: E1", "  name: Budi").diagnostics, {
      line: 2,
      column: 3,
      field: "users",
      summary: "users must be a list, but it is a mapping",
    });
    expectDiagnostic(check("users:").diagnostics, { line: 1, field: "users", summary: "users has no value", detail: "users: []" });
  });

  it("refuses a user item that is not a mapping, e.g. a bare id or a lone dash", () => {
    const { diagnostics } = check("users:", "  - E1", "  -");
    expectDiagnostic(diagnostics, {
      line: 2,
      column: 5,
      field: "users[0]",
      summary: 'must be a user (employeeID:, name:, email: …), but it is text ("E1")',
    });
    expectDiagnostic(diagnostics, { line: 3, field: "users[1]", summary: "users[1] is empty" });
  });

  it.each([
    ["brackets", `users: ${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["indentation", `users:${Array.from({ length: 3000 }, (_, i) => `\n${" ".repeat(i + 1)}k:`).join("")}`],
  ])("says the file is nested too deeply (%s), once, instead of a stack overflow", (_how, text) => {
    const { diagnostics } = check(text);
    const d = expectDiagnostic(diagnostics, { summary: "nested too deeply", detail: "only a few levels" });
    expect(d.summary).not.toMatch(/call stack/i);
    expect(diagnostics).toHaveLength(1);
  });

  it("names old Mac line endings (CR only) in one located error", () => {
    const text = ["users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", ""].join("\r");
    const { diagnostics } = validateDeclarationText(FILE, text);
    expectDiagnostic(diagnostics, { file: FILE, line: 1, column: 7, summary: "old Mac line endings", detail: "LF or CRLF" });
    expect(diagnostics).toHaveLength(1);
  });

  it("locates a lone CR among LF line endings, and reads CRLF files as they are", () => {
    const mixed = validateDeclarationText(FILE, "users:\n  - employeeID: E1\n    name: Budi\r    phone: '62811'\n");
    expectDiagnostic(mixed.diagnostics, { line: 3, column: 15, summary: "old Mac line endings" });
    const crlf = validateDeclarationText(FILE, "users:\r\n  - employeeID: E1\r\n    name: Budi\r\n    phone: '62811'\r\n");
    expect(crlf.diagnostics).toEqual([]);
  });

  it("refuses several documents in one file", () => {
    const { diagnostics } = check("users: []", "---", "users: []");
    expectDiagnostic(diagnostics, { line: 2, column: 1, summary: "more than one YAML document" });
  });

  it("stops an alias bomb with a located error instead of hanging", () => {
    const { diagnostics } = check(
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "users: *f",
    );
    expectDiagnostic(diagnostics, { line: 2, column: 8, summary: "expand to too many values" });
  });

  it("locates an alias whose anchor is not defined", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    tagSerials: *engTags");
    expectDiagnostic(diagnostics, { line: 5, column: 17, summary: "the alias *engTags refers to an anchor that is not defined" });
  });

  it("reads YAML 1.2 even when a %YAML 1.1 directive asks otherwise, and warns about the directive", () => {
    const { diagnostics } = check("%YAML 1.1", "---", "users:", "  - {employeeID: E1, name: Budi, phone: '1', isActive: yes}");
    expectDiagnostic(diagnostics, { severity: "warning", line: 1, summary: "%YAML 1.1 directive is ignored" });
    expectDiagnostic(diagnostics, { line: 4, field: "users[0].isActive", summary: '"yes" is text' });
  });

  it("refuses a custom tag, at the tag, and declares no user of the file", () => {
    const { users, diagnostics } = check("users:", "  - {employeeID: !id E1, name: Budi, phone: '1'}");
    const d = expectDiagnostic(diagnostics, { line: 2, column: 18, summary: "YAML: unresolved tag: !id" });
    expect(d.detail).toContain("Remove the tag");
    expect(users).toEqual([]);
  });

  it.each([
    ["!env", "    name: !env BUDI_NAME", "!env"],
    ["!!js/function", '    name: !!js/function "function () { return 1 }"', "!!js/function"],
    ["a verbatim tag", "    name: !<tag:example.com,2000:x> Budi", "!<tag:example.com,2000:x>"],
    ["a tag on a key", "    !secret name: Budi", "!secret"],
  ])("refuses %s as an error", (_label, line, tag) => {
    const { users, diagnostics } = check("users:", "  - employeeID: E1", line, "    phone: '1'");
    expectDiagnostic(diagnostics, { line: 3, summary: `YAML: unresolved tag: ${tag}` });
    expect(errorsOf(diagnostics).length).toBeGreaterThan(0);
    expect(users).toEqual([]);
  });
});
