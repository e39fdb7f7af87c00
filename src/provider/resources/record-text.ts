/**
 * A `ruangkerja_users` record as its `users` map holds it: a JSON object text (what HCL's
 * `jsonencode` writes), snake_case keys, a key left out or null = not set. Terraform evaluates a
 * string per person far faster than an object of nine attributes, and still shows a changed one
 * field by field (`jsonencode({ ~ name = "a" -> "b" })`).
 *
 * This file only turns text into a record (the object the per-person resource and the checks work
 * on) and back, checking each field's JSON type as Terraform would check an object's; the values
 * themselves are checked later, by the declarations' rules. A text that gives a key twice is refused
 * (strict-json.ts), and a message quotes what a text holds only through echo() (record-messages.ts).
 */
import type { CtyType, TfObject, TfValue } from "../provider-types.js";
import { type JsonPath, lineColumn, parseStrictJson } from "../../json/strict-json.js";
import { safeLine } from "../../text/untrusted-text.js";
import { echo } from "./record-messages.js";
import { RECORD_FIELDS, RECORD_TYPE } from "./users-schema.js";

/** The key a record may repeat its employeeID under (as `jsonencode(person)` of a local does); it must equal the map key. */
export const EMPLOYEE_ID_KEY = "employee_id";

/** The record's keys in the canonical order: the declarations' field order. */
const RECORD_KEYS: readonly string[] = Object.values(RECORD_FIELDS);
const KNOWN_KEYS = new Set([EMPLOYEE_ID_KEY, ...RECORD_KEYS]);

/** Why a text is not a record: its kind (problems are counted per kind), what to say, and the key it is about (none: the text as a whole). */
export interface RecordProblem {
  readonly kind: string;
  readonly summary: string;
  readonly detail?: string;
  readonly key?: string;
}

export type ParsedRecord = { readonly record: TfObject } | { readonly problems: readonly RecordProblem[] };

const EXAMPLE = "users = { for p in local.people : p.employee_id => jsonencode({ name = p.name, email = p.email }) }";
const NOT_JSON_DETAIL = `Each value of users is the person's record as JSON text, e.g. ${EXAMPLE}.`;
const FIELDS_DETAIL = `The fields are ${RECORD_KEYS.join(", ")}.`;

/** Each field's Terraform type (that of the per-person resource's attribute). */
const FIELD_TYPES = (RECORD_TYPE as readonly ["object", Readonly<Record<string, CtyType>>])[1];

/** What a value is, in words; a string quoted as echo() quotes it (escaped, at most ECHO_CHARS of it). */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the string ${echo(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${String(value)}`;
  return "an object";
}

/** What is wrong with a field's value for its type, or undefined when it fits. */
function typeProblem(type: CtyType | undefined, value: unknown): string | undefined {
  if (type === "string") return typeof value === "string" ? undefined : `must be a string, got ${kindOf(value)}`;
  if (type === "bool") return typeof value === "boolean" ? undefined : `must be true or false, got ${kindOf(value)}`;
  if (!Array.isArray(value)) return `must be a list of strings, got ${kindOf(value)}`;
  const wrong = (value as readonly unknown[]).findIndex((item) => typeof item !== "string");
  return wrong < 0 ? undefined : `must be a list of strings, got a list holding ${kindOf((value as readonly unknown[])[wrong])}`;
}

/** `character 27`, or `line 3, column 5` in a text of several lines (a heredoc). */
function placeIn(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return line > 1 ? `line ${line}, column ${column}` : `character ${offset + 1}`;
}

/**
 * Why a text is not valid JSON, or which key it repeats: strict-json's reason (V8's message
 * without the excerpt it quotes of the text) and where, never the text itself.
 */
function notRecordProblem(text: string, failure: { offset: number; reason?: string; path?: JsonPath }): RecordProblem {
  const where = placeIn(text, failure.offset);
  const path = failure.path;
  if (path === undefined || path.length === 0) {
    const reason = failure.reason ?? "unexpected character";
    return { kind: "record is not JSON", summary: `is not JSON: ${safeLine(reason)}, at ${where}`, detail: NOT_JSON_DETAIL };
  }
  const first = path[0];
  const key = typeof first === "string" ? first : undefined;
  const repeated = String(path[path.length - 1]);
  const summary =
    path.length === 1
      ? `is given twice in the record (the second at ${where}): JSON readers disagree on which one counts`
      : `repeats the key ${echo(repeated)} in one object (at ${where}): JSON readers disagree on which one counts`;
  return { kind: "record repeats a key", summary, detail: "Give each field once.", ...(key !== undefined && { key }) };
}

/** The record a text holds, null values dropped (not set), employee_id kept when given; or what is wrong with it. */
export function parseRecord(employeeID: string, text: string): ParsedRecord {
  try {
    return parseText(employeeID, text);
  } catch (error) {
    // A value nested so deeply that a step ran out of stack. None does today (JSON.parse and strict-json's
    // walks are iterative, no value is stringified), but a RangeError must not escape validation.
    if (!(error instanceof RangeError)) throw error;
    const summary = "nests values too deeply to be checked: a record holds strings, true/false and lists of strings";
    return { problems: [{ kind: "record nests too deeply", summary, detail: NOT_JSON_DETAIL }] };
  }
}

function parseText(employeeID: string, text: string): ParsedRecord {
  const parsed = parseStrictJson(text);
  if (!parsed.ok) return { problems: [notRecordProblem(text, parsed)] };
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      problems: [
        {
          kind: "record is not an object",
          summary: `must be a JSON object of the person's fields, got ${kindOf(value)}`,
          detail: `For example ${EXAMPLE}.`,
        },
      ],
    };
  }
  const problems: RecordProblem[] = [];
  // Only known keys are written here ("__proto__" is an unknown field, refused like any other).
  const record: Record<string, TfValue> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (!KNOWN_KEYS.has(key)) {
      problems.push({ kind: "unknown field", key, summary: "is not a field of a user", detail: FIELDS_DETAIL });
    } else if (key === EMPLOYEE_ID_KEY && field !== null && field !== employeeID) {
      const given = typeof field === "string" ? echo(field) : kindOf(field);
      problems.push({ kind: "employee_id is not the key", key, summary: `is ${given}, not the map key ${echo(employeeID)}` });
    } else if (field !== null) {
      const problem = key === EMPLOYEE_ID_KEY ? undefined : typeProblem(FIELD_TYPES[key], field);
      if (problem) problems.push({ kind: `wrong type of ${key}`, key, summary: problem });
      else record[key] = field as TfValue;
    }
  }
  return problems.length > 0 ? { problems } : { record };
}

/**
 * A record's canonical text: employee_id first when the record has it, then the fields in the
 * declarations' order, those not set (null or absent) left out, no spaces. The construct writes
 * this; so do import and a refresh that found a change (keeping employee_id, so that the plan shows
 * only the changed fields).
 */
export function recordText(record: TfObject): string {
  const ordered: Record<string, TfValue> = {};
  for (const key of [EMPLOYEE_ID_KEY, ...RECORD_KEYS]) {
    const value = record[key];
    if (value !== null && value !== undefined) ordered[key] = value;
  }
  return JSON.stringify(ordered);
}

/**
 * The records of a map of texts from Terraform's state, for what was applied. Those texts were
 * checked when they were planned; one that no longer parses counts as a record with nothing set.
 */
export function recordsOf(map: Readonly<Record<string, TfValue>>): Record<string, TfObject> {
  // A null prototype: a "__proto__" key is an entry like any other, not the object's prototype.
  const records = Object.create(null) as Record<string, TfObject>;
  for (const [employeeID, text] of Object.entries(map)) {
    const parsed = typeof text === "string" ? parseRecord(employeeID, text) : undefined;
    records[employeeID] = parsed !== undefined && "record" in parsed ? parsed.record : {};
  }
  return records;
}
