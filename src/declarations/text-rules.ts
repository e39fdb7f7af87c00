/**
 * The rule on every text value of a declaration: none of the characters that src/text escapes
 * in output (controls and line breaks, bidirectional controls, zero-width and other invisible
 * characters, lone surrogates). A name with U+202E shows reversed in review and in RuangKerja;
 * one with U+200B looks right and never matches. Each is reported where it is written, naming
 * the code point. Keys need no rule of their own: every known key is plain ASCII, so such a key
 * is an unknown field, which schema-messages.ts reports (escaped).
 *
 * A rule rather than a schema pattern: the message names the character and its kind, one
 * definition serves the escaping and the refusal, and it covers every field alike. The fast
 * reader (fast-parse.ts) gives up on any of these characters, so only the yaml path sees them.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { codePointLabel, unsafeCharacters } from "../text/untrusted-text.js";
import { type DataPath, fieldName, fieldOf, label, type PathLink, pathOfLink } from "./data-path.js";
import { DiagnosticLimit } from "../diagnostic-limit.js";
import { EXCERPT_CHARS, escapeExcerpt, quoteExcerpt } from "./file-messages.js";
import { declarationsKnownFields } from "./schema.js";

/** A text value with unsafe characters, and where it is in the data. */
export interface TextFinding {
  readonly path: DataPath;
  readonly value: string;
  /** Each once, in the order they first appear. */
  readonly characters: readonly string[];
}

/** A place in the data, linked to its parent: paths are built only for findings, so deep data costs no copies. */
interface Place extends PathLink {
  readonly value: unknown;
}

/** Every text value with an unsafe character, in document order; walks lists and mappings without recursion (nesting can be deep). */
export function findUnsafeText(data: unknown): TextFinding[] {
  const findings: TextFinding[] = [];
  const stack: Place[] = [{ value: data }];
  while (stack.length > 0) {
    const place = stack.pop() as Place;
    const { value } = place;
    if (typeof value === "string") {
      const characters = unsafeCharacters(value);
      if (characters.length > 0) findings.push({ path: pathOfLink(place), value, characters });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: place, segment: i });
    } else if (value !== null && typeof value === "object" && isPlainObject(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] as [string, unknown];
        stack.push({ value: item, parent: place, segment: key });
      }
    }
  }
  return findings;
}

/** Sets, Maps and Dates (from YAML tags) are the schema's type errors, not text. */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The path as an AJV instancePath (`/users/0/name`), so that findings and schema errors sort into users alike. */
export function pointerOf(path: DataPath): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

type Kind = "line break" | "control" | "bidirectional" | "surrogate" | "invisible";

/** Unicode's Bidi_Control characters: they change the order in which the text around them is shown. */
const BIDI_CONTROL = /^[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]$/;

function kindOf(char: string): Kind {
  if (/^[\n\r\u0085\u2028\u2029]$/.test(char)) return "line break";
  if (/^\p{Cc}$/u.test(char)) return "control";
  if (BIDI_CONTROL.test(char)) return "bidirectional";
  if (/^\p{Cs}$/u.test(char)) return "surrogate";
  return "invisible";
}

const NOUNS: Record<Kind, readonly [string, string]> = {
  "line break": ["a line break", "line breaks"],
  control: ["a control character", "control characters"],
  bidirectional: ["a bidirectional control character", "bidirectional control characters"],
  surrogate: ["a lone surrogate", "lone surrogates"],
  invisible: ["an invisible character", "invisible characters"],
};

const WHY: Record<Kind, string> = {
  "line break":
    "Write the value on one line: a line break in it could start a line of its own in logs and reviews. A YAML block scalar (| or >) keeps the final line break: use >- or plain text.",
  control:
    "Control characters (typed as YAML escapes such as \\e or \\x07, or pasted from a terminal) can drive a terminal that shows them.",
  bidirectional:
    "It changes the order in which the text around it is shown, so a reviewer could read something other than what RuangKerja gets.",
  surrogate: "It is half of a character whose other half is missing (an escape such as \\uD800 on its own).",
  invisible:
    "It cannot be seen, so a value that looks right would not match (such characters come from copying out of documents or spreadsheets, or from an editor's byte-order mark). The zero-width non-joiner and joiner (U+200C, U+200D) that some scripts need are allowed.",
};

/** What the value would read without the characters: line breaks become spaces, the others go. */
function withoutUnsafe(value: string, characters: readonly string[]): string {
  let cleaned = value;
  for (const char of characters) cleaned = cleaned.split(char).join(kindOf(char) === "line break" ? " " : "");
  return cleaned.replace(/ {2,}/g, " ").trim();
}

/** A value can hold thousands of distinct code points; a message names the first few. */
const MAX_CODES_NAMED = 8;

function listCodes(codes: readonly string[]): string {
  if (codes.length <= MAX_CODES_NAMED) return codes.join(", ");
  return `${codes.slice(0, MAX_CODES_NAMED).join(", ")} and ${codes.length - MAX_CODES_NAMED} more`;
}

function describe(finding: TextFinding): Pick<Diagnostic, "summary" | "detail"> {
  const byKind = new Map<Kind, string[]>();
  for (const char of finding.characters) {
    const kind = kindOf(char);
    const codes = byKind.get(kind);
    if (codes) codes.push(codePointLabel(char));
    else byKind.set(kind, [codePointLabel(char)]);
  }
  const parts = [...byKind].map(([kind, codes]) => `${NOUNS[kind][codes.length === 1 ? 0 : 1]} ${listCodes(codes)}`);
  const cleaned = withoutUnsafe(finding.value, finding.characters);
  const retype = `Retype the value without ${finding.characters.length === 1 ? "it" : "them"}${cleaned ? `, e.g. ${quoteExcerpt(cleaned)}` : ""}.`;
  return {
    summary: `${escapeExcerpt(label(finding.path))} ${quoteExcerpt(finding.value)} contains ${parts.join(" and ")}`,
    detail: [...[...byKind.keys()].map((kind) => WHY[kind]), retype].join(" "),
  };
}

let knownFields: ReadonlySet<string> | undefined;

/** For the limit, findings count by field; values under unknown keys (each its own name) count as one kind. */
function kindOfFinding(finding: TextFinding): string {
  if (!knownFields) {
    const known = declarationsKnownFields();
    knownFields = new Set([...known.file, ...known.user, ...known.defaults]);
  }
  const field = fieldName(finding.path);
  return `text ${knownFields.has(field) ? field : "(unknown field)"}`;
}

/** The findings as located errors; `locate` places a path in the file (yaml-source.ts, which this module does not load: the provider checks texts without yaml). */
export function textDiagnostics(findings: readonly TextFinding[], locate: (path: DataPath) => SourceLocation): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const limit = new DiagnosticLimit();
  for (const finding of findings) {
    limit.add(diagnostics, kindOfFinding(finding), () => {
      // The path holds the key as written when the value is under an unknown field.
      const field = fieldOf(finding.path);
      return {
        severity: "error",
        ...describe(finding),
        ...(field !== undefined && { field: escapeExcerpt(field, 2 * EXCERPT_CHARS) }),
        location: locate(finding.path),
      };
    });
  }
  for (const d of limit.summaries()) diagnostics.push(d);
  return diagnostics;
}
