/**
 * README.md and docs/ together document what a user can meet: every command and sub-command the
 * built CLI's `--help` lists (each under its own heading or in its parent's section, in
 * docs/commands.md), every long flag (in its command's section), every environment variable the
 * code reads (in README's "Environment variables" table) and every exit code constant (in
 * README's "Exit codes" table). Everything is derived from the CLI's help output and the source,
 * so a new command, flag, variable or code fails here until the docs say what it does. README
 * stays short: the newcomer's first screens.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeWorkdir, ROOT, runCli } from "./helpers.js";

interface HelpedCommand {
  /** Words after the program name, e.g. ["state", "list"]; [] for the program itself. */
  readonly path: readonly string[];
  readonly flags: readonly string[];
  readonly subcommands: readonly string[];
}

/** The lines of a help section (`Options:`, `Commands:`) up to the next blank line. */
function helpSection(help: string, title: string): string[] {
  const lines = help.split("\n");
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === "");
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Entries start two spaces in; wrapped descriptions are indented further. */
function parseHelp(help: string): { flags: string[]; subcommands: string[] } {
  const flags = helpSection(help, "Options")
    .map((line) => /^ {2}(?:-[A-Za-z], )?(--[a-z0-9][a-z0-9-]*)/.exec(line)?.[1])
    .filter((flag): flag is string => flag !== undefined);
  const subcommands = helpSection(help, "Commands")
    .map((line) => /^ {2}([a-z][a-z0-9-]*)(?: |$)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help");
  return { flags, subcommands };
}

/** Runs `--help` on the program and, level by level, on every command it lists. */
async function walkHelp(cwd: string): Promise<HelpedCommand[]> {
  const found: HelpedCommand[] = [];
  let level: (readonly string[])[] = [[]];
  for (let depth = 0; level.length > 0 && depth < 4; depth++) {
    const next: (readonly string[])[] = [];
    for (const path of level) {
      const result = await runCli([...path, "--help"], { cwd, timeoutMs: 30_000 });
      expect(result.code, `${["ruangkerja-users", ...path].join(" ")} --help: ${result.stderr}`).toBe(0);
      const { flags, subcommands } = parseHelp(result.stdout);
      found.push({ path, flags, subcommands });
      for (const name of subcommands) next.push([...path, name]);
    }
    level = next;
  }
  return found;
}

interface Heading {
  readonly level: number;
  readonly title: string;
  readonly line: number;
}

function headings(lines: readonly string[]): Heading[] {
  const result: Heading[] = [];
  let fenced = false;
  lines.forEach((line, i) => {
    if (line.startsWith("```")) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (match) result.push({ level: (match[1] as string).length, title: match[2] as string, line: i });
  });
  return result;
}

/** The text under the first heading `matches` accepts, up to the next heading of its level or above. */
function sectionText(lines: readonly string[], matches: (title: string, level: number) => boolean): string | undefined {
  const all = headings(lines);
  const index = all.findIndex((h) => matches(h.title, h.level));
  if (index < 0) return undefined;
  const start = all[index] as Heading;
  const end = all.slice(index + 1).find((h) => h.level <= start.level);
  return lines.slice(start.line, end?.line).join("\n");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `--flag` as a whole word: `--force` is not found in `--force-unlock`. */
function mentionsFlag(text: string, flag: string): boolean {
  return new RegExp(`${escape(flag)}(?![a-z0-9-])`).test(text);
}

/** The backticked first cells of a markdown table's rows, split into names. */
function tableFirstCells(section: string): string[] {
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[-\s|]*$/.test(line))
    .map((line) => line.split("|")[1]?.trim() ?? "");
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => join(e.parentPath, e.name));
}

/**
 * Environment variables read by name anywhere in src/: `env.NAME`, `env["NAME"]`, and `env[CONST]`
 * where the same file declares `const CONST = "NAME"`. Names built at run time (`passwordEnv`,
 * numbered pieces) cannot be listed; README describes them in words.
 */
function environmentReads(source: string): string[] {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/\bconst ([A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*["'`]([A-Z][A-Z0-9_]*)["'`]/g)) {
    constants.set(match[1] as string, match[2] as string);
  }
  const names = new Set<string>();
  for (const match of source.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*(?:["'`]([A-Z][A-Z0-9_]*)["'`]|([A-Za-z_$][\w$]*))\s*\])/g)) {
    const name = match[1] ?? match[2] ?? constants.get(match[3] as string);
    if (name !== undefined) names.add(name);
  }
  return [...names];
}

const README = join(ROOT, "README.md");
let readme: string;
let readmeLines: string[];
let commands: HelpedCommand[];

let readmeOnly: string;
let readmeOnlyLines: string[];

beforeAll(async () => {
  readmeOnly = await readFile(README, "utf8");
  readmeOnlyLines = readmeOnly.split("\n");
  const docs = (await readdir(join(ROOT, "docs"))).filter((name) => name.endsWith(".md")).sort();
  // One text: README first, then every page of docs/, each starting at its own "# " title.
  readme = [readmeOnly, ...(await Promise.all(docs.map((name) => readFile(join(ROOT, "docs", name), "utf8"))))].join("\n");
  readmeLines = readme.split("\n");
  const work = await makeWorkdir();
  try {
    commands = await walkHelp(work.dir);
  } finally {
    await work.cleanup();
  }
}, 180_000);

/** README's section for a command: its own heading (`### \`ruangkerja-users state list\``), else its parent's. */
function commandSection(path: readonly string[]): string | undefined {
  for (let length = path.length; length > 0; length--) {
    const heading = new RegExp(`^\`ruangkerja-users ${escape(path.slice(0, length).join(" "))}(?=[\` ])`);
    const section = sectionText(readmeLines, (title, level) => level <= 3 && heading.test(title));
    if (section !== undefined) return section;
  }
  return undefined;
}

/** The command a heading such as "`ruangkerja-users force-unlock LOCK_ID`" documents: ["force-unlock"]. */
function headingCommand(title: string): string[] | undefined {
  const match = /^`ruangkerja-users ([^`]*)`/.exec(title);
  if (!match) return undefined;
  const words = (match[1] as string).split(" ");
  const end = words.findIndex((word) => !/^[a-z][a-z0-9-]*$/.test(word));
  return words.slice(0, end < 0 ? undefined : end);
}

describe("README.md documents the CLI", () => {
  it("finds the commands and flags in --help (the parser works)", () => {
    const top = commands.find((c) => c.path.length === 0);
    expect(top?.subcommands.length).toBeGreaterThan(3);
    expect(top?.flags).toContain("--version");
    expect(commands.filter((c) => c.path.length > 0).every((c) => c.flags.includes("--help"))).toBe(true);
    expect(commands.some((c) => c.path.length === 2)).toBe(true);
  });

  it("gives every command a heading, and names every sub-command in its own heading or its parent's section", () => {
    const missing: string[] = [];
    for (const command of commands) {
      const [top] = command.path;
      if (top === undefined) continue;
      const section = commandSection(command.path);
      const name = command.path.join(" ");
      if (section === undefined) {
        missing.push(`no heading "### \`ruangkerja-users ${top}\`"`);
      } else if (!new RegExp(`\`(?:ruangkerja-users )?${escape(name)}(?=[\` ])`).test(section)) {
        missing.push(`\`${name}\` is not named in its section`);
      }
    }
    expect(missing, "README.md lacks").toEqual([]);
  });

  it("heads no section with a command the CLI does not have", () => {
    const known = new Set(commands.map((c) => c.path.join(" ")));
    const documented = headings(readmeLines)
      .map((h) => headingCommand(h.title)?.join(" "))
      .filter((name): name is string => name !== undefined);
    expect(documented.length).toBeGreaterThan(3);
    expect(documented.filter((name) => !known.has(name))).toEqual([]);
  });

  it("mentions every long flag of a command in that command's section", () => {
    const missing: string[] = [];
    for (const command of commands) {
      // The program's own flags, and --help (which every command has), anywhere in README.
      const section = command.path.length === 0 ? readme : commandSection(command.path);
      if (section === undefined) continue; // reported by the heading test
      for (const flag of command.flags) {
        const where = flag === "--help" ? readme : section;
        if (!mentionsFlag(where, flag)) missing.push(`${["ruangkerja-users", ...command.path].join(" ")} ${flag}`);
      }
    }
    expect(missing, "flags that README.md does not mention in their command's section").toEqual([]);
  });
});

describe("README.md's tables", () => {
  it("keeps README to the first screens (about 300 lines at most); the rest lives in docs/", () => {
    expect(readmeOnlyLines.length).toBeLessThanOrEqual(300);
    for (const link of readmeOnly.matchAll(/\]\((docs\/[^)#]+)/g)) expect(existsSync(join(ROOT, link[1] as string)), link[1]).toBe(true);
  });

  it("list every environment variable the code reads in the Environment variables table", async () => {
    const section = sectionText(readmeOnlyLines, (title, level) => level === 2 && title === "Environment variables");
    expect(section, 'README.md has a "## Environment variables" section').toBeDefined();
    const documented = new Set(
      tableFirstCells(section as string).flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1])),
    );

    const readBy = new Map<string, string[]>();
    for (const file of await sourceFiles(join(ROOT, "src"))) {
      for (const name of environmentReads(await readFile(file, "utf8"))) {
        readBy.set(name, [...(readBy.get(name) ?? []), relative(ROOT, file)]);
      }
    }
    // The scan itself must work: the CLI reads its token and its state path from the environment.
    expect(readBy.size).toBeGreaterThan(3);
    const missing = [...readBy].filter(([name]) => !documented.has(name)).map(([name, files]) => `${name} (read in ${files.join(", ")})`);
    expect(missing, "environment variables missing from README.md's table").toEqual([]);
  });

  it("list every exit code constant in the Exit codes table, and no other code", async () => {
    const source = await readFile(join(ROOT, "src/cli/exit-codes.ts"), "utf8");
    const constants = [...source.matchAll(/export const (EXIT_[A-Z_]+) = (\d+);/g)].map((m) => ({ name: m[1], code: m[2] as string }));
    expect(constants.length).toBeGreaterThan(1);

    const section = sectionText(readmeOnlyLines, (title, level) => level === 2 && title === "Exit codes");
    expect(section, 'README.md has a "## Exit codes" section').toBeDefined();
    const rows = tableFirstCells(section as string).filter((cell) => /^\d+$/.test(cell));
    expect(
      constants.filter((c) => !rows.includes(c.code)).map((c) => `${c.name} = ${c.code}`),
      "exit codes missing from README.md's table",
    ).toEqual([]);
    expect(
      rows.filter((code) => !constants.some((c) => c.code === code)),
      "README.md lists exit codes that src/cli/exit-codes.ts does not define",
    ).toEqual([]);
  });
});
