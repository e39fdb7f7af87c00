import { describe, expect, it } from "vitest";
import {
  codePointLabel,
  defangWorkflowCommands,
  hasUnsafeCharacter,
  quoteText,
  safeLine,
  safeLines,
  showText,
  UNSAFE_BMP_CLASS,
  unsafeCharacters,
} from "../../../src/text/untrusted-text.js";

/** One of each class docs/untrusted-text.md lists, with the escape quoteText gives it. */
const UNSAFE: readonly (readonly [string, string])[] = [
  ["\u0000", "\\u0000"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
  ["\u001b", "\\u001b"],
  ["\u007f", "\\u007f"],
  ["\u0085", "\\u0085"],
  ["\u009b", "\\u009b"],
  ["\u00ad", "\\u00ad"],
  ["\u061c", "\\u061c"],
  ["\u200b", "\\u200b"],
  ["\u200e", "\\u200e"],
  ["\u200f", "\\u200f"],
  ["\u2028", "\\u2028"],
  ["\u2029", "\\u2029"],
  ["\u202a", "\\u202a"],
  ["\u202b", "\\u202b"],
  ["\u202c", "\\u202c"],
  ["\u202d", "\\u202d"],
  ["\u202e", "\\u202e"],
  ["\u2060", "\\u2060"],
  ["\u2066", "\\u2066"],
  ["\u2067", "\\u2067"],
  ["\u2068", "\\u2068"],
  ["\u2069", "\\u2069"],
  ["\ufeff", "\\ufeff"],
  ["\ud800", "\\ud800"],
  ["\udfff", "\\udfff"],
  ["\u{e0041}", "\\udb40\\udc41"],
];

/** Hostile values: each tries to end the line and start a workflow command, or to hide one. */
const FORGERIES = [
  "x\n::error title=forged::all good",
  "x\r::error::forged",
  "x\r\n::warning::forged",
  "::error::forged",
  "  ::error::forged",
  "\u00a0::error::forged",
  "x\u2028::error::forged",
  "##[error]forged",
  "a ##[error]forged",
  "###[error]forged",
  "##vso[task.logissue type=error]forged",
  "x\n##[error]forged",
];

function forgesCommand(text: string): boolean {
  return text.split(/\r\n|\r|\n/).some((line) => line.trimStart().startsWith("::") || line.includes("##[") || line.includes("##vso["));
}

describe("quoteText", () => {
  it("is JSON.stringify for text with nothing to escape", () => {
    for (const text of ["Budi Santoso", 'say "hi"', "back\\slash", "Zoë 陈伟 😀", "نسرین\u200cمحمدی", "", "a::b", "#1 ## [x]"]) {
      expect(quoteText(text)).toBe(JSON.stringify(text));
    }
  });

  it("is JSON.stringify for every printable ASCII text without ##, by its short way and by the long one", () => {
    const texts = ["", "Budi Santoso", "budi.santoso@contoh.co.id", "O'Brien", "a # b", "#", "a#", "~", "}{"];
    for (let code = 0; code < 0x80; code++) {
      const char = String.fromCharCode(code);
      texts.push(char, `x${char}y`, `${char}Budi`, `Budi${char}`, `#${char}`, `${char}#`);
    }
    for (const text of texts) {
      if (!/^[\x20-\x7e]*$/.test(text) || text.includes("##")) continue;
      expect(quoteText(text), JSON.stringify(text)).toBe(JSON.stringify(text));
    }
  });

  it.each(UNSAFE)("escapes %j as %s", (char, escaped) => {
    expect(quoteText(`a${char}b`)).toBe(`"a${escaped}b"`);
  });

  it("keeps the zero-width non-joiner and joiner that Persian and Indic names need", () => {
    expect(quoteText("a\u200cb\u200dc")).toBe('"a\u200cb\u200dc"');
  });

  it("escapes the # that would complete a log command, and stays JSON for the same text", () => {
    for (const text of FORGERIES) {
      const quoted = quoteText(text);
      expect(forgesCommand(quoted), quoted).toBe(false);
      expect(JSON.parse(quoted)).toBe(text);
    }
  });

  it("gives JSON that reads back as the text, for every unsafe character", () => {
    for (const [char] of UNSAFE) expect(JSON.parse(quoteText(`a${char}b`))).toBe(`a${char}b`);
  });
});

describe("showText", () => {
  it("prints plain values bare", () => {
    for (const text of ["users/a.yaml", "EMP001", "Budi Santoso", "Zoë", "a::b", "O'Brien"]) expect(showText(text)).toBe(text);
  });

  it("quotes a value that needs escaping, starts a command, has spaces around it, a quote or a backslash, or is empty", () => {
    for (const text of [...FORGERIES, "a\u202eb", " a", "a ", 'a"b', "a\\nb", "", "::x"]) {
      expect(showText(text), JSON.stringify(text)).toBe(quoteText(text));
    }
  });
});

describe("safeLine", () => {
  it("leaves the tool's own text and quoted values as they are", () => {
    const line = `users/a.yaml:3:5: error: unknown field ${quoteText("x\n::error::y")} in user E1`;
    expect(safeLine(line)).toBe(line);
    expect(safeLine('name "Budi" has a space')).toBe('name "Budi" has a space');
  });

  it("escapes what a message composed elsewhere left raw, so it is one line that starts no command", () => {
    for (const text of FORGERIES) {
      const line = safeLine(text);
      expect(line.split(/[\r\n]/), JSON.stringify(text)).toHaveLength(1);
      expect(forgesCommand(line), line).toBe(false);
      expect(hasUnsafeCharacter(line)).toBe(false);
    }
    expect(safeLine("::error::x")).toBe("\\u003a:error::x");
    expect(safeLine("a\u001b[31mred")).toBe("a\\u001b[31mred");
  });

  it("safeLines keeps the text's own line breaks and makes each line safe", () => {
    expect(safeLines("first\n  ::error::x\nthird ##[error]")).toBe("first\n  \\u003a:error::x\nthird #\\u0023[error]");
  });
});

describe("defangWorkflowCommands", () => {
  it("breaks every line that would read as a command, at LF and at CR, and leaves colors and JSON alone", () => {
    const text = 'ok\n::error::a\r::warning::b\n   ::notice::c\n\u001b[31mred\u001b[39m\n{"name":"##[error]x"}';
    const out = defangWorkflowCommands(text);
    expect(forgesCommand(out)).toBe(false);
    expect(out).toBe(
      'ok\n\\u003a:error::a\r\\u003a:warning::b\n   \\u003a:notice::c\n\u001b[31mred\u001b[39m\n{"name":"#\\u0023[error]x"}',
    );
    expect(JSON.parse(out.split("\n").at(-1) as string)).toEqual({ name: "##[error]x" });
  });

  it("breaks a command when the text holds only one of the two markers", () => {
    expect(defangWorkflowCommands("a\n::error::x")).toBe("a\n\\u003a:error::x");
    expect(defangWorkflowCommands("a ##[error]x")).toBe("a #\\u0023[error]x");
    expect(defangWorkflowCommands("a\r  ::warning::x ##vso[task]")).toBe("a\r  \\u003a:warning::x #\\u0023vso[task]");
  });

  it("leaves text without commands unchanged", () => {
    const text = 'Plan: 1 to create\n  + create EMP001 "Budi"  (users/a.yaml:3)\nhttp://[::1]:8080 a::b';
    expect(defangWorkflowCommands(text)).toBe(text);
  });
});

describe("the set of unsafe characters", () => {
  it("lists each unsafe character once, in order, and names it as U+XXXX", () => {
    expect(unsafeCharacters("a\u202eb\u200bc\u202e\u200dd")).toEqual(["\u202e", "\u200b"]);
    expect(["\u202e", "\u0000", "\u{e0041}", "\ud800"].map(codePointLabel)).toEqual(["U+202E", "U+0000", "U+E0041", "U+D800"]);
  });

  it("is what UNSAFE_BMP_CLASS (for regexes without the u flag) refuses, or less, on every BMP character", () => {
    const bmp = new RegExp(`[${UNSAFE_BMP_CLASS}]`);
    const missed: string[] = [];
    const extra: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (hasUnsafeCharacter(char) && !bmp.test(char)) missed.push(codePointLabel(char));
      if (!hasUnsafeCharacter(char) && bmp.test(char)) extra.push(codePointLabel(char));
    }
    expect(missed).toEqual([]);
    // Exactly the set: refusing more would send ordinary files (with U+200C, say) the slow way.
    expect(extra).toEqual([]);
    expect(bmp.test("😀"), "without u, a character beyond the BMP is refused too").toBe(true);
  });
});
