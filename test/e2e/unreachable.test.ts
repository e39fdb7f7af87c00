/**
 * An unreachable API stops the run: the built CLI against a port on 127.0.0.1 that nothing
 * listens on (opened on port 0, noted, closed). The first bulk call fails with "could not reach
 * the API"; apply stops, reports every user it did not send as NOT_ATTEMPTED and exits 1.
 */
import { createServer } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

interface Failure {
  readonly action: string;
  readonly employeeID: string;
  readonly errorCode: string | number;
  readonly message: string;
  readonly detail: string;
}

let work: { dir: string; cleanup: () => Promise<void> };
let closedPort: number;

beforeAll(async () => {
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("UNR", 6)));
  closedPort = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(() => work.cleanup());

describe("apply against an unreachable API", () => {
  it("stops after the first failed call, reports the users not sent as NOT_ATTEMPTED, exit 1", async () => {
    const result = await runCli(["apply", "--auto-approve", "--json", "--max-attempts", "1", "--chunk-size", "2", "--parallelism", "1"], {
      cwd: work.dir,
      env: { RUANGKERJA_API_URL: `http://127.0.0.1:${closedPort}`, RUANGKERJA_TOKEN: "tok-unreachable" },
      timeoutMs: 60_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    const json = JSON.parse(result.stdout) as { succeeded: number; failed: number; failures: Failure[]; stoppedBecause?: string };
    expect(json.succeeded).toBe(0);
    expect(json.stoppedBecause).toMatch(/could not reach the API/);

    const ids = makeUsers("UNR", 6).map((u) => u.employeeID);
    expect(json.failures.map((f) => f.employeeID).sort()).toEqual(ids);
    // The chunk that was sent failed as a whole request; every other user was never sent.
    const sent = json.failures.filter((f) => f.errorCode !== "NOT_ATTEMPTED");
    const notSent = json.failures.filter((f) => f.errorCode === "NOT_ATTEMPTED");
    expect(sent.map((f) => f.employeeID).sort()).toEqual(ids.slice(0, 2));
    for (const f of sent) {
      expect(f.errorCode).toBe("REQUEST_FAILED");
      expect(f.message).toMatch(/^POST \/ruangkerja\/users\/create-bulk could not reach the API: /);
    }
    expect(notSent.map((f) => f.employeeID).sort()).toEqual(ids.slice(2));
    for (const f of notSent) expect(f).toMatchObject({ action: "create", message: "not sent" });

    for (const f of notSent) expect(f.detail).toBe("the run stopped before this user was sent");

    // Nothing landed, so no state was written.
    const state = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8").catch((e: NodeJS.ErrnoException) => e.code);
    expect(state).toBe("ENOENT");
  });

  it("with --max-attempts 2, retries first, then gives up saying so, and stops the same way", async () => {
    const result = await runCli(["apply", "--auto-approve", "--json", "--max-attempts", "2", "--chunk-size", "2", "--parallelism", "1"], {
      cwd: work.dir,
      env: { RUANGKERJA_API_URL: `http://127.0.0.1:${closedPort}`, RUANGKERJA_TOKEN: "tok-unreachable" },
      timeoutMs: 60_000,
    });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    const json = JSON.parse(result.stdout) as {
      failures: Failure[];
      stoppedBecause?: string;
      attempts?: Record<string, number>;
    };
    expect(json.stoppedBecause).toMatch(
      /^POST \/ruangkerja\/users\/create-bulk: gave up after 2 attempts: last error: could not reach the API: /,
    );
    expect(json.attempts?.["create-bulk"]).toBe(2);
    expect(json.failures.filter((f) => f.errorCode === "NOT_ATTEMPTED")).toHaveLength(4);
  });
});
