/**
 * The fast path for declaration files of the common shape. The `yaml` package parses about
 * 2 MB/s (its CST and the garbage it makes dominate), which alone would put a plan of 100,000
 * users over 10 s. Nearly every real file is the same few line shapes: `key: value` mappings,
 * a `users:` list of them, flow `[a, b]` or block `- a` lists of scalars, comments. This reader
 * accepts exactly those, resolves scalars as the YAML 1.2 core schema does, and gives up
 * (returns undefined) on anything else: anchors, tags, block scalars, escapes, multi-line or
 * numeric-looking plain scalars, directives, documents markers, tabs, duplicate keys, odd
 * indentation. A file it gives up on, and any file whose data the schema does not accept, goes
 * through `yaml` as before, so every diagnostic (and its position) still comes from there.
 *
 * test/unit/declarations/fast-parse.test.ts proves over a corpus of tricky YAML that whenever
 * this reader answers, its values and each user's line and column equal what `yaml` gives.
 */
import type { SourceLocation } from "../diagnostics.js";
import { USER_FIELDS } from "../model.js";
import { UNSAFE_BMP_CLASS } from "../text/untrusted-text.js";
import { toDesiredUser } from "./normalize.js";
import type { DeclaredUser, ParsedFile } from "./declared-user.js";
import { type DeclarationFileAsWritten, fastPathVerdict } from "./schema.js";

/** A file's data as `doc.toJS()` would give it, and where each item of `users:` starts. */
export interface CommonShape {
  readonly data: Record<string, unknown>;
  /** Per item of `users:`, the 1-based line and column of its mapping (its first key), as yaml's LineCounter counts them. */
  readonly userStarts: readonly { readonly line: number; readonly column: number }[];
}

/** Thrown inside the reader to give up; never escapes this module. */
class Unusual extends Error {}

const unusual = (): never => {
  throw new Unusual();
};

// The core schema's resolvers (yaml/dist/schema/core): a plain scalar matching one is not a string.
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const CORE_NOT_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/**
 * Characters a scalar of the fast path never holds: the ones declarations refuse (UNSAFE_BMP_CLASS,
 * which without the `u` flag covers every character beyond the BMP too) and the noncharacters
 * U+FFFE and U+FFFF, which YAML does not count as printable. A file with any of them goes to yaml,
 * and text-rules.ts reports it there with its position.
 */
const NEVER = `${UNSAFE_BMP_CLASS}\\uFFFE\\uFFFF`;
/**
 * Plain scalars kept to what cannot mean anything else: printable characters, not starting with
 * an indicator, without `:` or `#` anywhere, no surrounding spaces. In flow context, without
 * `,[]{}` too.
 */
const SAFE_PLAIN_BLOCK = new RegExp(`^[^\\s\\-?:,[\\]{}#&*!|>'"%@\`](?:[^:#${NEVER}]*[^\\s:#${NEVER}])?$`);
const SAFE_PLAIN_FLOW = new RegExp(`^[^\\s\\-?:,[\\]{}#&*!|>'"%@\`](?:[^:#,[\\]{}${NEVER}]*[^\\s:#,[\\]{}${NEVER}])?$`);
/** Inside quotes: printable; in double quotes no backslash either (no escapes to interpret). */
const SAFE_DOUBLE_QUOTED = new RegExp(`^[^"\\\\${NEVER}]*$`);
const SAFE_SINGLE_QUOTED = new RegExp(`^[^'${NEVER}]*$`);
/** What may follow a value on its line: spaces, or a comment after at least one space. */
const LINE_END = /^(?: *| +#.*)$/;
const NON_STRING_KEY = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;

/** First characters of the plain scalars the core schema may read as something else (null, a number, a boolean): the rest are strings. */
function mayNotBeString(first: number): boolean {
  // digits, + - . ~, and n N t T f F (null, true, false)
  return (
    (first >= 0x30 && first <= 0x39) ||
    first === 0x2b ||
    first === 0x2d ||
    first === 0x2e ||
    first === 0x7e ||
    first === 0x6e ||
    first === 0x4e ||
    first === 0x74 ||
    first === 0x54 ||
    first === 0x66 ||
    first === 0x46
  );
}

function plainScalar(text: string, safe: RegExp): string | boolean {
  if (!safe.test(text)) return unusual();
  if (!mayNotBeString(text.charCodeAt(0))) return text;
  if (CORE_BOOL.test(text)) return text.charCodeAt(0) === 0x74 || text.charCodeAt(0) === 0x54 ? true : false;
  for (const pattern of CORE_NOT_STRING) if (pattern.test(text)) unusual();
  return text;
}

/** A quoted scalar at the start of `text`; returns the value and what follows the closing quote. */
function quotedScalar(text: string): [string, string] {
  const quote = text.charAt(0);
  const end = text.indexOf(quote, 1);
  if (end < 0) return unusual();
  const value = text.slice(1, end);
  if (!(quote === '"' ? SAFE_DOUBLE_QUOTED : SAFE_SINGLE_QUOTED).test(value)) unusual();
  return [value, text.slice(end + 1)];
}

/** `[a, "b", c]` on one line, with an optional comment after it. */
function flowSequence(text: string): (string | boolean)[] {
  const end = text.indexOf("]");
  if (end < 0 || !LINE_END.test(text.slice(end + 1))) return unusual();
  const inner = text.slice(1, end);
  if (trimSpaces(inner) === "") return [];
  return inner.split(",").map((raw) => {
    const item = trimSpaces(raw);
    const first = item.charAt(0);
    if (first === '"' || first === "'") {
      const [value, rest] = quotedScalar(item);
      if (rest !== "") unusual();
      return value;
    }
    return plainScalar(item, SAFE_PLAIN_FLOW);
  });
}

/** Only spaces: String.trim would also drop no-break and other Unicode spaces, which YAML keeps. */
function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (text.charCodeAt(start) === 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) === 0x20) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * The keys declarations use, by length, so that a key read from the text becomes the same
 * (internalized) string every time instead of a new one to look up on every property write.
 */
const KNOWN_KEYS: (string[] | undefined)[] = [];
for (const key of [...USER_FIELDS, "previousEmployeeIDs", "passwordEnv", "users", "defaults"]) (KNOWN_KEYS[key.length] ??= []).push(key);

/** The known key written at text[start, end), compared in place: no string is cut out of the text for it. */
function knownKey(text: string, start: number, end: number): string | undefined {
  const candidates = KNOWN_KEYS[end - start];
  if (candidates === undefined) return undefined;
  for (const key of candidates) if (text.startsWith(key, start)) return key;
  return undefined;
}

const isKeyStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isKeyPart = (c: number) => isKeyStart(c) || (c >= 0x30 && c <= 0x39);

/**
 * The lines that carry content, one at a time (blank lines and whole-line comments skipped), as
 * offsets into the text: a 100,000-user file never exists as an array of lines, nor as a string
 * per line. `text` holds no tab, no CR outside CRLF and no U+2028/U+2029 (readCommonShape checks).
 */
class Reader {
  private next = 0;
  private lineNumber = 0;
  private loaded = false;
  private atEnd = false;
  /** The current line: its indentation, where its content starts and ends (without CR), its 1-based number. */
  indent = 0;
  start = 0;
  end = 0;
  number = 0;
  /** What parseKey found: the key, and where its value starts (-1 when nothing follows the colon). */
  key = "";
  valueStart = -1;

  constructor(private readonly text: string) {}

  /** Whether there is a line left; loads it as the current one. */
  peek(): boolean {
    if (!this.loaded) {
      this.loaded = true;
      this.atEnd = !this.read();
    }
    return !this.atEnd;
  }

  /** Consumes the current line (its fields stay readable until the next peek). */
  take(): void {
    if (!this.peek()) unusual();
    this.loaded = false;
  }

  private read(): boolean {
    const text = this.text;
    while (this.next <= text.length) {
      let end = text.indexOf("\n", this.next);
      if (end < 0) end = text.length;
      this.lineNumber++;
      const lineStart = this.next;
      this.next = end + 1;
      if (end > lineStart && text.charCodeAt(end - 1) === 0x0d) end--;
      let start = lineStart;
      while (start < end && text.charCodeAt(start) === 0x20) start++;
      if (start === end || text.charCodeAt(start) === 0x23) continue;
      // Directives and document markers start at column 1.
      if (start === lineStart && (text.startsWith("%", start) || text.startsWith("---", start) || text.startsWith("...", start))) unusual();
      this.indent = start - lineStart;
      this.start = start;
      this.end = end;
      this.number = this.lineNumber;
      return true;
    }
    return false;
  }

  /** Whether the current line's content, from `at`, starts with `- `. */
  isItem(at = this.start): boolean {
    return this.text.charCodeAt(at) === 0x2d && this.text.charCodeAt(at + 1) === 0x20 && at + 1 < this.end;
  }

  /** `key:` at `at` on the current line, then its end or spaces and a value: sets key and valueStart. */
  private parseKey(at: number): void {
    const text = this.text;
    let i = at;
    if (i >= this.end || !isKeyStart(text.charCodeAt(i))) unusual();
    while (i < this.end && isKeyPart(text.charCodeAt(i))) i++;
    if (i >= this.end || text.charCodeAt(i) !== 0x3a) unusual();
    let key = knownKey(text, at, i);
    if (key === undefined) {
      key = text.slice(at, i);
      if (NON_STRING_KEY.test(key)) unusual();
    }
    i++;
    if (i === this.end) this.valueStart = -1;
    else {
      if (text.charCodeAt(i) !== 0x20) unusual();
      while (i < this.end && text.charCodeAt(i) === 0x20) i++;
      // Nothing, or only a comment, after the colon: the value is left for the lines below.
      this.valueStart = i === this.end || text.charCodeAt(i) === 0x23 ? -1 : i;
    }
    this.key = key;
  }

  /** A value written on the key's own line, from `at` to the line's end. */
  private inlineValue(at: number): unknown {
    return this.text.charCodeAt(at) === 0x5b ? flowSequence(this.text.slice(at, this.end)) : this.blockScalar(at);
  }

  /** A scalar in block context (after `key: ` or `- `, from `at`), with an optional comment after it. */
  private blockScalar(at: number): string | boolean {
    const text = this.text;
    const end = this.end;
    const first = text.charCodeAt(at);
    if (first === 0x22 || first === 0x27) {
      const close = text.indexOf(first === 0x22 ? '"' : "'", at + 1);
      if (close < 0 || close >= end) return unusual();
      const value = text.slice(at + 1, close);
      if (!(first === 0x22 ? SAFE_DOUBLE_QUOTED : SAFE_SINGLE_QUOTED).test(value)) unusual();
      // What may follow on the line: spaces, or a comment after at least one space.
      let i = close + 1;
      while (i < end && text.charCodeAt(i) === 0x20) i++;
      if (i < end && (text.charCodeAt(i) !== 0x23 || i === close + 1)) unusual();
      return value;
    }
    // The value ends at a comment (` #`), then its spaces are dropped.
    let stop = end;
    for (let i = at + 1; i < end; i++) {
      if (text.charCodeAt(i) === 0x23 && text.charCodeAt(i - 1) === 0x20) {
        stop = i - 1;
        break;
      }
    }
    while (stop > at && text.charCodeAt(stop - 1) === 0x20) stop--;
    return plainScalar(text.slice(at, stop), SAFE_PLAIN_BLOCK);
  }

  /** `- scalar` lines, all at one indentation deeper than `parentIndent`; at least one. */
  private blockSequence(parentIndent: number): (string | boolean)[] {
    if (!this.peek() || this.indent <= parentIndent) return unusual();
    const indent = this.indent;
    const items: (string | boolean)[] = [];
    while (this.peek() && this.indent > parentIndent) {
      if (this.indent !== indent || !this.isItem()) unusual();
      this.take();
      let at = this.start + 2;
      while (at < this.end && this.text.charCodeAt(at) === 0x20) at++;
      items.push(this.blockScalar(at));
    }
    return items;
  }

  /**
   * `key: value` lines at `column`; `firstAt` is where the first key starts when it shares a
   * line with `- ` (the current line, taken). Ends at a line indented less than `column`.
   */
  mapping(column: number, firstAt = -1): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let at = firstAt;
    for (;;) {
      if (at < 0) {
        if (!this.peek() || this.indent < column) return map;
        if (this.indent !== column) unusual();
        this.take();
        at = this.start;
      }
      this.parseKey(at);
      const key = this.key;
      if (Object.hasOwn(map, key)) unusual();
      map[key] = this.valueStart < 0 ? this.blockSequence(column) : this.inlineValue(this.valueStart);
      at = -1;
    }
  }

  /** The items of `users:`: `- key: value` at one indentation, each a mapping. */
  users(starts: { line: number; column: number }[]): Record<string, unknown>[] {
    if (!this.peek() || !this.isItem()) return unusual();
    const indent = this.indent;
    const items: Record<string, unknown>[] = [];
    while (this.peek() && this.indent >= indent) {
      const item = this.indent === indent && this.isItem();
      // A list at column 1 ends at the next top-level key.
      if (!item && this.indent === 0) break;
      if (!item) unusual();
      this.take();
      let at = this.start + 2;
      while (at < this.end && this.text.charCodeAt(at) === 0x20) at++;
      const column = this.indent + (at - this.start);
      starts.push({ line: this.number, column: column + 1 });
      items.push(this.mapping(column, at));
    }
    return items;
  }

  /** The top level: `users:` and `defaults:` at column 1. */
  document(userStarts: { line: number; column: number }[]): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    if (!this.peek()) unusual();
    while (this.peek()) {
      this.take();
      if (this.indent !== 0) unusual();
      this.parseKey(this.start);
      const key = this.key;
      const valueStart = this.valueStart;
      if (Object.hasOwn(data, key)) unusual();
      if (key === "users") {
        data.users = valueStart < 0 ? this.users(userStarts) : this.inlineValue(valueStart);
        if (valueStart >= 0 && (data.users as unknown[]).length > 0) unusual();
      } else if (key === "defaults" && valueStart < 0) {
        if (!this.peek() || this.indent === 0) unusual();
        data.defaults = this.mapping(this.indent);
      } else unusual();
    }
    return data;
  }
}

/** Characters that end the fast path at once: tabs, a CR outside CRLF, and the line and paragraph separators. */
const UNUSUAL_ANYWHERE = /[\t\u2028\u2029]|\r(?!\n)/;

/** Reads a file of the common shape; undefined for anything else (then `yaml` reads it). `text` has no BOM. */
export function readCommonShape(text: string): CommonShape | undefined {
  // indexOf of one character is much quicker than the regex over a 3 MB file, which is needed only when one is there.
  const suspect = text.includes("\t") || text.includes("\r") || text.includes("\u2028") || text.includes("\u2029");
  if (suspect && UNUSUAL_ANYWHERE.test(text)) return undefined;
  try {
    const userStarts: { line: number; column: number }[] = [];
    const data = new Reader(text).document(userStarts);
    return { data, userStarts };
  } catch (error) {
    if (error instanceof Unusual) return undefined;
    throw error;
  }
}

/**
 * The whole of parseDeclarationText for a file of the common shape that the schema accepts:
 * the same users, no diagnostics. Undefined when the file needs `yaml` (anything unusual, any
 * problem to report with its position).
 */
export function parseCommonDeclarationText(file: string, raw: string): ParsedFile | undefined {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const shape = readCommonShape(text);
  if (!shape || !fastPathVerdict(shape.data)) return undefined;
  const declared = shape.data as unknown as DeclarationFileAsWritten;
  const users: DeclaredUser[] = [];
  for (let index = 0; index < declared.users.length; index++) {
    const written = declared.users[index];
    const start = shape.userStarts[index];
    if (!written || !start) return undefined;
    const { employeeID, username, email, previousEmployeeIDs } = written;
    // Listing one's own id is an error that yaml's path locates; passwordEnv keeps where its key is written.
    if (previousEmployeeIDs?.includes(employeeID) || written.passwordEnv !== undefined) return undefined;
    const source: SourceLocation = { file, line: start.line, column: start.column };
    // Assigned, not spread: no object per optional field.
    const one: { -readonly [K in keyof DeclaredUser]: DeclaredUser[K] } = { index, source, employeeID };
    if (username !== undefined) one.username = username;
    if (email !== undefined) one.email = email;
    if (previousEmployeeIDs !== undefined) one.previousEmployeeIDs = previousEmployeeIDs;
    one.user = toDesiredUser(written, declared.defaults, source);
    users.push(one);
  }
  return { users, diagnostics: [] };
}
