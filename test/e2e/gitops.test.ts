/**
 * The pull-request workflow through the built CLI against the emulator on 127.0.0.1: saved
 * plans and their staleness, --target, the markdown view, GitHub annotations and job summary,
 * and apply's progress with and without a terminal.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { makeUsers, makeWorkdir, runCli, runOnTerminal, usersYaml, writeText } from "./helpers.js";

const TOKEN = "gitops-token-SECRET-91b2";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const totalRequests = () => Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0);
const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { cwd: work.dir, env: { ...env, ...extraEnv } });
const teamFile = () => join(work.dir, "users/team.yaml");

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
  await writeText(teamFile(), usersYaml(makeUsers("T", 3)));
});
afterEach(async () => {
  await work.cleanup();
});

describe("--target", () => {
  it("limits plan and apply to the named users and says the plan is partial", async () => {
    const planned = await run(["plan", "--json", "--target", "T0001", "--target", "T0002"]);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout);
    expect(plan.actions.map((a: { employeeID: string }) => a.employeeID)).toEqual(["T0001", "T0002"]);
    expect(plan.summary).toMatchObject({ create: 2 });
    expect(plan.warnings[0].summary).toContain("the plan is limited to --target T0001, T0002");

    const text = await run(["plan", "--target", "T0001"]);
    expect(text.stdout).toContain("warning: the plan is limited to --target T0001");
    expect(text.stdout).toContain("Plan: 1 to create");

    const applied = await run(["apply", "--auto-approve", "--target", "T0002"]);
    expect(applied.code).toBe(0);
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["T0002"]);
    const rest = await run(["plan", "--json"]);
    expect(JSON.parse(rest.stdout).summary).toMatchObject({ create: 2, unchanged: 1 });
  });

  it("matches a rename by its old or its new employee ID", async () => {
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const users = makeUsers("T", 3);
    users[0] = { ...users[0], employeeID: "R0000", previousEmployeeIDs: ["T0000"] } as (typeof users)[number];
    users[2] = { ...users[2], name: "Diubah" } as (typeof users)[number];
    await writeText(teamFile(), usersYaml(users));
    for (const id of ["T0000", "R0000"]) {
      const result = await run(["plan", "--json", "--target", id]);
      expect(result.code).toBe(0);
      const plan = JSON.parse(result.stdout);
      expect(plan.actions).toHaveLength(1);
      expect(plan.actions[0]).toMatchObject({ action: "rename", employeeID: "R0000", previousEmployeeID: "T0000" });
    }
  });

  it("an unknown employee ID is an error, and nothing is sent or written", async () => {
    const planned = await run(["plan", "--target", "T0001", "--target", "NOPE42"]);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain("--target NOPE42 names no declared user and no user in state");
    const applied = await run(["apply", "--auto-approve", "--target", "NOPE42"]);
    expect(applied.code).toBe(1);
    expect(totalRequests()).toBe(0);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json"))).toBe(false);
  });

  it("a targeted saved plan records its targets, and apply FILE refuses another --target", async () => {
    expect((await run(["plan", "--out", "p.json", "--target", "T0000"])).code).toBe(0);
    expect(JSON.parse(await readFile(join(work.dir, "p.json"), "utf8")).targets).toEqual(["T0000"]);
    const refused = await run(["apply", "p.json", "--target", "T0001"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--target cannot be combined with a saved plan");
    const applied = await run(["apply", "p.json"]);
    expect(applied.code).toBe(0);
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["T0000"]);
  });
});

describe("plan --format markdown", () => {
  it("renders a pull-request comment: counts first, a table per group riskiest first, changed fields, warnings", async () => {
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const users = makeUsers("T", 2);
    users[0] = { ...users[0], phone: "6281299990000" } as (typeof users)[number];
    await writeText(teamFile(), usersYaml([...users, ...makeUsers("N", 1)]));
    const result = await run(["plan", "--format", "markdown"]);
    expect(result.code).toBe(0);
    const md = result.stdout;
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- ruangkerja-users plan -->");
    expect(lines[3]).toBe("**Plan: 1 to create, 1 to update, 0 to rename, 1 to deactivate.** 1 unchanged.");
    expect(lines.slice(7, 10)).toEqual(["| - | Deactivate | 1 |", "| ~ | Update | 1 |", "| + | Create | 1 |"]);
    const headings = ["#### - Deactivate (1)", "#### ~ Update (1)", "#### + Create (1)"].map((h) => lines.indexOf(h));
    expect(headings[0]).toBeGreaterThan(9);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
    expect(md).toContain("| `T0002` | `Karyawan T 0002` |  | no longer declared |");
    expect(md).toContain("| `T0000` | `Karyawan T 0000` | phone: `628110000` → `6281299990000` | `users/team.yaml:");
    expect(md).toContain("| `N0000` | `Karyawan N 0000` | username: `n0000`<br>email: `n0000@contoh.co.id`<br>phone: `628110000`");
    expect(md).not.toContain("Warnings");
    expect(md).not.toContain("not listed");

    // --mask-contacts masks the markdown; JSON and text stay whole.
    const masked = await run(["plan", "--format", "markdown", "--mask-contacts"]);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain("| `T0000` | `Karyawan T 0000` | phone: `62*****00` → `6281*******00` | `users/team.yaml:");
    expect(masked.stdout).toContain("username: `n0000`<br>email: `n***@contoh.co.id`<br>phone: `62*****00`");
    expect(masked.stdout).not.toContain("n0000@contoh.co.id");
    expect(masked.stdout).not.toContain("6281299990000");
    const json = await run(["plan", "--json", "--mask-contacts"]);
    expect(json.stdout).toContain("6281299990000");
    const text = await run(["plan", "--mask-contacts"]);
    expect(text.stdout).toContain('"n0000@contoh.co.id"');

    const targeted = await run(["plan", "--format", "markdown", "--target", "T0000"]);
    expect(targeted.stdout).toContain("#### ⚠️ Warnings (1)");
    expect(targeted.stdout).toContain("- the plan is limited to --target T0000");
  });

  it("collapses a long table into <details>, and says so when nothing changes", async () => {
    await writeText(teamFile(), usersYaml(makeUsers("T", 25)));
    const long = await run(["plan", "--format", "markdown"]);
    expect(long.stdout).toContain("<details><summary><b>+ Create (25)</b></summary>");
    expect(long.stdout).toContain("</details>");
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const none = await run(["plan", "--format", "markdown"]);
    expect(none.stdout).toContain("No changes. RuangKerja users match the declarations (25 unchanged).");
    expect(none.stdout).not.toContain("| employeeID |");
  });

  it("--json is --format json, and the two cannot disagree", async () => {
    const a = await run(["plan", "--json"]);
    const b = await run(["plan", "--format", "json"]);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    const clash = await run(["plan", "--json", "--format", "markdown"]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("--json is --format json");
    const bad = await run(["plan", "--format", "html"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Allowed choices are text, json, markdown");
  });
});

const BAD_YAML = `users:
  - employeeID: "E 1"
    name: Budi
    email: budi@contoh.co.id
  - employeeID: E2
    name: "Sari, the: 100%"
    phone: 6281122334455
`;

describe("under GitHub Actions", () => {
  const actions = { GITHUB_ACTIONS: "true" };

  it("validate, plan and apply print validation errors as workflow annotations too", async () => {
    await writeText(join(work.dir, "users/bad.yaml"), BAD_YAML);
    for (const args of [["validate"], ["validate", "--json"], ["plan"], ["apply", "--auto-approve"]]) {
      const result = await run(args, actions);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^::error file=users\/bad\.yaml,line=2,col=\d+,title=ruangkerja-users[^:]*::.*E 1/m);
      expect(result.stderr).toMatch(/^::error file=users\/bad\.yaml,line=7,col=\d+,title=ruangkerja-users%3A [^:,]*phone::/m);
      // The terminal form is still there (validate --json puts it in its JSON); stdout stays the result only.
      if (!args.includes("--json")) expect(result.stderr).toContain("users/bad.yaml:2:");
      expect(result.stdout).not.toContain("::error");
    }
    expect(totalRequests()).toBe(0);
  });

  it("a damaged state file is annotated at its path too", async () => {
    await writeText(join(work.dir, ".ruangkerja/state.json"), '{"formatVersion":1,"lineage":"x","serial":2,"users":[{"empl');
    const result = await run(["plan"], actions);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^::error file=\.ruangkerja\/state\.json,line=\d+,col=\d+,title=ruangkerja-users::the state file is not valid JSON/m,
    );
  });

  it("prints no annotation outside GitHub Actions", async () => {
    await writeText(join(work.dir, "users/bad.yaml"), BAD_YAML);
    const result = await run(["validate"], { GITHUB_ACTIONS: "false" });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("::error");
  });

  it("plan appends its markdown view to GITHUB_STEP_SUMMARY, whatever its own format", async () => {
    const summary = join(work.dir, "summary.md");
    await writeFile(summary, "# earlier step\n");
    const result = await run(["plan", "--json"], { ...actions, GITHUB_STEP_SUMMARY: summary });
    expect(result.code).toBe(0);
    JSON.parse(result.stdout);
    const text = await readFile(summary, "utf8");
    expect(text.startsWith("# earlier step\n<!-- ruangkerja-users plan -->")).toBe(true);
    expect(text).toContain("**Plan: 3 to create");
    expect(text).toContain("| `T0000` | `Karyawan T 0000` | username: `t0000`<br>email: `t0000@contoh.co.id`");
  });

  it("the job summary is masked with --mask-contacts, and names the saved plan when rows are left out", async () => {
    const summary = join(work.dir, "summary.md");
    await writeText(teamFile(), usersYaml(makeUsers("T", 400)));
    const result = await run(["plan", "--mask-contacts", "--out", "p.json"], { ...actions, GITHUB_STEP_SUMMARY: summary });
    expect(result.code).toBe(0);
    // The text plan in the job log stays whole.
    expect(result.stdout).toContain('"t0399@contoh.co.id"');
    const text = await readFile(summary, "utf8");
    expect(text.startsWith("<!-- ruangkerja-users plan -->")).toBe(true);
    expect(text.length).toBeLessThanOrEqual(60_001);
    expect(text).toContain("| `T0000` | `Karyawan T 0000` | username: `t0000`<br>email: `t***@contoh.co.id`<br>phone: `62*****00`");
    expect(text).not.toMatch(/t\d{4}@contoh/);
    expect(text).not.toMatch(/62811\d{4}/);
    expect(text).toMatch(/…and \d+ more to create, not shown here: `ruangkerja-users show p\.json` lists them all\./);
    expect(text).toMatch(/\*\*\d+ of the 400 changes are not listed here\*\* \(\d+ to create\)/);
  });
});

describe("apply progress", () => {
  it("prints plain lines without a terminal, and nothing with --json", async () => {
    await writeText(teamFile(), usersYaml(makeUsers("T", 6)));
    const plain = await run(["apply", "--auto-approve", "--chunk-size", "2"]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^Applied 6\/6 changes( \([^)]*\))?\.$/m);
    expect(plain.stderr).not.toContain("█");

    await writeText(teamFile(), usersYaml(makeUsers("U", 6)));
    const json = await run(["apply", "--auto-approve", "--chunk-size", "2", "--json", "--allow-mass-deactivation"]);
    expect(json.code).toBe(0);
    expect(json.stderr).not.toContain("Applied");
    // 6 created, the 6 T users deactivated.
    expect(JSON.parse(json.stdout)).toMatchObject({ succeeded: 12 });
  });

  it.runIf(existsSync("/usr/bin/script"))("draws a bar with counts on a terminal", async () => {
    await writeText(teamFile(), usersYaml(makeUsers("T", 6)));
    const out = await runOnTerminal(["apply", "--auto-approve", "--chunk-size", "2"], { cwd: work.dir, env });
    expect(out.code).toBe(0);
    expect(out.text).toMatch(/Applying █+ 6\/6 100%/);
    expect(out.text).toContain("Apply complete: 6 succeeded, 0 failed");
    expect(out.text).not.toContain("Applied 6/6");
  });
});
