/**
 * Problems found before the schema can look at a file: bytes that are not text, YAML that does
 * not parse, aliases that expand too far. Each becomes a located diagnostic in plain words. What
 * a message repeats from the file (a key, an anchor, a tag in yaml's own words) is a short excerpt
 * with control characters escaped (file-messages.ts): the location points at the rest.
 */
import { type Alias, visit, type YAMLError } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { DiagnosticLimit } from "../diagnostic-limit.js";
import { EXCERPT_CHARS, escapeExcerpt, fileStart, quoteExcerpt } from "./file-messages.js";
import { duplicateKeyAt, fieldOf, locationAt, type YamlSource } from "./yaml-source.js";

/**
 * yaml's default (100) counts each use of an anchor, so a file that shares one tag list among
 * a few hundred users by alias would be refused; 1000 still stops an alias bomb in milliseconds.
 */
export const MAX_ALIAS_COUNT = 1000;

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

/**
 * A message of the yaml package, lower-cased to follow our words. Some quote the file (`Unresolved
 * tag: !…`, `Invalid escape sequence \q`), a tag's %-escapes decoded: the whole is kept short and escaped.
 */
function yamlMessage(message: string): string {
  return escapeExcerpt(message.charAt(0).toLowerCase() + message.slice(1), 2 * EXCERPT_CHARS);
}

/** Whether the line's indentation holds a tab: spaces, then a tab. */
function indentedWithTab(source: YamlSource, line: number): boolean {
  const text = source.text;
  let at = source.lineCounter.lineStarts[line - 1] ?? 0;
  while (text.charCodeAt(at) === 0x20) at++;
  return text.charCodeAt(at) === 0x09;
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

/** Per line, whether it is indented with a tab: a line of a megabyte with many errors is looked at once. */
type TabLines = Map<number, boolean>;

function tabLine(source: YamlSource, error: YAMLError, known: TabLines): number | undefined {
  const { line } = source.lineCounter.linePos(error.pos[0]);
  if (error.code === "TAB_AS_INDENT") return line;
  let tab = known.get(line);
  if (tab === undefined) {
    tab = indentedWithTab(source, line);
    known.set(line, tab);
  }
  return tab ? line : undefined;
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
    const pair = duplicateKeyAt(source, error.pos[0]);
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
      summary: `${quoteExcerpt(name)} is written twice in the same place`,
      detail: `YAML would keep only one of the two values and silently drop the other. Keep a single ${quoteExcerpt(`${name}:`)} line.`,
      // The field is the key itself here, and is shown (and annotated) like the summary: as an excerpt.
      ...(pair && { field: escapeExcerpt(fieldOf(pair.path) ?? name) }),
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
  return {
    severity: "error",
    summary: `YAML syntax error: ${yamlMessage(error.message)}`,
    detail: adviceFor(error),
    location,
  };
}

/**
 * A tag yaml does not know (`!env`, `!!js/function`, `!<tag:…>`): an error, not a warning. yaml
 * would read the value as plain text without it, so what the author meant (a value from the
 * environment, code to run) silently becomes a name or a serial; the file is refused instead.
 */
function unknownTagDiagnostic(source: YamlSource, warning: YAMLError): Diagnostic {
  const [start, end] = warning.pos;
  // The tag as written (`!!js/function`, not yaml's expanded tag:yaml.org,2002:js/function).
  const tag = escapeExcerpt(source.text.slice(start, Math.min(end, start + 2 * EXCERPT_CHARS + 1)), 2 * EXCERPT_CHARS);
  return {
    severity: "error",
    summary: `YAML: unresolved tag: ${tag}`,
    detail:
      "Custom tags (!env, !!js/function, any !something) are not allowed in a declaration file: they would make a value mean something it does not mean here (nothing is read from the environment or run; the value would be taken as plain text). Remove the tag and write the value itself; an initial password goes through passwordEnv, never into the file.",
    location: locationAt(source, start),
  };
}

/** Tags yaml could not resolve, which make the file's users incomplete (parse-file.ts). */
export function hasUnknownTag(source: YamlSource): boolean {
  return source.doc.warnings.some((w) => w.code === "TAG_RESOLVE_FAILED");
}

/**
 * Diagnostics for yaml's own errors and warnings, one per line at most for tabs, one for deep
 * nesting, and the first of each kind (diagnostic-limit.ts).
 */
export function yamlDiagnostics(source: YamlSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const limit = new DiagnosticLimit();
  const tabLines = new Set<number>();
  const knownTabLines: TabLines = new Map();
  let tooDeep = false;
  for (const error of source.doc.errors) {
    if (error.code === "RESOURCE_EXHAUSTION") {
      // Every level still open when the stack ran out reports it again; the first says it all.
      if (!tooDeep) diagnostics.push(tooDeepDiagnostic(locationAt(source, error.pos[0])));
      tooDeep = true;
      continue;
    }
    // A tab in the indentation makes yaml report whatever it then misreads; the tab is the cause to name.
    const line = tabLine(source, error, knownTabLines);
    if (line === undefined) limit.add(diagnostics, `yaml ${error.code}`, () => yamlErrorDiagnostic(source, error));
    else if (!tabLines.has(line)) {
      tabLines.add(line);
      limit.add(diagnostics, "yaml tab", () => tabDiagnostic(source, line));
    }
  }
  for (const warning of source.doc.warnings) {
    if (warning.code === "TAG_RESOLVE_FAILED") {
      limit.add(diagnostics, "yaml unknown tag", () => unknownTagDiagnostic(source, warning));
      continue;
    }
    limit.add(diagnostics, `yaml warning ${warning.code}`, () => ({
      severity: "warning",
      summary: `YAML: ${yamlMessage(warning.message)}`,
      location: locationAt(source, warning.pos[0]),
    }));
  }
  for (const d of limit.summaries()) diagnostics.push(d);
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
  const anchor = culprit ? escapeExcerpt(culprit.source) : "";
  const name = culprit ? `*${anchor}` : "an alias";
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
      detail: `Define &${anchor} earlier in the file (an anchor must come before its aliases), or write the value out.`,
      location,
    };
  }
  return { severity: "error", summary: `YAML cannot be read: ${yamlMessage(message)}`, location };
}
