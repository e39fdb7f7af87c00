/**
 * Nothing a contributor writes forges a CI command or a line of its own: validate, plan, apply and
 * the state commands run as GitHub Actions runs them (GITHUB_ACTIONS=true) on declarations, file
 * names, a state and RuangKerja users that hold workflow commands, line breaks and terminal escapes.
 * No line of stdout or stderr, read as the runner reads lines (ending at LF or CR, leading white
 * space trimmed), starts with `::` except the tool's own annotations (formatGithubAnnotation, one
 * per diagnostic, escaped), and none holds `##[`. The refusals themselves are in the hostile corpus
 * (test/hostile/text-cases.ts); this file adds the file name whose `::…::` the corpus cannot name.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { hasUnsafeCharacter } from "../../src/text/untrusted-text.js";
import { type CliResult, makeWorkdir, runCli } from "./helpers.js";

const TOKEN = "forged-lines-token-3e9a";
const ACTIONS = { GITHUB_ACTIONS: "true" };
/** The white space .NET's TrimStart drops, which the runner applies before looking for `::`: JavaScript's, and NEL. */
const LEADING_SPACE = /^[\s\u0085]*/;
/**
 * One of the tool's annotations: a severity, the location and title properties (in which `,` and
 * `:` are always escaped), then the message; nothing in it a line break or another unsafe character.
 */
const OWN_ANNOTATION = /^::(?:error|warning) (?:file=[^,:]*,line=\d+,col=\d+,)?title=ruangkerja-users(?:%3A [^,:]*)?::/;

/** Lines as GitHub's runner splits the output. */
function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Asserts that no line forges a command; returns the tool's own annotations (all on stderr). */
function expectNoForgedLines(result: CliResult): string[] {
  const annotations: string[] = [];
  for (const [stream, text] of [
    ["stdout", result.stdout],
    ["stderr", result.stderr],
  ] as const) {
    for (const line of runnerLines(text)) {
      const shown = `${stream}: ${JSON.stringify(line)}\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`;
      expect(line.includes("##["), `a ##[ command in ${shown}`).toBe(false);
      expect(line.includes("##vso["), `a ##vso[ command in ${shown}`).toBe(false);
      expect(hasUnsafeCharacter(line), `a raw control, invisible or bidirectional character in ${shown}`).toBe(false);
      if (!line.replace(LEADING_SPACE, "").startsWith("::")) continue;
      expect(stream === "stderr" && OWN_ANNOTATION.test(line), `a workflow command that is not the tool's annotation: ${shown}`).toBe(true);
      annotations.push(line);
    }
  }
  return annotations;
}

/** A declarations file of one user, with `name:` on line 3 (value at column 11) and `extra` lines after the e-mail. */
const oneUser = (id: string, name: string, extra = "") =>
  `users:\n  - employeeID: ${id}\n    name: ${name}\n    email: ${id.toLowerCase()}@contoh.co.id\n${extra}`;

/** A file name that, printed raw at the start of a line or after a line break, would be a forged annotation. */
const FORGED_FILE = "x\n::error file=README.md,line=1,title=Approved::Looks good.yaml";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
});

afterAll(async () => {
  await emulator.close();
});

describe("refused declarations, as GitHub Actions", () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;

  beforeAll(async () => {
    work = await makeWorkdir();
    await mkdir(join(work.dir, "users"), { recursive: true });
    await writeFile(
      join(work.dir, "users/team.yaml"),
      [
        "users:",
        "  - employeeID: A1",
        '    name: "Budi\\n::error title=Approved::Looks good"',
        "    email: a1@contoh.co.id",
        '    "x\\n::error file=README.md,line=1,title=Approved::Looks good": 1',
        '    "##[error]Approved": 1',
        "  - employeeID: A2",
        "    name: Budi \u202Eosotnas",
        '    email: "a2@contoh.co.id\\r::warning::forged"',
        "",
      ].join("\n"),
    );
    await writeFile(join(work.dir, "users", FORGED_FILE), oneUser("A3", '"Sari\\e[2J\\e]0;title\\a"'));
  });

  afterAll(async () => {
    await work.cleanup();
  });

  const env = () => ({ ...ACTIONS, RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN });

  it.each([["validate"], ["validate", "--json"], ["plan"], ["plan", "--json"], ["apply", "--auto-approve"]].map((args) => ({ args })))(
    "$args: every problem reported, one annotation each, no other command",
    async ({ args }) => {
      const result = await runCli(args, { cwd: work.dir, env: env() });
      expect(result.code, result.stderr).toBe(1);
      const annotations = expectNoForgedLines(result);
      // Each diagnostic once in the terminal form (a line of its own, not indented) and once as an annotation.
      const headers = result.stderr.split("\n").filter((line) => /^\S.*?: (?:error|warning): /.test(line) && !line.startsWith("::"));
      const reported =
        args[0] === "validate" && args[1] === "--json"
          ? (JSON.parse(result.stdout) as { diagnostics: unknown[] }).diagnostics.length
          : headers.length;
      expect(annotations.length).toBeGreaterThanOrEqual(6);
      expect(annotations).toHaveLength(reported);
      // The odd file name is quoted and escaped in the annotation as in the terminal form.
      expect(
        annotations.some((a) =>
          a.startsWith('::error file="users/x\\n%3A%3Aerror file=README.md%2Cline=1%2Ctitle=Approved%3A%3ALooks good.yaml",line=3,col=11,'),
        ),
      ).toBe(true);
      if (args[1] !== "--json") {
        expect(result.stderr).toContain(
          '"users/x\\n::error file=README.md,line=1,title=Approved::Looks good.yaml":3:11: error: name "Sari\\u001b[2J\\u001b]0;title\\u0007"',
        );
        expect(result.stderr).toContain('unknown field "x\\n::error file=README.md,line=1,title=Approved::Looks good" in user A1');
        expect(result.stderr).toContain('unknown field "#\\u0023[error]Approved"');
      }
      expect(emulator.users()).toEqual([]);
    },
  );

  it("validate --dir . in the folder itself, where a file name starts the line", async () => {
    const dir = join(work.dir, "flat");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "::error title=Approved::forged.yaml"), oneUser("A4", '"Budi\\u202E"'));
    const result = await runCli(["validate", "--dir", "."], { cwd: dir, env: { ...ACTIONS } });
    expect(result.code, result.stderr).toBe(1);
    expect(expectNoForgedLines(result)).toHaveLength(1);
    expect(result.stderr).toContain(
      '"::error title=Approved::forged.yaml":3:11: error: name "Budi\\u202e" contains a bidirectional control character U+202E',
    );
  });
});

describe("accepted values that look like commands, a hostile state and RuangKerja, as GitHub Actions", () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let live: RunningEmulator;
  const env = () => ({ ...ACTIONS, RUANGKERJA_API_URL: live.url, RUANGKERJA_TOKEN: TOKEN });
  const STATE_NAME = "Old\n::error title=Approved::state";
  const LIVE_NAME = "Drift\r::error title=Approved::live\u001b[2J";

  beforeAll(async () => {
    work = await makeWorkdir();
    // RuangKerja already holds T1, under a name changed outside git; state remembers another one.
    const serial = "T1SERIAL00000001";
    await writeFile(
      join(work.dir, "emulator-data.json"),
      JSON.stringify({
        formatVersion: 1,
        users: [
          {
            employeeID: "T1",
            name: LIVE_NAME,
            username: null,
            email: "t1@contoh.co.id",
            phone: null,
            isActive: true,
            tagSerials: [],
            organizationSerial: null,
            serial,
          },
        ],
      }),
    );
    live = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN, dataFile: join(work.dir, "emulator-data.json") });
    await mkdir(join(work.dir, ".ruangkerja"), { recursive: true });
    await writeFile(
      join(work.dir, ".ruangkerja/state.json"),
      `${JSON.stringify(
        {
          formatVersion: 1,
          lineage: "5a1e2b3c-4d5e-4f60-8a7b-8c9d0e1f2a3b",
          serial: 1,
          users: [{ employeeID: "T1", name: STATE_NAME, email: "t1@contoh.co.id", isActive: true, serial }],
        },
        null,
        2,
      )}\n`,
    );
    await mkdir(join(work.dir, "users"), { recursive: true });
    // Names may hold `::` and `#`: they are valid, and must still never start a line or make a command.
    await writeFile(
      join(work.dir, "users/team.yaml"),
      [
        "users:",
        "  - employeeID: T1",
        "    name: Budi Santoso",
        "    email: t1@contoh.co.id",
        "  - employeeID: N1",
        '    name: "::error title=Approved::Looks good"',
        "    email: n1@contoh.co.id",
        "  - employeeID: N2",
        '    name: "Budi ##[error]Approved"',
        "    email: n2@contoh.co.id",
        "",
      ].join("\n"),
    );
    await writeFile(join(work.dir, "users", FORGED_FILE), oneUser("N3", "Sari Wulandari"));
  });

  afterAll(async () => {
    await live.close();
    await work.cleanup();
  });

  it("validate and plan print the values and the file name escaped", async () => {
    const validate = await runCli(["validate"], { cwd: work.dir, env: env() });
    expect(validate.code, validate.stderr).toBe(0);
    expect(expectNoForgedLines(validate)).toEqual([]);
    const plan = await runCli(["plan"], { cwd: work.dir, env: env() });
    expect(plan.code, plan.stderr).toBe(0);
    expect(expectNoForgedLines(plan)).toEqual([]);
    expect(plan.stdout).toContain(`~ update T1 ${JSON.stringify(STATE_NAME)}  (users/team.yaml:2)`);
    expect(plan.stdout).toMatch(/^ {6}name +"::error title=Approved::Looks good"$/m);
    expect(plan.stdout).toMatch(/^ {6}name +"Budi #\\u0023\[error\]Approved"$/m);
    expect(plan.stdout).toContain('+ create N3  ("users/x\\n::error file=README.md,line=1,title=Approved::Looks good.yaml":2)');
  });

  it("plan --refresh prints RuangKerja's drift escaped", async () => {
    const result = await runCli(["plan", "--refresh"], { cwd: work.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(expectNoForgedLines(result)).toEqual([]);
    expect(`${result.stdout}${result.stderr}`).toContain('"Drift\\r::error title=Approved::live\\u001b[2J"');
  });

  it("apply --auto-approve applies them, and state list and show print them escaped", async () => {
    const apply = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: env() });
    expect(apply.code, apply.stderr).toBe(0);
    expect(expectNoForgedLines(apply)).toEqual([]);
    expect(live.users().map((u) => u.name)).toEqual(
      expect.arrayContaining(["Budi Santoso", "::error title=Approved::Looks good", "Budi ##[error]Approved", "Sari Wulandari"]),
    );

    // The state now holds the accepted names; put the hostile one back, as an edited state file would.
    const list = await runCli(["state", "list"], { cwd: work.dir, env: env() });
    expect(list.code, list.stderr).toBe(0);
    expect(expectNoForgedLines(list)).toEqual([]);
    expect(list.stdout).toContain('N1          active    "::error title=Approved::Looks good"');
    expect(list.stdout).toContain('N2          active    "Budi #\\u0023[error]Approved"');

    for (const id of ["N1", "N2"]) {
      const show = await runCli(["state", "show", id], { cwd: work.dir, env: env() });
      expect(show.code, show.stderr).toBe(0);
      expect(expectNoForgedLines(show)).toEqual([]);
    }
  });

  it("state list and show print a hostile state's names escaped", async () => {
    const dir = join(work.dir, "edited");
    await mkdir(join(dir, ".ruangkerja"), { recursive: true });
    await writeFile(
      join(dir, ".ruangkerja/state.json"),
      JSON.stringify({
        formatVersion: 1,
        lineage: "5a1e2b3c-4d5e-4f60-8a7b-8c9d0e1f2a3c",
        serial: 1,
        users: [
          { employeeID: "S1", name: STATE_NAME, email: "s1@contoh.co.id", isActive: true, serial: "S1SERIAL00000001" },
          {
            employeeID: "S2",
            name: "##[error]x\u202e",
            email: "s2@contoh.co.id",
            isActive: false,
            organizationSerial: "\r::warning::org",
            serial: "S2SERIAL00000001",
          },
        ],
      }),
    );
    const list = await runCli(["state", "list"], { cwd: dir, env: env() });
    expect(list.code, list.stderr).toBe(0);
    expect(expectNoForgedLines(list)).toEqual([]);
    expect(list.stdout.split("\n").slice(0, 2)).toEqual([
      'S1          active    "Old\\n::error title=Approved::state"',
      'S2          inactive  "#\\u0023[error]x\\u202e"',
    ]);
    const show = await runCli(["state", "show", "S2"], { cwd: dir, env: env() });
    expect(show.code, show.stderr).toBe(0);
    expect(expectNoForgedLines(show)).toEqual([]);
    expect(show.stdout).toContain('organizationSerial  "\\r::warning::org"');
  });
});
