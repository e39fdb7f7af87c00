/**
 * The text rule (src/declarations/text-rules.ts): every text value of a declaration is refused
 * when it holds a control character, a line break, a bidirectional control, an invisible
 * character or a lone surrogate, located at the value, naming the code point, the value escaped;
 * on both ways a file is read (the fast reader must give up on them, so that yaml's path reports).
 */
import { describe, expect, it } from "vitest";
import { loadDeclarations, validateDeclarationText } from "../../../src/declarations/index.js";
import { parseCommonDeclarationText } from "../../../src/declarations/fast-parse.js";
import { findUnsafeText } from "../../../src/declarations/text-rules.js";
import { formatDiagnostics } from "../../../src/diagnostics.js";
import { cleanup, errorsOf, expectDiagnostic, lines, makeTree } from "./helpers.js";

const FILE = "users/text.yaml";

/** A valid file of one user, with `field: value` replaced or added on line 4 or later. */
function userFile(...fields: string[]): string {
  const base = new Map([
    ["employeeID", "E1"],
    ["name", "Budi Santoso"],
    ["email", "budi@contoh.co.id"],
  ]);
  const extra: string[] = [];
  for (const field of fields) {
    const key = field.slice(0, field.indexOf(":"));
    if (base.has(key)) base.set(key, field.slice(key.length + 2));
    else extra.push(field);
  }
  const body = [...base].map(([key, value]) => `${key}: ${value}`).concat(extra);
  return lines("users:", ...body.map((line, i) => `${i === 0 ? "  - " : "    "}${line}`));
}

/** One character of each class, written raw in a double-quoted scalar where YAML allows it, else as an escape. */
const CLASSES: readonly (readonly [string, string, string, RegExp])[] = [
  ["NUL", "\\0", "U+0000", /a control character U\+0000/],
  ["ESC", "\\e", "U+001B", /a control character U\+001B/],
  ["a line feed", "\\n", "U+000A", /a line break U\+000A/],
  ["a carriage return", "\\r", "U+000D", /a line break U\+000D/],
  ["DEL", "\u007f", "U+007F", /a control character U\+007F/],
  ["NEL (C1)", "\\N", "U+0085", /a line break U\+0085/],
  ["CSI (C1)", "\\x9b", "U+009B", /a control character U\+009B/],
  ["LRE", "\u202a", "U+202A", /a bidirectional control character U\+202A/],
  ["RLE", "\u202b", "U+202B", /a bidirectional control character U\+202B/],
  ["PDF", "\u202c", "U+202C", /a bidirectional control character U\+202C/],
  ["LRO", "\u202d", "U+202D", /a bidirectional control character U\+202D/],
  ["RLO", "\u202e", "U+202E", /a bidirectional control character U\+202E/],
  ["LRI", "\u2066", "U+2066", /a bidirectional control character U\+2066/],
  ["RLI", "\u2067", "U+2067", /a bidirectional control character U\+2067/],
  ["FSI", "\u2068", "U+2068", /a bidirectional control character U\+2068/],
  ["PDI", "\u2069", "U+2069", /a bidirectional control character U\+2069/],
  ["RLM", "\u200f", "U+200F", /a bidirectional control character U\+200F/],
  ["a zero-width space", "\u200b", "U+200B", /an invisible character U\+200B/],
  ["a word joiner", "\u2060", "U+2060", /an invisible character U\+2060/],
  ["a byte-order mark", "\ufeff", "U+FEFF", /an invisible character U\+FEFF/],
  ["a tag character", "\\U000E0041", "U+E0041", /an invisible character U\+E0041/],
  ["a line separator", "\\L", "U+2028", /a line break U\+2028/],
  ["a paragraph separator", "\\P", "U+2029", /a line break U\+2029/],
  ["a lone surrogate", "\\uD800", "U+D800", /a lone surrogate U\+D800/],
];

describe("the text rule", () => {
  it.each(CLASSES)("refuses %s in a name, at the value, naming it and showing the value escaped", (_what, written, code, says) => {
    const { users, diagnostics } = validateDeclarationText(FILE, userFile(`name: "Bu${written}di"`));
    expect(users).toEqual([]);
    expect(errorsOf(diagnostics)).toHaveLength(1);
    const d = expectDiagnostic(diagnostics, { line: 3, column: 11, field: "users[0].name", summary: says });
    expect(d.summary).toContain(code);
    // The value as JSON would write it, further escaped: never the character itself.
    expect(d.summary).toMatch(/^name "Bu\\u[0-9a-f]{4}(?:\\u[0-9a-f]{4})?di" contains|^name "Bu\\[nr]di" contains/);
    expect(d.detail).toContain('e.g. "Bu');
  });

  it.each(["\u202e", "\u200b", "\u2060", "\u2066", "\ufeff", "\u00ad"])(
    "refuses %j written raw in a plain scalar, which the fast reader must leave to yaml",
    (char) => {
      const text = userFile(`name: Budi${char} Santoso`);
      expect(parseCommonDeclarationText(FILE, text)).toBeUndefined();
      const { users, diagnostics } = validateDeclarationText(FILE, text);
      expect(users).toEqual([]);
      expectDiagnostic(diagnostics, {
        line: 3,
        column: 11,
        field: "users[0].name",
        summary: /contains an? (?:bidirectional control|invisible) character U\+/,
      });
    },
  );

  it.each([
    ["employeeID", 'employeeID: "E\u202e1"', 2, 17, "users[0].employeeID"],
    ["username", 'username: "budi\u200b"', 5, 15, "users[0].username"],
    ["email", 'email: "budi\u202e@contoh.co.id"', 4, 12, "users[0].email"],
    ["phone", 'phone: "62811\u2066"', 5, 12, "users[0].phone"],
    ["organizationSerial", 'organizationSerial: "COMP\u2060X"', 5, 25, "users[0].organizationSerial"],
    ["a tag serial", 'tagSerials: [RUKRTAG-1, "RUKRTAG-\u202e2"]', 5, 29, "users[0].tagSerials[1]"],
    ["a previous employeeID", 'previousEmployeeIDs: ["OLD\u200b1"]', 5, 27, "users[0].previousEmployeeIDs[0]"],
    ["passwordEnv", 'passwordEnv: "BUDI\u202ePW"', 5, 18, "users[0].passwordEnv"],
  ])("refuses one in %s with one message (the rule's, not also the field's pattern)", (_what, line, row, column, field) => {
    const { users, diagnostics } = validateDeclarationText(FILE, userFile(line));
    expect(users).toEqual([]);
    expect(errorsOf(diagnostics), formatDiagnostics(diagnostics, { color: false })).toHaveLength(1);
    expectDiagnostic(diagnostics, { line: row, column, field, summary: /contains an? .* U\+(?:202E|200B|2066|2060)/ });
  });

  it("refuses one in defaults, which then no user of the file gets", () => {
    const text = lines("defaults:", '  organizationSerial: "COMP\u202eX"', ...userFile().split("\n").filter(Boolean));
    const { users, diagnostics } = validateDeclarationText(FILE, text);
    expect(users).toEqual([]);
    expectDiagnostic(diagnostics, { line: 2, column: 23, field: "defaults.organizationSerial", summary: "U+202E" });
  });

  it("names every character of a value, by kind, once each", () => {
    const { diagnostics } = validateDeclarationText(FILE, userFile('name: "a\\u202Eb\\u200Bc\\u202Ed\\u202Ce"'));
    expectDiagnostic(diagnostics, {
      summary: "contains bidirectional control characters U+202E, U+202C and an invisible character U+200B",
      detail: /reviewer[\s\S]*cannot be seen[\s\S]*e\.g\. "abcde"/,
    });
  });

  it("keeps a refused employeeID out of the rules across files", async () => {
    const root = await makeTree({
      "users/a.yaml": userFile('employeeID: "E\u202e1"'),
      "users/b.yaml": userFile('employeeID: "E\u202e1"', "email: other@contoh.co.id"),
    });
    try {
      const result = await loadDeclarations({ dir: "users", cwd: root });
      expect(errorsOf(result.diagnostics).map((d) => d.summary)).toEqual([
        'employeeID "E\\u202e1" contains a bidirectional control character U+202E',
        'employeeID "E\\u202e1" contains a bidirectional control character U+202E',
      ]);
    } finally {
      await cleanup(root);
    }
  });

  it("also refuses values under keys that are not fields, besides the unknown key", () => {
    const { diagnostics } = validateDeclarationText(FILE, userFile('nickname: "x\u202e"'));
    expectDiagnostic(diagnostics, { field: "users[0].nickname", summary: 'unknown field "nickname"' });
    expectDiagnostic(diagnostics, { field: "users[0].nickname", summary: "U+202E" });
  });

  it("reports an unknown key holding a line break and a workflow command as an unknown field, printed escaped", () => {
    const text = lines(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    email: b@contoh.co.id",
      '    "x\\n::error title=Forged::all good": 1',
    );
    const { diagnostics } = validateDeclarationText(FILE, text);
    const d = expectDiagnostic(diagnostics, {
      line: 5,
      column: 5,
      summary: 'unknown field "x\\n::error title=Forged::all good" in user E1',
    });
    // The field holds the key: escaped, as an excerpt, like the summary.
    expect(d.field).toBe("users[0].x\\n::error title=Forged::all good");
    const printed = formatDiagnostics(diagnostics, { color: false });
    expect(printed.split("\n").some((l) => l.trimStart().startsWith("::"))).toBe(false);
    expect(printed).toContain("[users[0].x\\n::error title=Forged::all good]");
  });
});

describe("what the text rule lets through", () => {
  // Persian (ZWNJ between the parts of a compound name), Malayalam and Devanagari (ZWJ for the chillu and half forms).
  const NAMES = ["نسرین\u200cمحمدی", "\u0d28\u0d4d\u200d", "क्\u200dष", "Zoë Tanoesoedibjo 陈伟", "Budi\u00a0Santoso"];

  it.each(NAMES)("accepts %j, on the fast path too", (name) => {
    const text = userFile(`name: "${name}"`);
    const fast = parseCommonDeclarationText(FILE, text);
    expect(fast?.diagnostics).toEqual([]);
    expect(fast?.users[0]?.user?.name).toBe(name);
    const { users, diagnostics } = validateDeclarationText(FILE, text);
    expect(diagnostics).toEqual([]);
    expect(users.map((u) => u.name)).toEqual([name]);
  });

  it("finds nothing in a file without such characters, and walks deep data without recursion", () => {
    expect(findUnsafeText({ users: [{ name: "Budi", tagSerials: ["A", "B"] }], defaults: { isActive: true } })).toEqual([]);
    let deep: unknown = "x\u202e";
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnsafeText(deep)).toHaveLength(1);
  });
});
