import { describe, expect, it } from "vitest";
import {
  type Diagnostic,
  formatDiagnostic,
  formatGithubAnnotation,
  formatGithubAnnotations,
  formatLocation,
} from "../../src/diagnostics.js";

/** A diagnostic whose every part holds what a hostile file could put there, raw (as a message composed elsewhere might). */
const FORGED: Diagnostic = {
  severity: "error",
  summary: 'unknown field "x\n::error title=Forged::all good" in user E1 ##[error]also',
  detail: "First line.\n::warning::forged in the detail\n\u001b[2Jcleared",
  field: "users[0].x\r::notice::forged",
  location: { file: "users/\n::error file=README.md::forged.yaml", line: 3, column: 5 },
};

/** Whether some line, as GitHub's runner reads lines (ending at LF or CR, leading white space trimmed), is a workflow command. */
function forgedLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith("::") || line.includes("##["));
}

describe("formatDiagnostic", () => {
  it("prints what a file said escaped: one header line, the detail's own lines, no command and no escape sequence", () => {
    const text = formatDiagnostic(FORGED, { color: false });
    expect(forgedLines(text)).toEqual([]);
    expect(text).not.toContain("\u001b");
    expect(text.split("\n")).toEqual([
      '"users/\\n::error file=README.md::forged.yaml":3:5: error: unknown field "x\\n::error title=Forged::all good" in user E1 #\\u0023[error]also [users[0].x\\r::notice::forged]',
      "  First line.",
      "  \\u003a:warning::forged in the detail",
      "  \\u001b[2Jcleared",
    ]);
  });

  it("prints a plain location as it is, and quotes a file name that needs escaping", () => {
    expect(formatLocation({ file: "users/a.yaml", line: 1, column: 2 })).toBe("users/a.yaml:1:2");
    expect(formatLocation({ file: "::error::x.yaml", line: 1, column: 2 })).toBe('"::error::x.yaml":1:2');
    expect(formatLocation({ file: "users/a\u202e.yaml", line: 1, column: 2 })).toBe('"users/a\\u202e.yaml":1:2');
  });
});

describe("formatGithubAnnotation", () => {
  it("is one command, the tool's, whatever the diagnostic holds", () => {
    const line = formatGithubAnnotation(FORGED);
    expect(line.split(/[\r\n]/)).toHaveLength(1);
    expect(line).toMatch(/^::error file=[^,:]*,line=3,col=5,title=[^,:]*::/);
    expect(line).not.toContain("##[");
    expect(line).not.toContain("\u001b");
    // The message shows the escapes the terminal form shows; only the detail's own line breaks are %0A.
    expect(line.split("::").slice(2).join("::")).toBe(
      'unknown field "x\\n::error title=Forged::all good" in user E1 #\\u0023[error]also%0AFirst line.%0A\\u003a:warning::forged in the detail%0A\\u001b[2Jcleared',
    );
  });

  it("writes file, line, col and title, and the detail on a second line", () => {
    expect(
      formatGithubAnnotation({
        severity: "error",
        summary: "phone is a number",
        detail: "Quote it.",
        field: "users[1].phone",
        location: { file: "users/a.yaml", line: 7, column: 12 },
      }),
    ).toBe("::error file=users/a.yaml,line=7,col=12,title=ruangkerja-users%3A users[1].phone::phone is a number%0AQuote it.");
  });

  it("escapes % CR LF in the message, and also : and , in properties", () => {
    const line = formatGithubAnnotation({
      severity: "warning",
      summary: "100% done:",
      detail: "next, then\r\nlast",
      location: { file: "users/a,b:c%.yaml", line: 1, column: 1 },
    });
    expect(line).toBe("::warning file=users/a%2Cb%3Ac%25.yaml,line=1,col=1,title=ruangkerja-users::100%25 done:%0Anext, then\\r%0Alast");
    expect(line.split("\n")).toHaveLength(1);
  });

  it("leaves out the location when there is none", () => {
    expect(formatGithubAnnotations([{ severity: "error", summary: "no folder" }])).toBe("::error title=ruangkerja-users::no folder");
  });
});
