/**
 * `init`: scaffolds a repository for users as code: the declarations folder with an example file
 * (the schema modeline editors read, the same as export's: schemas/users.schema.json is written
 * when the project has not installed the package), .gitignore entries for what the tool writes and must not be
 * committed, and the example GitHub workflows with their scripts, copied byte for byte from
 * examples/github-actions/ so they stay the files the tests run. Nothing existing is overwritten
 * without --force; every target is checked before the first is written.
 */
import { chmod, copyFile, lstat, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { modelineRef, modelineSchema, SCHEMA_COPY_PATH } from "../../declarations/schema.js";
import { ConfigError } from "../../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { DEFAULT_DECLARATIONS_DIR } from "../options.js";
import type { Output } from "../output.js";

export interface InitFlags {
  readonly dir?: string;
  readonly force?: boolean;
  /** `git` (apply.yml: state committed back), `postgres` (apply-postgres.yml), `none`. @default "git" */
  readonly workflows?: string;
}

export const INIT_WORKFLOWS = ["git", "postgres", "none"] as const;

/** The examples as the package holds them (dist/cli/commands → the package root). */
const EXAMPLES_DIR = fileURLToPath(new URL("../../../examples/github-actions/", import.meta.url));

/** Example workflows → .github/workflows/, their scripts → .github/ruangkerja-users/ (where the workflows run them from). */
const WORKFLOW_FILES: Record<string, readonly string[]> = {
  git: ["plan.yml", "plan-comment.yml", "apply.yml"],
  postgres: ["plan.yml", "plan-comment.yml", "apply-postgres.yml"],
  none: [],
};
const SCRIPT_FILES = ["comments.mjs", "commit-state.sh", "sync-to-main.sh"];

/**
 * What the tool writes beside the state and that must stay out of git: locks, saved plans (they
 * list people), a write's temporary files. Not the state or its journal: the GitOps workflow
 * commits both.
 */
export const GITIGNORE_ENTRIES = [
  ".ruangkerja/*.lock",
  ".ruangkerja/state.json.*.next",
  ".ruangkerja/*.tmp",
  "*.plan.json",
  "*.plan.json.*.tmp",
];

const EXAMPLE_FILE = "example.yaml";

interface Copy {
  readonly from: string;
  readonly to: string;
}

export async function runInit(flags: InitFlags, output: Output): Promise<number> {
  const dir = flags.dir ?? DEFAULT_DECLARATIONS_DIR;
  const workflows = flags.workflows ?? "git";
  const names = WORKFLOW_FILES[workflows];
  if (!names) throw new ConfigError(`--workflows must be one of ${INIT_WORKFLOWS.join(", ")}, not ${JSON.stringify(workflows)}`);
  const copies: Copy[] = [
    ...names.map((name) => ({ from: join(EXAMPLES_DIR, name), to: join(".github", "workflows", name) })),
    ...(names.length > 0
      ? SCRIPT_FILES.map((name) => ({ from: join(EXAMPLES_DIR, "scripts", name), to: join(".github", "ruangkerja-users", name) }))
      : []),
  ];
  for (const { from } of copies) {
    if (!(await stat(from).catch(() => undefined))?.isFile()) {
      throw new ConfigError(`init: this installation of ruangkerja-users lacks ${from}; nothing was written (use --workflows none)`);
    }
  }
  const example = join(dir, EXAMPLE_FILE);
  // The modeline export writes: the installed package's schema, else a copy in schemas/ (written here too).
  const schema = await modelineSchema(dir);
  const targets = [example, ...(schema.replaces ? [SCHEMA_COPY_PATH] : []), ...copies.map((c) => c.to)];
  const existing: string[] = [];
  for (const target of targets) {
    const info = await lstat(target).catch(() => undefined);
    if (info && !info.isFile()) throw new ConfigError(`init: ${target} exists and is not a file; nothing was written`);
    if (info) existing.push(target);
  }
  if (existing.length > 0 && !flags.force) {
    throw new ConfigError(
      `init: ${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written. Pass --force to overwrite.`,
    );
  }
  if (schema.copy !== undefined) {
    await writeTo(schema.path, schema.copy);
    output.out(SCHEMA_COPY_PATH);
  }
  await writeTo(example, exampleDeclarations(modelineRef(dir, schema)));
  output.out(example);
  for (const { from, to } of copies) {
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
    // The scripts keep their executable bit, as in the examples.
    await chmod(to, (await stat(from)).mode & 0o777);
    output.out(to);
  }
  const added = await addGitignoreEntries(".gitignore");
  if (added.length > 0) output.out(".gitignore");
  output.err(
    `Initialized: ${example}${copies.length > 0 ? `, ${copies.length} workflow files` : ""}${added.length > 0 ? `, ${added.length} .gitignore entries` : ""}. ` +
      `Declare your users in ${dir}/, then run \`ruangkerja-users validate --dir ${dir}\` and \`ruangkerja-users plan --dir ${dir}\`.` +
      (names.length > 0 ? " The workflows expect a package.json that depends on ruangkerja-users (npm ci installs it)." : ""),
  );
  return EXIT_OK;
}

async function writeTo(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** A file that validates and declares nobody: the example user is a comment, so a first apply creates no one by accident. */
function exampleDeclarations(schemaRef: string): string {
  return [
    `# yaml-language-server: $schema=${schemaRef}`,
    "#",
    "# Declare your employees here (any *.yaml or *.yml under this folder is read). Remove the `[]`",
    "# and uncomment the example to start; `ruangkerja-users validate` checks every file offline.",
    "",
    "# defaults:                      # applied to every user of this file",
    "#   organizationSerial: COMPENGR7K2M",
    "users: []",
    "#  - employeeID: EMP0001           # letters and digits only; the user's key",
    "#    name: Budi Santoso",
    "#    email: budi.santoso@example.co.id",
    '#    phone: "6281122334455"        # quote numbers: an unquoted phone is a number, not text',
    "",
  ].join("\n");
}

/** Appends the entries .gitignore lacks (a line equal to one counts); returns those added. */
async function addGitignoreEntries(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new ConfigError(`init: cannot read ${path} (${error.code ?? "error"})`, { cause: error });
  });
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_ENTRIES.filter((entry) => !present.has(entry));
  if (missing.length === 0) return [];
  const lead = text === "" || text.endsWith("\n") ? "" : "\n";
  const block = `${lead}${text === "" ? "" : "\n"}# ruangkerja-users: locks, saved plans and temporary files (the state and its journal are committed)\n${missing.join("\n")}\n`;
  await writeFile(path, text + block);
  return missing;
}
