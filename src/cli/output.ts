/**
 * The only place that writes to the terminal; commands get an Output and never touch process.stdout.
 * Renderers escape what files say (src/text/untrusted-text.ts); out and err also make sure, for
 * whatever a renderer missed, that no line reads as a CI workflow command. The tool's own
 * annotations go through `annotate`, which alone writes them as they are.
 */
import { type Diagnostic, formatDiagnostics, formatGithubAnnotations, sortDiagnostics } from "../diagnostics.js";
import { problemsCounted } from "../diagnostic-limit.js";
import { defangWorkflowCommands } from "../text/untrusted-text.js";

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
  /**
   * Writes workflow commands the tool made itself (formatGithubAnnotations) to stderr as they are.
   * @default err
   */
  annotate?(text: string): void;
  /**
   * With `--json`: printDiagnostics also collects here what it prints, so that a failed run's
   * failure object (report-error.ts, failureToJson) lists the diagnostics already on stderr.
   */
  readonly collected?: Diagnostic[];
}

/**
 * A reader that goes away (`plan | head -1`) closes the pipe: what is left to print is dropped,
 * quietly, and the command runs to its end (an apply still saves its state) with its own exit code.
 */
const closed = new WeakSet<NodeJS.WriteStream>();
function writeTo(stream: NodeJS.WriteStream, text: string | Buffer): void {
  if (closed.has(stream)) return;
  if (stream.listenerCount("error") === 0) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      closed.add(stream);
    });
  }
  stream.write(text);
}

export function processOutput(color: boolean, annotations = false): Output {
  return {
    color,
    annotations,
    // As UTF-8 bytes: a pipe that is full queues what is written until the end (a 34 MB plan), and a
    // queued string would be kept by the garbage collector and copied again; bytes are written as they are.
    out: (text) => writeTo(process.stdout, Buffer.from(`${defangWorkflowCommands(text)}\n`, "utf8")),
    err: (text) => writeTo(process.stderr, `${defangWorkflowCommands(text)}\n`),
    annotate: (text) => writeTo(process.stderr, `${text}\n`),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

export function printDiagnostics(output: Output, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  output.collected?.push(...diagnostics);
  output.err(formatDiagnostics(sortDiagnostics(diagnostics), { color: output.color }));
  printAnnotations(output, diagnostics);
}

/** On stderr, which the Actions runner reads for workflow commands as it does stdout: stdout stays the result (JSON, markdown). */
export function printAnnotations(output: Output, diagnostics: readonly Diagnostic[]): void {
  if (!output.annotations || diagnostics.length === 0) return;
  const text = formatGithubAnnotations(sortDiagnostics(diagnostics));
  if (output.annotate) output.annotate(text);
  else output.err(text);
}

export function countLine(diagnostics: readonly Diagnostic[]): string {
  // A "…and 99,900 more like this" line stands for the problems it counts (diagnostic-limit.ts).
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors += problemsCounted(d);
    else warnings += problemsCounted(d);
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** Whether a command's flags ask for JSON on stdout (`--json`, or `--format json`). */
export function wantsJson(flags: { readonly json?: boolean; readonly format?: string }): boolean {
  return flags.json === true || flags.format === "json";
}
