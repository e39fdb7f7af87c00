/**
 * Files the tool writes with personal data (names, e-mails, phones) are created readable by their
 * owner only (0600): the state, its lock, saved plans (saved-plan.test.ts), exported declarations,
 * and the emulator's --data file. Through the built CLI and the emulator on 127.0.0.1.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { FileStateStore } from "../../src/state/state-file.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "file-modes-token";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

beforeAll(async () => {
  work = await makeWorkdir();
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, dataFile: join(work.dir, "emulator-data.json") });
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

describe("files with personal data are created 0600", () => {
  it("the state after apply, and the emulator's --data file", async () => {
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("M", 2)));
    const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
    expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
    expect(await modeOf(join(work.dir, ".ruangkerja/state.json"))).toBe(0o600);
    expect(await modeOf(join(work.dir, "emulator-data.json"))).toBe(0o600);
  });

  it("the lock file", async () => {
    const store = new FileStateStore(join(work.dir, "locked.json"));
    const lock = await store.lock("apply");
    try {
      expect(await modeOf(store.lockPath)).toBe(0o600);
    } finally {
      await lock.release();
    }
  });

  it("exported declarations and their state", async () => {
    const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
    const result = await runCli(["export", "--out", "exported", "--state", "exported-state.json"], { cwd: work.dir, env });
    expect(result.code, result.stderr).toBe(0);
    const files = await readdir(join(work.dir, "exported"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(await modeOf(join(work.dir, "exported", file)), file).toBe(0o600);
    expect(await modeOf(join(work.dir, "exported-state.json"))).toBe(0o600);
  });
});
