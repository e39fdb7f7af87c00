/** `validate`: offline; exit 0 when the declarations are valid, 1 when not, every problem listed. */
import { loadDeclarations } from "../../declarations/load-declarations.js";
import { hasErrors } from "../../diagnostics.js";
import { showText } from "../../text/untrusted-text.js";
import { EXIT_ERROR, EXIT_OK } from "../exit-codes.js";
import { type CommonFlags, declarationsDir } from "../options.js";
import { countLine, type Output, printAnnotations, printDiagnostics } from "../output.js";

export interface ValidateFlags extends CommonFlags {
  readonly json?: boolean;
}

export async function runValidate(flags: ValidateFlags, output: Output): Promise<number> {
  const dir = declarationsDir(flags);
  const result = await loadDeclarations({ dir });
  const ok = !hasErrors(result.diagnostics);
  if (flags.json) {
    printAnnotations(output, result.diagnostics);
    output.out(
      JSON.stringify({
        valid: ok,
        files: result.files.length,
        users: result.users.length,
        diagnostics: result.diagnostics.map((d) => ({
          severity: d.severity,
          summary: d.summary,
          ...(d.detail ? { detail: d.detail } : {}),
          ...(d.field ? { field: d.field } : {}),
          ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.column } : {}),
        })),
      }),
    );
    return ok ? EXIT_OK : EXIT_ERROR;
  }
  printDiagnostics(output, result.diagnostics);
  if (ok) {
    output.out(
      `Valid: ${result.users.length} users in ${result.files.length} files under ${showText(dir)} (${countLine(result.diagnostics)}).`,
    );
    return EXIT_OK;
  }
  output.err(`Invalid: ${countLine(result.diagnostics)} in ${showText(dir)}.`);
  return EXIT_ERROR;
}
