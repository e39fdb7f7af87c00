/**
 * Every case of the hostile-input corpus (test/hostile/corpus.ts) through `apply --auto-approve`, as
 * CI runs it: a located, human error, exit 1, no API call, and the state exactly as it was.
 */
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { CORPUS, type CorpusCase } from "../hostile/corpus.js";
import { makeWorkdir, runCli } from "./helpers.js";

const TOKEN = "hostile-token-7c1d";
const STATE = ".ruangkerja/state.json";
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

async function writeCase(dir: string, testCase: CorpusCase): Promise<void> {
  for (const [path, content] of Object.entries(testCase.files)) {
    const absolute = join(dir, path);
    await mkdir(dirname(absolute), { recursive: true });
    if (typeof content === "object" && !Buffer.isBuffer(content)) await symlink(content.symlinkTo, absolute);
    else await writeFile(absolute, content);
  }
  await mkdir(join(dir, ".ruangkerja"), { recursive: true });
  await writeFile(join(dir, STATE), testCase.state ?? VALID_STATE);
}

describe("hostile input", () => {
  it("has at least 40 cases, each with its own id", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
  });

  describe.concurrent.each(CORPUS)("$id", (testCase) => {
    it("is refused with a located error, no API call and the state untouched", async () => {
      const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
      const work = await makeWorkdir();
      try {
        await writeCase(work.dir, testCase);
        const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
        let args = ["apply", "--auto-approve"];
        if (testCase.savedPlanAgainst !== undefined) {
          await writeFile(join(work.dir, STATE), testCase.savedPlanAgainst);
          const planned = await runCli(["plan", "--out", "plan.json"], { cwd: work.dir, env });
          expect(planned.code, planned.stderr).toBe(0);
          await writeFile(join(work.dir, STATE), testCase.state ?? VALID_STATE);
          args = ["apply", "plan.json"];
        }
        const stateBefore = await readFile(join(work.dir, STATE));
        const result = await runCli(args, { cwd: work.dir, env });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).not.toMatch(/Unexpected error/);
        // `file:line:column` starts the line; a path with no lines (a folder) is named in the error itself.
        const located = result.stderr
          .split("\n")
          .find(
            (line) => line.startsWith(testCase.at) || (!/:\d/.test(testCase.at) && /^error:/i.test(line) && line.includes(testCase.at)),
          );
        expect(located, `no line starting with ${testCase.at} in:\n${result.stderr}`).toBeDefined();
        expect(result.stderr).toMatch(testCase.says);
        expect(Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0)).toBe(0);
        expect(emulator.users()).toEqual([]);
        expect(await readFile(join(work.dir, STATE))).toEqual(stateBefore);
        expect(await readdir(join(work.dir, ".ruangkerja"))).toEqual(["state.json"]);
      } finally {
        await emulator.close();
        await work.cleanup();
      }
    });
  });
});
