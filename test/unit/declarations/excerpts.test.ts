/** What messages may quote of a file: short excerpts, escaped (file-messages.ts), as the YAML messages use them. */
import { describe, expect, it } from "vitest";
import {
  EXCERPT_CHARS,
  escapeExcerpt,
  fileTooLargeDiagnostic,
  quoteExcerpt,
  unreadableFileDiagnostic,
} from "../../../src/declarations/file-messages.js";
import { aliasDiagnostic, yamlDiagnostics } from "../../../src/declarations/yaml-messages.js";
import { parseYamlSource } from "../../../src/declarations/yaml-source.js";

describe("quoteExcerpt", () => {
  it("quotes short text as it is", () => {
    expect(quoteExcerpt("Budi Santoso")).toBe('"Budi Santoso"');
    expect(quoteExcerpt("José Ñúñez 🙂")).toBe('"José Ñúñez 🙂"');
  });

  it("escapes as quoteText does: control, format and separator characters, quotes and backslashes", () => {
    expect(quoteExcerpt("a\nb\r\tc\u0000d\u001b[31me\u007f\u0085")).toBe('"a\\nb\\r\\tc\\u0000d\\u001b[31me\\u007f\\u0085"');
    expect(quoteExcerpt("\u202eevil\u200b\ufeff\u2028")).toBe('"\\u202eevil\\u200b\\ufeff\\u2028"');
    expect(quoteExcerpt('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(escapeExcerpt('say "hi"\n')).toBe('say "hi"\\n');
  });

  it(`keeps at most ${EXCERPT_CHARS} characters, counted as characters, not UTF-16 units`, () => {
    expect(quoteExcerpt("x".repeat(EXCERPT_CHARS))).toBe(`"${"x".repeat(EXCERPT_CHARS)}"`);
    expect(quoteExcerpt("x".repeat(EXCERPT_CHARS + 1))).toBe(`"${"x".repeat(EXCERPT_CHARS)}…"`);
    expect(quoteExcerpt("🙂".repeat(100), 3)).toBe('"🙂🙂🙂…"');
    // A megabyte of one line costs what 80 characters cost.
    expect(quoteExcerpt("a".repeat(1024 * 1024)).length).toBe(EXCERPT_CHARS + 3);
  });
});

describe("file messages", () => {
  it("names sizes in MB, and in bytes where MB would not tell them apart", () => {
    const mib = 1024 * 1024;
    expect(fileTooLargeDiagnostic("a.yaml", 50 * mib, 10 * mib).summary).toBe(
      "the file is 50.0 MB, more than the 10.0 MB a declaration file may have",
    );
    expect(fileTooLargeDiagnostic("a.yaml", 10 * mib + 1, 10 * mib).summary).toBe(
      "the file is 10485761 bytes, more than the 10485760 bytes (10.0 MB) a declaration file may have",
    );
    expect(fileTooLargeDiagnostic("a.yaml", undefined, 10 * mib).summary).toBe(
      "the file is more than 10.0 MB, the most a declaration file may have",
    );
  });

  it("names the error code of an unreadable file, not the system's message with its absolute path", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/home/runner/work/secret-repo/users/a.yaml'"), {
      code: "EACCES",
    });
    const d = unreadableFileDiagnostic("users/a.yaml", error);
    expect(d.summary).toBe("the file cannot be read (EACCES)");
    expect(JSON.stringify(d)).not.toContain("/home/runner");
  });
});

describe("YAML messages quote short, escaped excerpts", () => {
  const diagnose = (text: string) => yamlDiagnostics(parseYamlSource("a.yaml", text));

  it("a long key written twice", () => {
    // yaml refuses plain keys over 1024 characters; this one is far over the excerpt.
    const key = "k".repeat(1000);
    const [d] = diagnose(`${key}: 1\n${key}: 2\n`);
    expect(d?.summary).toBe(`"${"k".repeat(EXCERPT_CHARS)}…" is written twice in the same place`);
    expect(d?.detail).toContain(`Keep a single "${"k".repeat(EXCERPT_CHARS)}…" line`);
    expect(d?.field).toBe(`${"k".repeat(EXCERPT_CHARS)}…`);
  });

  it("a key with a terminal escape written twice", () => {
    const [d] = diagnose('"\\e[2Jred": 1\n"\\e[2Jred": 2\n');
    expect(d?.summary).toBe('"\\u001b[2Jred" is written twice in the same place');
  });

  it("a long unresolved tag", () => {
    const [d] = diagnose(`users:\n  - name: !${"t".repeat(5000)} Budi\n`);
    expect(d).toMatchObject({ severity: "error", summary: expect.stringMatching(/^YAML: unresolved tag: !t+…$/) });
    expect(d?.summary.length).toBeLessThan(2 * EXCERPT_CHARS + 30);
  });

  it("an alias to a long undefined anchor", () => {
    const source = parseYamlSource("a.yaml", `users:\n  - *${"a".repeat(5000)}\n`);
    let thrown: unknown;
    try {
      source.doc.toJS();
    } catch (error) {
      thrown = error;
    }
    const d = aliasDiagnostic(source, thrown);
    expect(d.summary).toBe(`the alias *${"a".repeat(EXCERPT_CHARS)}… refers to an anchor that is not defined before it`);
    expect(d.detail).not.toContain("a".repeat(EXCERPT_CHARS + 1));
  });
});
