/**
 * Files that are not plain declaration files inside the folder: links that leave it, devices, FIFOs,
 * sockets, huge or endless files, and pieces of files that messages quote. The rules they test are
 * in docs/declaration-files.md.
 *
 * The runner makes RUANGKERJA_TOKEN the SECRET_MARKER below, and checks that it shows nowhere: the
 * fake credentials files here (`home/.npmrc`, `.env`) hold it too, so that reading one through a
 * link, and printing a line of it, fails the case.
 */
import type { CorpusCase, CorpusFile } from "./corpus.js";

/** Unlikely to occur by chance in anything the CLI prints. */
export const SECRET_MARKER = "rk-secret-marker-6d1f94c2b07e";

/**
 * Entries that only a running system can make; hostile-input.test.ts makes them. `unreadable`
 * is a file its owner cannot read (skipped when the tests run as root, who reads everything).
 */
export type SpecialFile =
  | { readonly make: "fifo" }
  | { readonly make: "socket" }
  | { readonly make: "folder" }
  | { readonly make: "sparse"; readonly bytes: number }
  | { readonly make: "unreadable"; readonly text: string };

export function isSpecialFile(content: unknown): content is SpecialFile {
  return typeof content === "object" && content !== null && !Buffer.isBuffer(content) && "make" in content;
}

const special = (file: SpecialFile): CorpusFile => file;
const link = (symlinkTo: string): CorpusFile => ({ symlinkTo });

const NPMRC = `//registry.npmjs.org/:_authToken=${SECRET_MARKER}\nalways-auth=true\n`;
const ENV_FILE = `RUANGKERJA_TOKEN=${SECRET_MARKER}\nDATABASE_URL=postgres://deploy:${SECRET_MARKER}@db/ruangkerja\n`;
/** The credentials a link might reach for, outside the folder. */
const SECRETS = { "home/.npmrc": NPMRC, ".env": ENV_FILE };

const person = (id: string) => `  - employeeID: ${id}\n    name: Karyawan ${id}\n    email: ${id.toLowerCase()}@contoh.co.id\n`;
/** The three users of the runner's state, as declared: with only this file, a plan has nothing to do. */
const TEAM = `users:\n${person("T1")}${person("T2")}${person("T3")}`;
const NEWCOMER = `users:\n${person("X1")}`;

const LEAVES = /symbolic link to "[^"\n]*", which leads outside the declarations folder users: it is not read/;
const NOT_REGULAR = (kind: string) => new RegExp(`${kind.replace(/[()]/g, "\\$&")}, not a regular file: it is not read`);

/** A link named `users/<name>` out of the folder, next to a valid team file, with the fake credentials in place. */
function leaving(id: string, name: string, target: string): CorpusCase {
  return { id, files: { ...SECRETS, "users/team.yaml": TEAM, [`users/${name}`]: link(target) }, at: `users/${name}:1:1`, says: LEAVES };
}

export const FILE_CASES: readonly CorpusCase[] = [
  // Links to files outside the folder: what they point at must not be read, so never printed
  leaving("a link to /proc/self/environ (the CLI's own environment, token included)", "env.yaml", "/proc/self/environ"),
  leaving("a link to /etc/passwd", "passwd.yaml", "/etc/passwd"),
  leaving("a link to /etc/shadow", "shadow.yaml", "/etc/shadow"),
  leaving("a link to an .npmrc with a registry token", "npm.yaml", "../home/.npmrc"),
  leaving("a link to the repository's .env", "env.yaml", "../.env"),
  leaving("a link to the state file", "state.yaml", "../.ruangkerja/state.json"),
  leaving("an absolute link into the working directory, through /proc/self/cwd", "npm.yaml", "/proc/self/cwd/home/.npmrc"),
  leaving("a link to /dev/zero (endless, and fstat says size 0)", "zero.yaml", "/dev/zero"),
  leaving("a link to /dev/urandom", "random.yaml", "/dev/urandom"),
  leaving("a link to /dev/null", "null.yaml", "/dev/null"),
  leaving("a link to /dev/stdin", "stdin.yaml", "/dev/stdin"),
  leaving("a hidden file that links out", ".team-secrets.yaml", "../home/.npmrc"),
  leaving("a name with .. in it that links out", "..yaml", "../.env"),
  leaving("an upper-case .YAML that links out", "PASSWD.YAML", "/etc/passwd"),
  leaving("a .yml that links out", "npm.yml", "../home/.npmrc"),
  {
    id: "a link to a valid declaration outside the folder (must not be applied)",
    files: { "users/team.yaml": TEAM, "elsewhere/newcomer.yaml": NEWCOMER, "users/newcomer.yaml": link("../elsewhere/newcomer.yaml") },
    at: "users/newcomer.yaml:1:1",
    says: LEAVES,
  },
  {
    id: "a link in a subfolder that links out",
    files: { ...SECRETS, "users/team.yaml": TEAM, "users/finance/npm.yaml": link("../../home/.npmrc") },
    at: "users/finance/npm.yaml:1:1",
    says: LEAVES,
  },
  {
    id: "a chain of links inside the folder whose last one leaves it",
    files: { ...SECRETS, "users/team.yaml": TEAM, "users/a.yaml": link("b.yaml"), "users/b.yaml": link("../home/.npmrc") },
    at: "users/a.yaml:1:1",
    says: /symbolic link to "b\.yaml", which leads outside the declarations folder users/,
  },
  {
    id: "a link through a symlinked folder that leaves",
    files: { ...SECRETS, "users/team.yaml": TEAM, "users/home": link("../home"), "users/npm.yaml": link("home/.npmrc") },
    at: "users/npm.yaml:1:1",
    says: /symbolic link to "home\/\.npmrc", which leads outside the declarations folder users/,
  },
  // Links that lead nowhere
  {
    id: "a link to itself",
    files: { "users/team.yaml": TEAM, "users/self.yaml": link("self.yaml") },
    at: "users/self.yaml:1:1",
    says: /never reaches a file \(links that lead round in a loop\)/,
  },
  {
    id: "two links pointing at each other",
    files: { "users/team.yaml": TEAM, "users/a.yaml": link("b.yaml"), "users/b.yaml": link("a.yaml") },
    at: "users/a.yaml:1:1",
    says: /never reaches a file/,
  },
  {
    id: "a dangling link (an editor's lock file)",
    files: { "users/team.yaml": TEAM, "users/.#team.yaml": link("root@ci-runner.4242:1718000000") },
    at: "users/.#team.yaml:1:1",
    says: /symbolic link to "root@ci-runner\.4242:1718000000", which does not exist[\s\S]*planned for deactivation/,
  },
  // Links to folders, and the folder itself a link
  {
    id: "a link named like a file to a folder outside",
    files: { "users/team.yaml": TEAM, "users/etc.yaml": link("/etc") },
    at: "users/etc.yaml",
    says: /symlinked folder users\/etc\.yaml is not read/,
  },
  {
    id: "a link to the root folder",
    files: { "users/team.yaml": TEAM, "users/everything": link("/") },
    at: "users/everything",
    says: /symlinked folder users\/everything points back to .*, a folder that contains it \(a loop\)/,
  },
  {
    id: "the declarations folder is a link to /etc",
    files: { users: link("/etc") },
    at: "users",
    says: /declarations folder users leads through a symbolic link to "\/etc", outside the working directory: it is not read/,
  },
  {
    id: "the declarations folder is a link to /",
    files: { users: link("/") },
    at: "users",
    says: /declarations folder users leads through a symbolic link to "\/", outside the working directory/,
  },
  // Entries that are not regular files: reading them could hang, or never end
  {
    id: "a named pipe (FIFO)",
    files: { "users/team.yaml": TEAM, "users/pipe.yaml": special({ make: "fifo" }) },
    at: "users/pipe.yaml:1:1",
    says: NOT_REGULAR("a named pipe (FIFO)"),
  },
  {
    id: "a link inside the folder to a named pipe",
    files: { "users/team.yaml": TEAM, "users/pipe": special({ make: "fifo" }), "users/piped.yaml": link("pipe") },
    at: "users/piped.yaml:1:1",
    says: NOT_REGULAR("symbolic link to a named pipe (FIFO)"),
  },
  {
    id: "a unix socket",
    files: { "users/team.yaml": TEAM, "users/agent.yaml": special({ make: "socket" }) },
    at: "users/agent.yaml:1:1",
    says: NOT_REGULAR("a socket"),
  },
  {
    id: "a folder named like a declaration file (a missing file mounted into a container)",
    files: { "users/team.yaml": TEAM, "users/finance.yaml": special({ make: "folder" }) },
    at: "users/finance.yaml",
    says: /users\/finance\.yaml is a folder named like a declaration file: it is not read/,
  },
  {
    id: "a file its owner cannot read",
    files: { "users/team.yaml": TEAM, "users/locked.yaml": special({ make: "unreadable", text: NEWCOMER }) },
    at: "users/locked.yaml:1:1",
    says: /cannot be read \(EACCES\)[\s\S]*make it readable/,
  },
  // Sizes: refused from the size on disk, or while reading, never after reading it all
  {
    id: "a sparse 20 GB file",
    files: { "users/team.yaml": TEAM, "users/huge.yaml": special({ make: "sparse", bytes: 20 * 1024 ** 3 }) },
    at: "users/huge.yaml:1:1",
    says: /the file is 20480\.0 MB, more than the 10\.0 MB a declaration file may have/,
  },
  {
    id: "one endless line, one byte over the limit",
    files: { "users/team.yaml": TEAM, "users/line.yaml": Buffer.alloc(10 * 1024 * 1024 + 1, "a") },
    at: "users/line.yaml:1:1",
    says: /the file is 10485761 bytes, more than the 10485760 bytes \(10\.0 MB\)/,
  },
  // What a message quotes of a file: a short excerpt, escaped
  {
    id: "a 1,000-character key written twice",
    files: { "users/a.yaml": `users: []\n${"k".repeat(1000)}: 1\n${"k".repeat(1000)}: 2\n` },
    at: "users/a.yaml:3:1",
    says: /^users\/a\.yaml:3:1: error: "k{80}…" is written twice in the same place \[k{80}…\]$/m,
  },
  {
    id: "a key with a terminal escape sequence written twice",
    files: { "users/a.yaml": 'users: []\n"\\e[2J\\e[31mok": 1\n"\\e[2J\\e[31mok": 2\n' },
    at: "users/a.yaml:3:1",
    says: /"\\u001b\[2J\\u001b\[31mok" is written twice/,
  },
  {
    id: "an alias to an undefined 5,000-character anchor",
    files: { "users/a.yaml": `users:\n  - *${"a".repeat(5000)}\n` },
    at: "users/a.yaml:2:5",
    says: /the alias \*a{80}… refers to an anchor that is not defined/,
  },
  {
    id: "an unresolved tag 5,000 characters long",
    files: { "users/a.yaml": `users:\n  - employeeID: A1\n    name: !${"x".repeat(5000)} Budi\n` },
    at: "users/a.yaml:2:5",
    says: /YAML: unresolved tag: !x{100,}…\n/,
  },
];
