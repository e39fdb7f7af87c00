/**
 * `init` through the built CLI in an empty folder: the example declarations validate and declare
 * no one, the workflows and their scripts are the examples' files byte for byte (the scripts still
 * executable), .gitignore gains what the tool writes but not the state or its journal, and nothing
 * existing is overwritten without --force. Never calls the API: no emulator is started.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { makeWorkdir, ROOT, runCli, runProcess, writeText } from "./helpers.js";

const EXAMPLES = join(ROOT, "examples/github-actions");
let work: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  work = await makeWorkdir();
  return () => work.cleanup();
});

const read = (path: string) => readFile(join(work.dir, path), "utf8");

describe("init", () => {
  it("scaffolds users/, the workflows with their scripts and .gitignore; the result validates and plans no one", async () => {
    const result = await runCli(["init"], { cwd: work.dir });
    expect(result.stderr).toContain("Initialized: users/example.yaml");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "schemas/users.schema.json",
      "users/example.yaml",
      ".github/workflows/plan.yml",
      ".github/workflows/plan-comment.yml",
      ".github/workflows/apply.yml",
      ".github/ruangkerja-users/comments.mjs",
      ".github/ruangkerja-users/commit-state.sh",
      ".github/ruangkerja-users/sync-to-main.sh",
      ".gitignore",
    ]);
    // Not installed in this project: the modeline names a copy of the schema in the repository, as export's does.
    const example = await read("users/example.yaml");
    expect(example.split("\n")[0]).toBe("# yaml-language-server: $schema=../schemas/users.schema.json");
    expect(await read("schemas/users.schema.json")).toBe(await readFile(join(ROOT, "schemas/users.schema.json"), "utf8"));
    const validate = await runCli(["validate"], { cwd: work.dir });
    expect(validate.code, validate.stderr).toBe(0);
    const plan = await runCli(["plan", "--json"], { cwd: work.dir });
    expect(JSON.parse(plan.stdout).summary).toMatchObject({ create: 0, update: 0, deactivate: 0 });

    for (const name of ["plan.yml", "plan-comment.yml", "apply.yml"]) {
      expect(await read(`.github/workflows/${name}`), name).toBe(await readFile(join(EXAMPLES, name), "utf8"));
    }
    for (const name of ["comments.mjs", "commit-state.sh", "sync-to-main.sh"]) {
      const copy = join(work.dir, ".github/ruangkerja-users", name);
      expect(await readFile(copy, "utf8"), name).toBe(await readFile(join(EXAMPLES, "scripts", name), "utf8"));
      expect((await stat(copy)).mode & 0o777, name).toBe((await stat(join(EXAMPLES, "scripts", name))).mode & 0o777);
    }
    const gitignore = (await read(".gitignore")).split("\n");
    for (const entry of [".ruangkerja/*.lock", "*.plan.json", ".ruangkerja/state.json.*.next"]) expect(gitignore).toContain(entry);
    expect(gitignore.some((line) => line === ".ruangkerja/" || line === ".ruangkerja/state.json" || line.endsWith(".journal"))).toBe(false);
  });

  it("the .gitignore entries keep locks, plans and temporary writes out of git, and not the state or its journal", async () => {
    expect((await runCli(["init", "--workflows", "none"], { cwd: work.dir })).code).toBe(0);
    const env = { PATH: process.env.PATH ?? "", HOME: work.dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
    expect((await runProcess("git", ["init", "-q"], { cwd: work.dir, env })).code).toBe(0);
    const paths = [
      ".ruangkerja/state.json",
      ".ruangkerja/state.json.journal",
      ".ruangkerja/state.json.lock",
      ".ruangkerja/state.json.13.next",
      ".ruangkerja/state.json.4242.0b4a8d6e.tmp",
      "ruangkerja.plan.json",
      "ruangkerja.plan.json.4242.0b4a8d6e.tmp",
    ];
    for (const path of paths) await writeText(join(work.dir, path), "x");
    const ignored = await runProcess("git", ["check-ignore", ...paths], { cwd: work.dir, env });
    expect(ignored.stdout.trim().split("\n").sort()).toEqual(paths.slice(2).sort());
  });

  it("names the installed package's schema when the project has one, and then writes no copy", async () => {
    const installed = "node_modules/ruangkerja-users/schemas/users.schema.json";
    await writeText(join(work.dir, installed), await readFile(join(ROOT, "schemas/users.schema.json"), "utf8"));
    const result = await runCli(["init", "--workflows", "none"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("schemas/users.schema.json");
    expect((await read("users/example.yaml")).split("\n")[0]).toBe(`# yaml-language-server: $schema=../${installed}`);
  });

  it("with --workflows postgres copies apply-postgres.yml; --dir chooses the folder", async () => {
    const result = await runCli(["init", "--workflows", "postgres", "--dir", "people"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(".github/workflows/apply-postgres.yml");
    expect(result.stdout).not.toContain(".github/workflows/apply.yml");
    expect(await read(".github/workflows/apply-postgres.yml")).toBe(await readFile(join(EXAMPLES, "apply-postgres.yml"), "utf8"));
    expect((await runCli(["validate", "--dir", "people"], { cwd: work.dir })).code).toBe(0);
  });

  it("refuses to overwrite anything, writing nothing, unless --force; .gitignore is only appended to, once", async () => {
    await writeText(join(work.dir, ".github/workflows/apply.yml"), "mine\n");
    await writeFile(join(work.dir, ".gitignore"), "node_modules/\n*.plan.json");
    const refused = await runCli(["init"], { cwd: work.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(".github/workflows/apply.yml already exists; nothing was written. Pass --force to overwrite.");
    expect(await read(".github/workflows/apply.yml")).toBe("mine\n");
    expect(await read(".gitignore")).toBe("node_modules/\n*.plan.json");
    await expect(stat(join(work.dir, "users"))).rejects.toThrow(/ENOENT/);

    const forced = await runCli(["init", "--force"], { cwd: work.dir });
    expect(forced.code).toBe(0);
    expect(await read(".github/workflows/apply.yml")).toBe(await readFile(join(EXAMPLES, "apply.yml"), "utf8"));
    const once = await read(".gitignore");
    expect(once.startsWith("node_modules/\n*.plan.json\n")).toBe(true);
    expect(once.split("\n").filter((line) => line === "*.plan.json")).toHaveLength(1);
    expect((await runCli(["init", "--force"], { cwd: work.dir })).code).toBe(0);
    expect(await read(".gitignore")).toBe(once);
  });

  it("refuses an unknown --workflows value", async () => {
    const result = await runCli(["init", "--workflows", "svn"], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("svn");
  });
});
