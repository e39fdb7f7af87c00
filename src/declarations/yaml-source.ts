/**
 * A parsed declaration file with what it takes to point back into it: positions and the text
 * as written. Lookups here run only for problems and for user item starts, never per field.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { SourceLocation } from "../diagnostics.js";
import type { DataPath } from "./data-path.js";

export { type DataPath, fieldOf } from "./data-path.js";

export interface YamlSource {
  /** The path diagnostics show. */
  readonly file: string;
  /** The text yaml parsed: as read, without a byte order mark. */
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export function parseYamlSource(file: string, raw: string): YamlSource {
  // A BOM is invisible in editors and means nothing to YAML; columns are counted without it.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    // Forcing the core schema keeps a `%YAML 1.1` directive from turning yes/no into booleans and 0123 into octal.
    schema: "core",
    version: "1.2",
    // "error", not "silent": silent would also drop the multiple-documents error. Warnings reach the user as diagnostics.
    logLevel: "error",
  });
  return { file, text, doc, lineCounter };
}

export function locationAt(source: YamlSource, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, column: col };
}

/** `phone`, `tagSerials[1]`, `users[2]`: the short name a summary starts with. */
export function label(path: DataPath): string {
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  if (typeof last === "number") return typeof before === "string" ? `${before}[${last}]` : `[${last}]`;
  return last ?? "the file";
}

/** The field name that decides the rules: for `previousEmployeeIDs[1]`, the list's name. */
export function fieldName(path: DataPath): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === "string") return segment;
  }
  return "";
}

/** Decodes an AJV instancePath (`/users/2/phone`) into a path; array indices become numbers. */
export function pathOfPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let value = data;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      const index = Number(segment);
      path.push(index);
      value = value[index];
    } else {
      path.push(segment);
      value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

/**
 * A mapping key as the data names it. It must match doc.toJS(), which AJV's paths come from:
 * toJS turns a null key (`~:`, `null:` or a bare `:`) into "", not "null".
 */
export function keyName(key: unknown): string {
  if (isScalar(key)) return key.value === null ? "" : String(key.value);
  return key === null ? "" : String(key);
}

export interface FoundNode {
  /** The node at the path, or the deepest ancestor that exists. */
  readonly node: Node | undefined;
  /** The key node when the path ends at a mapping entry. */
  readonly key: Node | undefined;
  /** Whether `node` is the node at the full path (not an ancestor). */
  readonly exact: boolean;
}

export function findNode(source: YamlSource, path: DataPath): FoundNode {
  let node: Node | undefined = (source.doc.contents as Node | null) ?? undefined;
  let key: Node | undefined;
  for (const segment of path) {
    // Follow aliases: a value reached through `*anchor` lives where the anchor is.
    const container: unknown = isAlias(node) ? node.resolve(source.doc) : node;
    let next: Node | undefined;
    let nextKey: Node | undefined;
    if (isMap(container)) {
      const pair = container.items.find((p) => keyName(p.key) === String(segment));
      if (pair) {
        nextKey = isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key) ? (pair.key as Node) : undefined;
        next = (pair.value as Node | null) ?? nextKey;
      }
    } else if (isSeq(container) && typeof segment === "number") {
      const item = container.items[segment];
      next = isPair(item) ? undefined : ((item as Node | null) ?? undefined);
    }
    if (!next) return { node, key: undefined, exact: false };
    node = next;
    key = nextKey;
  }
  return { node, key, exact: true };
}

export function nodeStart(source: YamlSource, node: Node | undefined): SourceLocation {
  return locationAt(source, node?.range?.[0] ?? 0);
}

/** Where a mapping key starts; an empty key (`: value`) has an empty range before the indentation, so point at its colon. */
export function keyStart(source: YamlSource, key: Node): SourceLocation {
  const start = key.range?.[0] ?? 0;
  if (key.range?.[1] !== start) return locationAt(source, start);
  const skipped = /^\s*/.exec(source.text.slice(start, start + 1000))?.[0].length ?? 0;
  return locationAt(source, start + skipped);
}

/** The text of a scalar exactly as written (`001234`, not 1234), or undefined for other nodes. */
export function writtenText(source: YamlSource, node: Node | undefined): string | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return source.text.slice(node.range[0], node.range[1]);
}
