/**
 * The declaration format as written, and its validator. schemas/users.schema.json is the one
 * source of truth: AJV compiles it here, editors read it through the modeline.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv, AnySchemaObject, ErrorObject, Options, ValidateFunction } from "ajv";

/** Absolute path of the JSON Schema of a declaration file. */
// src/declarations and dist/declarations both sit two levels below the package root.
export const DECLARATIONS_SCHEMA_PATH: string = fileURLToPath(new URL("../../schemas/users.schema.json", import.meta.url));

/** The schema inside the package as a project installs it (`npm install --save-dev ruangkerja-users`), from the project's folder. */
export const INSTALLED_SCHEMA_PATH = "node_modules/ruangkerja-users/schemas/users.schema.json";

/**
 * The installed package's schema for declaration files written into `dir`: looked for in
 * node_modules from `dir` upward, as Node resolves a package, but not above the repository (the
 * first folder holding `.git`), so that a modeline never names a folder outside the project.
 */
export function findInstalledSchema(dir: string): string | undefined {
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    const candidate = join(folder, INSTALLED_SCHEMA_PATH);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(folder, ".git")) || dirname(folder) === folder) return undefined;
  }
}

/** Where a declaration file's modeline points when the project has not installed the package: a copy, from the working directory. */
export const SCHEMA_COPY_PATH = "schemas/users.schema.json";

/** The schema file a modeline should name, and what it takes to make it exist. */
export interface ModelineSchema {
  /** Absolute path of the schema file the modeline names (relative to each written file). */
  readonly path: string;
  /** The schema's text, when the caller must write it at `path`. */
  readonly copy?: string;
  /** Whether writing it replaces another file (to refuse without --force). */
  readonly replaces: boolean;
}

/**
 * The schema that files written into `dir` should name in their modeline, so that it works on
 * every clone of the user's repository (docs/declarations.md, "In your editor"): the package the
 * project installed, in node_modules; else SCHEMA_COPY_PATH of the working directory, to be written
 * unless it already holds this schema (a clone of this package, or an earlier export). Never the
 * path this process runs from: an npx cache or another checkout exists on one machine only.
 */
export async function modelineSchema(dir: string): Promise<ModelineSchema> {
  const installed = findInstalledSchema(dir);
  if (installed !== undefined) return { path: installed, replaces: false };
  const path = resolve(SCHEMA_COPY_PATH);
  const text = await readFile(DECLARATIONS_SCHEMA_PATH, "utf8");
  const current = await readFile(path, "utf8").catch(() => undefined);
  return current === text ? { path, replaces: false } : { path, copy: text, replaces: current !== undefined };
}

/** The modeline's path of the schema, relative to a file written into `dir`, with forward slashes as editors expect. */
export function modelineRef(dir: string, schema: ModelineSchema): string {
  return relative(resolve(dir), schema.path).split(sep).join("/");
}

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

// ajv and ajv-formats are CommonJS and load only when a schema is compiled (see declarationsValidator).
const require = createRequire(import.meta.url);

/**
 * A strict AJV set up the way declarations are checked; also used by tests on the schema itself and
 * by the build, which passes `code` options to generate the standalone validator. Fully strict
 * (strictRequired and strictTypes included) and with no keyword of its own: the schema is plain
 * draft-07, so ajv-cli and other strict validators accept it as it is. Editor hints live in its
 * descriptions (docs/declarations.md, "In your editor").
 */
export function createAjv(extra: Pick<Options, "code"> = {}, purpose: ValidatorPurpose = "messages"): Ajv {
  const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as typeof import("ajv-formats");
  // verbose: error objects carry the offending data, which the messages quote.
  const options: Options =
    purpose === "messages" ? { allErrors: true, strict: true, verbose: true } : { ...VERDICT_ONLY_OPTIONS, logger: verdictLogger() };
  const ajv = new AjvClass({ ...options, ...extra });
  addFormats.default(ajv, ["email"]);
  return ajv;
}

/**
 * What a validator is for: `messages`, every error with its data (parse-file.ts builds the
 * diagnostics from them); `verdict`, only whether a document of the fast path (fast-parse.ts) is
 * valid: a file it refuses is read again by yaml and validated for messages.
 */
export type ValidatorPurpose = "messages" | "verdict";

/**
 * The verdict-only AJV: it stops at the first error and builds no messages. `unicode: false`
 * measures a string's length in UTF-16 units instead of counting code points with a loop over its
 * characters; the two differ only for a string with a surrogate, and no scalar of the fast path has
 * one (it refuses every surrogate and every character beyond the BMP: fast-parse.ts, NEVER).
 */
const VERDICT_ONLY_OPTIONS: Options = { allErrors: false, strict: true, verbose: false, messages: false, unicode: false };

/** AJV's logger without its notice that `unicode` is deprecated (it is still honoured), so that the build prints nothing. */
function verdictLogger(): NonNullable<Options["logger"]> {
  return {
    log: (...args: unknown[]) => console.log(...args),
    warn: (...args: unknown[]) => {
      if (!(typeof args[0] === "string" && args[0].startsWith("DEPRECATED: option unicode"))) console.warn(...args);
    },
    error: (...args: unknown[]) => console.error(...args),
  };
}

let schemaText: string | undefined;
let schema: AnySchemaObject | undefined;
let validator: ValidateFunction | undefined;

function declarationsSchemaText(): string {
  schemaText ??= readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8");
  return schemaText;
}

export function declarationsSchema(): AnySchemaObject {
  schema ??= JSON.parse(declarationsSchemaText()) as AnySchemaObject;
  return schema;
}

/** Fingerprint of the schema file, which the prebuilt validator records to prove it was built from this schema. */
export function schemaDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** File name, next to the compiled schema.js, of the validator `npm run build` generates from the schema (scripts/build-schema-validator.mjs). */
export const PREBUILT_VALIDATOR_FILE = "users-validator.cjs";

/** The same for the verdict-only validator of the fast path (ValidatorPurpose). */
export const PREBUILT_VERDICT_VALIDATOR_FILE = "users-verdict-validator.cjs";

/** What the generated module exports. */
export interface PrebuiltValidatorModule {
  readonly validate: ValidateFunction;
  readonly schemaDigest: string;
}

/**
 * The validator the build generated with AJV's standalone code: the same code AJV would compile,
 * without loading AJV and compiling the schema (with its meta-schema) on every run. Used only
 * when it was generated from the schema file as it is now; otherwise (running from src/, or a
 * schema edited since the build) the schema is compiled as before.
 */
function prebuiltValidator(file: string): ValidateFunction | undefined {
  let loaded: PrebuiltValidatorModule;
  try {
    loaded = require(`./${file}`) as PrebuiltValidatorModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  return loaded.schemaDigest === schemaDigest(declarationsSchemaText()) ? loaded.validate : undefined;
}

const DEFINITION_REF = /^#\/definitions\/([^/]+)$/;

/**
 * The schema as AJV compiles it: each `$ref` to a definition replaced by the definition itself
 * (the file keeps its definitions, for editors and for reading). AJV compiles a referenced schema
 * that holds references of its own (a user: its isActive, tagSerials…) into a function apart, and
 * gathers that function's errors with `vErrors.concat(…)`, which copies every error before them:
 * 100,000 users with one error each took minutes. Inlined, each error is pushed once; and a list
 * whose items are typed in place (previousEmployeeIDs) gets AJV's linear uniqueItems check instead
 * of comparing every pair. The definitions refer to no one recursively, so this ends.
 */
export function compilableSchema(schema: AnySchemaObject = declarationsSchema()): AnySchemaObject {
  const definitions = (schema.definitions ?? {}) as Record<string, unknown>;
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 32) throw new Error("the declarations schema refers to itself");
    if (Array.isArray(node)) return node.map((item) => inline(item, depth));
    if (node === null || typeof node !== "object") return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (typeof $ref === "string") {
      const name = DEFINITION_REF.exec($ref)?.[1];
      if (name === undefined || !(name in definitions))
        throw new Error(`the declarations schema refers to ${$ref}, which it does not define`);
      Object.assign(out, inline(definitions[name], depth + 1));
    }
    for (const [key, value] of Object.entries(rest)) {
      // Data, not schemas: examples and defaults are kept as written.
      out[key] = key === "examples" || key === "default" ? value : inline(value, depth);
    }
    return out;
  };
  const { definitions: _definitions, ...root } = schema;
  return inline(root, 0) as AnySchemaObject;
}

/** Made once, on first use: compiling costs more than validating a typical file. */
export function declarationsValidator(): ValidateFunction {
  validator ??= prebuiltValidator(PREBUILT_VALIDATOR_FILE) ?? createAjv().compile(compilableSchema());
  return validator;
}

let verdictValidator: ValidateFunction | undefined;

/**
 * Whether a document is valid, for the fast path (fast-parse.ts) only: its strings have no
 * surrogate (VERDICT_ONLY_OPTIONS). Accepts exactly what declarationsValidator accepts there; its
 * errors, if any, are not the messages' (read those from declarationsValidator).
 */
export function fastPathVerdict(data: unknown): boolean {
  verdictValidator ??= prebuiltValidator(PREBUILT_VERDICT_VALIDATOR_FILE) ?? createAjv({}, "verdict").compile(compilableSchema());
  return verdictValidator(data);
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
    // password is matched by patternProperties, not listed: no hint offers it.
    const names = (s: AnySchemaObject | undefined) => Object.keys((s?.properties ?? {}) as object);
    knownFields = { file: names(root), user: names(definitions.user), defaults: names(definitions.defaults) };
  }
  return knownFields;
}
