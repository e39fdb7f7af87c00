/**
 * Secrets never leak: every CLI command runs with a marker token and a marker password (through
 * passwordEnv), on its success and its error paths, and neither marker may appear in stdout,
 * stderr or any file the run leaves in its folder (state, lock, emulator data, anything else).
 *
 * To cover a new command, add a case to CASES: its arguments, what it needs set up, the exit code
 * it should give and a phrase of its output that proves the intended path ran.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { apiSend, CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

/** Every secret of this test contains this; nothing the tool prints or writes may. */
const MARKER = "SECRETMARKER";
const TOKEN = `tok-${MARKER}-7e1d0c`;
const PASSWORD = `pw-${MARKER}-Rahasia!9`;
const WRONG_TOKEN = `wrong-${MARKER}-55aa`;
const CLIENT_SECRET = `cs-${MARKER}-0b7f`;

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let closedPort: number;

interface Context {
  readonly dir: string;
  readonly apiUrl: string;
}

interface SecretCase {
  readonly name: string;
  readonly args: string[];
  /** Added to the environment, which always holds the marker token and the marker password. */
  readonly env?: (ctx: Context) => Record<string, string>;
  readonly setup?: (ctx: Context) => Promise<void>;
  readonly code: number;
  /** A phrase of stdout or stderr that shows the case took the path it is meant to. */
  readonly expect: string | RegExp;
  /** For long-running commands (emulator): stop with SIGTERM once this appears in the output. */
  readonly stopWhen?: RegExp;
}

const withPassword = (n: number, prefix = "SEC") =>
  usersYaml(makeUsers(prefix, n)).replace(/(\n {2}- employeeID: "SEC0000"\n)/, `$1    passwordEnv: "RUANGKERJA_PASSWORD_SEC0000"\n`);

const CASES: SecretCase[] = [
  { name: "--help", args: ["--help"], code: 0, expect: "force-unlock" },
  { name: "--version", args: ["--version"], code: 0, expect: /\d+\.\d+\.\d+/ },
  { name: "validate", args: ["validate"], code: 0, expect: "Valid:" },
  { name: "validate --json", args: ["validate", "--json"], code: 0, expect: '"valid":true' },
  { name: "plan", args: ["plan"], code: 0, expect: /passwordEnv +RUANGKERJA_PASSWORD_SEC0000/ },
  { name: "plan --json", args: ["plan", "--json"], code: 0, expect: '"passwordEnv":"RUANGKERJA_PASSWORD_SEC0000"' },
  {
    name: "apply without the password variable (located error)",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_PASSWORD_SEC0000: "" }),
    code: 1,
    expect: "the environment variable RUANGKERJA_PASSWORD_SEC0000 (passwordEnv of SEC0000) is empty",
  },
  {
    name: "apply (creates, one with a password, one refused by the API)",
    args: ["apply", "--auto-approve"],
    setup: async (ctx) => {
      // Someone already holds SEC0004's e-mail: that create fails, with its payload (and the password of another) in flight.
      const taken = { employeeID: "OTHER1", name: "Other", email: "sec0004@contoh.co.id", isActive: true, password: PASSWORD };
      await apiSend("POST", `${ctx.apiUrl}/ruangkerja/users`, TOKEN, taken);
    },
    code: 1,
    expect: "USER_EMAIL_EXISTS",
  },
  {
    name: "apply --json (updates)",
    args: ["apply", "--auto-approve", "--json"],
    setup: async (ctx) => writeText(join(ctx.dir, "users/team.yaml"), withPassword(6).replace(/Karyawan SEC 0001/, "Karyawan Baru")),
    code: 1,
    expect: /"succeeded":1,"failed":1/,
  },
  { name: "plan --detailed-exitcode", args: ["plan", "--detailed-exitcode"], code: 2, expect: "to create" },
  { name: "plan --refresh", args: ["plan", "--refresh"], code: 0, expect: "to create" },
  { name: "plan --refresh --json", args: ["plan", "--refresh", "--json"], code: 0, expect: '"drift":' },
  { name: "import", args: ["import", "OTHER1"], code: 0, expect: 'Imported OTHER1 "Other"' },
  {
    name: "export",
    args: ["export", "--out", "exported", "--state", "exported/state.json", "--skip-invalid"],
    code: 0,
    expect: /Exported \d+ users/,
  },
  {
    name: "plan --format markdown --out",
    args: ["plan", "--format", "markdown", "--out", "saved-plan.json"],
    code: 0,
    expect: "Saved the plan",
  },
  { name: "state list", args: ["state", "list"], code: 0, expect: "OTHER1" },
  { name: "state show --json", args: ["state", "show", "OTHER1", "--json"], code: 0, expect: '"employeeID":"OTHER1"' },
  {
    name: "state migrate (file to file)",
    args: ["state", "migrate", "--from", ".ruangkerja/state.json", "--to", "copy/state.json"],
    code: 0,
    expect: /igrat|[Cc]opied/,
  },
  {
    name: "apply with a wrong client secret",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_TOKEN: "", RUANGKERJA_CLIENT_ID: "emulator-client", RUANGKERJA_CLIENT_SECRET: WRONG_TOKEN }),
    code: 1,
    expect: "Credentials does not match",
  },
  {
    name: "apply with client credentials (a secret exchanged for a token)",
    args: ["apply", "--auto-approve", "--json"],
    env: () => ({ RUANGKERJA_TOKEN: "", RUANGKERJA_CLIENT_ID: "emulator-client", RUANGKERJA_CLIENT_SECRET: CLIENT_SECRET }),
    // The user the API refused earlier still fails; the others landed with the exchanged token.
    code: 1,
    expect: /"succeeded":[1-9]/,
  },
  {
    name: "apply with a wrong token (401)",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_TOKEN: WRONG_TOKEN }),
    code: 1,
    expect: /Token is not valid|token/i,
  },
  {
    name: "apply against an unreachable API",
    args: ["apply", "--auto-approve", "--json"],
    env: () => ({ RUANGKERJA_API_URL: `http://127.0.0.1:${closedPort}` }),
    code: 1,
    expect: /NOT_ATTEMPTED|REQUEST_FAILED|ECONNREFUSED|reach/i,
  },
  {
    name: "apply refusing http:// to a host that is not loopback",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_API_URL: "http://api.ruangkerja.example" }),
    code: 1,
    expect: "refusing to send the access token over plain http",
  },
  {
    name: "apply with credentials in the API URL",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_API_URL: `http://admin:${MARKER}@127.0.0.1:${closedPort}` }),
    code: 1,
    expect: "must not contain a user name or password",
  },
  {
    name: "apply with a query string in the API URL",
    args: ["apply", "--auto-approve"],
    env: () => ({ RUANGKERJA_API_URL: `http://127.0.0.1:${closedPort}/?token=${MARKER}` }),
    code: 1,
    expect: "must not contain a query string or fragment",
  },
  {
    name: "apply while another run holds the lock",
    args: ["apply", "--auto-approve"],
    setup: (ctx) => writeLock(ctx.dir, "11111111-2222-4333-8444-555555555555"),
    code: 1,
    expect: "state is locked by",
  },
  {
    name: "force-unlock with a wrong ID",
    args: ["force-unlock", "not-the-id", "--force"],
    code: 1,
    expect: "does not match",
  },
  {
    name: "force-unlock",
    args: ["force-unlock", "11111111-2222-4333-8444-555555555555", "--force"],
    code: 0,
    expect: "Removed the lock",
  },
  {
    name: "validate with invalid YAML",
    args: ["validate", "--dir", "broken"],
    setup: (ctx) => writeText(join(ctx.dir, "broken/bad.yaml"), 'users:\n  - employeeID: "X1\n    name: [unclosed\n'),
    code: 1,
    expect: "broken/bad.yaml",
  },
  {
    name: "plan with invalid YAML and a literal password",
    args: ["plan", "--dir", "broken2"],
    setup: (ctx) =>
      writeText(
        join(ctx.dir, "broken2/pw.yaml"),
        `users:\n  - employeeID: X1\n    name: X\n    phone: "62811"\n    password: not-a-marker\n`,
      ),
    code: 1,
    expect: "passwordEnv",
  },
  { name: "demo", args: ["demo"], code: 0, expect: "Planning again: No changes." },
  {
    name: "emulator --token, with a data file",
    args: ["emulator", "--token", TOKEN, "--data", "emulator-data.json"],
    code: 0,
    expect: "token as given",
    stopWhen: /Ctrl-C stops it/,
  },
  {
    name: "emulator with RUANGKERJA_EMULATOR_TOKEN",
    args: ["emulator"],
    env: () => ({ RUANGKERJA_EMULATOR_TOKEN: TOKEN }),
    code: 0,
    expect: "token as given",
    stopWhen: /Ctrl-C stops it/,
  },
];

async function writeLock(dir: string, id: string): Promise<void> {
  const holder = { id, who: "budi", host: "ci-runner-7", pid: 424242, operation: "apply", since: "2026-11-23T01:02:03.000Z" };
  await writeText(join(dir, ".ruangkerja/state.json.lock"), JSON.stringify(holder));
}

/** A long-running command: SIGTERM once `stopWhen` shows in its output (bounded by 30 s), then its output. */
function runUntil(args: string[], cwd: string, env: Record<string, string>, stopWhen: RegExp) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    // Once: a second SIGTERM would kill it before it shuts down cleanly.
    const stopIfReady = () => {
      if (stopped || !stopWhen.test(`${stdout}${stderr}`)) return;
      stopped = true;
      child.kill("SIGTERM");
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      stopIfReady();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      stopIfReady();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, clientSecret: CLIENT_SECRET });
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), withPassword(6));
  // A port that was free a moment ago and that nothing listens on.
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

describe("no secret in any output or file", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const ctx: Context = { dir: work.dir, apiUrl: emulator.url };
    await testCase.setup?.(ctx);
    const env = {
      RUANGKERJA_API_URL: emulator.url,
      RUANGKERJA_TOKEN: TOKEN,
      RUANGKERJA_PASSWORD_SEC0000: PASSWORD,
      DEBUG: "*",
      ...testCase.env?.(ctx),
    };
    const result = testCase.stopWhen
      ? await runUntil(testCase.args, work.dir, env, testCase.stopWhen)
      : await runCli(testCase.args, { cwd: work.dir, env });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).not.toContain(MARKER);
    expect(output).toMatch(testCase.expect);
    expect(result.code, output).toBe(testCase.code);
    for (const file of await allFiles(work.dir)) {
      expect(await readFile(file, "utf8"), file).not.toContain(MARKER);
    }
  });

  it("the create that had a passwordEnv landed, and state holds no trace of the password", async () => {
    expect(emulator.users().some((u) => u.employeeID === "SEC0000")).toBe(true);
    const state = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8");
    expect(state).toContain('"SEC0000"');
    expect(state).not.toContain("passwordEnv");
    expect(state).not.toContain("RUANGKERJA_PASSWORD_SEC0000");
    await writeFile(join(work.dir, "checked"), "");
  });
});
