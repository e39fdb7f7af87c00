/**
 * All declaration files of a folder, read, validated one by one, then checked together. What is
 * read and what is refused (links, devices, sizes) is described in docs/declaration-files.md.
 */
import { limitDiagnostics } from "../diagnostic-limit.js";
import { constants } from "node:fs";
import { type FileHandle, open, realpath, stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { type Diagnostic, type SourceLocation, sortDiagnostics } from "../diagnostics.js";
import type { DesiredUser } from "../model.js";
import { checkCrossFileRules, type Locate } from "./cross-file-rules.js";
import { digestDeclarations } from "./digest.js";
import { findDeclarationFiles, isInside } from "./find-files.js";
import { parseCommonDeclarationText } from "./fast-parse.js";
import {
  fileTooLargeDiagnostic,
  invalidUtf8Diagnostic,
  kindOf,
  MAX_FILE_BYTES,
  notAFileDiagnostic,
  quoteExcerpt,
  unreadableFileDiagnostic,
} from "./file-messages.js";
import type { DeclaredUser, ParsedFile } from "./parse-file.js";
import type { YamlSource } from "./yaml-source.js";

export interface LoadOptions {
  /** Folder holding the declarations, e.g. "users"; resolved against `cwd`. */
  readonly dir: string;
  /**
   * Paths in diagnostics are made relative to this.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Files larger than this are refused: a declaration is configuration, not a data export.
   * @default 10 MiB
   */
  readonly maxFileBytes?: number;
}

export interface LoadResult {
  /** Sorted by employeeID. When `diagnostics` hold an error, this may be partial. */
  readonly users: DesiredUser[];
  /** Errors and warnings of all files, sorted by location. */
  readonly diagnostics: Diagnostic[];
  /** The declaration files found, relative to `cwd`, sorted. */
  readonly files: string[];
  /** Fingerprint of the files read (paths relative to the folder, and contents): see digest.ts. */
  readonly digest: string;
}

/** Reading is I/O-bound and parsing CPU-bound: a few reads in flight keep the parser busy without exhausting file handles. */
const READ_CONCURRENCY = 8;

type FileContent = { readonly text: string } | { readonly diagnostic: Diagnostic };

// O_NOFOLLOW: a file swapped for a link after the folder was listed is refused (ELOOP), not followed.
// O_NONBLOCK: one swapped for a named pipe opens at once instead of waiting for a writer. Neither exists on Windows.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const MIN_CHUNK = 64 * 1024;

/**
 * The bytes of an open file, or undefined once more than `limit` were read. The size from fstat
 * only sizes the first read: /proc files say 0 and hold kilobytes, and a file may grow meanwhile.
 */
async function readAtMost(handle: FileHandle, size: number, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  let next = size + 1;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(next, limit + 1 - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limit) return undefined;
    // The end, or all that fstat promised (readFile stops there too); past it, fstat was wrong and the reads go on.
    // One read (the usual case) is returned as it is: a copy of a 10 MB file is another 10 MB of fresh memory.
    if (bytesRead === 0 || total === size) return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    next = MIN_CHUNK;
  }
}

/**
 * Reads one declaration file as UTF-8 text. `path` is a regular file inside the folder, as
 * findDeclarationFiles found it; what is opened is checked again, since the folder may have
 * changed since it was listed. Exported for its tests.
 */
export async function readDeclarationFile(path: string, file: string, maxBytes: number): Promise<FileContent> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, OPEN_FLAGS);
    const stats = await handle.stat();
    if (!stats.isFile()) return { diagnostic: notAFileDiagnostic(file, kindOf(stats)) };
    if (stats.size > maxBytes) return { diagnostic: fileTooLargeDiagnostic(file, stats.size, maxBytes) };
    const bytes = await readAtMost(handle, stats.size, maxBytes);
    if (!bytes) return { diagnostic: fileTooLargeDiagnostic(file, undefined, maxBytes) };
    try {
      // fatal: a lone Latin-1 byte must not become U+FFFD in someone's name. The BOM is dropped by the decoder.
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      return { diagnostic: invalidUtf8Diagnostic(file, bytes) };
    }
  } catch (error) {
    return { diagnostic: unreadableFileDiagnostic(file, error) };
  } finally {
    await handle?.close();
  }
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * parseDeclarationText (parse-file.ts), loading `yaml` only for a file the fast path leaves to it:
 * a plan of files of the common shape never loads yaml.
 */
async function parseDeclarationFile(file: string, text: string): Promise<ParsedFile> {
  return parseCommonDeclarationText(file, text) ?? (await import("./parse-file.js")).parseDeclarationTextWithYaml(file, text);
}

/** Positions inside users for cross-file problems: files are parsed again only when a problem needs them. */
function createLocator(
  texts: ReadonlyMap<string, string>,
  { findNode, nodeStart, parseYamlSource }: typeof import("./yaml-source.js"),
): Locate {
  const sources = new Map<string, YamlSource>();
  return (declared, path): SourceLocation => {
    const file = declared.source.file;
    const text = texts.get(file);
    if (text === undefined) return declared.source;
    let source = sources.get(file);
    if (!source) {
      source = parseYamlSource(file, text);
      sources.set(file, source);
    }
    const found = findNode(source, path);
    return found.exact ? nodeStart(source, found.node) : declared.source;
  };
}

/**
 * The declarations folder must be a folder; one named inside the working directory (the
 * repository, in CI) must also really lie inside it, so that a `users` committed as a link to /etc
 * or / is not read. A folder given outside it (--dir /srv/people) was chosen by whoever runs the tool.
 */
async function checkFolder(shown: string, dir: string, cwd: string): Promise<Diagnostic | undefined> {
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) {
    return {
      severity: "error",
      summary: dirStat ? `${shown} is not a folder` : `no declarations folder ${shown}`,
      detail: `Create it with one YAML file per team, or name the folder that holds the declarations (looked for ${dir}).`,
    };
  }
  const base = resolve(cwd);
  if (!isInside(base, dir)) return undefined;
  const [realBase, realDir] = await Promise.all([realpath(base).catch(() => base), realpath(dir).catch(() => dir)]);
  if (isInside(realBase, realDir)) return undefined;
  return {
    severity: "error",
    summary: `the declarations folder ${shown} leads through a symbolic link to ${quoteExcerpt(realDir)}, outside the working directory: it is not read`,
    detail:
      "A folder in the repository that leads out of it would make ruangkerja-users read (and print) files of the machine it runs on. Make the folder a real folder, or, if the target is intended, pass it with --dir.",
  };
}

function byEmployeeID(a: DesiredUser, b: DesiredUser): number {
  if (a.employeeID !== b.employeeID) return a.employeeID < b.employeeID ? -1 : 1;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
}

/** Whether no two neighbours of a list sorted by employeeID share one. */
function adjacentDistinct(sorted: readonly DesiredUser[]): boolean {
  for (let i = 1; i < sorted.length; i++)
    if ((sorted[i] as DesiredUser).employeeID === (sorted[i - 1] as DesiredUser).employeeID) return false;
  return true;
}

/**
 * Reads every `*.yaml`/`*.yml` under `options.dir`, validates each against the schema, applies
 * per-file defaults and checks the rules across files. Never throws for bad input: every
 * problem is a diagnostic; callers stop when `hasErrors(result.diagnostics)`.
 */
export async function loadDeclarations(options: LoadOptions): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  const dir = resolve(cwd, options.dir);
  const display = (absolute: string) => relative(cwd, absolute).split(sep).join("/") || ".";

  const refused = await checkFolder(options.dir, dir, cwd);
  if (refused) return { users: [], files: [], digest: digestDeclarations([]), diagnostics: [refused] };

  const found = await findDeclarationFiles(dir, display);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const files = found.files
    .map((absolute) => ({ absolute, file: display(absolute) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  // Entries refused have their own errors; "no files" would then only contradict them.
  if (files.length === 0 && found.diagnostics.length === 0) {
    diagnostics.push({
      severity: "warning",
      summary: `no declaration files (*.yaml, *.yml) in ${options.dir}`,
      detail: "With no files, no users are declared.",
    });
  }

  const parsed = await mapWithConcurrency(files, READ_CONCURRENCY, async ({ absolute, file }) => {
    const content = await readDeclarationFile(found.links.get(absolute) ?? absolute, file, maxBytes);
    if ("diagnostic" in content) return { file, users: [], diagnostics: [content.diagnostic] };
    return { file, text: content.text, ...(await parseDeclarationFile(file, content.text)) };
  });
  // Flattened in file order, not completion order, so that messages naming other places are stable.
  // Loops, not push(...): a broken 100k-user file has more diagnostics than a call takes arguments.
  const texts = new Map<string, string>();
  const declared: DeclaredUser[] = [];
  for (const result of parsed) {
    if ("text" in result) texts.set(result.file, result.text);
    for (const d of result.diagnostics) diagnostics.push(d);
    for (const d of result.users) declared.push(d);
  }
  // A loop, not flatMap: no array of one per user.
  const users: DesiredUser[] = [];
  for (const d of declared) if (d.user) users.push(d.user);
  users.sort(byEmployeeID);
  // When every declared user is complete (each has its employeeID), the sorted users show whether two share one: no set of them is needed.
  const known = { distinctEmployeeIDs: users.length === declared.length && adjacentDistinct(users) };
  // Placing a problem inside a user needs yaml: it is loaded, and the rules run again, only when there is one to place.
  let locateAsked = false;
  const unlocated: Locate = (d) => {
    locateAsked = true;
    return d.source;
  };
  let crossFile = checkCrossFileRules(declared, unlocated, known);
  if (locateAsked) crossFile = checkCrossFileRules(declared, createLocator(texts, await import("./yaml-source.js")), known);
  for (const d of crossFile) diagnostics.push(d);
  return {
    users,
    diagnostics: sortDiagnostics(limitDiagnostics(diagnostics)),
    files: files.map((f) => f.file),
    digest: digestDeclarations(
      files.flatMap(({ absolute, file }) => {
        const text = texts.get(file);
        return text === undefined ? [] : [{ path: relative(dir, absolute).split(sep).join("/"), text }];
      }),
    ),
  };
}
