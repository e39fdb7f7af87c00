/** `validate`: offline; exit 0 when the declarations are valid, 1 when not, every problem listed. */
import { loadDeclarations } from "../../declarations/load-declarations.js";
import { hasErrors } from "../../diagnostics.js";
import { showText } from "../../text/untrusted-text.js";
import { EXIT_ERROR, EXIT_OK } from "../exit-codes.js";
import { type CommonFlags, declarationsDir } from "../options.js";
import { countLine, type Output, printAnnotations, printDiagnostics } from "../output.js";
import { diagnosticToJson } from "../report-error.js";

/** `validate --json`'s formatVersion (docs/json-output.md). */
export const VALIDATE_FORMAT_VERSION = 1;

export interface ValidateFlags extends CommonFlags {
  readonly json?: boolean;
}

export async function runValidate(flags: ValidateFlags, output: Output): Promise<number> {
  const dir = declarationsDir(flags);
  const result = await loadDeclarations({ dir });
  const ok = !hasErrors(result.diagnostics);
  if (flags.json) {
    printAnnotations(output, result.diagnostics);
    const diagnostics = result.diagnostics;
    output.out(
      JSON.stringify({
        formatVersion: VALIDATE_FORMAT_VERSION,
        valid: ok,
        files: result.files.length,
        users: result.users.length,
        // The flat file, line and column came first; `location` is the failure object's form (docs/json-output.md).
        diagnostics: diagnostics.map((d) => ({
          ...diagnosticToJson(d),
          ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.column } : {}),
        })),
        ...(ok
          ? {}
          : { error: { message: `the declarations in ${dir} are invalid (${countLine(diagnostics)})`, kind: "InvalidInputError" } }),
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
