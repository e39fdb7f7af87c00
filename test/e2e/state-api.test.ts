/**
 * A state records the API it was applied against, and is refused against another one unless
 * --allow-other-api says so. Through the built CLI against two emulators on 127.0.0.1; the "other
 * API" is a recorded origin in the state file, so no request ever leaves this machine.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "state-api-token";
let first: RunningEmulator;
let second: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
const requests = (e: RunningEmulator) => Object.values(e.requestCounts()).reduce((a, b) => a + b, 0);
const stateFile = () => join(work.dir, ".ruangkerja/state.json");
const run = (args: string[], emulator: RunningEmulator) =>
  runCli(args, { cwd: work.dir, env: { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN } });
const readState = async () => JSON.parse(await readFile(stateFile(), "utf8")) as { apiOrigin?: string; serial: number };

beforeAll(async () => {
  first = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  second = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
});
afterAll(async () => {
  await first.close();
  await second.close();
});
beforeEach(async () => {
  for (const e of [first, second]) {
    const reset = await fetch(`${e.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5000) });
    expect(reset.ok).toBe(true);
  }
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("S", 2)));
});
afterEach(async () => {
  await work.cleanup();
});

/** Points the state at another API, as if it had been applied there. */
async function recordOtherApi(origin: string): Promise<string> {
  const state = await readState();
  const text = `${JSON.stringify({ ...state, apiOrigin: origin }, null, 2)}\n`;
  await writeFile(stateFile(), text);
  return text;
}

describe("the state's API", () => {
  it("is recorded by apply, normalised; every loopback address on any port counts as one", async () => {
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
    expect((await readState()).apiOrigin).toBe(first.url.toLowerCase());
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("S", 3)));
    const other = await run(["apply", "--auto-approve"], second);
    expect(other.code, other.stderr).toBe(0);
    expect((await readState()).apiOrigin).toBe(second.url.toLowerCase());
  });

  it("a state written before the field is used as it is, and gains it on its next write", async () => {
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
    const { apiOrigin: _gone, ...old } = await readState();
    await writeFile(stateFile(), `${JSON.stringify(old, null, 2)}\n`);
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("S", 3)));
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
    expect((await readState()).apiOrigin).toBe(first.url.toLowerCase());
  });

  it("apply and import against another API are refused before any request, naming both; --allow-other-api lets them through", async () => {
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
    const text = await recordOtherApi("https://api.ruangkerja.id");
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("S", 3)));
    const before = requests(first);
    for (const args of [
      ["apply", "--auto-approve"],
      ["apply", "--auto-approve", "--refresh"],
      ["import", "S0000"],
    ]) {
      const refused = await run(args, first);
      expect(refused.code, args.join(" ")).toBe(1);
      expect(refused.stderr).toContain(
        `the state in .ruangkerja/state.json was applied against https://api.ruangkerja.id, and this run talks to ${first.url.toLowerCase()}; nothing was changed`,
      );
      expect(refused.stderr).toContain("--allow-other-api");
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(requests(first)).toBe(before);
    expect(await readFile(stateFile(), "utf8")).toBe(text);

    const allowed = await run(["apply", "--auto-approve", "--allow-other-api"], first);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect((await readState()).apiOrigin).toBe(first.url.toLowerCase());
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
  });

  it("a recorded API that is not a URL is a located state error", async () => {
    expect((await run(["apply", "--auto-approve"], first)).code).toBe(0);
    await recordOtherApi("javascript:alert(1)");
    const result = await run(["plan"], first);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.ruangkerja\/state\.json:\d+:\d+: error: the state file's "apiOrigin" is not the URL of an API/);
  });
});
