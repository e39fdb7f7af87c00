/**
 * Declarations made to be expensive or to flood the output: many errors of one kind, huge lists
 * and values, custom YAML tags; and a passwordEnv that names the API token or another variable that
 * is no initial password (docs/password-env.md). Each is refused, located, in linear time and with
 * a report of bounded size (docs/limits.md). The runner checks the refusal and the place; that the output
 * stays small is test/unit/declarations/limits.test.ts's, which also runs the largest inputs.
 *
 * The inputs are generated; the big ones (a few MB) are parsed in a second or so, at sizes that
 * the runner, which runs every case twice and several at once, gets through well within its bound.
 * The sizes of the issue (100,000 unknown keys or users, 200,000 previous IDs) run in limits.test.ts.
 */
import type { CorpusCase } from "./corpus.js";

const MB = 1024 * 1024;

/** A file of one user, A1, on lines 2–4, with `extra` lines after the e-mail (line 5 on). */
const oneUser = (extra: string) => `users:\n  - employeeID: A1\n    name: Budi\n    email: a1@contoh.co.id\n${extra}`;

/** `count` lines of `line(i)`, joined: built once per case, at import. */
function repeatLines(count: number, line: (i: number) => string): string {
  const lines: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) lines[i] = line(i);
  return `${lines.join("\n")}\n`;
}

/** A new user, EMP0042, whose passwordEnv (line 5, the value at column 18) names `name`: apply would send that variable's value as the password. */
function passwordEnv(id: string, name: string, says: RegExp): CorpusCase {
  return {
    id,
    files: { "users/a.yaml": `users:\n  - employeeID: EMP0042\n    name: Rina\n    email: rina@contoh.co.id\n    passwordEnv: ${name}\n` },
    at: "users/a.yaml:5:18",
    says,
  };
}

const NOT_A_PASSWORD_VARIABLE = (name: string) =>
  new RegExp(`passwordEnv "${name}" is not a RUANGKERJA_PASSWORD_ variable[\\s\\S]*Write passwordEnv: [^\\n]*RUANGKERJA_PASSWORD_EMP0042`);

export const LIMIT_CASES: readonly CorpusCase[] = [
  // Many errors of one kind: the first 100 are shown, then one line counts the rest
  {
    id: "50,000 unknown keys in one user",
    files: { "users/a.yaml": oneUser(repeatLines(50_000, (i) => `    k${i}: v`)) },
    at: "users/a.yaml:5:5",
    says: /unknown field "k0" in user A1[\s\S]*…and 49,900 more like this, not shown; the next: unknown field "k100" in user A1/,
  },
  {
    id: "20,000 users with unquoted phones",
    files: {
      "users/a.yaml": `users:\n${repeatLines(20_000, (i) => `  - employeeID: E${i}\n    name: Budi\n    phone: ${6281100000 + i}`)}`,
    },
    at: "users/a.yaml:4:12",
    says: /phone 6281100000 is read by YAML as a number[\s\S]*…and 19,900 more like this, not shown; the next: phone 6281100100/,
  },
  {
    id: "one key written 20,000 times",
    files: { "users/a.yaml": oneUser(repeatLines(20_000, () => "    name: Budi")) },
    at: "users/a.yaml:5:5",
    says: /"name" is written twice in the same place[\s\S]*…and 19,900 more like this/,
  },
  {
    id: "one e-mail address for 20,000 users",
    files: {
      "users/a.yaml": `users:\n${repeatLines(20_000, (i) => `  - employeeID: E${i}\n    name: Budi\n    email: sama@contoh.co.id`)}`,
    },
    at: "users/a.yaml:4:12",
    says: /email "sama@contoh\.co\.id" is also used by user E1 [^\n]* and 19996 more[\s\S]*…and 19,900 more like this/,
  },
  // Lists and values over their bounds
  {
    id: "100,000 previousEmployeeIDs",
    files: { "users/a.yaml": oneUser(`    previousEmployeeIDs:\n${repeatLines(100_000, (i) => `      - P${i}`)}`) },
    at: "users/a.yaml:6:7",
    says: /previousEmployeeIDs lists 100,000 items, more than the 100 allowed/,
  },
  {
    id: "101 tag serials",
    files: { "users/a.yaml": oneUser(`    tagSerials: [${Array.from({ length: 101 }, (_, i) => `T${i}`).join(", ")}]\n`) },
    at: "users/a.yaml:5:17",
    says: /tagSerials lists 101 items, more than the 100 allowed/,
  },
  {
    id: "a name of 1 MB",
    files: { "users/a.yaml": `users:\n  - employeeID: A1\n    name: ${"Budi ".repeat(MB / 5)}S\n    email: a1@contoh.co.id\n` },
    at: "users/a.yaml:3:11",
    says: /name is longer than 200 characters \(it has 1,048,57\d\)/,
  },
  {
    id: "an employeeID of 2 MB on one line",
    files: { "users/a.yaml": `users: [{employeeID: "${"E".repeat(2 * MB)}", name: Budi, email: a1@contoh.co.id}]\n` },
    at: "users/a.yaml:1:22",
    says: /employeeID is longer than 64 characters \(it has 2,097,152\)/,
  },
  {
    id: "a file that is one line of 2 MB of text",
    files: { "users/a.yaml": `${"lorem ipsum ".repeat((2 * MB) / 12)}\n` },
    at: "users/a.yaml:1:1",
    says: /the file must be a mapping with a users: list, but it is text \("lorem ipsum lorem[^"\n]{0,80}…"\)/,
  },
  {
    id: "isActive of 2 MB of text",
    files: { "users/a.yaml": oneUser(`    isActive: "${"ya ".repeat((2 * MB) / 3)}"\n`) },
    at: "users/a.yaml:5:15",
    says: /isActive "ya ya ya[^"\n]{0,80}…" is text, not true or false/,
  },
  {
    id: "a phone of 2 MB of digits, unquoted",
    files: { "users/a.yaml": `users:\n  - employeeID: A1\n    name: Budi\n    phone: ${"6".repeat(2 * MB)}\n` },
    at: "users/a.yaml:4:12",
    says: /phone must be text, but it is a number/,
  },
  {
    id: "an unknown key of 1,000 characters holding 2 MB",
    files: { "users/a.yaml": oneUser(`    ${"k".repeat(1000)}: "${"v".repeat(2 * MB)}"\n`) },
    at: "users/a.yaml:5:5",
    says: /unknown field "k{80}…" in user A1/,
  },
  // Custom YAML tags: an error, not a warning
  {
    id: "a custom !env tag",
    files: { "users/a.yaml": `users:\n  - employeeID: A1\n    name: !env BUDI_NAME\n    email: a1@contoh.co.id\n` },
    at: "users/a.yaml:3:11",
    says: /error: YAML: unresolved tag: !env\n\s+Custom tags \(!env, !!js\/function, any !something\) are not allowed/,
  },
  {
    id: "a !!js/function tag",
    files: { "users/a.yaml": oneUser('    isActive: !!js/function "function () { return true }"\n') },
    at: "users/a.yaml:5:15",
    says: /YAML: unresolved tag: !!js\/function/,
  },
  {
    id: "a verbatim tag of another namespace",
    files: { "users/a.yaml": `users:\n  - !<tag:example.com,2000:user>\n    employeeID: A1\n    name: Budi\n    email: a1@contoh.co.id\n` },
    at: "users/a.yaml:2:5",
    says: /YAML: unresolved tag: !<tag:example\.com,2000:user>/,
  },
  // passwordEnv naming what is not an initial password (docs/password-env.md)
  passwordEnv("passwordEnv naming the API token", "RUANGKERJA_TOKEN", NOT_A_PASSWORD_VARIABLE("RUANGKERJA_TOKEN")),
  passwordEnv(
    "passwordEnv naming the client secret",
    "RUANGKERJA_CLIENT_SECRET",
    /holds the RuangKerja client secret: apply would have sent it/,
  ),
  passwordEnv(
    "passwordEnv naming HOME",
    "HOME",
    /passwordEnv "HOME" is not a RUANGKERJA_PASSWORD_ variable[\s\S]*HOME is a variable of the machine/,
  ),
  passwordEnv("passwordEnv naming PATH", "PATH", NOT_A_PASSWORD_VARIABLE("PATH")),
  passwordEnv("passwordEnv in lower case", "ruangkerja_password_emp0042", NOT_A_PASSWORD_VARIABLE("ruangkerja_password_emp0042")),
  passwordEnv(
    "passwordEnv without the prefix",
    "RINA_INITIAL_PASSWORD",
    /Write passwordEnv: RUANGKERJA_PASSWORD_RINA_INITIAL_PASSWORD or RUANGKERJA_PASSWORD_EMP0042/,
  ),
  {
    id: "a %TAG directive's shorthand",
    files: {
      "users/a.yaml": `%TAG !e! tag:example.com,2000:\n---\nusers:\n  - employeeID: !e!id A1\n    name: Budi\n    email: a1@contoh.co.id\n`,
    },
    at: "users/a.yaml:4:17",
    says: /YAML: unresolved tag: !e!id/,
  },
];
