/**
 * The GitHub Actions examples: valid YAML that runs the commands it should, with only flags that
 * the built CLI's `<command> --help` lists; safe for pull requests from forks (no job that runs a
 * pull request's code has a secret or a write permission); a comment even when plan fails; the
 * workflow_dispatch inputs reaching apply's flags (the steps' scripts are run, with a stand-in
 * `npx`); and the comment scripts (scripts/comments.mjs) against a stand-in GitHub client.
 * test/e2e/gitops-queue.test.ts runs the apply workflows under queued merges.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PLAN_MARKDOWN_MARKER } from "../../src/plan/render-markdown.js";
import { CLI, type CliResult, makeUsers, makeWorkdir, ROOT, runCli, usersYaml, writeText } from "./helpers.js";

const DIR = join(ROOT, "examples/github-actions");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  "continue-on-error"?: boolean;
}
interface Job {
  if?: string;
  "runs-on": string;
  permissions?: Record<string, string>;
  environment?: string;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

/** One `ruangkerja-users …` invocation found in a run script; flags added to `args+=(…)` count as its own. */
interface Invocation {
  readonly command: string;
  readonly args: string[];
  readonly step: Step;
}

interface Loaded {
  readonly file: string;
  readonly text: string;
  readonly workflow: Workflow;
  readonly steps: Step[];
  readonly calls: Invocation[];
}

const FILES = ["plan.yml", "plan-comment.yml", "apply.yml", "apply-postgres.yml"] as const;

async function load(file: string): Promise<Loaded> {
  const text = await readFile(join(DIR, file), "utf8");
  const workflow = parse(text, { prettyErrors: true }) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const calls: Invocation[] = [];
  for (const step of steps) {
    const lines = (step.run ?? "").split("\n").map((line) => line.replace(/#.*$/, ""));
    const added = lines.flatMap((line) => Array.from(line.matchAll(/args\+=\(([^)]*)\)/g), (m) => (m[1] as string).split(/\s+/)));
    for (const line of lines) {
      const match = /(?:npx\s+)?ruangkerja-users\s+(.*)$/.exec(line);
      if (!match) continue;
      // Words up to a shell operator (redirection, ||, &&, ;, |).
      const words: string[] = [];
      for (const word of (match[1] as string).trim().split(/\s+/)) {
        if (/^(>|>>|\||\|\||&&|;|2>)/.test(word)) break;
        words.push(word);
      }
      const [command, ...args] = words;
      calls.push({ command: command as string, args: [...args, ...added.flat().filter((w) => w.startsWith("--"))], step });
    }
  }
  return { file, text, workflow, steps, calls };
}

const helpCache = new Map<string, string>();
async function help(command: string): Promise<string> {
  const cached = helpCache.get(command);
  if (cached) return cached;
  const work = await makeWorkdir();
  try {
    const result = await runCli([command, "--help"], { cwd: work.dir });
    expect(result.code).toBe(0);
    helpCache.set(command, result.stdout);
    return result.stdout;
  } finally {
    await work.cleanup();
  }
}

function runIndex(steps: Step[], pattern: RegExp): number {
  return steps.findIndex((s) => pattern.test(s.run ?? ""));
}

function stepNamed(w: Loaded, name: string): Step {
  const step = w.steps.find((s) => s.name === name);
  if (!step) throw new Error(`${w.file} has no step "${name}"`);
  return step;
}

/** Every `${{ secrets.X }}` a workflow uses (comments are not part of the parsed YAML). */
function secretsUsed(value: unknown): string[] {
  return Array.from(JSON.stringify(value).matchAll(/\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g), (m) => m[1] as string);
}

/**
 * Runs one `run:` step as GitHub would (bash -eo pipefail with `shell: bash`), with `${{ … }}` in
 * its env taken from `values`, in `cwd`. `npx` is a stand-in: `record` saves its arguments to
 * npx.log, `cli` runs the built CLI.
 */
async function runStep(step: Step, options: { cwd: string; npx: "record" | "cli"; values?: Record<string, string> }): Promise<CliResult> {
  const bin = join(options.cwd, ".bin");
  await mkdir(bin, { recursive: true });
  const npx =
    options.npx === "record"
      ? `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(join(options.cwd, "npx.log"))}\n`
      : `#!/bin/sh\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`;
  await writeFile(join(bin, "npx"), npx, { mode: 0o755 });
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: options.cwd,
    NO_COLOR: "1",
    GITHUB_ACTIONS: "true",
  };
  for (const [name, text] of Object.entries(step.env ?? {})) {
    env[name] = text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, path: string) => {
      const value = options.values?.[path];
      if (value === undefined) throw new Error(`no value for \${{ ${path} }}`);
      return value;
    });
  }
  const script = join(options.cwd, ".step.sh");
  await writeFile(script, step.run ?? "");
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const loaded = new Map<string, Loaded>();
const wf = (file: (typeof FILES)[number]) => loaded.get(file) as Loaded;
beforeAll(async () => {
  for (const file of FILES) loaded.set(file, await load(file));
});

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await makeWorkdir();
});
afterEach(async () => {
  await work.cleanup();
});

describe("plan.yml: the pull request's code, unprivileged", () => {
  it("runs on pull requests: npm ci, then validate, then plan --format markdown --out", () => {
    const plan = wf("plan.yml");
    expect(Object.keys(plan.workflow.on)).toEqual(["pull_request"]);
    const ci = runIndex(plan.steps, /^npm ci$/m);
    const validate = runIndex(plan.steps, /ruangkerja-users validate/);
    const planStep = runIndex(plan.steps, /ruangkerja-users plan/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(validate).toBeGreaterThan(ci);
    expect(planStep).toBeGreaterThan(validate);
    const call = plan.calls.find((c) => c.command === "plan");
    expect(call?.args).toEqual(expect.arrayContaining(["--format", "markdown", "--out"]));
    expect(call?.args[call.args.indexOf("--format") + 1]).toBe("markdown");
    expect(plan.workflow.defaults?.run?.shell).toBe("bash");
  });

  it("has a read-only token and no secret, keeps no credentials, and posts nothing itself", () => {
    const plan = wf("plan.yml");
    expect(plan.workflow.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(plan.workflow.jobs)) expect(job.permissions).toBeUndefined();
    expect(secretsUsed(plan.workflow)).toEqual([]);
    expect(plan.text).not.toMatch(/^[^#]*RUANGKERJA_TOKEN/m);
    expect(plan.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["persist-credentials"]).toBe(false);
    expect(plan.steps.some((s) => s.uses?.startsWith("actions/github-script@"))).toBe(false);
  });

  it("keeps the comment's content as an artifact also when validate or plan failed, not when cancelled", () => {
    const plan = wf("plan.yml");
    const keep = plan.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "ruangkerja-plan-comment");
    expect(keep?.if?.replace(/\s/g, "")).toMatch(/^(\$\{\{)?(!cancelled\(\)|always\(\))(\}\})?$/);
    expect(keep?.with?.path).toBe("plan-comment/");
  });

  it("a failing validate or plan leaves its errors and no plan.md; a good one leaves the markdown", async () => {
    const plan = wf("plan.yml");
    await writeText(join(work.dir, "users/bad.yaml"), 'users:\n  - employeeID: "E 1"\n    name: Budi\n    email: budi@contoh.co.id\n');
    // Validate fails first; Plan would not run (success() is its condition), but it fails the same way.
    const validated = await runStep(stepNamed(plan, "Validate"), { cwd: work.dir, npx: "cli" });
    expect(validated.code).toBe(1);
    expect(validated.stderr).toMatch(/^::error file=users\/bad\.yaml/m);
    const validateErrors = await readFile(join(work.dir, "plan-comment/errors.txt"), "utf8");
    expect(validateErrors).toContain('employeeID "E 1"');
    const planned = await runStep(stepNamed(plan, "Plan"), { cwd: work.dir, npx: "cli" });
    expect(planned.code).toBe(1);
    expect(await readFile(join(work.dir, "plan-comment/errors.txt"), "utf8")).toContain("the declarations in users are invalid");
    expect(existsSync(join(work.dir, "plan-comment/plan.md"))).toBe(false);

    await writeText(join(work.dir, "users/bad.yaml"), usersYaml(makeUsers("T", 2)));
    expect((await runStep(stepNamed(plan, "Validate"), { cwd: work.dir, npx: "cli" })).code).toBe(0);
    expect((await runStep(stepNamed(plan, "Plan"), { cwd: work.dir, npx: "cli" })).code).toBe(0);
    const md = await readFile(join(work.dir, "plan-comment/plan.md"), "utf8");
    expect(md.split("\n")[0]).toBe(PLAN_MARKDOWN_MARKER);
    expect(md).toContain("**Plan: 2 to create");
    expect(existsSync(join(work.dir, "ruangkerja.plan.json"))).toBe(true);
  });

  it("with the PostgreSQL state but no secret (a fork), plan stops and says why instead of planning against no state", async () => {
    const plan = wf("plan.yml");
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("T", 2)));
    await mkdir(join(work.dir, "plan-comment"));
    const step = { ...stepNamed(plan, "Plan"), env: { RUANGKERJA_STATE: "${{ secrets.RUANGKERJA_STATE_READONLY }}" } };
    const result = await runStep(step, { cwd: work.dir, npx: "cli", values: { "secrets.RUANGKERJA_STATE_READONLY": "" } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("::error title=ruangkerja-users::RUANGKERJA_STATE is empty");
    expect(await readFile(join(work.dir, "plan-comment/errors.txt"), "utf8")).toContain("a pull request from a fork does not");
    expect(existsSync(join(work.dir, "plan-comment/plan.md"))).toBe(false);
    // The commented-out env of plan.yml is what this step was given.
    expect(plan.text).toContain("#   RUANGKERJA_STATE: ${{ secrets.RUANGKERJA_STATE_READONLY }}");
  });
});

describe("plan-comment.yml: posts the unprivileged plan, runs no pull-request code", () => {
  it("runs on the completion of plan.yml's runs, for pull requests, whatever their conclusion but cancelled", () => {
    const comment = wf("plan-comment.yml");
    expect(comment.workflow.on).toEqual({ workflow_run: { workflows: [wf("plan.yml").workflow.name], types: ["completed"] } });
    const job = Object.values(comment.workflow.jobs)[0] as Job;
    expect(job.if).toContain("github.event.workflow_run.event == 'pull_request'");
    expect(job.if).toContain("github.event.workflow_run.conclusion != 'cancelled'");
    expect(job.if).not.toContain("== 'success'");
  });

  it("may write comments and read artifacts, nothing else; has no secret; checks out only the default branch's scripts", () => {
    const comment = wf("plan-comment.yml");
    expect(comment.workflow.permissions).toEqual({ actions: "read", "pull-requests": "write" });
    expect(secretsUsed(comment.workflow)).toEqual([]);
    expect(comment.steps.filter((s) => s.run !== undefined)).toEqual([]);
    const checkout = comment.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.ref).toBeUndefined();
    expect(checkout?.with?.repository).toBeUndefined();
    expect(checkout?.with?.["sparse-checkout"]).toBe(".github/ruangkerja-users");
    const download = comment.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with).toMatchObject({ name: "ruangkerja-plan-comment", "run-id": "${{ github.event.workflow_run.id }}" });
    // Outside the checkout: the artifact cannot replace the script that reads it.
    expect(String(download?.with?.path)).toMatch(/^\$\{\{ runner\.temp \}\}\//);
    const script = String(comment.steps.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script);
    expect(script).toContain("/.github/ruangkerja-users/comments.mjs");
    expect(script).toContain("postPlanComment(");
  });
});

describe("fork safety, in every example", () => {
  it("no pull_request_target; every job that runs pull-request code is read-only without secrets", () => {
    for (const file of FILES) {
      const w = wf(file);
      expect(Object.keys(w.workflow.on), file).not.toContain("pull_request_target");
      if (!("pull_request" in w.workflow.on)) continue;
      const writes = Object.entries(w.workflow.permissions ?? { all: "default" }).filter(
        ([, level]) => level !== "read" && level !== "none",
      );
      expect(writes, file).toEqual([]);
      expect(secretsUsed(w.workflow), file).toEqual([]);
    }
  });

  it("the privileged workflows never check out anything but this repository's main, and apply only there", () => {
    for (const file of ["plan-comment.yml", "apply.yml", "apply-postgres.yml"] as const) {
      const w = wf(file);
      expect(JSON.stringify(w.workflow), file).not.toMatch(/workflow_run\.head_(sha|branch)|pull_request\.head/);
      for (const checkout of w.steps.filter((s) => s.uses?.startsWith("actions/checkout@"))) {
        expect(checkout.with?.ref, file).toBeUndefined();
        expect(checkout.with?.repository, file).toBeUndefined();
      }
    }
    for (const file of ["apply.yml", "apply-postgres.yml"] as const) {
      const job = Object.values(wf(file).workflow.jobs)[0] as Job;
      expect(job.if, file).toBe("github.ref == 'refs/heads/main'");
    }
  });
});

describe.each(["apply.yml", "apply-postgres.yml"] as const)("%s", (file) => {
  const w = () => wf(file);

  it("runs on pushes to main and by hand, one at a time, on the tip of main: sync, npm ci, plan --out, apply that file --auto-approve", () => {
    const { workflow, steps, calls } = w();
    expect(Object.keys(workflow.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect((workflow.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(workflow.concurrency).toEqual({ group: "users-apply", "cancel-in-progress": false });
    expect(workflow.defaults?.run?.shell).toBe("bash");
    const checkout = steps.findIndex((s) => s.uses?.startsWith("actions/checkout@"));
    const sync = runIndex(steps, /^bash \.github\/ruangkerja-users\/sync-to-main\.sh$/m);
    const ci = runIndex(steps, /^npm ci$/m);
    expect(checkout).toBe(0);
    expect(sync).toBe(1);
    expect(ci).toBeGreaterThan(sync);
    expect(runIndex(steps, /ruangkerja-users plan/)).toBeGreaterThan(ci);
    expect(runIndex(steps, /ruangkerja-users apply/)).toBeGreaterThan(runIndex(steps, /ruangkerja-users plan/));
    const planCall = calls.find((c) => c.command === "plan");
    const applyCall = calls.find((c) => c.command === "apply");
    const out = planCall?.args[(planCall?.args.indexOf("--out") ?? -2) + 1];
    expect(out).toMatch(/\.json$/);
    expect(applyCall?.args[0]).toBe(out);
    expect(applyCall?.args).toContain("--auto-approve");
  });

  it("gives the RuangKerja token to the apply step only", () => {
    const applyStep = w().calls.find((c) => c.command === "apply")?.step;
    expect(applyStep?.env?.RUANGKERJA_TOKEN).toBe("${{ secrets.RUANGKERJA_TOKEN }}");
    expect(w().steps.filter((s) => s.env?.RUANGKERJA_TOKEN !== undefined)).toEqual([applyStep]);
  });

  it("declares the dispatch inputs, and they reach plan's and apply's flags (empty on a push: no flag)", async () => {
    const inputs = (w().workflow.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> }).inputs;
    expect(inputs.allow_mass_deactivation).toMatchObject({ type: "boolean", default: false });
    expect(inputs.max_deactivate).toMatchObject({ type: "string", default: "" });
    const plan = stepNamed(w(), "Plan");
    const apply = stepNamed(w(), "Apply");
    for (const step of [plan, apply]) {
      for (const expr of JSON.stringify(step.env).matchAll(/\$\{\{\s*inputs\.(\w+)\s*\}\}/g))
        expect(Object.keys(inputs)).toContain(expr[1]);
    }
    const run = async (values: Record<string, string>) => {
      await writeFile(join(work.dir, "npx.log"), "");
      const all = { "secrets.RUANGKERJA_TOKEN": "t", "secrets.RUANGKERJA_STATE": "postgres://u@h/db", ...values };
      expect((await runStep(plan, { cwd: work.dir, npx: "record", values: all })).code).toBe(0);
      expect((await runStep(apply, { cwd: work.dir, npx: "record", values: all })).code).toBe(0);
      return (await readFile(join(work.dir, "npx.log"), "utf8")).trim().split("\n");
    };
    expect(await run({ "inputs.allow_mass_deactivation": "true", "inputs.max_deactivate": "20%" })).toEqual([
      "ruangkerja-users plan --format markdown --out ruangkerja.plan.json --max-deactivate 20%",
      "ruangkerja-users apply ruangkerja.plan.json --auto-approve --allow-mass-deactivation --max-deactivate 20%",
    ]);
    expect(await run({ "inputs.allow_mass_deactivation": "false", "inputs.max_deactivate": "3" })).toEqual([
      "ruangkerja-users plan --format markdown --out ruangkerja.plan.json --max-deactivate 3",
      "ruangkerja-users apply ruangkerja.plan.json --auto-approve --max-deactivate 3",
    ]);
    // A push has no inputs: GitHub gives the expressions as empty strings.
    expect(await run({ "inputs.allow_mass_deactivation": "", "inputs.max_deactivate": "" })).toEqual([
      "ruangkerja-users plan --format markdown --out ruangkerja.plan.json",
      "ruangkerja-users apply ruangkerja.plan.json --auto-approve",
    ]);
  });

  it("posts the result on the merged pull requests unless cancelled, with what the steps came to", () => {
    const post = stepNamed(w(), "Post the result on the pull requests");
    expect(post.if).toBe("${{ !cancelled() && steps.sync.outcome == 'success' }}");
    expect(post.env).toMatchObject({
      APPLIED_SHA: "${{ steps.sync.outputs.sha }}",
      PLAN_OUTCOME: "${{ steps.plan.outcome }}",
      APPLY_OUTCOME: "${{ steps.apply.outcome }}",
    });
    expect(String(post.with?.script)).toContain("postApplyResult(");
    expect(w().workflow.permissions?.["pull-requests"]).toBe("write");
  });
});

describe("apply.yml and apply-postgres.yml differ only where the state lives", () => {
  it("apply.yml commits the state with commit-state.sh even after a failure, and keeps it when that fails", () => {
    const apply = wf("apply.yml");
    expect(apply.workflow.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    const commit = stepNamed(apply, "Commit the state");
    expect(commit.if).toBe("always()");
    expect(commit.run?.trim()).toBe("bash .github/ruangkerja-users/commit-state.sh");
    expect(commit.id).toBe("commit");
    const keep = stepNamed(apply, "Keep the state that was not committed");
    expect(keep.if).toBe("${{ always() && steps.commit.outcome == 'failure' }}");
    // With the journal a killed apply leaves (its results not yet in the state file).
    expect((keep.with?.path as string).trim().split("\n")).toEqual([".ruangkerja/state.json", ".ruangkerja/state.json.journal"]);
    expect(stepNamed(apply, "Post the result on the pull requests").env?.COMMIT_OUTCOME).toBe("${{ steps.commit.outcome }}");
    expect(apply.text).not.toContain("git pull");
  });

  it("apply-postgres.yml commits nothing, may not write the repository, and gives the state URL to plan and apply", () => {
    const pg = wf("apply-postgres.yml");
    expect(pg.workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(pg.steps.some((s) => /commit-state|git (commit|push)/.test(s.run ?? ""))).toBe(false);
    const withState = pg.steps.filter((s) => s.env?.RUANGKERJA_STATE !== undefined);
    expect(withState).toEqual([stepNamed(pg, "Plan"), stepNamed(pg, "Apply")]);
    for (const step of withState) expect(step.env?.RUANGKERJA_STATE).toBe("${{ secrets.RUANGKERJA_STATE }}");
  });
});

describe("the examples ship what they call", () => {
  it("every .github/ruangkerja-users/ file a workflow names is in scripts/", () => {
    for (const file of FILES) {
      for (const match of wf(file).text.matchAll(/\.github\/ruangkerja-users\/([\w.-]+)/g)) {
        expect(existsSync(join(DIR, "scripts", match[1] as string)), `${file}: ${match[0]}`).toBe(true);
      }
    }
  });

  it("every flag the examples use is in `ruangkerja-users <command> --help`", async () => {
    const calls = FILES.flatMap((file) => wf(file).calls);
    expect(calls.map((c) => c.command).sort()).toEqual(["apply", "apply", "plan", "plan", "plan", "validate"]);
    for (const call of calls) {
      const text = await help(call.command);
      for (const flag of call.args.filter((a) => a.startsWith("--"))) {
        const name = flag.split("=")[0] as string;
        expect(text, `${call.command} ${name}`).toMatch(new RegExp(`(^|[\\s,])${name}(?=[\\s,=]|$)`, "m"));
      }
    }
    expect(await help("apply")).toContain("[plan-file]");
  });
});

// ---------------------------------------------------------------------------------------------
// scripts/comments.mjs against a stand-in GitHub client.

interface Comment {
  id: number;
  body: string;
  user: { type: string; login: string };
}
interface PullRequest {
  number: number;
  state: "open" | "closed";
  head: { sha: string; ref: string; repo: { owner: { login: string } } };
  base: { ref: string; repo: { full_name: string } };
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}
interface CommentsModule {
  PLAN_MARKER: string;
  APPLY_MARKER: string;
  APPLIED_TAG: string;
  codeBlock(text: string): string;
  postPlanComment(args: { github: unknown; context: unknown; core: unknown; dir: string }): Promise<void>;
  postApplyResult(args: {
    github: unknown;
    context: unknown;
    core: unknown;
    env: Record<string, string | undefined>;
    dir?: string;
  }): Promise<void>;
}

const comments = async () => (await import(pathToFileURL(join(DIR, "scripts/comments.mjs")).href)) as CommentsModule;
const core = { info: () => undefined, warning: () => undefined };
const sha = (c: string) => c.repeat(40);

/** Pull requests, their comments, and which commits include which (`includes[head]` = commits in head's history). */
function fakeGitHub(pulls: PullRequest[], includes: Record<string, string[]> = {}) {
  const byIssue = new Map<number, Comment[]>();
  let nextId = 1;
  const bot = { type: "Bot", login: "github-actions[bot]" };
  const github = {
    byIssue,
    addComment(issue: number, body: string, user = bot) {
      byIssue.set(issue, [...(byIssue.get(issue) ?? []), { id: nextId++, body, user }]);
    },
    paginate: async (method: (p: object) => Promise<{ data: unknown[] }>, params: object) => (await method(params)).data,
    rest: {
      issues: {
        listComments: async ({ issue_number }: { issue_number: number }) => ({ data: byIssue.get(issue_number) ?? [] }),
        createComment: async ({ issue_number, body }: { issue_number: number; body: string }) => ({
          data: github.addComment(issue_number, body),
        }),
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
          for (const list of byIssue.values()) for (const c of list) if (c.id === comment_id) c.body = body;
          return { data: {} };
        },
      },
      pulls: {
        list: async (q: { state: string; head?: string; base?: string }) => ({
          data: pulls.filter(
            (p) =>
              p.state === q.state &&
              (q.head === undefined || q.head === `${p.head.repo.owner.login}:${p.head.ref}`) &&
              (q.base === undefined || q.base === p.base.ref),
          ),
        }),
      },
      repos: {
        compareCommits: async ({ base, head }: { base: string; head: string }) => ({
          data: { status: base === head ? "identical" : (includes[head] ?? []).includes(base) ? "ahead" : "diverged" },
        }),
      },
    },
  };
  return github;
}

const pull = (number: number, over: Partial<PullRequest> & { owner?: string } = {}): PullRequest => ({
  number,
  state: "open",
  head: { sha: sha(String(number % 10)), ref: `branch-${number}`, repo: { owner: { login: over.owner ?? "acme" } } },
  base: { ref: "main", repo: { full_name: "acme/users" } },
  ...over,
});

describe("scripts/comments.mjs: postPlanComment (plan-comment.yml)", () => {
  const run = (over: object = {}) => ({
    event: "pull_request",
    conclusion: "success",
    head_sha: sha("7"),
    head_branch: "add-ani",
    head_repository: { owner: { login: "someone-else" } },
    pull_requests: [], // empty for a fork
    html_url: "https://github.example/acme/users/actions/runs/9",
    ...over,
  });
  const context = (workflowRun: object) => ({ repo: { owner: "acme", repo: "users" }, payload: { workflow_run: workflowRun } });
  const forkPull = () =>
    pull(7, { owner: "someone-else", head: { sha: sha("7"), ref: "add-ani", repo: { owner: { login: "someone-else" } } } });

  it("finds a fork's pull request from the event, posts its plan, then updates that comment in place", async () => {
    const { postPlanComment, PLAN_MARKER } = await comments();
    const github = fakeGitHub([pull(3), forkPull()]);
    await writeText(join(work.dir, "plan.md"), `${PLAN_MARKER}\n**Plan: 1 to create, 0 to update, 0 to rename, 0 to deactivate.**\n`);
    await postPlanComment({ github, context: context(run()), core, dir: work.dir });
    const posted = github.byIssue.get(7) ?? [];
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body.split("\n").slice(0, 2)).toEqual([
      PLAN_MARKER,
      "**Plan: 1 to create, 0 to update, 0 to rename, 0 to deactivate.**",
    ]);
    expect(posted[0]?.body.match(new RegExp(PLAN_MARKER, "g"))).toHaveLength(1);
    expect(github.byIssue.get(3)).toBeUndefined();

    // The author's own comment with the marker is not ours to overwrite.
    github.addComment(7, `${PLAN_MARKER}\nfake`, { type: "User", login: "someone-else" });
    await writeText(join(work.dir, "plan.md"), `${PLAN_MARKER}\nNo changes.\n`);
    await postPlanComment({ github, context: context(run()), core, dir: work.dir });
    expect(github.byIssue.get(7)?.map((c) => c.body.split("\n")[1])).toEqual(["No changes.", "fake"]);
  });

  it("a failed plan gets a comment with its errors, fenced so they cannot close the block, without ::error lines", async () => {
    const { postPlanComment, PLAN_MARKER } = await comments();
    const github = fakeGitHub([forkPull()]);
    await writeText(
      join(work.dir, "errors.txt"),
      'users/a.yaml:2:17: error: employeeID "E 1" may contain only letters\n::error file=users/a.yaml,line=2::noise\nname: ````\n@everyone see here\n',
    );
    await writeText(join(work.dir, "plan.md"), `${PLAN_MARKER}\nmade up by the pull request\n`);
    await postPlanComment({ github, context: context(run({ conclusion: "failure" })), core, dir: work.dir });
    const body = github.byIssue.get(7)?.[0]?.body ?? "";
    expect(body.startsWith(`${PLAN_MARKER}\n### ❌ ruangkerja-users: no plan`)).toBe(true);
    expect(body).toContain("ended with **failure**");
    expect(body).toContain(
      '`````text\nusers/a.yaml:2:17: error: employeeID "E 1" may contain only letters\nname: ````\n@everyone see here\n`````',
    );
    expect(body).not.toContain("::error");
    expect(body).not.toContain("made up by the pull request");
  });

  it("a run that left nothing (npm ci failed) still gets a comment; a cancelled run, or a pull request that moved on, gets none", async () => {
    const { postPlanComment } = await comments();
    const github = fakeGitHub([forkPull()]);
    await postPlanComment({ github, context: context(run({ conclusion: "failure" })), core, dir: join(work.dir, "missing") });
    expect(github.byIssue.get(7)?.[0]?.body).toContain("It stopped before validate or plan could say why");
    const quiet = fakeGitHub([forkPull()]);
    await postPlanComment({ github: quiet, context: context(run({ conclusion: "cancelled" })), core, dir: work.dir });
    await postPlanComment({ github: quiet, context: context(run({ head_sha: sha("8") })), core, dir: work.dir });
    await postPlanComment({ github: quiet, context: context(run({ event: "push" })), core, dir: work.dir });
    expect(quiet.byIssue.size).toBe(0);
  });

  it("codeBlock's fence is longer than any run of backticks in the text", async () => {
    const { codeBlock } = await comments();
    expect(codeBlock("plain")).toBe("```text\nplain\n```");
    expect(codeBlock("a ``` b")).toBe("````text\na ``` b\n````");
  });
});

describe("scripts/comments.mjs: postApplyResult (apply.yml)", () => {
  const applied = sha("a");
  const context = { repo: { owner: "acme", repo: "users" }, serverUrl: "https://github.example", runId: 42 };
  const merged = (number: number, mergeSha: string) =>
    pull(number, { state: "closed", merged_at: "2025-01-01T00:00:00Z", merge_commit_sha: mergeSha });

  it("reports on every merged pull request the applied commit includes, once applied; a failure is updated later", async () => {
    const { postApplyResult, PLAN_MARKER, APPLY_MARKER, APPLIED_TAG } = await comments();
    const github = fakeGitHub(
      [merged(11, sha("1")), merged(12, sha("2")), merged(13, sha("3")), merged(14, sha("4")), merged(15, sha("5")), pull(16)],
      { [applied]: [sha("1"), sha("2"), sha("4"), sha("5")] },
    );
    for (const n of [11, 12, 13, 14, 16]) github.addComment(n, `${PLAN_MARKER}\nplan`);
    github.addComment(14, `${APPLY_MARKER}\n${APPLIED_TAG}\nalready applied`);
    // 13: merged after the applied commit; 15: never planned (did not touch users/); 16: open.
    await writeText(join(work.dir, "ruangkerja.plan.md"), `${PLAN_MARKER}\n**Plan: 2 to create**\n`);
    await writeText(join(work.dir, "ruangkerja.apply.log"), "::error::x\nApply finished with failures: 1 succeeded, 1 failed\n");
    const env = { APPLIED_SHA: applied, PLAN_OUTCOME: "success", APPLY_OUTCOME: "failure", COMMIT_OUTCOME: "success" };
    await postApplyResult({ github, context, core, env, dir: work.dir });
    const result = (n: number) => github.byIssue.get(n)?.find((c) => c.body.startsWith(APPLY_MARKER))?.body;
    for (const n of [11, 12]) {
      expect(result(n)).toContain("### ruangkerja-users: ❌ Apply failed");
      expect(result(n)).toContain("(with #11, #12)");
      expect(result(n)).toContain("https://github.example/acme/users/actions/runs/42");
      expect(result(n)).toContain("**Plan: 2 to create**");
      expect(result(n)).toContain("```text\nApply finished with failures: 1 succeeded, 1 failed\n```");
      expect(result(n)).not.toContain(APPLIED_TAG);
    }
    expect(result(13)).toBeUndefined();
    expect(result(14)).toContain("already applied");
    expect(result(15)).toBeUndefined();
    expect(result(16)).toBeUndefined();

    // The next run applies them: the failed results are updated, one comment each.
    await postApplyResult({ github, context, core, env: { ...env, APPLY_OUTCOME: "success" }, dir: work.dir });
    for (const n of [11, 12]) {
      expect(github.byIssue.get(n)?.filter((c) => c.body.startsWith(APPLY_MARKER))).toHaveLength(1);
      expect(result(n)?.split("\n").slice(0, 3)).toEqual([APPLY_MARKER, APPLIED_TAG, "### ruangkerja-users: ✅ Applied"]);
    }
  });

  it("names a failed plan, and an apply whose state was not committed, as not applied", async () => {
    const { postApplyResult, APPLY_MARKER, PLAN_MARKER } = await comments();
    const github = fakeGitHub([merged(21, applied)]);
    github.addComment(21, `${PLAN_MARKER}\nplan`);
    await postApplyResult({
      github,
      context,
      core,
      env: { APPLIED_SHA: applied, PLAN_OUTCOME: "failure", APPLY_OUTCOME: "skipped" },
      dir: work.dir,
    });
    expect(github.byIssue.get(21)?.[1]?.body).toContain("❌ Plan failed on main: nothing was sent to RuangKerja");
    const env = { APPLIED_SHA: applied, PLAN_OUTCOME: "success", APPLY_OUTCOME: "success", COMMIT_OUTCOME: "failure" };
    await postApplyResult({ github, context, core, env, dir: work.dir });
    expect(github.byIssue.get(21)?.find((c) => c.body.startsWith(APPLY_MARKER))?.body).toContain(
      "⚠️ Applied, but the state was not committed",
    );
    await postApplyResult({ github, context, core, env: { ...env, APPLIED_SHA: "not-a-sha" }, dir: work.dir });
    expect(github.byIssue.get(21)).toHaveLength(2);
  });
});
