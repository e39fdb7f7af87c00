/**
 * The one error reporter of every entry point (the CLI, the lean tf-sync entry, the CDKTF app):
 * an error of ours is its message (and its diagnostics, located), escaped, with exit 1; anything
 * else is a bug, shown with its stack so it can be reported. Loads nothing heavy: the tf-sync
 * entry keeps its lean start-up.
 */
import { formatDiagnostics, formatGithubAnnotations } from "../diagnostics.js";
import { InvalidInputError, RuangkerjaError } from "../errors.js";
import { safeLines } from "../text/untrusted-text.js";
import { EXIT_ERROR } from "./exit-codes.js";

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
