/**
 * The fast reader (src/declarations/fast-parse.ts) must never disagree with `yaml`: whenever it
 * answers, the data equals yaml's `toJS()` under the options we parse with (YAML 1.2 core
 * schema) and every user starts at the line and column yaml's LineCounter gives; whenever yaml
 * reports an error or a warning, it must not answer. And the whole per-file result (users,
 * their positions, diagnostics) must be what the yaml path alone gives.
 */
import { describe, expect, it } from "vitest";
import { isMap, isSeq, type Node } from "yaml";
import { readCommonShape } from "../../../src/declarations/fast-parse.js";
import { parseYamlSource } from "../../../src/declarations/yaml-source.js";
import { parseDeclarationText, parseDeclarationTextWithYaml } from "../../../src/declarations/parse-file.js";

/** What yaml makes of a text, through parseYamlSource itself (so a change of its options is tested too). */
function withYaml(raw: string) {
  const { doc, lineCounter } = parseYamlSource("t.yaml", raw);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    data = undefined; // an unresolved alias: parse-file reports it
  }
  const clean = doc.errors.length === 0 && doc.warnings.length === 0 && data !== undefined;
  const users = isMap(doc.contents) ? doc.contents.get("users", true) : undefined;
  const userStarts = isSeq(users)
    ? users.items.map((item) => {
        const { line, col } = lineCounter.linePos((item as Node).range?.[0] ?? 0);
        return { line, column: col };
      })
    : [];
  return { clean, data, userStarts };
}

/** Asserts agreement on one text; returns whether the fast reader answered. */
function expectAgreement(text: string): boolean {
  const fast = readCommonShape(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const slow = withYaml(text);
  const shown = JSON.stringify(text);
  if (!slow.clean) {
    expect(fast, `yaml reports a problem in ${shown}, so the fast reader must give up`).toBeUndefined();
  }
  if (fast) {
    expect(fast.data, `data of ${shown}`).toStrictEqual(slow.data);
    expect(fast.userStarts, `user positions in ${shown}`).toStrictEqual(slow.userStarts);
  }
  // The per-file result (users with positions, diagnostics and their messages) is the yaml path's.
  expect(parseDeclarationText("users/a.yaml", text), `parse result of ${shown}`).toStrictEqual(
    parseDeclarationTextWithYaml("users/a.yaml", text),
  );
  return fast !== undefined;
}

/** Scalars that YAML 1.1, 1.2, JSON and people read differently, written every way we know. */
const TRICKY_SCALARS = [
  "yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "Yes",
  "NO",
  "true",
  "false",
  "True",
  "FALSE",
  "tRUE",
  "0123",
  "0o17",
  "0x1F",
  "0X1F",
  "0b101",
  "1e3",
  "1E3",
  "-1e-3",
  "+12",
  "-12",
  "1_000",
  "12:30",
  "1:20:30",
  "0.5",
  ".5",
  "5.",
  "~",
  "null",
  "Null",
  "NULL",
  "nULL",
  "",
  ".inf",
  "-.inf",
  "+.INF",
  ".nan",
  ".NaN",
  ".NAN",
  "inf",
  "nan",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "2024-01-01 10:00:00",
  '"0123"',
  "'0123'",
  '"yes"',
  "'it''s'",
  '"say \\"hi\\""',
  '"tab\\there"',
  '"\\u00e9"',
  '"it\'s"',
  "'say \"hi\"'",
  '""',
  "''",
  "'a\\b'",
  '"a\\b"',
  '"a # not a comment"',
  "a#b",
  "a #comment",
  "a: b",
  "a:b",
  "-dash",
  "- item",
  "?q",
  ":colon",
  "@at",
  "`tick",
  "%pct",
  "&anchor value",
  "*alias",
  "!tag value",
  "!!str 0123",
  "!!int 12",
  "|",
  ">-",
  "[a, b]",
  "{a: b}",
  "[]",
  "{}",
  "a, b",
  "a]",
  "a}",
  "Budi Santoso",
  "Budi  Santoso",
  "Siti Nurhaliza binti Ahmad",
  "José Ñúñez",
  "李小龙",
  "Ахмед",
  "emoji 😀",
  "nbsp\u00a0end",
  "\u00a0lead",
  "ends with space ",
  "O'Brien",
  'say "x"',
  "back\\slash",
  "EMP001",
  "budi.santoso@contoh.co.id",
  "+6281122334455",
  "6281122334455",
  "RUKRTAG-9WHL0JGP",
  "COMPFJLYTHWL",
  "__proto__",
  "constructor",
  "a\u2028b",
  "a\u0085b",
  "zero\u200bwidth",
  // Characters declarations refuse (text-rules.ts): the fast reader must leave them to yaml, which reports them.
  "bidi\u202eend",
  "\u2066isolated\u2069",
  "word\u2060joiner",
  "soft\u00adhyphen",
  "mark\u200fright",
  '"quoted \u202e"',
  "'single \u200b'",
  '"\\u202E escaped"',
  '"\\e"',
  // Joiners that Persian and Indic names need are kept, on either path.
  "\u0646\u0633\u0631\u06cc\u0646\u200c\u0645\u062d\u0645\u062f\u06cc",
  "\u0915\u094d\u200d\u0937",
];

const USER_FIELDS = ["employeeID", "name", "username", "email", "phone", "isActive", "organizationSerial"] as const;

function userFile(overrides: Partial<Record<(typeof USER_FIELDS)[number], string>>): string {
  const fields = { employeeID: "EMP001", name: "Budi Santoso", email: "budi@contoh.co.id", phone: '"6281122334455"', ...overrides };
  const body = Object.entries(fields).map(([key, value], i) => `${i === 0 ? "  - " : "    "}${key}: ${value}`);
  return ["users:", ...body, "  - employeeID: EMP002", "    name: Sari", "    email: sari@contoh.co.id", ""].join("\n");
}

/** Files of the common shape, each written several ways. */
const SHAPES: readonly string[] = [
  "users: []\n",
  "users: [] # nobody yet\n",
  userFile({}),
  [
    "# yaml-language-server: $schema=../schemas/users.schema.json",
    "defaults:",
    "  organizationSerial: COMPFJLYTHWL   # head office",
    "  tagSerials: [RUKRTAG-9WHL0JGP, RUKRTAG-2KD8QWER]",
    "  isActive: true",
    "",
    "users:",
    "  # engineering",
    "  - employeeID: EMP001",
    "    name: Budi Santoso",
    '    phone: "6281122334455"  # mobile',
    "    tagSerials:",
    "      - RUKRTAG-9WHL0JGP",
    "      - 'RUKRTAG-2KD8QWER'",
    "    previousEmployeeIDs: [EMP0001]",
    "",
    "  - employeeID: EMP002",
    "    name: 'Sari Wulandari'",
    '    email: "sari@contoh.co.id"',
    "    isActive: false",
    "    tagSerials: []",
    "",
  ].join("\n"),
  // A list at column 1, extra spaces after the dash, 4-space indentation, users before defaults.
  ["users:", "- employeeID: EMP001", "  name: Budi", "  email: budi@contoh.co.id", "defaults:", "    isActive: false", ""].join("\n"),
  ["users:", "    -   employeeID: EMP001", "        name: Budi", "        email: budi@contoh.co.id", ""].join("\n"),
  // CRLF, a BOM, no final newline, trailing spaces, comment lines at any indentation.
  ["users:", "  - employeeID: EMP001", "    name: Budi  ", "    email: budi@contoh.co.id", ""].join("\r\n"),
  `\ufeff${userFile({})}`,
  userFile({}).trimEnd(),
  ["users:   ", "  - employeeID: EMP001   ", "# c", "        # c", "    name: Budi", "    email: budi@contoh.co.id"].join("\n"),
  // A passwordEnv keeps where its key is written: yaml's path; a name outside RUANGKERJA_PASSWORD_ is refused on both.
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "    passwordEnv: RUANGKERJA_PASSWORD_EMP001", ""].join("\n"),
  ...["RUANGKERJA_TOKEN", "RUANGKERJA_CLIENT_SECRET", "HOME", "ruangkerja_password_emp001", "BUDI_PASSWORD", "'RUANGKERJA_PASSWORD_'"].map(
    (name) => ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", `    passwordEnv: ${name}`, ""].join("\n"),
  ),
  // The schema says no: the fast path must hand these to yaml for the messages.
  userFile({ phone: "6281122334455" }),
  userFile({ employeeID: "EMP 001" }),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: budi@contoh.co.id", "    password: secret", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: budi@contoh.co.id", "    previousEmployeeIDs: [EMP001]", ""].join(
    "\n",
  ),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: budi@contoh.co.id", "    tagSerials: [A, A]", ""].join("\n"),
  ["extra: 1", "users: []", ""].join("\n"),
  // YAML that is unusual or wrong (or just rare: a list at its key's indentation).
  ["users:", "  - name: Budi", "    employeeID: EMP001", "    phone: '62811'", "    tagSerials:", "    - A-1", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    name: Sari", "    email: budi@contoh.co.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "      Santoso", "    email: budi@contoh.co.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: >-", "      Budi", "      Santoso", "    email: budi@contoh.co.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", '    name: "Budi', '      Santoso"', "    email: budi@contoh.co.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: budi@contoh.co.id", "    tagSerials: [A,", "      B]", ""].join("\n"),
  ["defaults: &d", "  isActive: true", "users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@contoh.co.id", ""].join("\n"),
  ["x: &tags [A]", "users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "    tagSerials: *tags", ""].join("\n"),
  ["base: &b {isActive: true}", "users:", "  - <<: *b", "    employeeID: EMP001", "    name: Budi", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - {employeeID: EMP001, name: Budi, email: b@c.id}", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "---", "users: []", ""].join("\n"),
  ["%YAML 1.1", "---", "users:", "  - employeeID: EMP001", "    name: Budi", "    isActive: yes", "    email: b@c.id", ""].join("\n"),
  ["---", "users: []", "..."].join("\n"),
  ["users:", "\t- employeeID: EMP001", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name:\tBudi", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "   - employeeID: EMP002", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "   name: Budi", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "  -", "  - employeeID: EMP003", ""].join("\n"),
  ["users:", "  -", "    employeeID: EMP001", "    name: Budi", "    email: b@c.id", ""].join("\n"),
  ["users:", '  - "employeeID": EMP001', "    name: Budi", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - ? employeeID", "    : EMP001", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "    tagSerials:", "", "defaults: {}", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi\rSantoso", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: !!str Budi", "    email: b@c.id", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "    tagSerials: !!set {a, b}", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    null: x", "    ~: y", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    true: x", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "users: []", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    __proto__: x", ""].join("\n"),
  ["users:", "  - employeeID:EMP001", ""].join("\n"),
  ["users:", "  - employeeID : EMP001", ""].join("\n"),
  ["users: ", "  []", ""].join("\n"),
  ["users:", "  - employeeID: EMP001", "    name: Budi", "    email: b@c.id", "  foo: bar", ""].join("\n"),
  ["users:", "", ""].join("\n"),
  "# only a comment\n",
  "",
  "users",
  "[]",
];

describe("the fast reader agrees with yaml", () => {
  it("reads the common shapes itself (so that the comparisons below compare something)", () => {
    const refused = SHAPES.slice(0, 10).filter((text) => readCommonShape(text.replace(/^\ufeff/, "")) === undefined);
    expect(refused).toEqual([]);
  });

  it("leaves to yaml a file with a tab, a CR outside CRLF or a line or paragraph separator anywhere, even in a comment", () => {
    const file = (comment: string, eol = "\n") => ["users:", `  # ${comment}`, "  - employeeID: EMP001", "    name: Budi", ""].join(eol);
    expect(readCommonShape(file("plain"))).toBeDefined();
    expect(readCommonShape(file("plain", "\r\n"))).toBeDefined();
    for (const odd of ["a\tb", "a\rb", "a\u2028b", "a\u2029b"]) expect(readCommonShape(file(odd)), JSON.stringify(odd)).toBeUndefined();
  });

  it.each(SHAPES.map((text, i) => [i, text]))("shape %i", (_i, text) => {
    expectAgreement(text);
  });

  it("on every tricky scalar in every field, quoted or not, in block and flow lists", () => {
    let answered = 0;
    for (const scalar of TRICKY_SCALARS) {
      for (const field of USER_FIELDS) answered += Number(expectAgreement(userFile({ [field]: scalar })));
      for (const list of [`[${scalar}]`, `[A, ${scalar}]`, `[${scalar}, B]`]) {
        answered += Number(
          expectAgreement(userFile({}).replace("  - employeeID: EMP002", `    tagSerials: ${list}\n  - employeeID: EMP002`)),
        );
      }
      answered += Number(
        expectAgreement(
          userFile({}).replace("  - employeeID: EMP002", `    previousEmployeeIDs:\n      - ${scalar}\n  - employeeID: EMP002`),
        ),
      );
      answered += Number(expectAgreement(["defaults:", `  organizationSerial: ${scalar}`, "users: []", ""].join("\n")));
      answered += Number(expectAgreement(userFile({ [`${scalar}`.replace(/[^A-Za-z]/g, "") || "k"]: "x" })));
    }
    // Most of these are for yaml alone, but the plain words and quoted text are the fast path's.
    expect(answered).toBeGreaterThan(100);
  });

  it("on random files made of the pieces above (seeded, so a failure repeats)", () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]) => items[random(items.length)] as T;
    const separators = ["\n", "\r\n"];
    const indents = ["  ", "", "    "];
    let answered = 0;
    for (let n = 0; n < 300; n++) {
      const sep = pick(separators);
      const indent = pick(indents);
      const lines = ["users:"];
      const count = 1 + random(4);
      for (let u = 0; u < count; u++) {
        const fields = [`employeeID: EMP${u}${random(3) === 0 ? pick(TRICKY_SCALARS) : ""}`, `name: ${pick(TRICKY_SCALARS)}`];
        if (random(2)) fields.push(`email: ${pick(["b@c.id", ...TRICKY_SCALARS])}`);
        if (random(2)) fields.push(`phone: ${pick(['"62811"', ...TRICKY_SCALARS])}`);
        if (random(3) === 0) fields.push(`isActive: ${pick(TRICKY_SCALARS)}`);
        if (random(3) === 0) fields.push(`tagSerials: [${pick(TRICKY_SCALARS)}, ${pick(TRICKY_SCALARS)}]`);
        if (random(4) === 0) fields.push(`# ${pick(TRICKY_SCALARS)}`);
        const dash = random(5) === 0 ? "-   " : "- ";
        fields.forEach((field, i) => lines.push(`${indent}${i === 0 ? dash : " ".repeat(dash.length)}${field}`));
      }
      answered += Number(expectAgreement(lines.join(sep) + pick(["", sep])));
    }
    expect(answered).toBeGreaterThan(10);
  });
});
