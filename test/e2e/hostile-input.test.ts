/**
 * Every case of the hostile-input corpus (test/hostile/corpus.ts) through `apply --auto-approve`, as
 * CI runs it, once plain and once as GitHub Actions (annotations on): a located, human error, exit 1,
 * no stack trace, no API call, no file written (the state exactly as it was), and the token — a
 * marker that the fake credentials files of test/hostile/file-cases.ts hold too — nowhere in the output.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, lstat, mkdir, readdir, readFile, readlink, symlink, truncate, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { CORPUS, type CorpusCase } from "../hostile/corpus.js";
import { isSpecialFile, SECRET_MARKER, type SpecialFile } from "../hostile/file-cases.js";
import { makeWorkdir, runCli } from "./helpers.js";

const TOKEN = SECRET_MARKER;
const STATE = ".ruangkerja/state.json";
/** runCli kills a CLI that runs longer (a read that hangs on a pipe); the case then fails on its exit code. */
const CLI_BOUND_MS = 20_000;
/** Up to two CLI runs (a saved plan, then apply) and the setup, on a busy machine. */
const CASE_BOUND_MS = 3 * CLI_BOUND_MS;
/** Root reads a file whatever its mode, so a case about an unreadable file says nothing when run as root. */
const RUNNING_AS_ROOT = process.getuid?.() === 0;
const APPLIED = (id: string) => ({
  employeeID: id,
  name: `Karyawan ${id}`,
  email: `${id.toLowerCase()}@contoh.co.id`,
  isActive: true,
  serial: `S${id}`,
});
const VALID_STATE = `${JSON.stringify(
  { formatVersion: 1, lineage: "0d6f2d3c-5a47-4a38-9f59-1c1f0f8a3e21", serial: 7, users: ["T1", "T2", "T3"].map(APPLIED) },
  null,
  2,
)}\n`;

const run = promisify(execFile);

/** Makes what a running system makes; a socket is held open by a server, returned to be closed. */
async function makeSpecialFile(path: string, file: SpecialFile): Promise<Server | undefined> {
  switch (file.make) {
    case "fifo":
      await run("mkfifo", [path]);
      return undefined;
    case "socket": {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(path, resolve);
      });
      return server;
    }
    case "folder":
      await mkdir(path);
      return undefined;
    case "sparse":
      // Extending an empty file writes no blocks: 20 GB that take no room.
      await writeFile(path, "");
      await truncate(path, file.bytes);
      return undefined;
    case "unreadable":
      await writeFile(path, file.text);
      await chmod(path, 0o000);
      return undefined;
  }
}

async function writeCase(dir: string, testCase: CorpusCase): Promise<Server[]> {
  const servers: Server[] = [];
  for (const [path, content] of Object.entries(testCase.files)) {
    const absolute = join(dir, path);
    await mkdir(dirname(absolute), { recursive: true });
    if (isSpecialFile(content)) {
      const server = await makeSpecialFile(absolute, content);
      if (server) servers.push(server);
    } else if (typeof content === "object" && !Buffer.isBuffer(content)) await symlink(content.symlinkTo, absolute);
    else await writeFile(absolute, content);
  }
  await mkdir(join(dir, ".ruangkerja"), { recursive: true });
  await writeFile(join(dir, STATE), testCase.state ?? VALID_STATE);
  return servers;
}

const HASHED_BYTES = 1024 * 1024;

/**
 * Every entry under `dir`, as lstat sees it: links are not followed and pipes never opened. Small
 * files by content; large ones (a sparse 20 GB file) by size and time, so that they are not read.
 */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const name of await readdir(folder)) {
      const path = join(folder, name);
      const stats = await lstat(path);
      if (stats.isDirectory()) {
        entries.set(path, "folder");
        await walk(path);
      } else if (stats.isSymbolicLink()) entries.set(path, `link to ${await readlink(path)}`);
      else if (!stats.isFile()) entries.set(path, `special, mode ${stats.mode}`);
      else if (stats.size > HASHED_BYTES) entries.set(path, `${stats.size} bytes, modified ${stats.mtimeMs}`);
      else {
        const content = await readFile(path).catch((error: NodeJS.ErrnoException) => `unreadable (${error.code})`);
        entries.set(path, createHash("sha256").update(content).digest("hex"));
      }
    }
  };
  await walk(dir);
  return entries;
}

function isUnreadableCase(testCase: CorpusCase): boolean {
  return Object.values(testCase.files).some((content) => isSpecialFile(content) && content.make === "unreadable");
}

const VARIANTS = [
  { name: "plain", github: false },
  { name: "as GitHub Actions", github: true },
] as const;

describe("hostile input", () => {
  it("has at least 40 cases, each with its own id", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
  });

  describe.concurrent.each(CORPUS)("$id", (testCase) => {
    for (const variant of VARIANTS) {
      const title = `${variant.name}: refused with a located error, nothing sent, nothing written, no secret shown`;
      if (RUNNING_AS_ROOT && isUnreadableCase(testCase)) {
        it.skip(`${title} (not as root: root reads a file whatever its mode)`, () => {});
        continue;
      }
      it(
        title,
        async () => {
          const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
          const work = await makeWorkdir();
          const servers: Server[] = [];
          try {
            servers.push(...(await writeCase(work.dir, testCase)));
            const env: Record<string, string> = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
            if (variant.github) Object.assign(env, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: join(work.dir, "step-summary.md") });
            const cli = (args: string[]) => runCli(args, { cwd: work.dir, env, timeoutMs: CLI_BOUND_MS });
            let args = ["apply", "--auto-approve"];
            if (testCase.savedPlanAgainst !== undefined) {
              await writeFile(join(work.dir, STATE), testCase.savedPlanAgainst);
              const planned = await cli(["plan", "--out", "plan.json"]);
              expect(planned.code, planned.stderr).toBe(0);
              await writeFile(join(work.dir, STATE), testCase.state ?? VALID_STATE);
              args = ["apply", "plan.json"];
            }
            const before = await snapshot(work.dir);
            const result = await cli(args);
            const output = `${result.stdout}\n${result.stderr}`;
            expect(result.code, `killed after ${CLI_BOUND_MS} ms (hung?), or exited ${result.code}:\n${result.stderr}`).toBe(1);
            expect(output).not.toMatch(/Unexpected error/);
            expect(output, "a stack trace").not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
            expect(output.includes(SECRET_MARKER), `the token marker was printed:\n${output}`).toBe(false);
            // `file:line:column` starts the line; a path with no lines (a folder) is named in the error itself.
            const located = result.stderr
              .split("\n")
              .find(
                (line) => line.startsWith(testCase.at) || (!/:\d/.test(testCase.at) && /^error:/i.test(line) && line.includes(testCase.at)),
              );
            expect(located, `no line starting with ${testCase.at} in:\n${result.stderr}`).toBeDefined();
            expect(result.stderr).toMatch(testCase.says);
            if (variant.github && /:\d/.test(testCase.at)) {
              const [, file, line] = /^(.*?):(\d+)(?::\d*)?$/.exec(testCase.at) ?? [];
              expect(result.stderr).toContain(`::error file=${file},line=${line}`);
            }
            expect(Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0)).toBe(0);
            expect(emulator.users()).toEqual([]);
            const after = await snapshot(work.dir);
            const written = [...after].filter(([path, entry]) => before.get(path) !== entry).map(([path]) => path);
            for (const path of written) {
              const text = await readFile(path, "utf8").catch(() => "");
              expect(text.includes(SECRET_MARKER), `the token marker was written to ${path}`).toBe(false);
            }
            expect(written, "files written").toEqual([]);
            expect(
              [...before.keys()].filter((path) => !after.has(path)),
              "files removed",
            ).toEqual([]);
          } finally {
            await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
            await emulator.close();
            await work.cleanup();
          }
        },
        CASE_BOUND_MS,
      );
    }
  });
});
