/**
 * Problems found before the schema can look at a file: bytes that are not text, YAML that does
 * not parse, aliases that expand too far. Each becomes a located diagnostic in plain words.
 */
import { type Alias, isPair, isScalar, isSeq, type Node, visit, type YAMLError } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { type DataPath, fieldOf, keyName, locationAt, type YamlSource } from "./yaml-source.js";

/** A declaration is configuration: a file this large is a mistake (an export, a log), not a team. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * yaml's default (100) counts each use of an anchor, so a file that shares one tag list among
 * a few hundred users by alias would be refused; 1000 still stops an alias bomb in milliseconds.
 */
export const MAX_ALIAS_COUNT = 1000;

function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

export function fileTooLargeDiagnostic(file: string, bytes: number, limit: number): Diagnostic {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return {
    severity: "error",
    summary: `the file is ${mb(bytes)}, more than the ${mb(limit)} a declaration file may have`,
    detail: "Declaration files are configuration, not data exports. Split the users over several files (one per team or department).",
    location: fileStart(file),
  };
}

export function unreadableFileDiagnostic(file: string, error: unknown): Diagnostic {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return {
    severity: "error",
    summary: `the file cannot be read${code ? ` (${code})` : ""}`,
    detail: error instanceof Error ? error.message : String(error),
    location: fileStart(file),
  };
}

/** Locates the first byte that is not UTF-8; called only once strict decoding has failed. */
export function invalidUtf8Diagnostic(file: string, bytes: Uint8Array): Diagnostic {
  let offset = 0;
  while (offset < bytes.length) {
    const b = bytes[offset] ?? 0;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || offset + length > bytes.length) break;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(offset, offset + length));
    } catch {
      break;
    }
    offset += length;
  }
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (const b of before) if (b === 0x0a) line++;
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return {
    severity: "error",
    summary: "the file is not valid UTF-8 text",
    detail:
      "Save the file as UTF-8 (most editors offer this under 'Save with encoding'). Files exported from spreadsheets are often in another encoding; names with accents then break.",
    location: { file, line, column },
  };
}

export function emptyFileDiagnostic(file: string): Diagnostic {
  return {
    severity: "warning",
    summary: "the file is empty: it declares no users",
    detail: "Add a users: list, or delete the file. Write `users: []` to keep an intentionally empty file without this warning.",
    location: fileStart(file),
  };
}

/** Locates the first carriage return that no line feed follows; CRLF is fine. */
export function loneCarriageReturnDiagnostic(source: YamlSource): Diagnostic | undefined {
  const offset = source.text.search(/\r(?!\n)/);
  if (offset < 0) return undefined;
  return {
    severity: "error",
    summary: "the file has old Mac line endings: lines end with a carriage return (CR) alone, which YAML here does not read as a new line",
    detail:
      "Save the file with LF or CRLF line endings (Unix or Windows); most editors show and change this in the status bar or under 'Line endings'.",
    location: locationAt(source, offset),
  };
}

/**
 * yaml catches the stack overflow of very deep nesting and reports it as a RESOURCE_EXHAUSTION
 * error ("maximum call stack size exceeded"); toJS can overflow too. Neither is about syntax.
 */
function tooDeepDiagnostic(location: SourceLocation): Diagnostic {
  return {
    severity: "error",
    summary: "the file is nested too deeply to be read (lists or mappings inside each other, hundreds of levels deep)",
    detail:
      "A declaration needs only a few levels: users:, a user, and lists such as tagSerials:. Look near here for [ or { that are never closed, or for lines indented further and further; check that this is a declaration file at all.",
    location,
  };
}

/** Names the key of a mapping entry as a field path (`users[0].name`), walking the tree once, for an error. */
function pairAt(source: YamlSource, offset: number): { name: string; path: DataPath } | undefined {
  let found: { name: string; path: DataPath } | undefined;
  visit(source.doc, {
    Pair(_key, pair, ancestors) {
      const key = pair.key as Node | null;
      if (!isScalar(key) || key.range?.[0] !== offset) return undefined;
      const path: (string | number)[] = [];
      const chain = [...ancestors.slice(1), pair];
      for (let i = 0; i < chain.length; i++) {
        const step = chain[i];
        if (isPair(step)) path.push(keyName(step.key));
        else if (isSeq(step)) path.push(step.items.indexOf(chain[i + 1] as Node));
      }
      found = { name: keyName(key), path };
      return visit.BREAK;
    },
  });
  return found;
}

const TAB_INDENT = /^[ ]*\t/;

function lineText(source: YamlSource, line: number): string {
  const starts = source.lineCounter.lineStarts;
  const start = starts[line - 1] ?? 0;
  const end = starts[line] ?? source.text.length;
  return source.text.slice(start, end);
}

const ADVICE: Partial<Record<YAMLError["code"], string>> = {
  BAD_INDENT: "Check the indentation: the fields of one user start in the same column, indented with spaces.",
  BLOCK_AS_IMPLICIT_KEY:
    "A line here is not read as `field: value`. Check for a missing space after a colon, a missing colon, or a value that needs quotes.",
  MULTILINE_IMPLICIT_KEY:
    "A line here is not read as `field: value`. Check for a missing colon (`name: Budi`, with a space after the colon) or wrong indentation.",
  MISSING_CHAR: "Close the quote or bracket that was opened, or remove it.",
  BAD_SCALAR_START: 'Put values that start with @, `, %, | or > in quotes, e.g. "@budi".',
  UNEXPECTED_TOKEN: "Check the YAML syntax near this place; values with special characters (: # [ ] { } ,) need quotes.",
  BAD_DQ_ESCAPE: "Inside \"double quotes\" a backslash starts an escape; use 'single quotes' or write \\\\ for a backslash.",
};

function adviceFor(error: YAMLError): string {
  // The yaml package files "sequence item without - indicator" (a line indented less than its
  // siblings) under MISSING_CHAR, where the quote-and-bracket advice would mislead.
  if (error.code === "MISSING_CHAR" && error.message.includes("indicator")) return ADVICE.BAD_INDENT as string;
  return ADVICE[error.code] ?? "Check the YAML syntax near this place.";
}

function tabLine(source: YamlSource, error: YAMLError): number | undefined {
  const { line } = source.lineCounter.linePos(error.pos[0]);
  return error.code === "TAB_AS_INDENT" || TAB_INDENT.test(lineText(source, line)) ? line : undefined;
}

function tabDiagnostic(source: YamlSource, line: number): Diagnostic {
  return {
    severity: "error",
    summary: `line ${line} is indented with a tab`,
    detail: "YAML allows only spaces for indentation. Replace the tab with spaces (set your editor to insert spaces for Tab).",
    location: { file: source.file, line, column: 1 },
  };
}

function yamlErrorDiagnostic(source: YamlSource, error: YAMLError): Diagnostic {
  const location = locationAt(source, error.pos[0]);
  if (error.code === "DUPLICATE_KEY") {
    const pair = pairAt(source, error.pos[0]);
    if (pair?.name === "") {
      const field = fieldOf(pair.path.slice(0, -1));
      return {
        severity: "error",
        summary: "a key with no name (~, null or nothing before the colon) is written twice in the same place",
        detail: "Give each field a name or remove the lines.",
        ...(field !== undefined && { field }),
        location,
      };
    }
    const name = pair?.name ?? source.text.slice(error.pos[0], error.pos[1]);
    return {
      severity: "error",
      summary: `"${name}" is written twice in the same place`,
      detail: `YAML would keep only one of the two values and silently drop the other. Keep a single "${name}:" line.`,
      ...(pair && { field: fieldOf(pair.path) ?? name }),
      location,
    };
  }
  if (error.code === "MULTIPLE_DOCS") {
    return {
      severity: "error",
      summary: "the file holds more than one YAML document (a line with --- starts a second one)",
      detail: "A declaration file is one document. Put all its users under one users: list, or move the second part to a file of its own.",
      location,
    };
  }
  const message = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  return {
    severity: "error",
    summary: `YAML syntax error: ${message}`,
    detail: adviceFor(error),
    location,
  };
}

/** Diagnostics for yaml's own errors and warnings, one per line at most for tabs, one for deep nesting. */
export function yamlDiagnostics(source: YamlSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const tabLines = new Set<number>();
  let tooDeep = false;
  for (const error of source.doc.errors) {
    if (error.code === "RESOURCE_EXHAUSTION") {
      // Every level still open when the stack ran out reports it again; the first says it all.
      if (!tooDeep) diagnostics.push(tooDeepDiagnostic(locationAt(source, error.pos[0])));
      tooDeep = true;
      continue;
    }
    // A tab in the indentation makes yaml report whatever it then misreads; the tab is the cause to name.
    const line = tabLine(source, error);
    if (line === undefined) diagnostics.push(yamlErrorDiagnostic(source, error));
    else if (!tabLines.has(line)) {
      tabLines.add(line);
      diagnostics.push(tabDiagnostic(source, line));
    }
  }
  for (const warning of source.doc.warnings) {
    diagnostics.push({
      severity: "warning",
      summary: `YAML: ${warning.message.charAt(0).toLowerCase()}${warning.message.slice(1)}`,
      ...(warning.code === "TAG_RESOLVE_FAILED" && { detail: "Custom tags (!something) mean nothing here; remove the tag." }),
      location: locationAt(source, warning.pos[0]),
    });
  }
  const yamlDirective = source.doc.directives?.yaml;
  if (yamlDirective?.explicit && yamlDirective.version !== "1.2") {
    diagnostics.push({
      severity: "warning",
      summary: `the %YAML ${yamlDirective.version} directive is ignored: declarations are read as YAML 1.2`,
      detail: "In YAML 1.2 yes/no/on/off are text (write true/false) and 0123 is the number 123 (quote IDs). Remove the directive.",
      location: fileStart(source.file),
    });
  }
  return diagnostics;
}

/** Turns what doc.toJS() threw (aliases, or a stack overflow on deep nesting) into a located error. */
export function aliasDiagnostic(source: YamlSource, error: unknown): Diagnostic {
  // Walking the tree for an alias would overflow again; the nesting has no single place to point at.
  if (error instanceof RangeError && /call stack/i.test(error.message)) return tooDeepDiagnostic(fileStart(source.file));
  const message = error instanceof Error ? error.message : String(error);
  const excessive = /excessive alias/i.test(message);
  let culprit: Alias | undefined;
  visit(source.doc, {
    Alias(_key, alias) {
      if (excessive || !alias.resolve(source.doc)) {
        culprit = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  const location = culprit?.range ? locationAt(source, culprit.range[0]) : fileStart(source.file);
  const name = culprit ? `*${culprit.source}` : "an alias";
  if (excessive) {
    return {
      severity: "error",
      summary: `aliases such as ${name} expand to too many values (more than ${MAX_ALIAS_COUNT})`,
      detail:
        "This looks like an alias bomb, or very heavy reuse of one anchor. For values shared by every user in the file, use defaults: instead of aliases; otherwise write the values out.",
      location,
    };
  }
  if (culprit) {
    return {
      severity: "error",
      summary: `the alias ${name} refers to an anchor that is not defined before it`,
      detail: `Define &${culprit.source} earlier in the file (an anchor must come before its aliases), or write the value out.`,
      location,
    };
  }
  return { severity: "error", summary: `YAML cannot be read: ${message}`, location };
}
