/**
 * The one error reporter of every entry point (the CLI, the lean tf-sync entry, the CDKTF app):
 * an error of ours is its message (and its diagnostics, located), escaped, with exit 1; anything
 * else is a bug, shown with its stack so it can be reported. Loads nothing heavy: the tf-sync
 * entry keeps its lean start-up.
 */
import { type Diagnostic, formatDiagnostics, formatGithubAnnotations, sortDiagnostics } from "../diagnostics.js";
import { InvalidInputError, RuangkerjaError } from "../errors.js";
import { safeLines } from "../text/untrusted-text.js";
import { EXIT_ERROR } from "./exit-codes.js";
import type { Output } from "./output.js";

export interface ReportOptions {
  readonly color: boolean;
  /** Under GitHub Actions: diagnostics are also written as annotations. */
  readonly annotations: boolean;
  /** @default process.stderr.write */
  readonly write?: (text: string) => void;
}

/** Prints `error` for a person and returns the exit code. */
export function reportError(error: unknown, options: ReportOptions): number {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  if (error instanceof InvalidInputError && error.diagnostics.length > 0) {
    write(`${formatDiagnostics(error.diagnostics, { color: options.color })}\n`);
    if (options.annotations) write(`${formatGithubAnnotations(error.diagnostics)}\n`);
  }
  if (error instanceof RuangkerjaError) {
    write(`Error: ${safeLines(error.message)}\n`);
    return EXIT_ERROR;
  }
  // An unexpected failure: show its stack, since it is a bug to report.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`Unexpected error (please report it): ${safeLines(detail)}\n`);
  return EXIT_ERROR;
}

/** A diagnostic in every `--json` output (docs/json-output.md): `detail`, `field` and `location` only when known. */
export interface DiagnosticJson {
  severity: Diagnostic["severity"];
  summary: string;
  detail?: string;
  field?: string;
  location?: { file: string; line: number; column: number };
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    severity: d.severity,
    summary: d.summary,
    ...(d.detail ? { detail: d.detail } : {}),
    ...(d.field ? { field: d.field } : {}),
    ...(d.location ? { location: { file: d.location.file, line: d.location.line, column: d.location.column } } : {}),
  };
}

/** The failure object of every `--json` command (docs/json-output.md, "A failed run"). */
export interface FailureJson {
  formatVersion: 1;
  error: { message: string; kind: string };
  diagnostics: DiagnosticJson[];
}

/**
 * `error` as the failure object: the same message reportError prints (messages are redacted where
 * they are made, so no token or password is in them), its kind (the error's name), and the
 * diagnostics printed before it was thrown together with its own. JSON escapes what files say.
 */
export function failureToJson(error: unknown, printed: readonly Diagnostic[] = []): FailureJson {
  const own = error instanceof InvalidInputError ? error.diagnostics : [];
  const diagnostics = sortDiagnostics([...printed, ...own]).map(diagnosticToJson);
  if (error instanceof RuangkerjaError) return { formatVersion: 1, error: { message: error.message, kind: error.name }, diagnostics };
  const message = `Unexpected error (please report it): ${error instanceof Error ? error.message : String(error)}`;
  return { formatVersion: 1, error: { message, kind: "UnexpectedError" }, diagnostics };
}

/**
 * Runs a command that was asked for JSON: a failure is reported for a person on stderr as always
 * (with the GitHub annotations), and as exactly one failure object on stdout; the exit code is the same.
 */
export async function runReportingJson(output: Output, run: (output: Output) => Promise<number>): Promise<number> {
  const collected: Diagnostic[] = [];
  try {
    return await run({ ...output, collected });
  } catch (error) {
    const code = reportError(error, { color: output.color, annotations: output.annotations === true });
    output.out(JSON.stringify(failureToJson(error, collected)));
    return code;
  }
}
