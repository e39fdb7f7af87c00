/**
 * A `users` map checked as the declarations are: the schema (schemas/users.schema.json), the text
 * rules, normalization and the rules across users, with the declarations' own code. Each problem
 * becomes a Terraform diagnostic naming the employeeID and the field, and pointing at them.
 *
 * The bulk resource's records are JSON texts (checkUserTexts): each is parsed first (record-text.ts),
 * and a diagnostic about one points at its map entry, since Terraform cannot point inside a string.
 *
 * Most maps are valid: they are checked against the schema as data, which is fast. Only a map with
 * a problem is written out as a declaration text (one user per line, JSON being YAML) and read by
 * the declarations' parser, so that its messages are word for word those of `validate`.
 */
import type { Diagnostic, SourceLocation } from "../../diagnostics.js";
import { checkCrossFileRules } from "../../declarations/cross-file-rules.js";
import type { DeclaredUser } from "../../declarations/declared-user.js";
import { toDesiredUser } from "../../declarations/normalize.js";
import { declarationsValidator, type UserAsWritten } from "../../declarations/schema.js";
import { findUnsafeText } from "../../declarations/text-rules.js";
import type { DesiredUser } from "../../model.js";
import type { TfDiagnostic, TfObject, TfPathStep, TfValue } from "../provider-types.js";
import { EntryDiagnostics, entryName, fieldStep } from "./record-messages.js";
import { parseRecord } from "./record-text.js";
import { hasUnknown, terraformFieldName, USERS_ATTRIBUTE, usersOf, writtenUser } from "./users-schema.js";

/** What diagnostics name as the file: the resource's attribute. */
const FILE = "users";
/** The declaration text puts user i on line i + FIRST_LINE. */
const FIRST_LINE = 2;

export interface CheckedUsers {
  /** The known records, normalized as declarations are; complete only when there are no errors. */
  readonly users: DesiredUser[];
  readonly diagnostics: TfDiagnostic[];
  /** Keys whose record Terraform does not know yet (plan): not checked, not in `users`. */
  readonly unknown: readonly string[];
}

/**
 * Checks and normalizes every known record of a `users` map. The declarations' parser (and `yaml`
 * with it, ~50 ms to load) is loaded only for a map with a problem.
 */
export async function checkUsers(map: Readonly<Record<string, TfValue>>): Promise<CheckedUsers> {
  const keys: string[] = [];
  const unknown: string[] = [];
  const written: Record<string, unknown>[] = [];
  for (const [key, record] of Object.entries(map)) {
    if (hasUnknown(record)) {
      unknown.push(key);
      continue;
    }
    keys.push(key);
    written.push(writtenUser(key, record));
  }
  const data = { users: written };
  const validate = declarationsValidator();
  const valid = validate(data) && findUnsafeText(data).length === 0;
  const parsed = valid
    ? { users: declaredAsIs(written as unknown as UserAsWritten[]), diagnostics: [] }
    : (await import("../../declarations/parse-file.js")).parseDeclarationText(FILE, declarationText(written));
  const problems: Diagnostic[] = [...parsed.diagnostics];
  const users = parsed.users;
  problems.push(...checkCrossFileRules(users, (user) => user.source));
  const diagnostics = problems.map((d) => toTerraformDiagnostic(d, keys));
  return { users: users.flatMap((u) => (u.user ? [u.user] : [])), diagnostics, unknown };
}

/**
 * Checks a map of JSON texts (the bulk resource's `users`): a text that is not a record is an
 * error of its own; the records are then checked together by checkUsers. Every diagnostic points
 * at the person's entry, naming the field in its text.
 */
export function checkUserTexts(map: Readonly<Record<string, TfValue>>): Promise<CheckedUsers> {
  if (lastChecked && sameTexts(lastChecked.map, map)) return lastChecked.checked;
  const checked = checkTexts(map);
  // Terraform validates the configuration, then plans it (and at apply plans it again): the same texts, checked once.
  lastChecked = { map, checked };
  return checked;
}

let lastChecked: { readonly map: Readonly<Record<string, TfValue>>; readonly checked: Promise<CheckedUsers> } | undefined;

/** Whether two maps hold the same keys with the same known texts (in the same order). */
function sameTexts(a: Readonly<Record<string, TfValue>>, b: Readonly<Record<string, TfValue>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  let index = 0;
  for (const key in b) {
    if (key !== keys[index++]) return false;
    const text = b[key];
    if (typeof text !== "string" || text !== a[key]) return false;
  }
  return true;
}

async function checkTexts(map: Readonly<Record<string, TfValue>>): Promise<CheckedUsers> {
  // A null prototype: a "__proto__" key is an entry (refused as an employeeID), not the object's prototype.
  const records = Object.create(null) as Record<string, TfValue>;
  const found = new EntryDiagnostics();
  for (const [key, text] of Object.entries(map)) {
    if (typeof text !== "string") {
      records[key] = text; // UNKNOWN (plan) passes through; Terraform's map(string) holds nothing else
      continue;
    }
    const parsed = parseRecord(key, text);
    if ("record" in parsed) {
      records[key] = parsed.record;
      continue;
    }
    for (const problem of parsed.problems) {
      const field = problem.key === undefined ? "" : fieldStep(problem.key);
      found.add(key, { ...problem, summary: `${entryName(key)}${field}: ${problem.summary}` });
    }
  }
  const checked = await checkUsers(records);
  return { ...checked, diagnostics: [...found.diagnostics(), ...checked.diagnostics.map(atEntry)] };
}

/** ValidateResourceConfig of ruangkerja_users: every problem of its `users` map (none: it may be planned). */
export async function validateUsersConfig(config: TfObject): Promise<readonly TfDiagnostic[]> {
  return (await checkUserTexts(usersOf(config))).diagnostics;
}

/** A diagnostic at `users → key → field` moved to `users → key`: the record is one string, which Terraform cannot point inside. */
export function atEntry(diagnostic: TfDiagnostic): TfDiagnostic {
  return diagnostic.attribute && diagnostic.attribute.length > 2
    ? { ...diagnostic, attribute: diagnostic.attribute.slice(0, 2) }
    : diagnostic;
}

function sourceOf(index: number): SourceLocation {
  return { file: FILE, line: index + FIRST_LINE, column: 1 };
}

/** Records the schema accepted, as the parser would have returned them. */
function declaredAsIs(written: readonly UserAsWritten[]): DeclaredUser[] {
  return written.map((user, index): DeclaredUser => {
    const source = sourceOf(index);
    return {
      index,
      source,
      employeeID: user.employeeID,
      ...(user.username !== undefined && { username: user.username }),
      ...(user.email !== undefined && { email: user.email }),
      ...(user.previousEmployeeIDs !== undefined && { previousEmployeeIDs: user.previousEmployeeIDs }),
      user: toDesiredUser(user, undefined, source),
    };
  });
}

/** `{"users":[` then one user per line: a declaration text whose line says which user a message is about. */
function declarationText(written: readonly Record<string, unknown>[]): string {
  return `{"users":[\n${written.map((user) => JSON.stringify(user)).join(",\n")}\n]}\n`;
}

/** `user EMP1 (users:3:1)`: the line is the declaration text's, which means nothing in Terraform. */
const PLACE = / \(users:\d+:\d+\)/g;

function toTerraformDiagnostic(diagnostic: Diagnostic, keys: readonly string[]): TfDiagnostic {
  const line = diagnostic.location?.line;
  const key = line === undefined ? undefined : keys[line - FIRST_LINE];
  // `phone`, `users[3].phone` or `tagSerials[1]`: the field of the user.
  const field = diagnostic.field?.split(".").pop()?.replace(/\[.*$/, "");
  const name = field === undefined ? undefined : field === "employeeID" ? "employeeID" : terraformFieldName(field);
  const where = key === undefined ? "" : `${entryName(key)}${name && name !== "employeeID" ? `.${name}` : ""}: `;
  const attribute: TfPathStep[] = [{ attribute: USERS_ATTRIBUTE }];
  if (key !== undefined) attribute.push({ key });
  if (key !== undefined && name !== undefined && name !== "employeeID") attribute.push({ attribute: name });
  const detail = diagnostic.detail?.replace(PLACE, "");
  return {
    severity: diagnostic.severity,
    summary: `${where}${diagnostic.summary.replace(PLACE, "")}`,
    ...(detail !== undefined && { detail }),
    attribute,
  };
}
