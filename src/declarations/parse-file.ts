/**
 * One declaration file, from text to desired users: YAML with positions, then the schema, then
 * defaults and normalization. Rules that need other files live in cross-file-rules.ts.
 */
import type { ErrorObject } from "ajv";
import { isAlias, isScalar, isSeq, type Node } from "yaml";
import { type Diagnostic, type SourceLocation, sortDiagnostics } from "../diagnostics.js";
import type { DesiredUser } from "../model.js";
import { parseCommonDeclarationText } from "./fast-parse.js";
import { toDesiredUser } from "./normalize.js";
import { type DeclarationFileAsWritten, declarationsValidator, hiddenTypeErrors, type UserAsWritten } from "./schema.js";
import { schemaDiagnostics } from "./schema-messages.js";
import { findUnsafeText, pointerOf, textDiagnostics } from "./text-rules.js";
import type { DeclaredUser, ParsedFile } from "./declared-user.js";
import { DiagnosticLimit } from "../diagnostic-limit.js";
import {
  aliasDiagnostic,
  emptyFileDiagnostic,
  hasUnknownTag,
  loneCarriageReturnDiagnostic,
  MAX_ALIAS_COUNT,
  yamlDiagnostics,
} from "./yaml-messages.js";
import { fieldOf, findNode, keyStart, locationAt, nodeStart, parseYamlSource, type YamlSource } from "./yaml-source.js";

export type { DeclaredUser, ParsedFile } from "./declared-user.js";

/** `/users/3` or `/users/3/phone/…` → index 3 and field "phone". */
const USER_ERROR = /^\/users\/(\d+)(?:\/([^/]+))?/;

/** Per user index: the fields with errors, or "item" when the item itself is unusable. */
type UserErrors = Map<number, Set<string> | "item">;

function isEmptyDocument(source: YamlSource): boolean {
  const contents = source.doc.contents as Node | null;
  return contents === null || (isScalar(contents) && contents.value === null);
}

/** Where a problem is in the data and of what kind: an AJV error, or a finding of the text rule (keyword "text"). */
type Problem = Pick<ErrorObject, "instancePath" | "keyword">;

/** The schema's keywords about the content of a text: a value the text rule refuses needs no second message about its form. */
const TEXT_CONTENT_KEYWORDS = new Set(["pattern", "format", "minLength", "maxLength"]);

/** Sorts the problems by user; `fileLevel` when one outside the users (defaults, users: itself) concerns them all. */
function errorsByUser(errors: readonly Problem[]): { userErrors: UserErrors; fileLevel: boolean } {
  const userErrors: UserErrors = new Map();
  let fileLevel = false;
  for (const error of errors) {
    const match = USER_ERROR.exec(error.instancePath);
    if (!match) {
      // An unknown top-level key spoils nothing; anything else outside the users (defaults, users: itself) spoils all.
      if (!(error.instancePath === "" && error.keyword === "additionalProperties")) fileLevel = true;
      continue;
    }
    const index = Number(match[1]);
    const field = match[2];
    const known = userErrors.get(index);
    if (known === "item") continue;
    if (field === undefined && error.keyword === "type") userErrors.set(index, "item");
    else {
      const fields = known ?? new Set<string>();
      if (field !== undefined) fields.add(field);
      userErrors.set(index, fields);
    }
  }
  return { userErrors, fileLevel };
}

/** Parses, validates and normalizes one file. `file` is the path diagnostics show. */
export function parseDeclarationText(file: string, text: string): ParsedFile {
  // Most files take the fast path (fast-parse.ts); anything unusual or wrong is read, and reported, by yaml.
  return parseCommonDeclarationText(file, text) ?? parseDeclarationTextWithYaml(file, text);
}

/** parseDeclarationText through the `yaml` package alone; exported for the fast path's equivalence tests. */
export function parseDeclarationTextWithYaml(file: string, text: string): ParsedFile {
  const source = parseYamlSource(file, text);
  // yaml does not end a line at a lone CR, so an old-Mac file reads as one line of misleading syntax errors.
  const lineEndings = loneCarriageReturnDiagnostic(source);
  if (lineEndings) return { users: [], diagnostics: [lineEndings] };
  const diagnostics = yamlDiagnostics(source);
  // A duplicate key leaves a well-formed document behind, so the file's other problems are still
  // worth reporting; after any other YAML error what follows would be noise.
  if (source.doc.errors.some((e) => e.code !== "DUPLICATE_KEY")) return { users: [], diagnostics };
  if (isEmptyDocument(source)) return { users: [], diagnostics: [...diagnostics, emptyFileDiagnostic(file)] };

  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { users: [], diagnostics: [...diagnostics, aliasDiagnostic(source, error)] };
  }

  const validate = declarationsValidator();
  const schemaErrors = validate(data) ? [] : (validate.errors ?? []);
  // AJV's errors inside a value that is not a mapping at all ("has no employeeID" for a !!set) are noise.
  const hidden = hiddenTypeErrors(data);
  const inside = insideAny(hidden.map((h) => h.instancePath));
  const unsafeText = findUnsafeText(data);
  const refusedText = new Set(unsafeText.map((f) => pointerOf(f.path)));
  const errors = [
    ...hidden,
    ...schemaErrors.filter((e) => !inside(e.instancePath) && !(TEXT_CONTENT_KEYWORDS.has(e.keyword) && refusedText.has(e.instancePath))),
  ];
  // After a duplicate key or an unknown tag no user of the file is complete, but identities still feed the cross-file rules.
  const usable = source.doc.errors.length === 0 && !hasUnknownTag(source);
  if (errors.length === 0 && unsafeText.length === 0) {
    return { users: buildUsers(source, data as DeclarationFileAsWritten, new Map(), usable, diagnostics), diagnostics };
  }
  for (const d of schemaDiagnostics(source, errors, data)) diagnostics.push(d);
  for (const d of textDiagnostics(unsafeText, (path) => nodeStart(source, findNode(source, path).node))) diagnostics.push(d);
  if (!Array.isArray((data as { users?: unknown } | null)?.users)) return { users: [], diagnostics };
  const { userErrors, fileLevel } = errorsByUser([
    ...errors,
    ...[...refusedText].map((instancePath) => ({ instancePath, keyword: "text" })),
  ]);
  return { users: buildUsers(source, data as DeclarationFileAsWritten, userErrors, !fileLevel && usable, diagnostics), diagnostics };
}

/**
 * Whether an instancePath lies at or under one of `roots` (hiddenTypeErrors' paths: the file,
 * `/defaults`, `/users/N`): a set lookup per error, since there can be 100,000 of each.
 */
function insideAny(roots: readonly string[]): (path: string) => boolean {
  const set = new Set(roots);
  if (set.has("")) return () => true;
  if (set.size === 0) return () => false;
  return (path) => {
    const top = /^\/(?:defaults|users\/\d+)(?=\/|$)/.exec(path)?.[0];
    return top !== undefined && set.has(top);
  };
}

function validString(written: UserAsWritten, field: "employeeID" | "username" | "email", bad: ReadonlySet<string>): string | undefined {
  const value: unknown = written[field];
  return typeof value === "string" && !bad.has(field) ? value : undefined;
}

function buildUsers(
  source: YamlSource,
  declared: DeclarationFileAsWritten,
  userErrors: UserErrors,
  defaultsValid: boolean,
  diagnostics: Diagnostic[],
) {
  const usersNode = findNode(source, ["users"]).node;
  const seq = isAlias(usersNode) ? usersNode.resolve(source.doc) : usersNode;
  const items = isSeq(seq) ? seq.items : [];
  const users: DeclaredUser[] = [];
  const noErrors: ReadonlySet<string> = new Set();
  const limit = new DiagnosticLimit();
  declared.users.forEach((written, index) => {
    const bad = userErrors.get(index) ?? noErrors;
    if (bad === "item") return;
    const item = items[index] as Node | undefined;
    const location = locationAt(source, item?.range?.[0] ?? 0);
    const employeeID = validString(written, "employeeID", bad);
    const username = validString(written, "username", bad);
    const email = validString(written, "email", bad);
    const previousEmployeeIDs = bad.has("previousEmployeeIDs") ? undefined : written.previousEmployeeIDs;
    const complete = defaultsValid && !userErrors.has(index);
    users.push({
      index,
      source: location,
      ...(employeeID !== undefined && { employeeID }),
      ...(username !== undefined && { username }),
      ...(email !== undefined && { email }),
      ...(previousEmployeeIDs !== undefined && { previousEmployeeIDs }),
      ...(complete && { user: toDesiredUser(written, declared.defaults, location, passwordEnvLocation(source, index, location)) }),
    });
    // The list as written: an error in another item (an unquoted 0042) must not hide this one.
    const listed: unknown = (written as { previousEmployeeIDs?: unknown }).previousEmployeeIDs;
    const self = employeeID !== undefined && Array.isArray(listed) ? listed.indexOf(employeeID) : -1;
    if (self >= 0) {
      const path = ["users", index, "previousEmployeeIDs", self];
      limit.add(diagnostics, "previousEmployeeIDs lists the user's own employeeID", () => ({
        severity: "error",
        summary: `user ${employeeID} lists its own employeeID in previousEmployeeIDs`,
        detail: `previousEmployeeIDs holds the IDs the person had before the current one; remove "${employeeID}" from it.`,
        field: fieldOf(path) ?? "previousEmployeeIDs",
        location: nodeStart(source, findNode(source, path).node),
      }));
    }
  });
  for (const d of limit.summaries()) diagnostics.push(d);
  return users;
}

/** Where the user's `passwordEnv` key is written (the item's start when it has none). */
function passwordEnvLocation(source: YamlSource, index: number, fallback: SourceLocation): SourceLocation {
  const { key, exact } = findNode(source, ["users", index, "passwordEnv"]);
  return exact && key ? keyStart(source, key) : fallback;
}

/**
 * Checks one file on its own (no cross-file rules) and returns its desired users, in file order.
 * When a diagnostic is an error, the users may be partial. For unit tests and the CDKTF construct.
 */
export function validateDeclarationText(file: string, text: string): { users: DesiredUser[]; diagnostics: Diagnostic[] } {
  const parsed = parseDeclarationText(file, text);
  const users = parsed.users.flatMap((d) => (d.user ? [d.user] : []));
  return { users, diagnostics: sortDiagnostics(parsed.diagnostics) };
}
