/**
 * Problems found before YAML is parsed: a file too large, unreadable, or not UTF-8 text. Apart
 * from yaml-messages.ts so that reading files does not load the yaml package.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";

/** A declaration is configuration: a file this large is a mistake (an export, a log), not a team. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export function fileStart(file: string): SourceLocation {
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
