/**
 * Text a contributor writes that could forge a CI command or mislead a reviewer: workflow-command
 * lines, newlines in keys and file names, bidirectional and invisible characters. Each is refused
 * where it is written (src/declarations/text-rules.ts; an odd key is an unknown field), and the
 * message shows it escaped (src/text/untrusted-text.ts), so `at` and `says` name the escaped form.
 * docs/untrusted-text.md lists the classes. That the output holds no forged line at all, under
 * GITHUB_ACTIONS=true, is test/e2e/forged-lines.test.ts's; so is a file name holding `::error …::`,
 * whose colons the runner's `at` (file:line:column, split at the first colon) cannot hold.
 *
 * In the YAML below, `\\e`, `\\n`, `\\x9B`, `\\L`, `\\uD800`… are YAML escapes inside double quotes;
 * `\u202E` and the like are the characters themselves, written raw into the file.
 */
import type { CorpusCase } from "./corpus.js";

/** A file of one user, A1, whose name is on line 3 (the value at column 11), with `extra` lines after the e-mail (line 4). */
const user = (name: string, extra = "") => `users:\n  - employeeID: A1\n    name: ${name}\n    email: a1@contoh.co.id\n${extra}`;
const AT_NAME = "users/a.yaml:3:11";

/** A name holding one class of refused character: refused at the name, with its code point. */
function inName(id: string, name: string, says: RegExp): CorpusCase {
  return { id, files: { "users/a.yaml": user(name) }, at: AT_NAME, says };
}

export const TEXT_CASES: readonly CorpusCase[] = [
  // Controls (C0, DEL, C1) and line breaks
  inName(
    "an ESC (C0) in a name that would clear a terminal",
    '"Budi\\e[2JSantoso"',
    /name "Budi\\u001b\[2JSantoso" contains a control character U\+001B/,
  ),
  inName(
    "a line feed in a name that starts an ::error line",
    '"Budi\\n::error title=Approved::Looks good"',
    /name "Budi\\n::error title=Approved::Looks good" contains a line break U\+000A/,
  ),
  inName(
    "a carriage return in a name that starts an ::error line",
    '"Budi\\r::error::forged"',
    /name "Budi\\r::error::forged" contains a line break U\+000D/,
  ),
  inName("DEL in a name", '"Bu\\x7Fdi"', /name "Bu\\u007fdi" contains a control character U\+007F/),
  inName("a C1 control (8-bit CSI) in a name", '"Bu\\x9B2Jdi"', /name "Bu\\u009b2Jdi" contains a control character U\+009B/),
  inName("a next-line (NEL, C1) in a name", '"Budi\\N::error::forged"', /name "Budi\\u0085::error::forged" contains a line break U\+0085/),
  inName(
    "a line separator (U+2028) in a name",
    '"Budi\\L::error::forged"',
    /name "Budi\\u2028::error::forged" contains a line break U\+2028/,
  ),
  inName(
    "a paragraph separator (U+2029) in a name",
    '"Budi\\P::error::forged"',
    /name "Budi\\u2029::error::forged" contains a line break U\+2029/,
  ),
  // Bidirectional controls (U+202A–U+202E, U+2066–U+2069): "Trojan Source"
  inName(
    "a right-to-left override in a name",
    "Budi \u202Eosotnas",
    /name "Budi \\u202eosotnas" contains a bidirectional control character U\+202E[\s\S]*reviewer could read something other/,
  ),
  inName(
    "a left-to-right embedding and its pop in a name",
    "\u202ABudi Santoso\u202C",
    /name "\\u202aBudi Santoso\\u202c" contains bidirectional control characters U\+202A, U\+202C/,
  ),
  inName(
    "a right-to-left embedding and a left-to-right override in a name",
    "Budi\u202B Santoso\u202D",
    /contains bidirectional control characters U\+202B, U\+202D/,
  ),
  inName(
    "right-to-left and first-strong isolates in a name",
    "\u2067Budi\u2069 \u2068Santoso\u2069",
    /name "\\u2067Budi\\u2069 \\u2068Santoso\\u2069" contains bidirectional control characters U\+2067, U\+2069, U\+2068/,
  ),
  inName("a left-to-right isolate in a name", "Budi \u2066Santoso", /contains a bidirectional control character U\+2066/),
  // Invisible characters
  inName("a zero-width space in a name", "Budi\u200BSantoso", /name "Budi\\u200bSantoso" contains an invisible character U\+200B/),
  inName("a word joiner in a name", "Budi\u2060Santoso", /name "Budi\\u2060Santoso" contains an invisible character U\+2060/),
  inName(
    "a byte-order mark in the middle of a name",
    "Budi\uFEFFSantoso",
    /name "Budi\\ufeffSantoso" contains an invisible character U\+FEFF/,
  ),
  inName(
    "an invisible tag character (U+E0041) in a name",
    '"Budi\\U000E0041"',
    /name "Budi\\udb40\\udc41" contains an invisible character U\+E0041/,
  ),
  // Half a character
  inName("a lone surrogate in a name", '"Budi\\uD800"', /name "Budi\\ud800" contains a lone surrogate U\+D800/),
  // Other fields
  {
    id: "a right-to-left override in an employeeID",
    files: { "users/a.yaml": user("Budi").replace("employeeID: A1", "employeeID: A\u202E1") },
    at: "users/a.yaml:2:17",
    says: /employeeID "A\\u202e1" contains a bidirectional control character U\+202E/,
  },
  {
    id: "a zero-width space in an e-mail address",
    files: { "users/a.yaml": user("Budi").replace("email: a1@", "email: a1\u200B@") },
    at: "users/a.yaml:4:12",
    says: /email "a1\\u200b@contoh\.co\.id" contains an invisible character U\+200B/,
  },
  {
    id: "a bidirectional isolate in a tag serial",
    files: { "users/a.yaml": user("Budi", '    tagSerials: ["RUKRTAG-\u2066A"]\n') },
    at: "users/a.yaml:5:18",
    says: /tagSerials\[0\] "RUKRTAG-\\u2066A" contains a bidirectional control character U\+2066/,
  },
  {
    id: "a right-to-left override in defaults' organizationSerial",
    files: { "users/a.yaml": `defaults:\n  organizationSerial: "COMP\u202EX"\n${user("Budi")}` },
    at: "users/a.yaml:2:23",
    says: /organizationSerial "COMP\\u202eX" contains a bidirectional control character U\+202E/,
  },
  // Keys: known ones are ASCII, so these are unknown fields, named escaped
  {
    id: "a key holding a line break and an ::error command",
    files: { "users/a.yaml": user("Budi", '    "x\\n::error file=users/a.yaml,line=1,title=Approved::Looks good": 1\n') },
    at: "users/a.yaml:5:5",
    says: /unknown field "x\\n::error file=users\/a\.yaml,line=1,title=Approved::Looks good" in user A1/,
  },
  {
    id: "a key holding ##[error]",
    files: { "users/a.yaml": user("Budi", '    "##[error]Approved": 1\n') },
    at: "users/a.yaml:5:5",
    says: /unknown field "#\\u0023\[error\]Approved" in user A1/,
  },
  {
    id: "a top-level key holding a carriage return and a ::warning command",
    files: { "users/a.yaml": `"team\\r::warning::Approved": 1\n${user("Budi")}` },
    at: "users/a.yaml:1:1",
    says: /unknown field "team\\r::warning::Approved" at the top of the file/,
  },
  // File names: printed quoted and escaped wherever they appear
  {
    id: "a file name holding a line break and ##[error]",
    files: { "users/x\n##[error]Approved.yaml": user("Budi \u202Eosotnas") },
    at: '"users/x\\n#\\u0023[error]Approved.yaml":3:11',
    says: /contains a bidirectional control character U\+202E/,
  },
  {
    id: "a file name holding an escape sequence",
    files: { "users/\u001b[2Jteam.yaml": user('"Budi\\e"') },
    at: '"users/\\u001b[2Jteam.yaml":3:11',
    says: /contains a control character U\+001B/,
  },
];
