import { describe, expect, it } from "vitest";
import { formatGithubAnnotation, formatGithubAnnotations } from "../../src/diagnostics.js";

describe("formatGithubAnnotation", () => {
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
      summary: "100% done:\r\nnext, then",
      location: { file: "users/a,b:c%.yaml", line: 1, column: 1 },
    });
    expect(line).toBe("::warning file=users/a%2Cb%3Ac%25.yaml,line=1,col=1,title=ruangkerja-users::100%25 done:%0D%0Anext, then");
    expect(line.split("\n")).toHaveLength(1);
  });

  it("leaves out the location when there is none", () => {
    expect(formatGithubAnnotations([{ severity: "error", summary: "no folder" }])).toBe("::error title=ruangkerja-users::no folder");
  });
});
