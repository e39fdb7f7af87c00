/** The only place that writes to the terminal; commands get an Output and never touch process.stdout. */
import { type Diagnostic, formatDiagnostics, formatGithubAnnotations, sortDiagnostics } from "../diagnostics.js";

export interface Output {
  readonly color: boolean;
  /** Results (plan, JSON): stdout. */
  out(text: string): void;
  /** Diagnostics, progress, messages: stderr. */
  err(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Under GitHub Actions: diagnostics are also written as workflow commands (annotations). */
  readonly annotations?: boolean;
}

export function processOutput(color: boolean, annotations = false): Output {
  return {
    color,
    annotations,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

export function printDiagnostics(output: Output, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  output.err(formatDiagnostics(sortDiagnostics(diagnostics), { color: output.color }));
  printAnnotations(output, diagnostics);
}

/** On stderr, which the Actions runner reads for workflow commands as it does stdout: stdout stays the result (JSON, markdown). */
export function printAnnotations(output: Output, diagnostics: readonly Diagnostic[]): void {
  if (output.annotations && diagnostics.length > 0) output.err(formatGithubAnnotations(sortDiagnostics(diagnostics)));
}

export function countLine(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
