/**
 * Broken and hostile inputs, each with the located error a user must see. test/e2e/hostile-input.test.ts
 * runs `apply --auto-approve` on every case and checks that nothing reached the API or the state.
 *
 * `files` are written under the working directory (a Buffer byte for byte; `{ symlinkTo }` as a
 * link). Every case also gets a valid state with three applied users unless it brings its own.
 */
import { FILE_CASES, type SpecialFile } from "./file-cases.js";
import { LIMIT_CASES } from "./limit-cases.js";
import { TEXT_CASES } from "./text-cases.js";

/** `{ make }`: an entry only a running system makes (FIFO, socket, folder, sparse or unreadable file; file-cases.ts). */
export type CorpusFile = string | Buffer | { readonly symlinkTo: string } | SpecialFile;

export interface CorpusCase {
  readonly id: string;
  readonly files: Readonly<Record<string, CorpusFile>>;
  /** Replaces the valid state file (.ruangkerja/state.json). */
  readonly state?: string | Buffer;
  /** Makes a saved plan (`plan --out plan.json`) against this state first; the case then runs `apply plan.json` against `state`. */
  readonly savedPlanAgainst?: string;
  /** Where the error is reported: `file:line:column`, or a path where no line applies. */
  readonly at: string;
  /** What the message says. */
  readonly says: RegExp;
}

const person = (id: string, extra = "") =>
  `  - employeeID: ${id}\n    name: Budi Santoso\n    email: ${id.toLowerCase()}@contoh.co.id\n${extra}`;
const file = (...users: string[]) => `users:\n${users.join("")}`;
const validState = (users: string) =>
  `{\n  "formatVersion": 1,\n  "lineage": "4b3c9f0e-1111-4222-8333-444455556666",\n  "serial": 3,\n  "users": [${users}]\n}\n`;

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1] as string;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\nusers: []\n`;
}

const BASE_CASES: readonly CorpusCase[] = [
  // YAML syntax
  {
    id: "unclosed double quote",
    files: { "users/a.yaml": 'users:\n  - employeeID: "A1\n    name: Budi\n' },
    at: "users/a.yaml:4:1",
    says: /missing closing "quote/,
  },
  {
    id: "unclosed flow sequence",
    files: { "users/a.yaml": "users: [ {employeeID: A1, name: Budi, email: a1@contoh.co.id }\n" },
    at: "users/a.yaml:2:1",
    says: /must be sufficiently indented and end with a \]/,
  },
  {
    id: "a field indented less than its siblings",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n   name: Budi\n" },
    at: "users/a.yaml:3:1",
    says: /sequence item without - indicator[\s\S]*Check the indentation/,
  },
  {
    id: "a missing colon",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name Budi\n    email: a1@contoh.co.id\n" },
    at: "users/a.yaml:3:5",
    says: /missing colon/,
  },
  {
    id: "tab indentation",
    files: { "users/a.yaml": "users:\n\t- employeeID: A1\n    name: Budi\n" },
    at: "users/a.yaml:2:1",
    says: /indented with a tab[\s\S]*Replace the tab with spaces/,
  },
  {
    id: "duplicate key in a user",
    files: { "users/a.yaml": file(person("A1", "    name: Budi Lagi\n")) },
    at: "users/a.yaml:5:5",
    says: /"name" is written twice/,
  },
  {
    id: "alias bomb (billion laughs)",
    files: { "users/a.yaml": aliasBomb() },
    at: "users/a.yaml:2:8",
    says: /alias bomb/,
  },
  {
    id: "an alias to an undefined anchor",
    files: { "users/a.yaml": "users:\n  - *nothing\n" },
    at: "users/a.yaml:2:5",
    says: /anchor that is not defined/,
  },
  {
    id: "more than one YAML document",
    files: { "users/a.yaml": `${file(person("A1"))}---\n${file(person("A2"))}` },
    at: "users/a.yaml:5:1",
    says: /more than one YAML document/,
  },
  {
    id: "nesting thousands of levels deep",
    files: { "users/a.yaml": `users: ${"[".repeat(3000)}\n` },
    at: "users/a.yaml:1:",
    says: /nested too deeply/,
  },
  {
    id: "a !!binary tag on a name",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name: !!binary aGVsbG8=\n    email: a1@contoh.co.id\n" },
    at: "users/a.yaml:3:20",
    says: /binary data \(!!binary\)/,
  },
  // Sizes, bytes and the file system
  {
    id: "a 50 MB file",
    files: { "users/huge.yaml": Buffer.alloc(50 * 1024 * 1024, "#") },
    at: "users/huge.yaml:1:1",
    says: /50\.0 MB, more than the 10\.0 MB/,
  },
  {
    id: "invalid UTF-8",
    files: { "users/a.yaml": Buffer.from("users:\n  - employeeID: A1\n    name: Bud\xc3\x28i\n", "latin1") },
    at: "users/a.yaml:3:",
    says: /not valid UTF-8/,
  },
  {
    id: "a UTF-16 file with its byte-order mark",
    files: { "users/a.yaml": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file(person("A1")), "utf16le")]) },
    at: "users/a.yaml:1:1",
    says: /not valid UTF-8/,
  },
  {
    id: "a byte-order mark inside a name",
    files: { "users/a.yaml": file(person("A1")).replace("Budi", "\uFEFFBudi") },
    at: "users/a.yaml:3:11",
    says: /invisible character U\+FEFF/,
  },
  {
    id: "a NUL byte in a name",
    files: { "users/a.yaml": file(person("A1")).replace("Budi", "Bu\u0000di") },
    at: "users/a.yaml:3:11",
    says: /control character/,
  },
  {
    id: "a directory symlink loop",
    files: { "users/a.yaml": file(person("A1")), "users/team/loop": { symlinkTo: ".." } },
    at: "users/team/loop",
    says: /points back to .* \(a loop\)/,
  },
  {
    id: "a symlinked folder",
    files: { "users/a.yaml": file(person("A1")), "elsewhere/b.yaml": file(person("B1")), "users/linked": { symlinkTo: "../elsewhere" } },
    at: "users/linked",
    says: /symlinked folder users\/linked is not read[\s\S]*planned for deactivation/,
  },
  // Shapes and types
  {
    id: "a file that is a list",
    files: { "users/a.yaml": "- employeeID: A1\n  name: Budi\n" },
    at: "users/a.yaml:1:1",
    says: /must be a mapping with a users: list, but it is a list/,
  },
  {
    id: "a file that is plain text",
    files: { "users/a.yaml": "hello\n" },
    at: "users/a.yaml:1:1",
    says: /but it is text \("hello"\)/,
  },
  {
    id: "user: instead of users:",
    files: { "users/a.yaml": `user:\n${person("A1")}` },
    at: "users/a.yaml:1:1",
    says: /unknown field "user"[\s\S]*Did you mean "users"/,
  },
  {
    id: "users written as a mapping",
    files: { "users/a.yaml": "users:\n  employeeID: A1\n  name: Budi\n" },
    at: "users/a.yaml:2:3",
    says: /users must be a list, but it is a mapping/,
  },
  {
    id: "a lone dash",
    files: { "users/a.yaml": `users:\n  -\n${person("A1")}` },
    at: "users/a.yaml:2:4",
    says: /users\[0\] is empty/,
  },
  {
    id: "name as a list",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name: [Budi]\n    email: a1@contoh.co.id\n" },
    at: "users/a.yaml:3:11",
    says: /name must be text, but it is a list/,
  },
  {
    id: "tagSerials as text",
    files: { "users/a.yaml": file(person("A1", "    tagSerials: RUKRTAG-9WHL0JGP\n")) },
    at: "users/a.yaml:5:17",
    says: /tagSerials must be a list/,
  },
  {
    id: "isActive: yes",
    files: { "users/a.yaml": file(person("A1", "    isActive: yes\n")) },
    at: "users/a.yaml:5:15",
    says: /isActive "yes" is text, not true or false/,
  },
  {
    id: "isActive: 1",
    files: { "users/a.yaml": file(person("A1", "    isActive: 1\n")) },
    at: "users/a.yaml:5:15",
    says: /isActive must be true or false, but it is a number/,
  },
  {
    id: "an unquoted employeeID with a leading zero",
    files: { "users/a.yaml": "users:\n  - employeeID: 0123\n    name: Budi\n    email: b@contoh.co.id\n" },
    at: "users/a.yaml:2:17",
    says: /read by YAML as the number 123[\s\S]*employeeID: "0123"/,
  },
  {
    id: "an unquoted phone number",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name: Budi\n    phone: 6281234567\n" },
    at: "users/a.yaml:4:12",
    says: /phone 6281234567 is read by YAML as a number/,
  },
  {
    id: "an unknown field (typo)",
    files: { "users/a.yaml": file(person("A1", "    usrname: budi\n")) },
    at: "users/a.yaml:5:5",
    says: /unknown field "usrname"[\s\S]*Did you mean "username"/,
  },
  {
    id: "an unknown field in defaults",
    files: { "users/a.yaml": `defaults:\n  organisationSerial: COMPX\n${file(person("A1"))}` },
    at: "users/a.yaml:2:3",
    says: /unknown field "organisationSerial" in defaults[\s\S]*organizationSerial/,
  },
  {
    id: "a password in YAML",
    files: { "users/a.yaml": file(person("A1", "    password: hunter2\n")) },
    at: "users/a.yaml:5:5",
    says: /"password" must not be written in a declaration file/,
  },
  // Values
  {
    id: "email and phone both missing",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name: Budi\n" },
    at: "users/a.yaml:2:5",
    says: /neither email nor phone/,
  },
  {
    id: "an e-mail address without @",
    files: { "users/a.yaml": "users:\n  - employeeID: A1\n    name: Budi\n    email: budi.contoh.co.id\n" },
    at: "users/a.yaml:4:12",
    says: /not a valid e-mail address/,
  },
  {
    id: "an employeeID with a space",
    files: { "users/a.yaml": 'users:\n  - employeeID: "A 1"\n    name: Budi\n    email: a1@contoh.co.id\n' },
    at: "users/a.yaml:2:17",
    says: /employeeID "A 1" may contain only letters/,
  },
  {
    id: "an employeeID with a non-ASCII letter",
    files: { "users/a.yaml": "users:\n  - employeeID: Ärni1\n    name: Ärni\n    email: arni@contoh.co.id\n" },
    at: "users/a.yaml:2:17",
    says: /employeeID "Ärni1" may contain only letters A–Z/,
  },
  {
    id: "an empty employeeID",
    files: { "users/a.yaml": 'users:\n  - employeeID: ""\n    name: Budi\n    email: b@contoh.co.id\n' },
    at: "users/a.yaml:2:17",
    says: /employeeID is empty/,
  },
  {
    id: "a username with a dash",
    files: { "users/a.yaml": file(person("A1", "    username: bu-di\n")) },
    at: "users/a.yaml:5:15",
    says: /username "bu-di" may contain only letters/,
  },
  {
    id: "a tag serial listed twice",
    files: { "users/a.yaml": file(person("A1", "    tagSerials: [RUKRTAG-AAAA1111, RUKRTAG-AAAA1111]\n")) },
    at: "users/a.yaml:5:36",
    says: /tagSerials lists "RUKRTAG-AAAA1111" twice/,
  },
  // Rules across users and files
  {
    id: "the same employeeID in two files",
    files: { "users/a.yaml": file(person("A1")), "users/b.yaml": file(person("A1").replace("a1@", "other@")) },
    at: "users/b.yaml:2:17",
    says: /employeeID "A1" is also declared by user A1 \(users\/a\.yaml:2:5\)/,
  },
  {
    id: "one e-mail address for two users",
    files: { "users/a.yaml": file(person("A1"), person("A2").replace("a2@", "a1@")) },
    at: "users/a.yaml:7:12",
    says: /email "a1@contoh\.co\.id" is also used by user A1/,
  },
  {
    id: "two users renamed onto one previous id",
    files: {
      "users/a.yaml": file(person("B1", "    previousEmployeeIDs: [A1]\n"), person("B2", "    previousEmployeeIDs: [A1]\n")),
    },
    at: "users/a.yaml:9:27",
    says: /"A1" is listed in previousEmployeeIDs of user B2 and also of user B1/,
  },
  {
    id: "a rename cycle",
    files: {
      "users/a.yaml": file(person("B1", "    previousEmployeeIDs: [A1]\n"), person("A1", "    previousEmployeeIDs: [B1]\n")),
    },
    at: "users/a.yaml:5:27",
    says: /previousEmployeeIDs of user B1 lists "A1", which is the employeeID of user A1/,
  },
  // The state file
  {
    id: "a truncated state file",
    files: { "users/a.yaml": file(person("A1")) },
    state:
      '{\n  "formatVersion": 1,\n  "lineage": "4b3c9f0e-1111-4222-8333-444455556666",\n  "serial": 3,\n  "users": [\n    {"employeeID": "A1", ',
    at: ".ruangkerja/state.json:6:26",
    says: /state file is not valid JSON[\s\S]*do not delete it/,
  },
  {
    id: "an empty state file",
    files: { "users/a.yaml": file(person("A1")) },
    state: "",
    at: ".ruangkerja/state.json:1:1",
    says: /state file is not valid JSON/,
  },
  {
    id: "a state file of a newer format version",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"formatVersion": 1', '"formatVersion": 3'),
    at: ".ruangkerja/state.json:2:20",
    says: /format version 3, newer than this ruangkerja-users understands \(2\)/,
  },
  {
    id: "a state file without a lineage",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"lineage": "4b3c9f0e-1111-4222-8333-444455556666"', '"lineage": ""'),
    at: ".ruangkerja/state.json:3:14",
    says: /has no "lineage"/,
  },
  {
    id: "a state file listing one user twice",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState(
      '\n    {"employeeID": "A1", "name": "Budi", "isActive": true, "serial": "s1"},\n    {"employeeID": "A1", "name": "Budi", "isActive": true, "serial": "s1"}\n  ',
    ),
    at: ".ruangkerja/state.json:7:5",
    says: /state lists employeeID "A1" twice/,
  },
  {
    id: "a state file with two serials (JSON readers disagree on which one counts)",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"serial": 3,', '"serial": 3,\n  "serial": 9,'),
    at: ".ruangkerja/state.json:5:3",
    says: /state file repeats the key "serial" in one object/,
  },
  {
    id: "a state entry with two names",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState('\n    {"employeeID": "A1", "name": "Budi", "name": "Other", "isActive": true, "serial": "s1"}\n  '),
    at: ".ruangkerja/state.json:6:42",
    says: /repeats the key "name" in one object \(at users\[0\]\.name\)/,
  },
  {
    id: "a state serial beyond the integers JSON numbers hold exactly",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"serial": 3,', '"serial": 9007199254740993,'),
    at: ".ruangkerja/state.json:4:13",
    says: /"serial" is larger than a state can count to/,
  },
  {
    id: "a state whose recorded API is not a URL",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"serial": 3,', '"serial": 3,\n  "apiOrigin": "javascript:alert(1)",'),
    at: ".ruangkerja/state.json:5:16",
    says: /"apiOrigin" is not the URL of an API/,
  },
  {
    id: "a state applied against another API",
    files: { "users/a.yaml": file(person("A1")) },
    state: validState("").replace('"serial": 3,', '"serial": 3,\n  "apiOrigin": "https://api.ruangkerja.id",'),
    at: ".ruangkerja/state.json",
    says: /was applied against https:\/\/api\.ruangkerja\.id, and this run talks to http:\/\/127\.0\.0\.1:\d+; nothing was changed/,
  },
  {
    id: "a saved plan applied to a state of a different lineage",
    files: { "users/a.yaml": file(person("A1")) },
    savedPlanAgainst: validState(""),
    state: validState("").replace("4b3c9f0e-1111-4222-8333-444455556666", "9f8e7d6c-1111-4222-8333-444455556666"),
    at: "plan.json",
    says: /stale plan: plan\.json no longer matches[\s\S]*lineage/,
  },
];

/**
 * Every case: the base ones above, and one file per class of attack (each file owns its class,
 * so that the corpus grows without everyone editing one list).
 */
export const CORPUS: readonly CorpusCase[] = [...BASE_CASES, ...FILE_CASES, ...TEXT_CASES, ...LIMIT_CASES];
