/**
 * A parsed declaration file with what it takes to point back into it: positions and the text
 * as written. Lookups here run only for problems and for user item starts, never per field.
 * Everything is linear in the file: keys written twice are found with one pass over the tree
 * (findDuplicateKeys), and a mapping is searched by key through an index made on its first lookup,
 * so that locating 100,000 problems in one user costs what reading the user cost.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
  YAMLParseError,
} from "yaml";
import type { SourceLocation } from "../diagnostics.js";
import { type DataPath, type PathLink, pathOfLink } from "./data-path.js";

export { type DataPath, fieldName, fieldOf, label } from "./data-path.js";

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
    // yaml's own check compares each key with every key before it in its mapping: 100,000 keys in
    // one user took minutes. findDuplicateKeys reports the same errors in one pass.
    uniqueKeys: false,
    prettyErrors: false,
    // Forcing the core schema keeps a `%YAML 1.1` directive from turning yes/no into booleans and 0123 into octal.
    schema: "core",
    version: "1.2",
    // "error", not "silent": silent would also drop the multiple-documents error. Warnings reach the user as diagnostics.
    logLevel: "error",
  });
  findDuplicateKeys(doc, text);
  return { file, text, doc, lineCounter };
}

/** A key written twice, as a message names it: the key and the path of its entry (`users[0].name`). */
export interface DuplicateKey {
  readonly name: string;
  readonly path: DataPath;
}

const duplicateKeys = new WeakMap<Document.Parsed, Map<number, DuplicateKey>>();

/** The key written twice whose DUPLICATE_KEY error is at `offset`. */
export function duplicateKeyAt(source: YamlSource, offset: number): DuplicateKey | undefined {
  return duplicateKeys.get(source.doc)?.get(offset);
}

/** A node to visit, linked to its parent: paths are built only for the keys written twice. */
interface Visit extends PathLink {
  readonly node: unknown;
}

/**
 * Where yaml's uniqueKeys puts the error: at the key; for an empty key (`: v`), whose range lies
 * before the indentation and any comment lines above it, at its colon.
 */
function keyOffset(text: string, key: Node): number {
  const [start, end] = key.range ?? [0, 0];
  if (start !== end) return start;
  let at = start;
  for (;;) {
    while (at < text.length && /\s/.test(text.charAt(at))) at++;
    if (text.charAt(at) !== "#") return at;
    while (at < text.length && text.charAt(at) !== "\n") at++;
  }
}

/**
 * Adds a DUPLICATE_KEY error, where yaml's uniqueKeys would, for each key equal to an earlier
 * key of its mapping: equal as yaml compares them (the same node, or scalars of the same value),
 * so `1` and `1.0` are one key and "1" another. Walks without recursion: nesting can be deep.
 */
function findDuplicateKeys(doc: Document.Parsed, text: string): void {
  const found = new Map<number, DuplicateKey>();
  const stack: Visit[] = [{ node: doc.contents }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const { node } = visit;
    const children: Visit[] = [];
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const segment = keyName(key);
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) {
            const offset = keyOffset(text, key);
            doc.errors.push(new YAMLParseError([offset, offset + 1], "DUPLICATE_KEY", "Map keys must be unique"));
            found.set(offset, { name: segment, path: pathOfLink({ parent: visit, segment }) });
          } else seen.add(key.value);
        } else if (key !== null) children.push({ node: key, parent: visit, segment });
        children.push({ node: pair.value, parent: visit, segment });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => children.push({ node: item, parent: visit, segment: index }));
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Visit);
  }
  if (found.size > 0) duplicateKeys.set(doc, found);
}

export function locationAt(source: YamlSource, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, column: col };
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
  const value = isScalar(key) ? key.value : key;
  if (value === null) return "";
  // What toJS names a key: a number or true as its text, a mapping used as a key (`? {a: 1}`) as its YAML (its toString).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- yaml's nodes have a toString of their own
  return String(value);
}

export interface FoundNode {
  /** The node at the path, or the deepest ancestor that exists. */
  readonly node: Node | undefined;
  /** The key node when the path ends at a mapping entry. */
  readonly key: Node | undefined;
  /** Whether `node` is the node at the full path (not an ancestor). */
  readonly exact: boolean;
}

const keyIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The first entry of a mapping whose key the data names `name`; the mapping's index is made on its first lookup. */
function pairNamed(map: YAMLMap, name: string): Pair | undefined {
  let index = keyIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const key = keyName(pair.key);
      if (!index.has(key)) index.set(key, pair);
    }
    keyIndexes.set(map, index);
  }
  return index.get(name);
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
      const pair = pairNamed(container, String(segment));
      if (pair) {
        nextKey = isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key) ? pair.key : undefined;
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
  return locationAt(source, keyOffset(source.text, key));
}

/** The text of a scalar exactly as written (`001234`, not 1234), or undefined for other nodes. */
export function writtenText(source: YamlSource, node: Node | undefined): string | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return source.text.slice(node.range[0], node.range[1]);
}
