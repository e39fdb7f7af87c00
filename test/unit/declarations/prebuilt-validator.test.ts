/**
 * The validator `npm run build` generates from the schema (scripts/build-schema-validator.mjs) must
 * judge every document exactly as AJV compiling the schema at run time does: the same verdict and
 * the same error objects, from which every schema message is built.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { compileFunction } from "node:vm";
import type { ValidateFunction } from "ajv";
import fc from "fast-check";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { validatorModuleCode } from "../../../scripts/build-schema-validator.mjs";
import {
  compilableSchema,
  createAjv,
  DECLARATIONS_SCHEMA_PATH,
  PREBUILT_VALIDATOR_FILE,
  PREBUILT_VERDICT_VALIDATOR_FILE,
  type PrebuiltValidatorModule,
  schemaDigest,
} from "../../../src/declarations/schema.js";

const REPO = resolve(import.meta.dirname, "../../..");
const require = createRequire(import.meta.url);
const schemaText = readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8");

/** Evaluates the generated CommonJS module in memory, its require() resolving from the repository. */
function evaluate(code: string): PrebuiltValidatorModule {
  const module = { exports: {} as unknown };
  compileFunction(code, ["module", "exports", "require"])(module, module.exports, require);
  return module.exports as PrebuiltValidatorModule;
}

const generated = evaluate(validatorModuleCode({ createAjv, compilableSchema, schemaDigest }, schemaText));
const compiled = createAjv().compile(compilableSchema());
const generatedVerdict = evaluate(validatorModuleCode({ createAjv, compilableSchema, schemaDigest }, schemaText, "verdict"));
const compiledVerdict = createAjv({}, "verdict").compile(compilableSchema());

/** What the fast path never gives a validator: a string with a surrogate (a character beyond the BMP, or half of one). */
const HAS_SURROGATE = /[\uD800-\uDFFF]/;

function verdict(validate: ValidateFunction, data: unknown): { valid: boolean; errors: unknown } {
  const valid = validate(data);
  // Plain JSON-like copies: schema and parentSchema are equal values, not the same objects.
  return { valid, errors: structuredClone(validate.errors ?? null) };
}

function expectSameVerdict(data: unknown, label: string): void {
  expect(verdict(generated.validate, data), label).toEqual(verdict(compiled, data));
  // The verdict-only validators (the fast path's) agree on whether it is valid, for what the fast path can meet.
  if (HAS_SURROGATE.test(JSON.stringify(data) ?? "")) return;
  const valid = compiled(data);
  expect(generatedVerdict.validate(data), `verdict-only, generated: ${label}`).toBe(valid);
  expect(compiledVerdict(data), `verdict-only, compiled: ${label}`).toBe(valid);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const user = { employeeID: "EMP1", name: "Ana Putri", email: "ana@example.com" };

/** Each keyword of the schema failing, alone and together. */
const HANDWRITTEN: [string, unknown][] = [
  ["null document", null],
  ["a list as the document", [user]],
  ["a string as the document", "users"],
  ["no users", {}],
  ["users not a list", { users: { a: user } }],
  ["unknown top-level key", { users: [], teams: [] }],
  ["empty users", { users: [] }],
  ["a valid user", { users: [user] }],
  ["a user that is a string", { users: ["EMP1"] }],
  ["a user that is null", { users: [null] }],
  ["no employeeID and no name", { users: [{ email: "a@b.co" }] }],
  ["neither email nor phone", { users: [{ employeeID: "E1", name: "N" }] }],
  ["employeeID a number", { users: [{ ...user, employeeID: 42 }] }],
  ["employeeID with a dash", { users: [{ ...user, employeeID: "EMP-1" }] }],
  ["name with a leading space", { users: [{ ...user, name: " Ana" }] }],
  ["name with a control character", { users: [{ ...user, name: "Ana\u0007" }] }],
  ["bad e-mail", { users: [{ ...user, email: "ana@" }] }],
  ["e-mail too long", { users: [{ ...user, email: `${"a".repeat(250)}@b.co` }] }],
  ["e-mail too long in astral characters", { users: [{ ...user, email: `${"😀".repeat(130)}@b.co` }] }],
  ["e-mail at the limit", { users: [{ ...user, email: `${"a".repeat(249)}@b.co` }] }],
  ["e-mail one past the limit", { users: [{ ...user, email: `${"a".repeat(250)}@b.co` }] }],
  ["name at the limit, in the BMP", { users: [{ ...user, name: "é".repeat(200) }] }],
  ["name one past the limit, in the BMP", { users: [{ ...user, name: "é".repeat(201) }] }],
  ["phone with spaces", { users: [{ ...user, phone: "0812 345" }] }],
  ["phone a number", { users: [{ ...user, phone: 812345 }] }],
  ["isActive as text", { users: [{ ...user, isActive: "yes" }] }],
  ["tagSerials duplicated", { users: [{ ...user, tagSerials: ["A", "B", "A"] }] }],
  ["tagSerials with an empty and a bad item", { users: [{ ...user, tagSerials: ["", "a b", 3] }] }],
  ["tagSerials a string", { users: [{ ...user, tagSerials: "A" }] }],
  ["organizationSerial empty", { users: [{ ...user, organizationSerial: "" }] }],
  ["previousEmployeeIDs duplicated and bad", { users: [{ ...user, previousEmployeeIDs: ["E0", "E0", "E-9", 7] }] }],
  ["passwordEnv bad", { users: [{ ...user, passwordEnv: "1PASS" }] }],
  ["password written", { users: [{ ...user, password: "hunter2" }] }],
  ["unknown user field", { users: [{ ...user, mail: "x@y.z" }] }],
  ["defaults not a mapping", { defaults: ["A"], users: [user] }],
  ["defaults with a password and an unknown key", { defaults: { password: "x", team: "A" }, users: [user] }],
  ["defaults with bad values", { defaults: { isActive: 1, tagSerials: ["A", "A"], organizationSerial: "" }, users: [user] }],
  [
    "several users, several problems",
    { users: [user, { ...user, employeeID: "E 2", email: 3 }, { name: "X" }, { ...user, tagSerials: [[], {}] }] },
  ],
];

describe("the prebuilt validator (AJV standalone code generated by the build)", () => {
  it("has a verdict-only twin for the fast path that measures lengths in UTF-16 units", () => {
    // Only where no string has a surrogate do the two measures agree; the fast path reads no other text.
    const astral = { users: [{ ...user, name: "😀".repeat(150) }] };
    expect(compiled(astral)).toBe(true);
    expect(generatedVerdict.validate(astral)).toBe(false);
  });

  it("gives the verdict and the errors compiled AJV gives, for each keyword failing", () => {
    for (const [label, data] of HANDWRITTEN) expectSameVerdict(data, label);
  });

  it("gives the verdict and the errors compiled AJV gives, for every declaration file in the repository", () => {
    const files = [...yamlFiles(join(REPO, "test/fixtures")), ...yamlFiles(join(REPO, "users")), ...yamlFiles(join(REPO, "examples"))];
    expect(files.length).toBeGreaterThan(3);
    let checked = 0;
    for (const file of files) {
      let data: unknown;
      try {
        data = parse(readFileSync(file, "utf8"));
      } catch {
        continue; // Files that are not YAML at all never reach the schema.
      }
      expectSameVerdict(data, file);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it("gives the verdict and the errors compiled AJV gives, for random documents near the schema", () => {
    const junk = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.constantFrom("", " ", "EMP1", "a-b", "ana@example.com", "+62812", "😀", "x".repeat(300)),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.constantFrom("A", "A", "B-1")), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.string(), { maxKeys: 2 }),
    );
    const field = (valid: fc.Arbitrary<unknown>) =>
      fc.option(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junk }), { nil: undefined });
    const id = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
    const tags = fc.array(fc.constantFrom("A", "B", "RUKRTAG-1", ""), { maxLength: 3 });
    const userArb = fc.record(
      {
        employeeID: field(id),
        name: field(fc.constantFrom("Ana", "Budi Santoso", " lead", "Siti\n")),
        username: field(id),
        email: field(fc.constantFrom("a@b.co", "ana.putri@example.com", "no-at", "x@-y.com")),
        phone: field(fc.constantFrom("+62812345", "0812", "12 34")),
        isActive: field(fc.boolean()),
        tagSerials: field(tags),
        organizationSerial: field(fc.constantFrom("COMP1", "", "A B")),
        previousEmployeeIDs: field(fc.array(id, { maxLength: 3 })),
        passwordEnv: field(fc.constantFrom("PASS_1", "1X")),
        password: fc.option(fc.string(), { nil: undefined, freq: 8 }),
        extra: fc.option(junk, { nil: undefined, freq: 8 }),
      },
      { requiredKeys: [] },
    );
    const documentArb = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record(
          {
            defaults: field(fc.record({ isActive: field(fc.boolean()), tagSerials: field(tags) }, { requiredKeys: [] })),
            users: field(fc.array(fc.oneof({ weight: 6, arbitrary: userArb }, { weight: 1, arbitrary: junk }), { maxLength: 4 })),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: junk },
    );
    // JSON round trip: the documents YAML gives have no undefined values.
    fc.assert(
      fc.property(documentArb, (document) => {
        const data: unknown = JSON.parse(JSON.stringify(document) ?? "null");
        expectSameVerdict(data, JSON.stringify(data));
      }),
      { numRuns: 500, seed: 20261123 },
    );
  });
});

describe("the validator the build wrote to dist/ (npm test builds first)", () => {
  const distSchema = join(REPO, "dist/declarations/schema.js");
  const distValidator = join(REPO, "dist/declarations", PREBUILT_VALIDATOR_FILE);

  it("was generated from the schema as it is now, and is the one the built CLI validates with", async () => {
    const built = require(distValidator) as PrebuiltValidatorModule;
    expect(built.schemaDigest).toBe(schemaDigest(schemaText));
    const builtVerdict = require(join(REPO, "dist/declarations", PREBUILT_VERDICT_VALIDATOR_FILE)) as PrebuiltValidatorModule;
    expect(builtVerdict.schemaDigest).toBe(schemaDigest(schemaText));
    const loaded = (await import(pathToFileURL(distSchema).href)) as typeof import("../../../src/declarations/schema.js");
    expect(loaded.declarationsValidator()).toBe(built.validate);
  });

  const temp = mkdtempSync(join(tmpdir(), "ruangkerja-prebuilt-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("is not used once the schema has changed since the build: the schema is compiled instead", async () => {
    // The built schema.js with a generated validator recording another schema's digest.
    mkdirSync(join(temp, "dist"), { recursive: true });
    cpSync(join(REPO, "dist/declarations"), join(temp, "dist/declarations"), { recursive: true, filter: (from) => !from.endsWith(".map") });
    cpSync(join(REPO, "schemas"), join(temp, "schemas"), { recursive: true });
    symlinkSync(join(REPO, "node_modules"), join(temp, "node_modules"), "dir");
    const stale = readFileSync(distValidator, "utf8").replace(/schemaDigest = "[0-9a-f]+"/, 'schemaDigest = "0000"');
    expect(stale).toContain('schemaDigest = "0000"');
    writeFileSync(join(temp, "dist/declarations", PREBUILT_VALIDATOR_FILE), stale);
    const loaded = (await import(
      pathToFileURL(join(temp, "dist/declarations/schema.js")).href
    )) as typeof import("../../../src/declarations/schema.js");
    const validate = loaded.declarationsValidator();
    const staleModule = createRequire(join(temp, "dist/declarations/schema.js"))(`./${PREBUILT_VALIDATOR_FILE}`) as PrebuiltValidatorModule;
    expect(staleModule.schemaDigest).toBe("0000");
    expect(validate).not.toBe(staleModule.validate);
    expect(validate({ users: [user] })).toBe(true);
    expect(validate({ users: [{ ...user, phone: "12 34" }] })).toBe(false);
  });
});
