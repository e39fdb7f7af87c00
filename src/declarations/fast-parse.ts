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
import { UNSAFE_BMP_CLASS } from "../text/untrusted-text.js";
import { toDesiredUser } from "./normalize.js";
import type { DeclaredUser, ParsedFile } from "./declared-user.js";
import { type DeclarationFileAsWritten, declarationsValidator } from "./schema.js";

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
/** `key:` then the end of the line or a space; the key a plain word. */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?$/;
const NON_STRING_KEY = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;

function plainScalar(text: string, safe: RegExp): string | boolean {
  if (!safe.test(text)) return unusual();
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

/** A scalar in block context (after `key: ` or `- `), with an optional comment after it. */
function blockScalar(text: string): string | boolean {
  const first = text.charAt(0);
  if (first === '"' || first === "'") {
    const [value, rest] = quotedScalar(text);
    if (!LINE_END.test(rest)) unusual();
    return value;
  }
  const comment = text.indexOf(" #");
  return plainScalar(trimSpaces(comment < 0 ? text : text.slice(0, comment)), SAFE_PLAIN_BLOCK);
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
  return text.slice(start, end);
}

/** Whether a key's value is left for the lines below (nothing, or only a comment, after the colon). */
function isEmptyValue(value: string | undefined): value is undefined {
  return value === undefined || value === "" || value.startsWith("#");
}

/** A value written on the key's own line. */
function inlineValue(text: string): unknown {
  return text.charAt(0) === "[" ? flowSequence(text) : blockScalar(text);
}

interface Line {
  readonly indent: number;
  /** The line without its indentation (and without a trailing CR). */
  readonly content: string;
  /** 1-based. */
  readonly number: number;
}

/**
 * The lines that carry content, one at a time (blank lines and whole-line comments skipped):
 * read on demand, so a 100,000-user file never exists as an array of lines.
 */
class Reader {
  private start = 0;
  private number = 0;
  private current: Line | undefined;

  constructor(private readonly text: string) {}

  peek(): Line | undefined {
    this.current ??= this.read();
    return this.current;
  }

  take(): Line {
    const line = this.peek() ?? unusual();
    this.current = undefined;
    return line;
  }

  private read(): Line | undefined {
    const text = this.text;
    while (this.start <= text.length) {
      let end = text.indexOf("\n", this.start);
      if (end < 0) end = text.length;
      this.number++;
      let line = text.slice(this.start, end);
      if (line.charCodeAt(line.length - 1) === 0x0d) line = line.slice(0, -1);
      this.start = end + 1;
      let indent = 0;
      while (line.charCodeAt(indent) === 0x20) indent++;
      if (indent === line.length || line.charCodeAt(indent) === 0x23) continue;
      const content = indent === 0 ? line : line.slice(indent);
      // Directives and document markers start at column 1.
      if (indent === 0 && (content.startsWith("%") || content.startsWith("---") || content.startsWith("..."))) unusual();
      return { indent, content, number: this.number };
    }
    return undefined;
  }

  /** `- scalar` lines, all at one indentation deeper than `parentIndent`; at least one. */
  blockSequence(parentIndent: number): (string | boolean)[] {
    const first = this.peek();
    if (!first || first.indent <= parentIndent) return unusual();
    const items: (string | boolean)[] = [];
    for (let line = this.peek(); line && line.indent > parentIndent; line = this.peek()) {
      if (line.indent !== first.indent || !line.content.startsWith("- ")) unusual();
      this.take();
      items.push(blockScalar(trimSpaces(line.content.slice(2))));
    }
    return items;
  }

  /**
   * `key: value` lines at `column`; `firstContent` is the first key's text when it shares a
   * line with `- `. Ends at a line indented less than `column`.
   */
  mapping(column: number, firstContent?: string): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let content = firstContent;
    for (;;) {
      if (content === undefined) {
        const line = this.peek();
        if (!line || line.indent < column) return map;
        if (line.indent !== column) unusual();
        content = this.take().content;
      }
      const match = KEY_LINE.exec(content) ?? unusual();
      const key = match[1] as string;
      if (NON_STRING_KEY.test(key) || Object.hasOwn(map, key)) unusual();
      const value = match[2];
      map[key] = isEmptyValue(value) ? this.blockSequence(column) : inlineValue(value);
      content = undefined;
    }
  }

  /** The items of `users:`: `- key: value` at one indentation, each a mapping. */
  users(starts: { line: number; column: number }[]): Record<string, unknown>[] {
    const first = this.peek();
    if (!first || !first.content.startsWith("- ")) return unusual();
    const items: Record<string, unknown>[] = [];
    for (let line = this.peek(); line && line.indent >= first.indent; line = this.peek()) {
      const item = line.indent === first.indent && line.content.startsWith("- ");
      // A list at column 1 ends at the next top-level key.
      if (!item && line.indent === 0) break;
      if (!item) unusual();
      this.take();
      let skip = 2;
      while (line.content.charCodeAt(skip) === 0x20) skip++;
      const column = line.indent + skip;
      starts.push({ line: line.number, column: column + 1 });
      items.push(this.mapping(column, line.content.slice(skip)));
    }
    return items;
  }
}

/** Reads a file of the common shape; undefined for anything else (then `yaml` reads it). `text` has no BOM. */
export function readCommonShape(text: string): CommonShape | undefined {
  if (text.includes("\t") || /\r(?!\n)/.test(text)) return undefined;
  try {
    const reader = new Reader(text);
    const data: Record<string, unknown> = {};
    const userStarts: { line: number; column: number }[] = [];
    if (!reader.peek()) return undefined;
    while (reader.peek()) {
      const line = reader.take();
      const match = (line.indent === 0 && KEY_LINE.exec(line.content)) || unusual();
      const key = match[1] as string;
      const value = match[2];
      const empty = isEmptyValue(value);
      if (Object.hasOwn(data, key)) unusual();
      if (key === "users") {
        data.users = empty ? reader.users(userStarts) : inlineValue(value);
        if (!empty && (data.users as unknown[]).length > 0) unusual();
      } else if (key === "defaults" && empty) {
        const first = reader.peek();
        if (!first || first.indent === 0) unusual();
        data.defaults = reader.mapping((first as Line).indent);
      } else unusual();
    }
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
  if (!shape || !declarationsValidator()(shape.data)) return undefined;
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
    users.push({
      index,
      source,
      employeeID,
      ...(username !== undefined && { username }),
      ...(email !== undefined && { email }),
      ...(previousEmployeeIDs !== undefined && { previousEmployeeIDs }),
      user: toDesiredUser(written, declared.defaults, source),
    });
  }
  return { users, diagnostics: [] };
}
