/**
 * The apply workflows under queued merges, run as GitHub runs them. A local bare repository is
 * the users' repository on GitHub (the workflow in .github/workflows/, the example scripts in
 * .github/ruangkerja-users/); a merge is a push to its main; a workflow run is a fresh checkout
 * of the commit that triggered it (what actions/checkout does on a push) in which the `run:`
 * steps of examples/github-actions/apply.yml (or apply-postgres.yml) are executed verbatim by
 * bash, with their `if:` and `env:` evaluated, against the emulator on 127.0.0.1.
 * `npx ruangkerja-users` is the built CLI; npm ci and setup-node are not run, and the actions
 * that talk to GitHub (artifacts, comments) are only recorded when their `if:` holds.
 *
 * GitHub runs one run of the concurrency group at a time and keeps one waiting, cancelling the
 * others; a test says which runs go, in which order, and what is merged while one runs.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { POSTGRES_STATE_TABLE } from "../../src/state/postgres-store.js";
import { freshWorkspace, PG_URL, pgQuery, skipWithoutPostgres } from "../postgres.js";
import { CLI, type CliResult, makeUsers, ROOT, type UserSpec, usersYaml } from "./helpers.js";

const EXAMPLES = join(ROOT, "examples/github-actions");
const TOKEN = "queue-token-7f3a";
const SCRIPTS = ["sync-to-main.sh", "commit-state.sh", "comments.mjs"];
const STATE = ".ruangkerja/state.json";
const TEST_TIMEOUT = 180_000;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, { if?: string; steps: Step[] }>;
}

type Outcome = "success" | "failure" | "skipped";
interface StepRun {
  readonly label: string;
  readonly outcome: Outcome;
  /** stdout and stderr of a `run:` step. */
  readonly output: string;
  readonly outputs: Record<string, string>;
}
interface WorkflowRun {
  readonly conclusion: "success" | "failure";
  readonly workspace: string;
  readonly steps: readonly StepRun[];
  step(label: string): StepRun;
}
interface Trigger {
  readonly sha: string;
  readonly event?: "push" | "workflow_dispatch";
  readonly inputs?: Record<string, string | boolean>;
  /** Steps left out, by label: to show what a step prevents. */
  readonly skip?: readonly string[];
  /** Called after the step of that label: what happens on main meanwhile. */
  readonly after?: Record<string, () => Promise<void>>;
  readonly env?: Record<string, string>;
}

let emulator: RunningEmulator;
let realGit: string;
let root: string;
let origin: string;
let dev: string;
let shim: string;
let runs = 0;

/**
 * Runs a program with exactly `env` and no standard input, killed after `timeoutMs`. (helpers.ts's
 * runProcess writes to the child's stdin, which fails with EPIPE when git has already exited.)
 */
function exec(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const stepLabel = (step: Step) => step.name ?? step.uses ?? (step.run ?? "").split("\n")[0] ?? "";

/** The test's own git: the developer (merges) and reads of the bare origin. */
const gitEnv = () => ({
  PATH: process.env.PATH ?? "",
  HOME: root,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Dewi Developer",
  GIT_AUTHOR_EMAIL: "dewi@contoh.co.id",
  GIT_COMMITTER_NAME: "Dewi Developer",
  GIT_COMMITTER_EMAIL: "dewi@contoh.co.id",
});

async function git(cwd: string, args: string[]): Promise<string> {
  const result = await exec(realGit, args, { cwd, env: gitEnv(), timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} in ${cwd}: exit ${result.code}\n${result.stderr}`);
  return result.stdout.trim();
}

async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) await rm(join(dir, path), { force: true });
    else {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), text);
    }
  }
}

/** A commit straight on main (what a merge of a one-commit pull request amounts to); returns its id. */
async function commitOnMain(files: Record<string, string | null>, message: string): Promise<string> {
  await git(dev, ["fetch", "-q", "origin"]);
  await git(dev, ["checkout", "-q", "-B", "main", "origin/main"]);
  await writeFiles(dev, files);
  await git(dev, ["add", "-A"]);
  await git(dev, ["commit", "-q", "-m", message]);
  await git(dev, ["push", "-q", "origin", "main"]);
  return git(dev, ["rev-parse", "HEAD"]);
}

/** A pull-request branch from main as it is now. */
async function openPullRequest(branch: string, files: Record<string, string | null>): Promise<void> {
  await git(dev, ["fetch", "-q", "origin"]);
  await git(dev, ["checkout", "-q", "-B", branch, "origin/main"]);
  await writeFiles(dev, files);
  await git(dev, ["add", "-A"]);
  await git(dev, ["commit", "-q", "-m", `Declare ${branch}`]);
}

/** "Merge pull request": a merge commit on main as it is now, pushed; returns its id. */
async function merge(branch: string): Promise<string> {
  await git(dev, ["fetch", "-q", "origin"]);
  await git(dev, ["checkout", "-q", "-B", "main", "origin/main"]);
  await git(dev, ["merge", "-q", "--no-ff", "-m", `Merge pull request from ${branch}`, branch]);
  await git(dev, ["push", "-q", "origin", "main"]);
  return git(dev, ["rev-parse", "HEAD"]);
}

async function mainSha(): Promise<string> {
  return git(origin, ["rev-parse", "main"]);
}

/** The employee IDs in main's state file, or undefined when main has none. */
async function mainStateIds(rev = "main"): Promise<string[] | undefined> {
  const text = await exec(realGit, ["show", `${rev}:${STATE}`], { cwd: origin, env: gitEnv(), timeoutMs: 30_000 });
  if (text.code !== 0) return undefined;
  return (JSON.parse(text.stdout) as { users: { employeeID: string }[] }).users.map((u) => u.employeeID).sort();
}

const emulatorIds = (active = true) =>
  emulator
    .users()
    .filter((u) => u.isActive === active)
    .map((u) => u.employeeID)
    .sort();

function lookup(path: string, context: { trigger: Trigger; steps: Map<string, StepRun>; secrets: Record<string, string> }): string {
  const [head, name, field, key] = path.split(".");
  if (head === "secrets" && name) return context.secrets[name] ?? "";
  if (head === "inputs" && name) return String(context.trigger.inputs?.[name] ?? "");
  if (head === "steps" && name && field === "outcome") return context.steps.get(name)?.outcome ?? "";
  if (head === "steps" && name && field === "outputs" && key) return context.steps.get(name)?.outputs[key] ?? "";
  if (path === "github.ref") return "refs/heads/main";
  throw new Error(`the test's runner does not evaluate \${{ ${path} }}`);
}

/** An `if:` as GitHub reads it: `&&` of status functions and `path == 'text'`; success() when no status function is named. */
function holds(condition: string | undefined, failed: boolean, value: (path: string) => string): boolean {
  if (condition === undefined) return !failed;
  const inner = condition.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, "$1");
  if (inner.includes("||")) throw new Error(`the test's runner does not evaluate ||: ${condition}`);
  let status: boolean | undefined;
  let rest = true;
  for (const term of inner.split("&&").map((t) => t.trim())) {
    if (term === "always()" || term === "!cancelled()") status = status ?? true;
    else if (term === "success()") status = (status ?? true) && !failed;
    else if (term === "failure()") status = (status ?? true) && failed;
    else {
      const match = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(term);
      if (!match) throw new Error(`the test's runner does not evaluate ${term}`);
      rest &&= (match[2] === "==") === (value(match[1] as string) === match[3]);
    }
  }
  return (status ?? !failed) && rest;
}

/** What actions/checkout@v4 does on a push: fetch the triggering commit (depth 1) as origin/main, check out main there. */
async function checkout(workspace: string, sha: string): Promise<void> {
  await git(workspace, ["init", "-q"]);
  await git(workspace, ["remote", "add", "origin", `file://${origin}`]);
  await git(workspace, ["fetch", "-q", "--no-tags", "--depth=1", "origin", `+${sha}:refs/remotes/origin/main`]);
  await git(workspace, ["checkout", "-q", "--force", "-B", "main", "refs/remotes/origin/main"]);
}

async function runWorkflow(file: string, trigger: Trigger, secrets: Record<string, string> = {}): Promise<WorkflowRun> {
  const workflow = parse(await readFile(join(EXAMPLES, file), "utf8")) as Workflow;
  const [job] = Object.values(workflow.jobs);
  if (!job) throw new Error(`${file} has no job`);
  const runner = await mkdtemp(join(root, `run-${++runs}-`));
  const workspace = join(runner, "work");
  await mkdir(workspace);
  const outputFile = join(runner, "output");
  const shell = workflow.defaults?.run?.shell === "bash" ? ["--noprofile", "--norc", "-eo", "pipefail"] : ["-e"];
  const steps = new Map<string, StepRun>();
  const done: StepRun[] = [];
  const context = { trigger, steps, secrets: { RUANGKERJA_TOKEN: TOKEN, ...secrets } };
  const value = (path: string) => lookup(path, context);
  let failed = false;
  if (!holds(job.if, false, value)) throw new Error(`${file}'s job would not run`);
  for (const step of job.steps) {
    const label = stepLabel(step);
    let record: StepRun;
    if (trigger.skip?.includes(label) || !holds(step.if, failed, value)) {
      record = { label, outcome: "skipped", output: "", outputs: {} };
    } else if (step.uses?.startsWith("actions/checkout@")) {
      await checkout(workspace, trigger.sha);
      record = { label, outcome: "success", output: "", outputs: {} };
    } else if (step.uses !== undefined || step.run === "npm ci") {
      record = { label, outcome: "success", output: "(not run by the test)", outputs: {} };
    } else {
      await writeFile(outputFile, "");
      const env: Record<string, string> = {
        PATH: `${shim}:${process.env.PATH ?? ""}`,
        HOME: runner,
        NO_COLOR: "1",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_EVENT_NAME: trigger.event ?? "push",
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: trigger.sha,
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: join(runner, "summary.md"),
        GITHUB_REPOSITORY: "acme/users",
        GITHUB_SERVER_URL: "https://github.example",
        GITHUB_RUN_ID: String(runs),
        RUNNER_TEMP: runner,
        RUANGKERJA_API_URL: emulator.url,
        ...trigger.env,
      };
      for (const [name, text] of Object.entries(step.env ?? {}))
        env[name] = text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, path: string) => value(path));
      const script = join(runner, "step.sh");
      await writeFile(script, step.run ?? "");
      const result: CliResult = await exec("bash", [...shell, script], { cwd: workspace, env, timeoutMs: 120_000 });
      const outputs = Object.fromEntries(
        (await readFile(outputFile, "utf8"))
          .split("\n")
          .filter((line) => line.includes("="))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      record = { label, outcome: result.code === 0 ? "success" : "failure", output: `${result.stdout}${result.stderr}`, outputs };
    }
    if (record.outcome === "failure") failed = true;
    if (step.id) steps.set(step.id, record);
    done.push(record);
    await trigger.after?.[label]?.();
  }
  return {
    conclusion: failed ? "failure" : "success",
    workspace,
    steps: done,
    step(label) {
      const found = done.find((s) => s.label === label);
      if (!found) throw new Error(`no step ${label} in ${file}; steps: ${done.map((s) => s.label).join(", ")}`);
      return found;
    },
  };
}

/** The users a run's saved plan creates. */
async function plannedCreates(run: WorkflowRun): Promise<string[]> {
  const plan = JSON.parse(await readFile(join(run.workspace, "ruangkerja.plan.json"), "utf8")) as {
    plan: { actions: { action: string; employeeID: string }[] };
  };
  return plan.plan.actions
    .filter((a) => a.action === "create")
    .map((a) => a.employeeID)
    .sort();
}

/** A run's outcome, with every step's output when it is not the one expected. */
function expectConclusion(run: WorkflowRun, conclusion: "success" | "failure"): void {
  const log = run.steps.map((s) => `--- ${s.label}: ${s.outcome}\n${s.output}`).join("\n");
  expect(run.conclusion, log).toBe(conclusion);
}

const TEAM = makeUsers("T", 2);
const A: UserSpec = { employeeID: "A0001", name: "Ani Anggraini", email: "ani@contoh.co.id" };
const B: UserSpec = { employeeID: "B0001", name: "Budi Budiman", email: "budi@contoh.co.id" };
const C: UserSpec = { employeeID: "C0001", name: "Citra Cahyani", email: "citra@contoh.co.id" };
const ids = (...users: UserSpec[]) => users.map((u) => u.employeeID).sort();

/** The users' repository with the workflow and its scripts, and `team` declared in users/team.yaml. */
async function createRepository(workflowFile: string, team: UserSpec[]): Promise<string> {
  await git(root, ["init", "-q", "--bare", "-b", "main", origin]);
  await git(root, ["clone", "-q", origin, dev]);
  await mkdir(join(dev, ".github/workflows"), { recursive: true });
  await mkdir(join(dev, ".github/ruangkerja-users"), { recursive: true });
  await copyFile(join(EXAMPLES, workflowFile), join(dev, ".github/workflows/users-apply.yml"));
  for (const script of SCRIPTS) await copyFile(join(EXAMPLES, "scripts", script), join(dev, ".github/ruangkerja-users", script));
  await writeFiles(dev, { "users/team.yaml": usersYaml(team) });
  await git(dev, ["checkout", "-q", "-b", "main"]);
  await git(dev, ["add", "-A"]);
  await git(dev, ["commit", "-q", "-m", "Users as code"]);
  await git(dev, ["push", "-q", "origin", "main"]);
  return git(dev, ["rev-parse", "HEAD"]);
}

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  realGit = (
    await exec("sh", ["-c", "command -v git"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 10_000 })
  ).stdout.trim();
  expect(realGit).not.toBe("");
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5000) });
  expect(reset.ok).toBe(true);
  root = await mkdtemp(join(tmpdir(), "ruangkerja-queue-"));
  origin = join(root, "origin.git");
  dev = join(root, "dev");
  shim = join(root, "bin");
  await mkdir(shim);
  // `npx ruangkerja-users …` in the workflow is the built CLI.
  await writeFile(
    join(shim, "npx"),
    `#!/bin/sh\n[ "$1" = ruangkerja-users ] || { echo "npx: only ruangkerja-users here" >&2; exit 127; }\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`,
    { mode: 0o755 },
  );
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("apply.yml (state committed to main) under queued merges", () => {
  /** The repository after its first run: TEAM applied, the state on main. */
  async function bootstrap(team = TEAM): Promise<void> {
    const first = await createRepository("apply.yml", team);
    expectConclusion(await runWorkflow("apply.yml", { sha: first }), "success");
    expect(await mainStateIds()).toEqual(ids(...team));
  }

  it(
    "two merges queue: the second run, started after the first pushed its state, applies the tip of main",
    async () => {
      await bootstrap();
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      await openPullRequest("pr-b", { "users/b.yaml": usersYaml([B]) });
      const m1 = await merge("pr-a");
      let m2 = "";
      // B is merged while the first run applies; its run waits in the concurrency group.
      const first = await runWorkflow("apply.yml", { sha: m1, after: { Apply: async () => void (m2 = await merge("pr-b")) } });
      expectConclusion(first, "success");
      expect(await plannedCreates(first)).toEqual(["A0001"]);
      expect(first.step("Commit the state").output).toContain(`on top of ${m2.slice(0, 12)}`);
      const s1 = await mainSha();
      expect(await git(origin, ["rev-parse", "main^"])).toBe(m2);
      expect(await git(origin, ["log", "-1", "--format=%an", "main"])).toBe("github-actions[bot]");
      expect(await git(origin, ["log", "-1", "--format=%B", "main"])).toContain(`Ruangkerja-Applied: ${m1}`);

      // The second run checks out m2, which predates s1; sync-to-main.sh moves it to s1.
      const second = await runWorkflow("apply.yml", { sha: m2 });
      expectConclusion(second, "success");
      expect(second.step("Sync to the tip of main").output).toContain(
        `applying main at ${s1.slice(0, 12)}, 1 commit(s) after ${m2.slice(0, 12)}`,
      );
      expect(second.step("Sync to the tip of main").outputs.sha).toBe(s1);
      expect(await plannedCreates(second)).toEqual(["B0001"]);
      expect(await git(origin, ["rev-parse", "main^"])).toBe(s1);

      expect(await mainStateIds()).toEqual(ids(...TEAM, A, B));
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
      const onMain = await git(origin, ["show", `main:${STATE}`]);
      expect(`${onMain}\n`).toBe(await readFile(join(second.workspace, STATE), "utf8"));

      // A re-run of the first run (its commit m1 lacks B) still applies the tip: nothing to do.
      const tip = await mainSha();
      const rerun = await runWorkflow("apply.yml", { sha: m1 });
      expectConclusion(rerun, "success");
      expect(rerun.step("Apply").output).toContain("No changes");
      expect(rerun.step("Commit the state").output).toContain("nothing to commit");
      expect(await mainSha()).toBe(tip);
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
    },
    TEST_TIMEOUT,
  );

  it(
    "the old failure: a run that plans its own commit (no sync) re-plans the first run's user, and its state commit is refused",
    async () => {
      await bootstrap();
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      await openPullRequest("pr-b", { "users/b.yaml": usersYaml([B]) });
      const m1 = await merge("pr-a");
      let m2 = "";
      expectConclusion(
        await runWorkflow("apply.yml", { sha: m1, after: { Apply: async () => void (m2 = await merge("pr-b")) } }),
        "success",
      );
      const s1 = await mainSha();

      const second = await runWorkflow("apply.yml", { sha: m2, skip: ["Sync to the tip of main"] });
      // Planned against m2's state, which predates s1: A is planned again (the emulator's reply
      // is read back as already applied), and the state holds A and B...
      expect(await plannedCreates(second)).toEqual(["A0001", "B0001"]);
      expect(second.step("Apply").outcome).toBe("success");
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
      // ...but it started from another state than main's: committing it would mean merging two
      // states (the old `git pull --rebase` conflicted here and B was lost). It stops, loudly.
      expectConclusion(second, "failure");
      const commit = second.step("Commit the state");
      expect(commit.outcome).toBe("failure");
      expect(commit.output).toContain(`is not the one this job planned from (${m2.slice(0, 12)})`);
      expect(second.step("Keep the state that was not committed").outcome).toBe("success");
      expect(JSON.parse(await readFile(join(second.workspace, STATE), "utf8")).users.map((u: UserSpec) => u.employeeID)).toContain("B0001");
      expect(await mainSha()).toBe(s1);
      expect(await mainStateIds()).toEqual(ids(...TEAM, A));
    },
    TEST_TIMEOUT,
  );

  it(
    "the run of merge 1 is cancelled and only the run of merge 2 goes: it applies both",
    async () => {
      await bootstrap();
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      await openPullRequest("pr-b", { "users/b.yaml": usersYaml([B]) });
      await merge("pr-a");
      const m2 = await merge("pr-b");
      const only = await runWorkflow("apply.yml", { sha: m2 });
      expectConclusion(only, "success");
      expect(await plannedCreates(only)).toEqual(["A0001", "B0001"]);
      expect(await git(origin, ["rev-parse", "main^"])).toBe(m2);
      expect(await mainStateIds()).toEqual(ids(...TEAM, A, B));
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
    },
    TEST_TIMEOUT,
  );

  it(
    "three merges, the middle run cancelled: the last run, whose commit predates the first run's state commit, applies B and C",
    async () => {
      await bootstrap();
      for (const [branch, user] of [["pr-a", A] as const, ["pr-b", B] as const, ["pr-c", C] as const]) {
        await openPullRequest(branch, { [`users/${user.employeeID.toLowerCase()}.yaml`]: usersYaml([user]) });
      }
      const m1 = await merge("pr-a");
      let m3 = "";
      const first = await runWorkflow("apply.yml", {
        sha: m1,
        after: {
          Plan: async () => {
            await merge("pr-b");
            m3 = await merge("pr-c");
          },
        },
      });
      expectConclusion(first, "success");
      expect(await plannedCreates(first)).toEqual(["A0001"]);
      const last = await runWorkflow("apply.yml", { sha: m3 });
      expectConclusion(last, "success");
      expect(await plannedCreates(last)).toEqual(["B0001", "C0001"]);
      expect(await mainStateIds()).toEqual(ids(...TEAM, A, B, C));
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B, C));
    },
    TEST_TIMEOUT,
  );

  it(
    "a push that loses a race to main is fetched and committed again on top, keeping the other commit",
    async () => {
      await bootstrap();
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      const m1 = await merge("pr-a");
      // A `git` that, at the run's first push, first lands another commit on main.
      const racer = join(root, "racer");
      await git(root, ["clone", "-q", origin, racer]);
      await writeFile(
        join(shim, "git"),
        `#!/bin/sh\nif [ "$1" = push ] && [ ! -e "$RACE_MARK" ]; then : > "$RACE_MARK"; ${JSON.stringify(realGit)} -C "$RACER" push -q origin HEAD:main || exit 99; fi\nexec ${JSON.stringify(realGit)} "$@"\n`,
        { mode: 0o755 },
      );
      let raced = "";
      const run = await runWorkflow("apply.yml", {
        sha: m1,
        env: { RACER: racer, RACE_MARK: join(root, "raced") },
        after: {
          Apply: async () => {
            await git(racer, ["pull", "-q", "origin", "main"]);
            await writeFiles(racer, { "README.md": "Our users.\n" });
            await git(racer, ["add", "README.md"]);
            await git(racer, ["commit", "-q", "-m", "README"]);
            raced = await git(racer, ["rev-parse", "HEAD"]);
          },
        },
      });
      expectConclusion(run, "success");
      const commit = run.step("Commit the state").output;
      expect(commit).toContain("main moved on while committing (attempt 1 of 5)");
      expect(commit).toContain(`on top of ${raced.slice(0, 12)}, attempt 2`);
      expect(await git(origin, ["rev-parse", "main^"])).toBe(raced);
      expect(await git(origin, ["show", "main:README.md"])).toBe("Our users.");
      expect(await mainStateIds()).toEqual(ids(...TEAM, A));
    },
    TEST_TIMEOUT,
  );

  it(
    "a state file changed on main by something else meanwhile is not merged: the commit stops, main is untouched",
    async () => {
      await bootstrap();
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      const m1 = await merge("pr-a");
      let foreign = "";
      const run = await runWorkflow("apply.yml", {
        sha: m1,
        after: {
          Apply: async () => {
            const stateText = await git(origin, ["show", `main:${STATE}`]);
            foreign = await commitOnMain({ [STATE]: `${JSON.stringify(JSON.parse(stateText), null, 1)}\n` }, "Edit the state by hand");
          },
        },
      });
      expectConclusion(run, "failure");
      expect(run.step("Apply").outcome).toBe("success");
      expect(run.step("Commit the state").output).toContain(
        `${STATE} on main (${foreign.slice(0, 12)}) is not the one this job planned from`,
      );
      expect(run.step("Keep the state that was not committed").outcome).toBe("success");
      expect(await mainSha()).toBe(foreign);
      expect(await mainStateIds()).toEqual(ids(...TEAM));
    },
    TEST_TIMEOUT,
  );

  it(
    "a mass deactivation refused on push goes through with the workflow_dispatch inputs",
    async () => {
      const big = makeUsers("T", 10);
      await bootstrap(big);
      const removal = await commitOnMain({ "users/team.yaml": usersYaml(big.slice(0, 4)) }, "Remove six users");
      const pushed = await runWorkflow("apply.yml", { sha: removal });
      expectConclusion(pushed, "failure");
      expect(pushed.step("Plan").outcome).toBe("success");
      expect(pushed.step("Apply").output).toContain("apply refused: this plan deactivates 6 of the 10 users in state");
      expect(pushed.step("Commit the state").output).toContain("nothing to commit");
      expect(emulatorIds(false)).toEqual([]);

      const tighter = await runWorkflow("apply.yml", { sha: removal, event: "workflow_dispatch", inputs: { max_deactivate: "5" } });
      expectConclusion(tighter, "failure");
      expect(tighter.step("Apply").output).toContain("more than the safety limit of 5 users");

      const allowed = await runWorkflow("apply.yml", {
        sha: removal,
        event: "workflow_dispatch",
        inputs: { allow_mass_deactivation: true, max_deactivate: "" },
      });
      expectConclusion(allowed, "success");
      expect(emulatorIds(false)).toEqual(ids(...big.slice(4)));
      expect(await mainStateIds()).toEqual(ids(...big));
      expect(await git(origin, ["rev-parse", "main^"])).toBe(removal);
    },
    TEST_TIMEOUT,
  );
});

const skipPg = skipWithoutPostgres("test/e2e/gitops-queue.test.ts");

describe.skipIf(skipPg)("apply-postgres.yml (state in PostgreSQL) under queued merges", () => {
  it(
    "two queued merges and a re-run of the first: every run applies the tip of main, nothing is committed",
    async () => {
      const workspace = freshWorkspace("queue");
      const secrets = { RUANGKERJA_STATE: PG_URL };
      const env = { RUANGKERJA_WORKSPACE: workspace };
      const pgIds = async () => {
        const rows = await pgQuery<{ users: { employeeID: string }[] }>(`SELECT users FROM ${POSTGRES_STATE_TABLE} WHERE workspace = $1`, [
          workspace,
        ]);
        return rows[0]?.users.map((u) => u.employeeID).sort();
      };
      const first = await createRepository("apply-postgres.yml", TEAM);
      expectConclusion(await runWorkflow("apply-postgres.yml", { sha: first, env }, secrets), "success");
      await openPullRequest("pr-a", { "users/a.yaml": usersYaml([A]) });
      await openPullRequest("pr-b", { "users/b.yaml": usersYaml([B]) });
      const m1 = await merge("pr-a");
      let m2 = "";
      const run1 = await runWorkflow(
        "apply-postgres.yml",
        { sha: m1, env, after: { Apply: async () => void (m2 = await merge("pr-b")) } },
        secrets,
      );
      expectConclusion(run1, "success");
      const run2 = await runWorkflow("apply-postgres.yml", { sha: m2, env }, secrets);
      expectConclusion(run2, "success");
      expect(await plannedCreates(run2)).toEqual(["B0001"]);
      expect(await pgIds()).toEqual(ids(...TEAM, A, B));
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
      expect(await mainSha()).toBe(m2);
      expect(await mainStateIds()).toBeUndefined();

      // m1 does not declare B: applied as it is, it would deactivate B.
      const rerun = await runWorkflow("apply-postgres.yml", { sha: m1, env }, secrets);
      expectConclusion(rerun, "success");
      expect(rerun.step("Apply").output).toContain("No changes");
      expect(emulatorIds()).toEqual(ids(...TEAM, A, B));
    },
    TEST_TIMEOUT,
  );
});
