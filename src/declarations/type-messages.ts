/**
 * Messages for values of the wrong kind (AJV's "type" errors): text that YAML read as a number,
 * a list where a user belongs, and values that a YAML tag (!!int, !!set, !!timestamp) turned
 * into something else. schema-messages.ts handles the other keywords and locates them all.
 */
import type { ErrorObject } from "ajv";
import type { Diagnostic } from "../diagnostics.js";
import { escapeExcerpt, quoteExcerpt } from "./file-messages.js";
import { type DataPath, fieldName, findNode, label, writtenText, type YamlSource } from "./yaml-source.js";

export type Message = Pick<Diagnostic, "summary" | "detail">;

/** One AJV error with what it takes to describe it. */
export interface Problem {
  readonly source: YamlSource;
  readonly error: ErrorObject;
  readonly path: DataPath;
  /** The document as yaml read it (after aliases). */
  readonly data: unknown;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  // YAML 1.1 tags make values JSON has no word for; name the tag, the user wrote it.
  if (value instanceof Date) return "a date/time (!!timestamp)";
  if (value instanceof Uint8Array) return "binary data (!!binary)";
  if (value instanceof Set) return "a set (!!set)";
  if (value instanceof Map) return "an ordered mapping (!!omap)";
  if (typeof value === "boolean") return `true/false (${value})`;
  if (typeof value === "number") return "a number";
  if (typeof value === "string") return `text (${quoteExcerpt(value)})`;
  if (Array.isArray(value)) return "a list";
  return "a mapping of field: value lines";
}

/** The tag written on the node at the path (`!!int`), if any: it is why YAML read the value as it did. */
function tagAt(problem: Problem): string | undefined {
  const tag = findNode(problem.source, problem.path).node?.tag;
  if (!tag) return undefined;
  return tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
}

/** "Remove the !!set tag. " for a value that only a YAML 1.1 tag could make; "" otherwise. */
function removeTagAdvice(problem: Problem, value: unknown): string {
  const tag = tagAt(problem);
  const made = value instanceof Date || value instanceof Uint8Array || value instanceof Set || value instanceof Map;
  return tag && made ? `Remove the ${tag} tag. ` : "";
}

function isQuoted(written: string): boolean {
  return written.startsWith('"') || written.startsWith("'");
}

/** `phone: "12"`; a value already in quotes (under a tag such as !!int) keeps its own. */
function quoteHint(problem: Problem, written: string): string {
  const last = problem.path[problem.path.length - 1];
  const quoted = isQuoted(written) ? written : `"${written}"`;
  return typeof last === "string" ? `${last}: ${quoted}` : quoted;
}

/** The scalar at the problem's path as written, if it fits in a message (a number of a million digits does not). */
function shortWrittenText(problem: Problem): string | undefined {
  const written = writtenText(problem.source, findNode(problem.source, problem.path).node);
  return written !== undefined && escapeExcerpt(written) === written ? written : undefined;
}

function notTextMessage(problem: Problem, value: unknown): Message {
  const name = label(problem.path);
  const written = shortWrittenText(problem);
  const tag = tagAt(problem);
  const removeTag =
    tag && written !== undefined ? `Remove the ${tag} tag${isQuoted(written) ? "" : " and put the value in quotes"}` : undefined;
  if (value === null || value === undefined) return { summary: `${name} has no value`, detail: "Fill it in, or remove the line." };
  if ((typeof value === "number" || typeof value === "boolean") && written) {
    // Under a tag the quotes are part of what was written (`!!int "12"`); compare the text inside them.
    const text = isQuoted(written) ? written.slice(1, -1) : written;
    const readAs = typeof value === "number" ? (String(value) === text ? "a number" : `the number ${value}`) : `true/false`;
    const lost =
      typeof value !== "number" || String(value) === text
        ? ""
        : /^[+-]?0[0-9]/.test(text)
          ? ` (as a number, ${text} loses its leading zeros and becomes ${value})`
          : ` (as a number, ${text} becomes ${value})`;
    return {
      summary: tag
        ? `${name} ${written} is tagged ${tag}, so YAML reads it as ${readAs}, not as text`
        : `${name} ${written} is read by YAML as ${readAs}, not as text`,
      detail: `${removeTag ?? "Put it in quotes"} so it is kept exactly as written${lost}: ${quoteHint(problem, written)}`,
    };
  }
  // A block scalar (`!!binary |`) spans lines; a one-line hint would misquote it.
  if (removeTag && written !== undefined && !written.includes("\n")) {
    return { summary: `${name} must be text, but it is ${kindOf(value)}`, detail: `${removeTag}: ${quoteHint(problem, written)}` };
  }
  return {
    summary: `${name} must be text, but it is ${kindOf(value)}`,
    detail: `${removeTagAdvice(problem, value)}Write a single value after "${fieldName(problem.path)}:".`,
  };
}

const YES = /^(y|yes|on|true|ya|aktif)$/i;
const NO = /^(n|no|off|false|tidak|nonaktif)$/i;

function notBooleanMessage(problem: Problem, value: unknown): Message {
  const name = label(problem.path);
  if (value === null || value === undefined) {
    return {
      summary: `${name} has no value`,
      detail: `Write ${name}: true or ${name}: false, or remove the line (users are active unless told otherwise).`,
    };
  }
  if (typeof value === "string") {
    const written = writtenText(problem.source, findNode(problem.source, problem.path).node) ?? value;
    const meant = YES.test(value.trim()) ? "true" : NO.test(value.trim()) ? "false" : undefined;
    const tag = tagAt(problem);
    return {
      summary: `${name} ${quoteExcerpt(value)} is text, not true or false`,
      detail:
        tag && meant
          ? `Remove the ${tag} tag${isQuoted(written) ? " and the quotes" : ""}: ${name}: ${meant}`
          : isQuoted(written) && meant
            ? `Remove the quotes: ${name}: ${meant}`
            : meant
              ? `YAML 1.2 reads yes/no/on/off as text. Write ${name}: ${meant}`
              : `Write ${name}: true or ${name}: false.`,
    };
  }
  return {
    summary: `${name} must be true or false, but it is ${kindOf(value)}`,
    detail: `${removeTagAdvice(problem, value)}Write ${name}: true or ${name}: false.`,
  };
}

function notListMessage(problem: Problem, value: unknown): Message {
  const name = label(problem.path);
  if (value === null || value === undefined) {
    return { summary: `${name} has no value`, detail: `Write ${name}: [] for none, or remove the line.` };
  }
  // The value itself when it is short and plain, so that the hint shows its own list.
  const own = typeof value === "string" && value !== "" && escapeExcerpt(value) === value && !value.includes('"');
  const example = own ? value : name === "tagSerials" ? "RUKRTAG-9WHL0JGP" : "EMP0042";
  return {
    summary: `${name} must be a list, but it is ${kindOf(value)}`,
    detail: `${removeTagAdvice(problem, value)}Write ${name}: ["${example}"], or one "- ${example}" line per item under ${name}:.`,
  };
}

export function typeMessage(problem: Problem, expected: string, value: unknown): Message {
  const { path } = problem;
  if (path.length === 0) {
    return {
      summary: `the file must be a mapping with a users: list, but it is ${kindOf(value)}`,
      detail:
        removeTagAdvice(problem, value) +
        "Start the file with a line `users:` and list one person per item under it, e.g.\nusers:\n  - employeeID: EMP001\n    name: Budi Santoso\n    email: budi.santoso@contoh.co.id",
    };
  }
  if (path.length === 1 && path[0] === "users") {
    if (value === null)
      return {
        summary: "users has no value",
        detail: 'Write "users: []" for a file without users, or list the users under it, each item starting with "- ".',
      };
    return {
      summary: `users must be a list, but it is ${kindOf(value)}`,
      detail: removeTagAdvice(problem, value) + 'List the users under users:, one item per person, each starting with "- ".',
    };
  }
  if (path.length === 1 && path[0] === "defaults") {
    if (value === null)
      return {
        summary: "defaults has no value",
        detail: "Write the shared fields under it (isActive, tagSerials, organizationSerial), or remove the line.",
      };
    return {
      summary: `defaults must be a mapping of field: value lines, but it is ${kindOf(value)}`,
      detail: `${removeTagAdvice(problem, value)}Write field: value lines under it, e.g.\ndefaults:\n  organizationSerial: COMPFJLYTHWL`,
    };
  }
  if (path.length === 2 && path[0] === "users") {
    if (value === null) return { summary: `${label(path)} is empty`, detail: "Remove the lone dash, or write the user's fields after it." };
    return {
      summary: `${label(path)} must be a user (employeeID:, name:, email: …), but it is ${kindOf(value)}`,
      detail:
        removeTagAdvice(problem, value) +
        'Each item under users: is one person: "- " followed by field: value lines that line up under each other. Check the dash and the indentation.',
    };
  }
  if (expected === "string") return notTextMessage(problem, value);
  if (expected === "boolean") return notBooleanMessage(problem, value);
  if (expected === "array") return notListMessage(problem, value);
  return { summary: `${label(path)} must be ${expected}, but it is ${kindOf(value)}` };
}
