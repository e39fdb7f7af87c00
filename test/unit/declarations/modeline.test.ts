/**
 * The `# yaml-language-server: $schema=…` line that `export` writes must name a schema file that
 * exists in the user's repository, relative to the written file: the installed package's copy in
 * node_modules, else a copy export writes to schemas/users.schema.json (docs/declarations.md, "In
 * your editor"). Never the folder the CLI runs from (an npx cache, another checkout). The CLI is
 * run as built, against the emulator on 127.0.0.1, in temporary projects.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DECLARATIONS_SCHEMA_PATH, findInstalledSchema, INSTALLED_SCHEMA_PATH } from "../../../src/declarations/schema.js";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import { apiSend, makeUsers, makeWorkdir, runCli, writeText } from "../../e2e/helpers.js";

const TOKEN = "modeline-token-7f3a";
const SCHEMA_TEXT = readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8");
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

let emulator: RunningEmulator;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  const users = makeUsers("MDL", 3).map((u, i) => ({ ...u, isActive: true, organizationSerial: i === 0 ? "COMPMDLA" : "COMPMDLB" }));
  const reply = await apiSend("POST", `${emulator.url}/ruangkerja/users/create-bulk`, TOKEN, { items: users });
  expect((reply.body as { data: { failedItems: unknown[] } }).data.failedItems).toEqual([]);
});

afterAll(async () => {
  await emulator.close();
  for (const cleanup of cleanups) await cleanup();
});

/** A fresh project folder: a git repository (a `.git` folder), optionally inside a parent folder of its own. */
async function project(options: { nested?: boolean } = {}): Promise<{ root: string; repo: string }> {
  const work = await makeWorkdir();
  cleanups.push(work.cleanup);
  const repo = options.nested ? join(work.dir, "repo") : work.dir;
  await mkdir(join(repo, ".git"), { recursive: true });
  return { root: work.dir, repo };
}

/** The package as `npm install --save-dev ruangkerja-users` lays it out under `folder`. */
async function installPackage(folder: string): Promise<string> {
  const path = join(folder, INSTALLED_SCHEMA_PATH);
  await writeText(path, SCHEMA_TEXT);
  return path;
}

function exportTo(cwd: string, out: string, ...flags: string[]) {
  return runCli(["export", "--out", out, ...flags], { cwd, env: { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN } });
}

/** Each written file's modeline, resolved from that file's folder. */
async function modelineTargets(outDir: string): Promise<{ ref: string; target: string }[]> {
  const names = (await readdir(outDir)).filter((n) => n.endsWith(".yaml"));
  expect(names.length).toBeGreaterThan(1);
  return Promise.all(
    names.map(async (name) => {
      const file = join(outDir, name);
      const ref = MODELINE.exec((await readFile(file, "utf8")).split("\n")[0] ?? "")?.[1];
      expect(ref, file).toBeDefined();
      return { ref: ref as string, target: resolve(dirname(file), ref as string) };
    }),
  );
}

describe("export's modeline names a schema inside the user's repository", () => {
  it("the installed package's copy, found from the output folder upward", async () => {
    const { repo } = await project();
    const installed = await installPackage(repo);
    const result = await exportTo(repo, "people/users");
    expect(result.code, result.stderr).toBe(0);
    for (const { ref, target } of await modelineTargets(join(repo, "people/users"))) {
      expect(ref).toBe("../../node_modules/ruangkerja-users/schemas/users.schema.json");
      expect(target).toBe(installed);
      expect(existsSync(target)).toBe(true);
    }
    // Nothing else written: the installed copy is the one to use.
    expect(existsSync(join(repo, "schemas"))).toBe(false);
    expect(result.stderr).not.toContain("Wrote schemas/users.schema.json");
  });

  it("without the package installed, a copy in schemas/ of the working folder, which export writes", async () => {
    const { repo } = await project();
    const result = await exportTo(repo, "users");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("Wrote schemas/users.schema.json, the schema the files' modeline names for your editor");
    // stdout lists the declaration files only, as before.
    expect(result.stdout.trim().split("\n")).toEqual(["users/compmdla.yaml", "users/compmdlb.yaml"]);
    for (const { ref, target } of await modelineTargets(join(repo, "users"))) {
      expect(ref).toBe("../schemas/users.schema.json");
      expect(target).toBe(join(repo, "schemas/users.schema.json"));
      expect(readFileSync(target, "utf8")).toBe(SCHEMA_TEXT);
    }
    // The modeline path is not this process's own (a checkout or npx cache outside the project).
    expect(join(repo, "schemas/users.schema.json")).not.toBe(DECLARATIONS_SCHEMA_PATH);
  });

  it("does not look above the repository: a node_modules outside it is another project's", async () => {
    const { root, repo } = await project({ nested: true });
    await installPackage(root);
    const result = await exportTo(repo, "users");
    expect(result.code, result.stderr).toBe(0);
    for (const { ref, target } of await modelineTargets(join(repo, "users"))) {
      expect(ref).toBe("../schemas/users.schema.json");
      expect(existsSync(target)).toBe(true);
    }
  });

  it("keeps a copy that is already this schema, refuses to replace another file there without --force, replaces it with", async () => {
    const { repo } = await project();
    const copy = join(repo, "schemas/users.schema.json");
    await writeText(copy, SCHEMA_TEXT);
    const same = await exportTo(repo, "users", "--state", "one.json");
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain("Wrote schemas/users.schema.json");

    await writeFile(copy, '{ "title": "an older schema" }\n');
    const refused = await exportTo(repo, "elsewhere", "--state", "two.json");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`export would overwrite ${copy}; nothing was written`);
    expect(existsSync(join(repo, "elsewhere"))).toBe(false);
    expect(existsSync(join(repo, "two.json"))).toBe(false);

    const forced = await exportTo(repo, "elsewhere", "--state", "two.json", "--force");
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(copy, "utf8")).toBe(SCHEMA_TEXT);
    for (const { target } of await modelineTargets(join(repo, "elsewhere"))) expect(target).toBe(copy);
  });
});

describe("findInstalledSchema", () => {
  it("finds node_modules in the folder itself or above it, up to the folder holding .git", async () => {
    const { root, repo } = await project({ nested: true });
    expect(findInstalledSchema(join(repo, "a/b"))).toBeUndefined();
    const installed = await installPackage(repo);
    expect(findInstalledSchema(join(repo, "a/b"))).toBe(installed);
    expect(findInstalledSchema(repo)).toBe(installed);
    // Above the repository, only from folders outside it.
    const outside = await installPackage(root);
    expect(findInstalledSchema(join(root, "other"))).toBe(outside);
  });
});
