/**
 * schemas/users.schema.json as other tools see it: a plain draft-07 schema that ajv in strict mode
 * (as ajv-cli runs it) compiles with no keyword added, with a stable $id, and with the YAML-trap
 * hints in the descriptions editors show (docs/declarations.md, "In your editor").
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { DECLARATIONS_SCHEMA_PATH } from "../../../src/declarations/schema.js";

const require = createRequire(import.meta.url);
const { Ajv } = require("ajv") as typeof import("ajv");
const addFormats = require("ajv-formats") as typeof import("ajv-formats");

const REPO = resolve(import.meta.dirname, "../../..");
const schemaText = readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8");
const schema = JSON.parse(schemaText) as Record<string, unknown>;

/** A fully strict AJV 8 as a user would make one: every strict option on, formats from ajv-formats, nothing else. */
function plainStrictAjv() {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

/** Every keyword of JSON Schema draft-07, validation and annotation (json-schema.org/draft-07/schema). */
// prettier-ignore
const DRAFT_07 = new Set([
  "$schema", "$id", "$ref", "$comment", "title", "description", "default", "readOnly", "writeOnly", "examples",
  "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "additionalItems", "items", "maxItems", "minItems", "uniqueItems", "contains", "maxProperties", "minProperties",
  "required", "additionalProperties", "definitions", "properties", "patternProperties", "dependencies", "propertyNames",
  "const", "enum", "type", "format", "contentMediaType", "contentEncoding", "if", "then", "else", "allOf", "anyOf",
  "oneOf", "not",
]);

/** Keywords whose value maps names to schemas, lists schemas, or is one schema. */
const SCHEMA_MAPS = new Set(["definitions", "properties", "patternProperties", "dependencies"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "items"]);
const SUBSCHEMAS = new Set(["additionalItems", "items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not"]);

/** The keywords of every schema object in the document, with where they are. */
function keywordsOf(node: unknown, pointer = "#"): [string, string][] {
  if (typeof node === "boolean" || node === null || typeof node !== "object") return [];
  const found: [string, string][] = [];
  for (const [key, value] of Object.entries(node)) {
    found.push([pointer, key]);
    if (SCHEMA_MAPS.has(key)) {
      for (const [name, sub] of Object.entries(value as object)) found.push(...keywordsOf(sub, `${pointer}/${key}/${name}`));
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      value.forEach((sub: unknown, i) => found.push(...keywordsOf(sub, `${pointer}/${key}/${i}`)));
    } else if (SUBSCHEMAS.has(key)) {
      found.push(...keywordsOf(value, `${pointer}/${key}`));
    }
  }
  return found;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("schemas/users.schema.json for strict validators", () => {
  it("has the stable $id the other schemas of the package share", () => {
    expect(schema.$id).toBe("https://ruangkerja-users.dev/schemas/users.schema.json");
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    for (const other of ["saved-plan.schema.json", "state.schema.json"]) {
      const id = (JSON.parse(readFileSync(join(REPO, "schemas", other), "utf8")) as { $id: string }).$id;
      expect(id).toBe(`https://ruangkerja-users.dev/schemas/${other}`);
    }
  });

  it("uses only draft-07 keywords: no editor extension (patternErrorMessage, doNotSuggest, …) left", () => {
    const unknown = keywordsOf(schema).filter(([, key]) => !DRAFT_07.has(key));
    expect(unknown).toEqual([]);
    // The walk does reach the leaves (a typo in SCHEMA_MAPS would make the test above pass vacuously).
    expect(keywordsOf(schema)).toContainEqual(["#/definitions/user/properties/phone", "pattern"]);
  });

  it("compiles in ajv 8 with strict: true (strictRequired and strictTypes included), as written and with no keyword added", () => {
    const ajv = plainStrictAjv();
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it("is refused by that same AJV if an editor keyword comes back (the check can fail)", () => {
    const withEditorKeyword = structuredClone(schema) as { definitions: { user: { properties: { phone: object } } } };
    Object.assign(withEditorKeyword.definitions.user.properties.phone, { patternErrorMessage: "digits only" });
    expect(() => plainStrictAjv().compile(withEditorKeyword)).toThrow(/unknown keyword: "patternErrorMessage"/);
  });

  it("needs no format beyond ajv-formats' email", () => {
    expect(keywordsOf(schema).filter(([, key]) => key === "format")).toEqual([["#/definitions/user/properties/email", "format"]]);
  });

  it("gives a plain strict AJV the verdicts validate gives: samples valid, traps refused", () => {
    const validate = plainStrictAjv().compile(schema);
    // Dot-folders are not read (docs/declaration-files.md): the fixtures keep an invalid file there.
    const samples = [...yamlFiles(join(REPO, "users")), ...yamlFiles(join(REPO, "test/fixtures/declarations/valid"))].filter(
      (f) => !f.includes("/."),
    );
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const file of samples)
      expect(validate(parse(readFileSync(file, "utf8"))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    const user = { employeeID: "EMP1", name: "Ana Putri", email: "ana@contoh.co.id" };
    for (const trap of [
      { ...user, phone: 6281122334455 },
      { ...user, isActive: "yes" },
      { ...user, employeeID: 1234 },
      { ...user, password: "rahasia" },
      { employeeID: "EMP1", name: "Ana Putri" },
    ]) {
      expect(validate({ users: [trap] }), JSON.stringify(trap)).toBe(false);
    }
    expect(validate({ defaults: { password: "rahasia" }, users: [] })).toBe(false);
  });
});

describe("what the schema tells an editor", () => {
  type Node = { description?: string; properties?: Record<string, Node>; patternProperties?: Record<string, Node> };
  const definitions = schema.definitions as Record<string, Node>;
  const user = definitions.user?.properties ?? {};

  it("carries the YAML-trap hints in the descriptions hovered beside an error", () => {
    expect(user.phone?.description).toMatch(/Quote it: phone: "6281122334455"\. Unquoted, YAML reads it as a number/);
    expect(user.employeeID?.description).toMatch(/Quote an ID that is all digits.*YAML reads it as a number and drops leading zeros/);
    expect(definitions.employeeID?.description).toMatch(/Quote an ID that is all digits/);
    expect(definitions.isActive?.description).toMatch(/Write true or false without quotes: yes\/no\/on\/off are text/);
  });

  it("says in its description what only validate checks", () => {
    expect(schema.description).toMatch(/declared twice.*previousEmployeeIDs.*passwordEnv.*`ruangkerja-users validate` only/);
  });

  it("keeps password out of completion (not a listed property) but refuses it, per user and in defaults", () => {
    for (const level of ["user", "defaults"]) {
      expect(Object.keys(definitions[level]?.properties ?? {}), level).not.toContain("password");
      expect(definitions[level]?.patternProperties, level).toEqual({ "^password$": { $ref: "#/definitions/password" } });
    }
    expect(definitions.password?.description).toMatch(/^Never write passwords in a declaration/);
  });
});
