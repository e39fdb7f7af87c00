/** All declaration files of a folder, read, validated one by one, then checked together. */
import { open, stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { type Diagnostic, type SourceLocation, sortDiagnostics } from "../diagnostics.js";
import type { DesiredUser } from "../model.js";
import { checkCrossFileRules, type Locate } from "./cross-file-rules.js";
import { digestDeclarations } from "./digest.js";
import { findDeclarationFiles } from "./find-files.js";
import { type DeclaredUser, parseDeclarationText } from "./parse-file.js";
import { fileTooLargeDiagnostic, invalidUtf8Diagnostic, MAX_FILE_BYTES, unreadableFileDiagnostic } from "./yaml-messages.js";
import { findNode, nodeStart, parseYamlSource, type YamlSource } from "./yaml-source.js";

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

async function readDeclarationFile(absolute: string, file: string, maxBytes: number): Promise<FileContent> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(absolute, "r");
    const { size } = await handle.stat();
    if (size > maxBytes) return { diagnostic: fileTooLargeDiagnostic(file, size, maxBytes) };
    const bytes = await handle.readFile();
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
  const results: R[] = new Array(items.length);
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

/** Positions inside users for cross-file problems: files are parsed again only when a problem needs them. */
function createLocator(texts: ReadonlyMap<string, string>): Locate {
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

function byEmployeeID(a: DesiredUser, b: DesiredUser): number {
  if (a.employeeID !== b.employeeID) return a.employeeID < b.employeeID ? -1 : 1;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
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

  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) {
    const summary = dirStat ? `${options.dir} is not a folder` : `no declarations folder ${options.dir}`;
    return {
      users: [],
      files: [],
      digest: digestDeclarations([]),
      diagnostics: [
        {
          severity: "error",
          summary,
          detail: `Create it with one YAML file per team, or name the folder that holds the declarations (looked for ${dir}).`,
        },
      ],
    };
  }

  const found = await findDeclarationFiles(dir, display);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const files = found.files
    .map((absolute) => ({ absolute, file: display(absolute) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (files.length === 0) {
    diagnostics.push({
      severity: "warning",
      summary: `no declaration files (*.yaml, *.yml) in ${options.dir}`,
      detail: "With no files, no users are declared.",
    });
  }

  const parsed = await mapWithConcurrency(files, READ_CONCURRENCY, async ({ absolute, file }) => {
    const content = await readDeclarationFile(absolute, file, maxBytes);
    if ("diagnostic" in content) return { file, users: [], diagnostics: [content.diagnostic] };
    return { file, text: content.text, ...parseDeclarationText(file, content.text) };
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
  for (const d of checkCrossFileRules(declared, createLocator(texts))) diagnostics.push(d);
  return {
    users: declared.flatMap((d) => (d.user ? [d.user] : [])).sort(byEmployeeID),
    diagnostics: sortDiagnostics(diagnostics),
    files: files.map((f) => f.file),
    digest: digestDeclarations(
      files.flatMap(({ absolute, file }) => {
        const text = texts.get(file);
        return text === undefined ? [] : [{ path: relative(dir, absolute).split(sep).join("/"), text }];
      }),
    ),
  };
}
