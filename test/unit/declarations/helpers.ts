/** Builders and assertions shared by the declarations tests. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { type Diagnostic, formatLocation, type Severity } from "../../../src/diagnostics.js";

/** Joins lines with "\n" (and a final newline), so that a test's line numbers are the array's indices + 1. */
export function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}

export interface Expected {
  readonly severity?: Severity;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  /** A phrase the summary contains. */
  readonly summary?: string | RegExp;
  /** A phrase the detail contains. */
  readonly detail?: string | RegExp;
}

function matches(d: Diagnostic, e: Expected): boolean {
  const text = (value: string | undefined, want: string | RegExp | undefined) =>
    want === undefined || (value !== undefined && (typeof want === "string" ? value.includes(want) : want.test(value)));
  return (
    (e.severity ?? "error") === d.severity &&
    (e.file === undefined || d.location?.file === e.file) &&
    (e.line === undefined || d.location?.line === e.line) &&
    (e.column === undefined || d.location?.column === e.column) &&
    (e.field === undefined || d.field === e.field) &&
    text(d.summary, e.summary) &&
    text(d.detail, e.detail)
  );
}

/** Asserts that exactly one diagnostic matches; on failure, shows all of them. */
export function expectDiagnostic(diagnostics: readonly Diagnostic[], expected: Expected): Diagnostic {
  const found = diagnostics.filter((d) => matches(d, expected));
  const all = diagnostics.map((d) => `${formatLocation(d.location)} [${d.field ?? ""}] ${d.severity}: ${d.summary} / ${d.detail ?? ""}`);
  expect(found, `expected one diagnostic like ${JSON.stringify(expected)} among:\n${all.join("\n")}\n`).toHaveLength(1);
  return found[0] as Diagnostic;
}

export function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

/** A temp folder with the given files (paths relative to it); `cleanup` removes it. */
export async function makeTree(files: Readonly<Record<string, string | Uint8Array>>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "rk-declarations-"));
  for (const [path, content] of Object.entries(files)) {
    const absolute = join(root, path);
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
  return root;
}

export async function cleanup(root: string | undefined): Promise<void> {
  if (root) await rm(root, { recursive: true, force: true });
}
