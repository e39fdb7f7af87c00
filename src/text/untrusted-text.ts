/**
 * Text the tool did not write itself (YAML keys and values, file names, state values, what
 * RuangKerja answers) printed so that it cannot act on whatever reads the output: no raw line
 * break or control character (a terminal escape, a second line), nothing that hides text or
 * reorders how it is shown, and no CI workflow command (`::error …` at the start of a line, which
 * GitHub Actions reads after trimming spaces; `##[error]` anywhere in a line, its older form).
 * docs/untrusted-text.md lists the characters and why; declarations refuse the same ones
 * (src/declarations/text-rules.ts).
 */

/**
 * Unicode categories Cc (C0, DEL, C1), Cf (format: bidirectional controls, zero-width and other
 * invisible characters, the byte-order mark) except ZWNJ and ZWJ, which Persian and Indic
 * names need, Zl and Zp (line and paragraph separators), and Cs: with the `u` flag a surrogate
 * matches only when it is alone, half of a character that is not there.
 */
const UNSAFE_SOURCE = "(?![\\u200C\\u200D])[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]";
const UNSAFE = new RegExp(UNSAFE_SOURCE, "u");
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, "gu");
/** Printable ASCII holds nothing unsafe; testing for it first keeps plans of 100,000 names quick. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/**
 * The unsafe characters of the Basic Multilingual Plane as ranges for a character class of a
 * regex without the `u` flag, for readers that must refuse them cheaply (fast-parse.ts). Without
 * `u`, \uD800-\uDFFF matches every surrogate, so such a class refuses every character outside the
 * BMP as well: more than UNSAFE, never less (test/unit/text/untrusted-text.test.ts checks it).
 */
export const UNSAFE_BMP_CLASS =
  "\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890\\u0891\\u08E2\\u180E" +
  "\\u200B\\u200E\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uD800-\\uDFFF\\uFEFF\\uFFF9-\\uFFFB";

/**
 * CI log commands that are read anywhere in a line: GitHub's older `##[command]` and Azure
 * Pipelines' `##vso[`. The second `#` is escaped, which breaks the marker and keeps the value.
 */
const LOG_COMMAND = /##(?=\[|vso\[)/g;
/** GitHub's `::command::` at the start of a line, after the white space the runner trims. */
const WORKFLOW_COMMAND_START = /^(\s*):(?=:)/;

export function hasUnsafeCharacter(text: string): boolean {
  return NOT_PRINTABLE_ASCII.test(text) && UNSAFE.test(text);
}

/** The unsafe characters of `text`, each once, in the order they first appear. */
export function unsafeCharacters(text: string): string[] {
  if (!NOT_PRINTABLE_ASCII.test(text)) return [];
  return [...new Set(text.match(UNSAFE_ALL) ?? [])];
}

/** `U+202E`: how messages name a character. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** JSON's escapes: `\n` and the like, otherwise `\uXXXX` per UTF-16 unit (an astral one as its two halves). */
function escapeCharacter(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short) return short;
  let escaped = "";
  for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return escaped;
}

function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_ALL, escapeCharacter).replace(LOG_COMMAND, "#\\u0023");
}

/**
 * Printable ASCII without `"`, `\\` and `#`: JSON.stringify puts such text in quotes as it is, and
 * nothing in it needs escaping further. Most values of a large plan are like this.
 */
const QUOTES_AS_IS = /^[\x20\x21\x24-\x5b\x5d-\x7e]*$/;

/** Whether quoteText gives `text` as it is between double quotes: then a caller may put the quotes around it itself. */
export function quotesAsIs(text: string): boolean {
  return QUOTES_AS_IS.test(text);
}

/**
 * A value in double quotes, escaped as JSON escapes it and further: every unsafe character, and
 * the `#` that would complete a log command. Valid JSON for the same text; for text with none of
 * these it is exactly JSON.stringify's. Use it where the tool quotes a value in its own words.
 */
export function quoteText(text: string): string {
  if (QUOTES_AS_IS.test(text)) return `"${text}"`;
  // JSON.stringify already escapes quotes, backslashes, C0 and lone surrogates, as JSON does; the rest is rare.
  const json = JSON.stringify(text);
  return hasUnsafeCharacter(json) || json.includes("##") ? escapeUnsafe(json) : json;
}

/** A quote or backslash that would read as one, a log command, spaces around the text, or `::` to start a line with. */
const NOT_PLAIN = /["\\]|##(?:\[|vso\[)|^\s|\s$|^::/;

/** Nothing to escape, nothing NOT_PLAIN. */
function isPlain(text: string): boolean {
  return text !== "" && !NOT_PLAIN.test(text) && !hasUnsafeCharacter(text);
}

/**
 * A value printed bare when it is plain (a file name, an employeeID, a name in a column), and as
 * quoteText otherwise, so that `"users/a\n::error.yaml"` cannot be mistaken for a file that exists.
 */
export function showText(text: string): string {
  return isPlain(text) ? text : quoteText(text);
}

/**
 * One line of the tool's own text that may hold untrusted text not quoted before (a message
 * composed elsewhere, an error from RuangKerja): its unsafe characters, line breaks included,
 * escaped, log commands broken, and a leading `::` escaped. Quoted values pass unchanged.
 */
export function safeLine(text: string): string {
  return escapeUnsafe(text).replace(WORKFLOW_COMMAND_START, "$1\\u003a");
}

/** safeLine for each line of text whose line breaks are the tool's own (a diagnostic's detail). */
export function safeLines(text: string): string {
  return text.split("\n").map(safeLine).join("\n");
}

/** A line break as a reader of the output splits on it: GitHub's runner ends a line at CR as well as LF. */
const COMMAND_AT_LINE_START = /(^|[\r\n])([^\S\r\n]*):(?=:)/g;

/**
 * The last guard before the terminal, for output whose renderer is not ours to trust: no line
 * of it starts a workflow command and none holds a log command. Leaves everything else (colors,
 * JSON, markdown) as it is; JSON stays valid and means the same, since `\u003a` and `\u0023`
 * are JSON escapes of `:` and `#` inside its strings.
 */
export function defangWorkflowCommands(text: string): string {
  // Both patterns need a doubled character; most output (a 34 MB plan) has neither, and indexOf finds that out quickly.
  if (!text.includes("::") && !text.includes("##")) return text;
  return text.replace(COMMAND_AT_LINE_START, "$1$2\\u003a").replace(LOG_COMMAND, "#\\u0023");
}
