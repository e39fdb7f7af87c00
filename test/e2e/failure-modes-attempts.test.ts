/**
 * The default number of attempts per request, as a number: the emulator's fault schedule answers
 * a create-bulk 503 a set number of times (with `Retry-After: 0`, so nothing waits), and apply,
 * without --max-attempts, lands on the 5th attempt or gives up after exactly 5 and says so.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, setEmulatorFaults, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-attempts-default-7b3e";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };

// An emulator of its own per test: its request counts are this test's alone.
beforeEach(async () => {
  [emulator, work] = await Promise.all([startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN }), makeWorkdir()]);
});
afterEach(() => Promise.all([emulator.close(), work.cleanup()]));

const env = () => ({ RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN });

/** One create-bulk of `prefix`'s 3 users, its first `refusals` attempts answered 503; apply --json without --max-attempts. */
async function applyThrough503s(prefix: string, refusals: number) {
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers(prefix, 3)));
  await setEmulatorFaults(emulator.url, { retryAfterSeconds: 0, next: [{ fault: "503", route: "create-bulk", count: refusals }] });
  const result = await runCli(["apply", "--auto-approve", "--json"], { cwd: work.dir, env: env() });
  const sent = emulator.requestCounts()["create-bulk"];
  return { ...result, json: JSON.parse(result.stdout) as Record<string, unknown>, sent };
}

const held = (prefix: string) => emulator.users().filter((u) => u.employeeID.startsWith(prefix)).length;

describe("the default attempts per request", () => {
  it("is 5: four 503s in a row, and the 5th attempt lands", async () => {
    const { code, json, sent } = await applyThrough503s("DAL", 4);
    expect(code).toBe(0);
    expect(sent).toBe(5);
    expect(json).toMatchObject({ succeeded: 3, failed: 0, requests: { "create-bulk": 1 }, attempts: { "create-bulk": 5 } });
    expect(held("DAL")).toBe(3);
  });

  it("is 5: five 503s in a row, and apply gives up after exactly 5 attempts, saying so", async () => {
    const { code, json, sent } = await applyThrough503s("DAG", 5);
    expect(code).toBe(1);
    expect(sent).toBe(5);
    expect(json).toMatchObject({ succeeded: 0, failed: 3, attempts: { "create-bulk": 5 } });
    const failures = json.failures as { employeeID: string; detail: string; message: string }[];
    expect(failures.map((f) => f.employeeID).sort()).toEqual(["DAG0000", "DAG0001", "DAG0002"]);
    for (const failure of failures) {
      expect(`${failure.message} ${failure.detail}`).toContain("gave up after 5 attempts: last reply HTTP 503 SERVICE_UNAVAILABLE (50301)");
    }
    expect(held("DAG")).toBe(0);
    // The schedule is used up: the next apply lands at once, each user once.
    const again = await runCli(["apply", "--auto-approve", "--json"], { cwd: work.dir, env: env() });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ succeeded: 3, failed: 0, attempts: { "create-bulk": 1 } });
    expect(held("DAG")).toBe(3);
  });
});
