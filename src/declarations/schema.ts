/**
 * The declaration format as written, and its validator. schemas/users.schema.json is the one
 * source of truth: AJV compiles it here, editors read it through the modeline.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/** Absolute path of the JSON Schema of a declaration file. */
// src/declarations and dist/declarations both sit two levels below the package root.
export const DECLARATIONS_SCHEMA_PATH: string = fileURLToPath(new URL("../../schemas/users.schema.json", import.meta.url));

/** A user as the YAML writes it, once the schema accepted it. */
export interface UserAsWritten {
  readonly employeeID: string;
  readonly name: string;
  readonly username?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly isActive?: boolean;
  readonly tagSerials?: readonly string[];
  readonly organizationSerial?: string;
  readonly previousEmployeeIDs?: readonly string[];
  readonly passwordEnv?: string;
}

export type DefaultsAsWritten = Pick<UserAsWritten, "isActive" | "tagSerials" | "organizationSerial">;

/** A declaration file as written, once the schema accepted it. */
export interface DeclarationFileAsWritten {
  readonly defaults?: DefaultsAsWritten;
  readonly users: readonly UserAsWritten[];
}

/** Keywords that editors (yaml-language-server) understand and AJV need not. */
const EDITOR_KEYWORDS = ["patternErrorMessage", "deprecationMessage", "doNotSuggest", "defaultSnippets"];

/** A strict AJV set up the way declarations are checked; also used by tests on the schema itself. */
export function createAjv(): Ajv {
  // verbose: error objects carry the offending data, which the messages quote.
  // strictRequired would refuse the email-or-phone anyOf, whose branches name properties declared one level up.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  // ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose `default` is the plugin.
  addFormats.default(ajv, ["email"]);
  return ajv;
}

let schema: AnySchemaObject | undefined;
let validator: ValidateFunction | undefined;

export function declarationsSchema(): AnySchemaObject {
  schema ??= JSON.parse(readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8")) as AnySchemaObject;
  return schema;
}

/** Compiled once, on first use: compiling costs more than validating a typical file. */
export function declarationsValidator(): ValidateFunction {
  validator ??= createAjv().compile(declarationsSchema());
  return validator;
}

/** A value JSON could hold as a mapping; not a Set, Map, Date or Uint8Array. */
function isNonPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype !== Object.prototype && prototype !== null;
}

/**
 * What the schema cannot see: YAML 1.1 tags (!!set, !!omap, !!timestamp, !!binary) make a Set,
 * Map, Date or Uint8Array, and JSON Schema takes any of them for a mapping, so a `- !!set {a, b}`
 * user would pass as one without fields. Where a mapping is expected (the file, defaults:, each
 * user) they come back as the type error AJV would give, for the same messages and handling.
 */
export function hiddenTypeErrors(data: unknown): ErrorObject[] {
  const error = (instancePath: string, value: unknown): ErrorObject => ({
    keyword: "type",
    instancePath,
    schemaPath: "#/type",
    params: { type: "object" },
    message: "must be object",
    data: value,
  });
  if (isNonPlainObject(data)) return [error("", data)];
  if (data === null || typeof data !== "object") return [];
  const { defaults, users } = data as { defaults?: unknown; users?: unknown };
  const errors = isNonPlainObject(defaults) ? [error("/defaults", defaults)] : [];
  if (Array.isArray(users)) users.forEach((user: unknown, i) => isNonPlainObject(user) && errors.push(error(`/users/${i}`, user)));
  return errors;
}

/** The field names the schema allows at each level, for "did you mean" hints. */
export interface KnownFields {
  readonly file: readonly string[];
  readonly user: readonly string[];
  readonly defaults: readonly string[];
}

let knownFields: KnownFields | undefined;

export function declarationsKnownFields(): KnownFields {
  if (!knownFields) {
    const root = declarationsSchema();
    const definitions = root.definitions as Record<string, AnySchemaObject>;
    const names = (s: AnySchemaObject | undefined) => Object.keys((s?.properties ?? {}) as object).filter((n) => n !== "password");
    knownFields = { file: names(root), user: names(definitions.user), defaults: names(definitions.defaults) };
  }
  return knownFields;
}
