/** The CLI's promises to a user, each checked through the built binary against the emulator on 127.0.0.1. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { CLI, makeUsers, makeWorkdir, ROOT, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "marker-token-SECRET-5d1e";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const totalRequests = () => Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5000) });
  expect(reset.ok).toBe(true);
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("T", 3)));
});
afterEach(async () => {
  await work.cleanup();
});

const BAD_YAML = `users:
  - employeeID: "E 1"
    name: Budi
    email: budi@contoh.co.id
  - employeeID: E2
    name: Sari
    phone: 6281122334455
  - employeeID: E3
    name: Andi
    email: andi@contoh.co.id
    isActive: yes
`;

describe("validate", () => {
  it("exits 0 on valid declarations", async () => {
    const result = await runCli(["validate"], { cwd: work.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Valid: 3 users in 1 files");
  });

  it("exits 1 and lists every error with file:line:column", async () => {
    await writeText(join(work.dir, "users/bad.yaml"), BAD_YAML);
    const result = await runCli(["validate"], { cwd: work.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/users\/bad\.yaml:2:\d+: error: .*E 1/);
    expect(result.stderr).toMatch(/users\/bad\.yaml:7:\d+: error: .*phone/);
    expect(result.stderr).toMatch(/users\/bad\.yaml:11:\d+: error: .*isActive/);
  });

  it("--json gives a machine form", async () => {
    await writeText(join(work.dir, "users/bad.yaml"), BAD_YAML);
    const result = await runCli(["validate", "--json"], { cwd: work.dir });
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out.valid).toBe(false);
    expect(out.diagnostics.filter((d: { severity: string }) => d.severity === "error").length).toBeGreaterThanOrEqual(3);
    expect(out.diagnostics[0]).toHaveProperty("line");
  });
});

describe("bad input changes nothing", () => {
  it("apply with invalid declarations makes no API call and writes no state or lock", async () => {
    await writeText(join(work.dir, "users/bad.yaml"), BAD_YAML);
    const before = totalRequests();
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("users/bad.yaml:2:");
    expect(result.stderr).toContain("nothing was changed");
    expect(totalRequests()).toBe(before);
    expect(existsSync(join(work.dir, ".ruangkerja"))).toBe(false);
  });

  it("apply refuses without a terminal and without --auto-approve, before any call", async () => {
    const before = totalRequests();
    const result = await runCli(["apply"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--auto-approve");
    expect(totalRequests()).toBe(before);
    expect(existsSync(join(work.dir, ".ruangkerja"))).toBe(false);
  });

  it("apply refuses a token over plain http to a non-loopback address, before any call", async () => {
    const result = await runCli(["apply", "--auto-approve"], {
      cwd: work.dir,
      env: { ...env, RUANGKERJA_API_URL: "http://api.ruangkerja.id" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refusing to send the access token over plain http");
  });

  it("apply without a token says which variable to set", async () => {
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: { RUANGKERJA_API_URL: emulator.url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RUANGKERJA_TOKEN");
  });

  it("a rejected token stops apply with the API's message", async () => {
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: { ...env, RUANGKERJA_TOKEN: "wrong-token" } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Token is not valid");
    expect(result.stdout).not.toContain("wrong-token");
    expect(result.stderr).not.toContain("wrong-token");
  });

  it("a truncated state file is refused with its path, and nothing is sent", async () => {
    await writeText(join(work.dir, ".ruangkerja/state.json"), '{"formatVersion":1,"lineage":"x","serial":2,"users":[{"empl');
    const before = totalRequests();
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(".ruangkerja/state.json:1:60: error: the state file is not valid JSON");
    expect(totalRequests()).toBe(before);
  });
});

describe("state", () => {
  it("--state and RUANGKERJA_STATE choose where state lives", async () => {
    const viaFlag = await runCli(["apply", "--auto-approve", "--state", "custom/s.json"], { cwd: work.dir, env });
    expect(viaFlag.code).toBe(0);
    expect(existsSync(join(work.dir, "custom/s.json"))).toBe(true);
    const viaEnv = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env: { ...env, RUANGKERJA_STATE: "custom/s.json" } });
    expect(viaEnv.code).toBe(0);
  });

  it("a state path that cannot be read gives a named error, not a stack trace", async () => {
    await writeText(join(work.dir, "statedir/keep"), "");
    const result = await runCli(["plan", "--state", "statedir"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: cannot read the state at statedir (EISDIR)");
    expect(result.stderr).not.toContain("    at ");
  });

  it("a second apply fails at once while the lock is held, saying who holds it and since when", async () => {
    await writeText(
      join(work.dir, ".ruangkerja/state.json.lock"),
      JSON.stringify({ id: "x", who: "ci-runner", host: "build-7", pid: 4242, operation: "apply", since: "2026-11-23T10:00:00.000Z" }),
    );
    const before = totalRequests();
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("state is locked by ci-runner@build-7 (pid 4242, apply) since 2026-11-23T10:00:00.000Z");
    expect(result.stderr).toContain("ruangkerja-users force-unlock x");
    expect(totalRequests()).toBe(before);
  });
});

describe("secrets", () => {
  it("the token appears in no output and no file written", async () => {
    const outputs: string[] = [];
    for (const args of [
      ["validate"],
      ["plan"],
      ["plan", "--json"],
      ["apply", "--auto-approve"],
      ["apply", "--auto-approve", "--json"],
      ["plan", "--detailed-exitcode"],
    ]) {
      const r = await runCli(args, { cwd: work.dir, env: { ...env, DEBUG: "*" } });
      outputs.push(r.stdout, r.stderr);
    }
    const bad = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: { ...env, RUANGKERJA_API_URL: "http://127.0.0.1:1" } });
    outputs.push(bad.stdout, bad.stderr);
    for (const text of outputs) expect(text).not.toContain(TOKEN);
    const written = await readdir(join(work.dir, ".ruangkerja"));
    for (const file of written) expect(await readFile(join(work.dir, ".ruangkerja", file), "utf8")).not.toContain(TOKEN);
  });
});

describe("emulator command", () => {
  it("prints its base URL on the first line and serves the API with the given token", async () => {
    const child = spawn(process.execPath, [CLI, "emulator", "--port", "0", "--token", "cmd-token"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let buffer = "";
        const timer = setTimeout(() => reject(new Error("no URL within 15 s")), 15_000);
        child.stdout.on("data", (d) => {
          buffer += d;
          if (buffer.includes("\n")) {
            clearTimeout(timer);
            resolve(buffer.split("\n")[0] as string);
          }
        });
      });
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const denied = await fetch(`${firstLine}/ruangkerja/users`, { signal: AbortSignal.timeout(5000) });
      expect(denied.status).toBe(401);
      const ok = await fetch(`${firstLine}/ruangkerja/users`, {
        headers: { Authorization: "cmd-token" },
        signal: AbortSignal.timeout(5000),
      });
      expect(ok.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("npm start (demo)", () => {
  it("plans and applies the sample users against an embedded emulator, then plans no changes", async () => {
    const result = await runCli(["demo"], { cwd: ROOT, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Started the RuangKerja emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/Plan: \d+ to create, 0 to update, 0 to rename, 0 to deactivate\./);
    expect(result.stdout).toMatch(/Apply complete: \d+ succeeded, 0 failed/);
    expect(result.stdout).toContain("Planning again: No changes.");
  });
});

describe("interactive approval", () => {
  /** Runs apply under script(1), which gives it a pseudo-terminal, and types `answer` into it. */
  function applyOnTerminal(answer: string): Promise<{ code: number | null; out: string }> {
    // exec: no shell stays in between to take the Ctrl-C for itself.
    const cmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} apply`;
    return new Promise((resolve) => {
      const child = spawn("script", ["-qec", cmd, "/dev/null"], {
        cwd: work.dir,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env },
      });
      let out = "";
      let answered = false;
      child.stdout.on("data", (d) => {
        out += d;
        if (!answered && out.includes("Enter a value:")) {
          answered = true;
          child.stdin.write(answer === "\u0003" ? answer : `${answer}\r`);
        }
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  it.runIf(existsSync("/usr/bin/script"))("on a terminal, shows the plan and cancels on anything but 'yes'", async () => {
    const before = totalRequests();
    const result = await applyOnTerminal("no");
    expect(result.out).toContain("Plan: 3 to create");
    expect(result.out).toContain("Apply cancelled");
    expect(result.code).toBe(1);
    expect(totalRequests()).toBe(before);
  });

  it.runIf(existsSync("/usr/bin/script"))("Ctrl-C at the prompt cancels, sends nothing and frees the lock", async () => {
    const before = totalRequests();
    const result = await applyOnTerminal("\u0003");
    expect(result.out).toContain("Apply cancelled");
    expect(result.code).toBe(1);
    expect(totalRequests()).toBe(before);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json.lock"))).toBe(false);
  });

  it.runIf(existsSync("/usr/bin/script"))("on a terminal, applies after 'yes'", async () => {
    const result = await applyOnTerminal("yes");
    expect(result.out).toContain("Apply complete: 3 succeeded, 0 failed");
    expect(result.code).toBe(0);
  });
});
