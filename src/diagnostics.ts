/**
 * One Diagnostic type for every problem the tool reports about the user's input
 * (declarations, state, flags), and its formatters. Diagnostics are collected, never
 * thrown one by one: a run reports every problem it found. Their text holds what files say
 * (keys, values, file names), so the formatters print it through src/text/untrusted-text.ts:
 * a diagnostic can neither start a line of its own nor forge a workflow command.
 */
import pc from "picocolors";
import { safeLine, safeLines, showText } from "./text/untrusted-text.js";

export type Severity = "error" | "warning";

/** Where a problem lives. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path as the user would type it (relative to the working directory when possible). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** One sentence, in words an HR admin understands: what is wrong. */
  readonly summary: string;
  /** What to do about it, or more context. */
  readonly detail?: string;
  /** The field concerned, e.g. `users[3].phone` or `employeeID`. */
  readonly field?: string;
  readonly location?: SourceLocation;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `users/a.yaml:12:5`; a file name that needs escaping is quoted: `"users/a\n::x.yaml":12:5`. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return "";
  return `${showText(location.file)}:${location.line}:${location.column}`;
}

export interface FormatOptions {
  readonly color: boolean;
}

/** Terminal form: `users/a.yaml:12:5: error: <summary> (field: x)\n  <detail>`. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions): string {
  const colors = pc.createColors(options.color);
  const where = d.location ? `${formatLocation(d.location)}: ` : "";
  const label = d.severity === "error" ? colors.red(colors.bold("error")) : colors.yellow(colors.bold("warning"));
  const field = d.field ? ` ${colors.dim(`[${safeLine(d.field)}]`)}` : "";
  const head = `${where}${label}: ${safeLine(d.summary)}${field}`;
  return d.detail ? `${head}\n  ${safeLines(d.detail).split("\n").join("\n  ")}` : head;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  return diagnostics.map((d) => formatDiagnostic(d, options)).join("\n");
}

/** Sorts by file, line, column; diagnostics without a location come first. Stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.location?.file ?? "";
    const fb = b.location?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.location?.line ?? 0;
    const lb = b.location?.line ?? 0;
    if (la !== lb) return la - lb;
    return (a.location?.column ?? 0) - (b.location?.column ?? 0);
  });
}

/**
 * GitHub Actions form: one workflow command per diagnostic, e.g.
 * `::error file=users/a.yaml,line=12,col=5,title=ruangkerja-users: phone::<summary>%0A<detail>`,
 * which GitHub shows as an annotation on that line of the pull request's diff. The text is first
 * made safe as in the terminal form (so an annotation shows `\n`, not a line break, where a
 * value held one); then escaping follows GitHub's toolkit: `%`, CR and LF in the message (the
 * detail's own line breaks), also `:` and `,` in properties.
 */
export function formatGithubAnnotation(d: Diagnostic): string {
  const properties: string[] = [];
  if (d.location) {
    // As the terminal form names it: a plain path as it is (the annotation lands on that file), an odd one quoted and escaped.
    properties.push(`file=${escapeAnnotationProperty(showText(d.location.file))}`);
    properties.push(`line=${d.location.line}`, `col=${d.location.column}`);
  }
  properties.push(`title=${escapeAnnotationProperty(d.field ? `ruangkerja-users: ${safeLine(d.field)}` : "ruangkerja-users")}`);
  const message = d.detail ? `${safeLine(d.summary)}\n${safeLines(d.detail)}` : safeLine(d.summary);
  return `::${d.severity} ${properties.join(",")}::${escapeAnnotationData(message)}`;
}

export function formatGithubAnnotations(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatGithubAnnotation).join("\n");
}

function escapeAnnotationData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
