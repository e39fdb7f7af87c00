/**
 * JSON files we read (saved plans, state): JSON.parse, which is fast, plus what it does not do.
 * JSON.parse keeps the last of two equal keys without a word, so a file with two "serial"s or two
 * "email"s means one thing to us and another to a person or tool reading it: such a file is
 * refused. Problems carry an offset in the text, which `lineColumn` turns into a position, and a
 * value's path (from a schema error) is placed with `offsetOfPath`. Pure; no I/O.
 */

export type JsonPath = readonly (string | number)[];

export type StrictJsonResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly offset: number;
      readonly summary: string;
      /** Invalid JSON only: JSON.parse's reason without the excerpt it quotes of the text. */
      readonly reason?: string;
      readonly path?: JsonPath;
    };

/** Parses `text`, refusing invalid JSON and any object that repeats a key. `summary` follows the file's name: "the state file <summary>". */
export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = jsonErrorReason(message);
    return { ok: false, offset: jsonErrorOffset(message, text), summary: `is not valid JSON (${reason})`, reason };
  }
  // Cheap first: a repeated key leaves its object with fewer keys than the text names. Only then
  // is the text walked again to find which key, and where.
  if (countKeysInText(text) === countKeysInValue(value)) return { ok: true, value };
  const duplicate = scanJson(text, undefined);
  if (duplicate.duplicate) {
    const { key, offset, path } = duplicate.duplicate;
    return {
      ok: false,
      offset,
      path,
      summary: `repeats the key ${JSON.stringify(key)} in one object${path.length > 0 ? ` (at ${formatJsonPath(path)})` : ""}: JSON readers disagree on which one counts`,
    };
  }
  return { ok: true, value };
}

/** Where the value at `path` starts in `text` (valid JSON), or undefined when there is none. */
export function offsetOfPath(text: string, path: JsonPath): number | undefined {
  if (path.length === 0) return firstNonSpace(text, 0);
  return scanJson(text, path).found;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < end; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** `plan.actions[3].after.email`: the form messages name a place in a JSON file with. */
export function formatJsonPath(path: JsonPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part) ? `${out ? "." : ""}${part}` : `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** How many keys the objects of `text` (valid JSON) name, repeated ones included; allocates nothing per key. */
function countKeysInText(text: string): number {
  // Per open container: 1 an object expecting a key, 2 an object expecting a value, 0 an array.
  const stack: number[] = [];
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (stack[stack.length - 1] === 1) {
        count++;
        stack[stack.length - 1] = 2;
      }
      i = stringEnd(text, i);
    } else if (c === 0x2c /* , */) {
      if (stack[stack.length - 1] === 2) stack[stack.length - 1] = 1;
    } else if (c === 0x7b /* { */) stack.push(1);
    else if (c === 0x5b /* [ */) stack.push(0);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
  }
  return count;
}

/** How many own keys the objects of a parsed value hold. */
function countKeysInValue(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next) if (typeof item === "object" && item !== null) pending.push(item);
      continue;
    }
    for (const key in next) {
      count++;
      const inner = (next as Record<string, unknown>)[key];
      if (typeof inner === "object" && inner !== null) pending.push(inner);
    }
  }
  return count;
}

/** Characters that end a scalar (by char code, for the hot loop). */
const ENDS_SCALAR: readonly boolean[] = (() => {
  const table: boolean[] = new Array<boolean>(128).fill(false);
  for (const c of ", ]}\t\n\r") table[c.charCodeAt(0)] = true;
  return table;
})();

interface Frame {
  /** Keys seen so far (a list: objects here have a handful, and a Set per object costs more); null for an array. */
  keys: string[] | Set<string> | null;
  /** The current key (object) or index (array). */
  at: string | number;
  expectKey: boolean;
}

interface ScanResult {
  duplicate?: { key: string; offset: number; path: JsonPath };
  found?: number;
}

/**
 * One pass over text JSON.parse accepted: finds the first repeated key, or (with `target`) where
 * the value at that path starts. Strings are skipped with indexOf, so a large file costs little.
 */
function scanJson(text: string, target: JsonPath | undefined): ScanResult {
  const stack: Frame[] = [];
  const pathNow = (): (string | number)[] => stack.map((f) => f.at);
  // True when the value starting now is at `target`.
  const atTarget = (): boolean => {
    if (!target || stack.length !== target.length) return false;
    for (let i = 0; i < stack.length; i++) if ((stack[i] as Frame).at !== target[i]) return false;
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a /* : */) continue;
    const top = stack[stack.length - 1];
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (Array.isArray(top.keys) ? top.keys.includes(key) : top.keys.has(key)) {
          top.at = key;
          return { duplicate: { key, offset: i, path: pathNow() } };
        }
        if (!Array.isArray(top.keys)) top.keys.add(key);
        else if (top.keys.push(key) > 32) top.keys = new Set(top.keys);
        top.at = key;
        top.expectKey = false;
      } else if (atTarget()) {
        return { found: i };
      }
      i = end;
      continue;
    }
    if (c === 0x2c /* , */) {
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      continue;
    }
    // The start of a value: an object, an array, or a number/true/false/null.
    if (atTarget()) return { found: i };
    if (c === 0x7b /* { */) stack.push({ keys: [], at: "", expectKey: true });
    else if (c === 0x5b /* [ */) stack.push({ keys: null, at: 0, expectKey: false });
    else {
      // Skip the rest of a number, true, false or null: up to , ] } or whitespace.
      for (let next = text.charCodeAt(i + 1); i + 1 < text.length && !ENDS_SCALAR[next]; next = text.charCodeAt(i + 1)) i++;
    }
  }
  return {};
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let at = text.indexOf('"', start + 1);
  while (at !== -1) {
    let backslashes = 0;
    for (let j = at - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length - 1;
}

function firstNonSpace(text: string, from: number): number {
  const match = /\S/.exec(text.slice(from, from + 1024));
  return match ? from + match.index : from;
}

/**
 * JSON.parse's reason without the excerpt V8 quotes (`Unexpected token 'R', "RUANGKERJA_TOKEN=…" is
 * not valid JSON`): the file may be anything (a link to /proc/self/environ), and no part of it is
 * repeated in a message.
 */
function jsonErrorReason(message: string): string {
  const positioned = /^(.*?) in JSON at position \d+/.exec(message);
  if (positioned && !/["']/.test(positioned[1] as string)) return (positioned[1] as string).toLowerCase();
  if (/end of JSON input/.test(message)) return "it ends too early: it may be truncated";
  return "unexpected character";
}

/** Where JSON.parse stopped: Node names the position in its message; "end of JSON input" means the end. */
export function jsonErrorOffset(message: string, text: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  return /end of JSON input/.test(message) ? text.length : 0;
}
