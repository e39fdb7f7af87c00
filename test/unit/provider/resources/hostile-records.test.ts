/**
 * ruangkerja_users' `users` map written to attack what reads its diagnostics: keys and texts that
 * would forge a GitHub Actions annotation or steer a terminal, values of megabytes, values nested
 * 100,000 deep, a repeated key, a "__proto__" key. Checked directly (no emulator, no Terraform).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TfDiagnostic, TfValue } from "../../../../src/provider/provider-types.js";
import { parseRecord, recordsOf } from "../../../../src/provider/resources/record-text.js";
import { usersOf } from "../../../../src/provider/resources/users-schema.js";
import { checkUsers, checkUserTexts, validateUsersConfig } from "../../../../src/provider/resources/users-validation.js";
import { hasUnsafeCharacter } from "../../../../src/text/untrusted-text.js";

const FORGED = "\n::error title=Forged::all checks passed\n";
const NAME = '"name":"Person"';

function validate(users: Readonly<Record<string, TfValue>>): Promise<readonly TfDiagnostic[]> {
  return validateUsersConfig({ id: null, users });
}

/** No summary or detail starts a line with `::`, holds a control, format or bidi character, or is longer than a message should be. */
function expectHarmless(diagnostics: readonly TfDiagnostic[]): void {
  for (const d of diagnostics) {
    for (const text of [d.summary, d.detail ?? ""]) {
      expect(text).not.toMatch(/(^|[\r\n])\s*::/);
      expect(text).not.toMatch(/##\[/);
      expect(hasUnsafeCharacter(text), JSON.stringify(text)).toBe(false);
      expect(text.length).toBeLessThan(400);
    }
  }
}

function at(key: string) {
  return [{ attribute: "users" }, { key }];
}

describe("ruangkerja_users diagnostics quote the map's keys and values escaped", () => {
  it("a map key that would forge an annotation, or hold ESC and bidi characters, is escaped where the entry is named", async () => {
    const users = { [`A${FORGED}`]: `{${NAME}}`, "B\u001b[31m\u202eC": `{${NAME}}`, [`D${FORGED}`]: "[]" };
    const diagnostics = await validate(users);
    expectHarmless(diagnostics);
    const summaries = diagnostics.map((d) => d.summary);
    expect(summaries).toContain(
      'users["D\\n::error title=Forged::all checks passed\\n"]: must be a JSON object of the person\'s fields, got a list',
    );
    expect(summaries.some((s) => s.startsWith('users["B\\u001b[31m\\u202eC"]: '))).toBe(true);
    expect(diagnostics.find((d) => d.summary.startsWith('users["D'))?.attribute).toEqual(at(`D${FORGED}`));
    expectHarmless((await checkUsers(usersOf({ users: { [`E${FORGED}\u202e`]: { name: "Person" } } }))).diagnostics);
  });

  it("a record key that would forge an annotation is quoted, not written after a dot", async () => {
    const diagnostics = await validate({ KEY0001: JSON.stringify({ name: "Person", [FORGED]: 1, "\u001b]0;x\u0007": 2, "a\u202eb": 3 }) });
    expectHarmless(diagnostics);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["KEY0001"]["\\n::error title=Forged::all checks passed\\n"]: is not a field of a user',
      'users["KEY0001"]["\\u001b]0;x\\u0007"]: is not a field of a user',
      'users["KEY0001"]["a\\u202eb"]: is not a field of a user',
    ]);
    for (const d of diagnostics) expect(d.attribute).toEqual(at("KEY0001"));
  });

  it("a text that is not JSON is refused with a reason and a place, never JSON.parse's excerpt of it", async () => {
    const diagnostics = await validate({ NJ00001: `x${FORGED}`, NJ00002: '{"name":"\u001b[31m', NJ00003: `{${NAME}}${FORGED}` });
    expectHarmless(diagnostics);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["NJ00001"]: is not JSON: unexpected character, at character 1',
      'users["NJ00002"]: is not JSON: bad control character in string literal, at character 10',
      'users["NJ00003"]: is not JSON: unexpected character, at line 2, column 1',
    ]);
    for (const d of diagnostics) expect(d.summary).not.toContain("Forged");
  });

  it("values of the wrong type, and an employee_id other than the key, are quoted escaped", async () => {
    const diagnostics = await validate({
      VAL0001: JSON.stringify({ name: "Person", is_active: `yes${FORGED}\u202e` }),
      VAL0002: JSON.stringify({ name: "Person", employee_id: `VAL0003${FORGED}` }),
    });
    expectHarmless(diagnostics);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["VAL0001"].is_active: must be true or false, got the string "yes\\n::error title=Forged::all checks passed\\n\\u202e"',
      'users["VAL0002"].employee_id: is "VAL0003\\n::error title=Forged::all checks passed\\n", not the map key "VAL0002"',
    ]);
  });
});

describe("ruangkerja_users diagnostics are bounded", () => {
  const huge = "a".repeat(10_000_000);

  it("a 10 MB value is quoted by its first 60 characters and its length", async () => {
    const diagnostics = await validate({
      BIG0001: JSON.stringify({ name: "Person", phone: [huge] }),
      BIG0002: JSON.stringify({ name: "Person", is_active: huge }),
      BIG0003: JSON.stringify({ name: "Person", employee_id: huge }),
    });
    expectHarmless(diagnostics);
    const sixty = `"${"a".repeat(60)}…" (10,000,000 characters)`;
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["BIG0001"].phone: must be a string, got a list',
      `users["BIG0002"].is_active: must be true or false, got the string ${sixty}`,
      `users["BIG0003"].employee_id: is ${sixty}, not the map key "BIG0003"`,
    ]);
  });

  it("a 5 MB map key or record key is cut as well, wherever the entry is named", async () => {
    const key = `K${FORGED}`.repeat(130_000);
    const diagnostics = [
      ...(await validate({ [key]: `{${NAME}}` })),
      ...(await validate({ [key]: JSON.stringify({ name: 5 }) })),
      ...(await validate({ KEY0002: JSON.stringify({ name: "Person", [key]: 1 }) })),
    ];
    expect(key.length).toBeGreaterThan(5_000_000);
    expect(diagnostics.length).toBeGreaterThanOrEqual(3);
    expectHarmless(diagnostics);
    for (const d of diagnostics) expect(d.summary).toContain(`…" (${key.length.toLocaleString("en-US")} characters)`);
  });

  it("gives the first 100 problems of a kind, then one that counts the rest and points at the next", async () => {
    const users = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`M${String(i).padStart(4, "0")}`, "{"]));
    const diagnostics = await validate(users);
    expect(diagnostics).toHaveLength(101);
    expect(diagnostics[99]?.summary).toMatch(/^users\["M0099"\]: is not JSON/);
    const last = diagnostics[100];
    expect(last?.summary).toMatch(/^…and 150 more like this, not shown; the next: users\["M0100"\]: is not JSON/);
    expect(last?.attribute).toEqual(at("M0100"));
  });

  it("counts 100,000 unknown keys of one record the same way", async () => {
    const record: Record<string, number> = { name: 1 };
    for (let i = 0; i < 100_000; i++) record[`x${i}`] = i;
    const diagnostics = await validate({ MANY001: JSON.stringify(record) });
    expectHarmless(diagnostics);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["MANY001"].name: must be a string, got the number 1',
      ...Array.from({ length: 100 }, (_, i) => `users["MANY001"].x${i}: is not a field of a user`),
      '…and 99,900 more like this, not shown; the next: users["MANY001"].x100: is not a field of a user',
    ]);
  });

  it("a value nested 100,000 deep is refused, located, without a RangeError", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const users = {
      DEEP001: `{"name":${deep}}`,
      DEEP002: `{"name":"Person","employee_id":${deep}}`,
      DEEP003: `{"name":"Person","extra":${deep}}`,
      DEEP004: `{"name":"Person","tag_serials":[${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]}`,
    };
    const diagnostics = await validate(users);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["DEEP001"].name: must be a string, got a list',
      'users["DEEP002"].employee_id: is a list, not the map key "DEEP002"',
      'users["DEEP003"].extra: is not a field of a user',
      'users["DEEP004"].tag_serials: must be a list of strings, got a list holding an object',
    ]);
    for (const d of diagnostics) expect(d.attribute).toEqual(at(/"(DEEP\d+)"/.exec(d.summary)?.[1] as string));
  });

  describe("when a check runs out of stack", () => {
    afterEach(() => vi.restoreAllMocks());

    it("the record is refused as nested too deeply, not thrown", async () => {
      // A value whose walk overflows the stack (the key counting of strict-json, then the fields).
      const overflowing = new Proxy(
        {},
        {
          ownKeys: () => {
            throw new RangeError("Maximum call stack size exceeded");
          },
        },
      );
      vi.spyOn(JSON, "parse").mockReturnValueOnce(overflowing);
      const parsed = parseRecord("DEEP005", "{}");
      expect(parsed).toEqual({ problems: [expect.objectContaining({ summary: expect.stringMatching(/^nests values too deeply/) })] });
    });
  });
});

describe("ruangkerja_users refuses what JSON.parse or a plain object would hide", () => {
  it("a record that gives a field twice, at the top or inside a value", async () => {
    const diagnostics = await validate({
      DUP0001: '{"name":"Satu","name":"Dua"}',
      DUP0002: '{"name":"Person","tag_serials":[{"a":1,"a":2}]}',
      DUP0003: `{${NAME},${JSON.stringify(FORGED)}:1,${JSON.stringify(FORGED)}:2}`,
    });
    expectHarmless(diagnostics);
    expect(diagnostics.map((d) => d.summary)).toEqual([
      'users["DUP0001"].name: is given twice in the record (the second at character 16): JSON readers disagree on which one counts',
      'users["DUP0002"].tag_serials: repeats the key "a" in one object (at character 40): JSON readers disagree on which one counts',
      'users["DUP0003"]["\\n::error title=Forged::all checks passed\\n"]: is given twice in the record (the second at character 66): JSON readers disagree on which one counts',
    ]);
    for (const d of diagnostics) expect(d.attribute).toEqual(at(/"(DUP\d+)"/.exec(d.summary)?.[1] as string));
  });

  it('a "__proto__" map key is an entry refused as an employeeID, not dropped', async () => {
    const users = JSON.parse('{"__proto__":"{\\"name\\":\\"Person\\",\\"email\\":\\"p@contoh.co.id\\"}"}') as Record<string, TfValue>;
    expect(Object.keys(users)).toEqual(["__proto__"]);
    const texts = await checkUserTexts(users);
    const records = await checkUsers(JSON.parse('{"__proto__":{"name":"Person","email":"p@contoh.co.id"}}') as Record<string, TfValue>);
    for (const checked of [texts, records]) {
      expect(checked.users).toEqual([]);
      const error = checked.diagnostics.find((d) => d.severity === "error");
      expect(error?.summary).toMatch(/^users\["__proto__"\]: employeeID "__proto__" /);
      expect(error?.attribute).toEqual(at("__proto__"));
    }
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });

  it('a "__proto__" record key is an unknown field; the applied records keep a "__proto__" entry as an entry', async () => {
    expect((await validate({ PRO0001: '{"name":"Person","__proto__":{"is_active":false}}' })).map((d) => d.summary)).toEqual([
      'users["PRO0001"].__proto__: is not a field of a user',
    ]);
    const records = recordsOf(JSON.parse('{"__proto__":"{\\"name\\":\\"Person\\"}"}') as Record<string, TfValue>);
    expect(Object.keys(records)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(records, "__proto__")?.value).toEqual({ name: "Person" });
  });
});
