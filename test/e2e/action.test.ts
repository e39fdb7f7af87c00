/**
 * action.yml, the composite GitHub Action: it parses; every script it names exists (the example
 * workflows' own scripts, examples/github-actions/scripts/) and exports what it calls; every
 * `ruangkerja-users` flag it passes is one the built CLI's help lists; every input and step it
 * refers to is declared. Then its steps are run locally as GitHub's runner would run them (bash
 * -eo pipefail, `if:` conditions, GITHUB_PATH, GITHUB_OUTPUT), with the `uses:` steps and
 * `npm ci` left out: `command: plan` on a folder of declarations, and `command: apply` in a git
 * repository with a bare origin, against the emulator on 127.0.0.1.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { PLAN_MARKDOWN_MARKER } from "../../src/plan/render-markdown.js";
import { makeUsers, ROOT, runCli, runProcess, usersYaml } from "./helpers.js";

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Action {
  name: string;
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const TOKEN = "e2e-action-token-9c2f";
let action: Action;
let actionText: string;

beforeAll(async () => {
  actionText = await readFile(join(ROOT, "action.yml"), "utf8");
  action = parse(actionText, { prettyErrors: true }) as Action;
});

describe("action.yml as written", () => {
  it("is a composite action whose run steps all say their shell", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) if (step.run !== undefined) expect(step.shell, step.name).toBe("bash");
  });

  it("names only scripts that exist, the example workflows' own, and their exported functions", async () => {
    const named = [...actionText.matchAll(/(?:\$GITHUB_ACTION_PATH|\$\{\{ github\.action_path \}\})\/([\w./-]+)/g)].map(
      (m) => m[1] as string,
    );
    const scripts = named.filter((p) => p.startsWith("examples/"));
    expect(new Set(scripts)).toEqual(
      new Set([
        "examples/github-actions/scripts/sync-to-main.sh",
        "examples/github-actions/scripts/commit-state.sh",
        "examples/github-actions/scripts/comments.mjs",
      ]),
    );
    // Besides the scripts, only the CLI the package builds (dist/ is not in git: npm ci builds it).
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(named.filter((p) => !p.startsWith("examples/"))).toEqual([pkg.bin["ruangkerja-users"]]);
    for (const path of scripts) expect(existsSync(join(ROOT, path)), path).toBe(true);
    const comments = (await import(pathToFileURL(join(ROOT, "examples/github-actions/scripts/comments.mjs")).href)) as Record<
      string,
      unknown
    >;
    for (const [, fn] of actionText.matchAll(/const \{ (\w+) \} = await import\(process\.env\.COMMENTS_SCRIPT\)/g)) {
      expect(typeof comments[fn as string], fn).toBe("function");
    }
  });

  it("installs its package running no dependency's install script, with the credentials emptied for that step", () => {
    const installs = action.runs.steps.filter((step) => /\bnpm (ci|install|i)\b/.test(step.run ?? ""));
    expect(installs.map((step) => step.name)).toEqual(["Install ruangkerja-users"]);
    for (const step of installs) {
      for (const line of (step.run ?? "").split("\n").filter((l) => /\bnpm (ci|install|i)\b/.test(l)))
        expect(line).toContain("--ignore-scripts");
      expect(step.run).toContain('npm run build --prefix "$GITHUB_ACTION_PATH"');
      expect(step.env).toEqual({ RUANGKERJA_TOKEN: "", RUANGKERJA_CLIENT_ID: "", RUANGKERJA_CLIENT_SECRET: "", RUANGKERJA_STATE: "" });
    }
  });

  it("refers only to declared inputs and to steps that have that id", () => {
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
    for (const [, input] of actionText.matchAll(/inputs\.([\w-]+)/g)) expect(Object.keys(action.inputs), input).toContain(input);
    for (const [, step] of actionText.matchAll(/steps\.([\w-]+)\./g)) expect([...ids], step).toContain(step);
  });

  it("passes ruangkerja-users only flags its help lists", async () => {
    const calls = action.runs.steps.flatMap((step) => {
      const lines = (step.run ?? "").split("\n");
      const added = lines.flatMap((line) => [...line.matchAll(/args(?:\+)?=\(([^)]*)\)/g)].flatMap((m) => (m[1] as string).split(/\s+/)));
      return lines
        .map((line) => /^\s*ruangkerja-users\s+(\w+)\s*(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ command: m[1] as string, words: [...(m[2] as string).split(/\s+/), ...added] }));
    });
    expect(calls.map((c) => c.command).sort()).toEqual(["apply", "plan", "validate"]);
    for (const { command, words } of calls) {
      const help = await runCli([command, "--help"], { cwd: ROOT });
      for (const flag of words.filter((w) => w.startsWith("--"))) expect(help.stdout, `${command} ${flag}`).toContain(`${flag} `);
    }
  });
});

interface StepRun {
  readonly label: string;
  readonly outcome: "success" | "failure" | "skipped";
  readonly output: string;
  readonly outputs: Record<string, string>;
}

/** An `if:` as the runner reads it: `&&` of status functions and `path == 'text'` / `!=`; success() when no status function is named. */
function holds(condition: string | undefined, failed: boolean, value: (path: string) => string): boolean {
  if (condition === undefined) return !failed;
  const inner = condition.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, "$1");
  let status: boolean | undefined;
  let rest = true;
  for (const term of inner.split("&&").map((t) => t.trim())) {
    if (term === "always()" || term === "!cancelled()") status = status ?? true;
    else {
      const match = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(term);
      if (!match) throw new Error(`the test's runner does not evaluate ${term}`);
      rest &&= (match[2] === "==") === (value(match[1] as string) === match[3]);
    }
  }
  return (status ?? !failed) && rest;
}

/** Runs action.yml's steps with `inputs` in `workspace`; `uses:` steps and `npm ci` are not run. */
async function runAction(
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<{ failed: boolean; steps: StepRun[]; step: (label: string) => StepRun }> {
  const runner = await mkdtemp(join(tmpdir(), "ruangkerja-action-runner-"));
  const paths: string[] = [];
  const steps = new Map<string, StepRun>();
  const done: StepRun[] = [];
  const given = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, inputs[name] ?? spec.default ?? ""]));
  const value = (path: string): string => {
    const [head, name, field, key] = path.split(".");
    if (head === "inputs" && name) return given[name] ?? "";
    if (head === "steps" && name && field === "outcome") return steps.get(name)?.outcome ?? "";
    if (head === "steps" && name && field === "outputs" && key) return steps.get(name)?.outputs[key] ?? "";
    if (path === "github.action_path") return ROOT;
    if (path === "runner.temp") return runner;
    throw new Error(`the test's runner does not evaluate \${{ ${path} }}`);
  };
  const expand = (text: string) => text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, path: string) => value(path));
  let failed = false;
  try {
    for (const step of action.runs.steps) {
      const label = step.name ?? step.uses ?? "";
      let record: StepRun;
      if (!holds(step.if, failed, value)) record = { label, outcome: "skipped", output: "", outputs: {} };
      else if (step.uses !== undefined || (step.run ?? "").startsWith("npm ci")) {
        record = { label, outcome: "success", output: "(not run by the test)", outputs: {} };
      } else {
        const outputFile = join(runner, "output");
        const pathFile = join(runner, "path");
        await writeFile(outputFile, "");
        await writeFile(pathFile, "");
        const stepEnv: Record<string, string> = {
          PATH: [...paths, dirname(process.execPath), process.env.PATH ?? ""].join(":"),
          HOME: runner,
          NO_COLOR: "1",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          GITHUB_ACTIONS: "true",
          GITHUB_ACTION_PATH: ROOT,
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: outputFile,
          GITHUB_PATH: pathFile,
          GITHUB_STEP_SUMMARY: join(runner, "summary.md"),
          RUNNER_TEMP: runner,
          ...env,
        };
        for (const [name, text] of Object.entries(step.env ?? {})) stepEnv[name] = expand(text);
        const script = join(runner, "step.sh");
        await writeFile(script, expand(step.run ?? ""));
        const result = await runProcess("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
          cwd: workspace,
          env: stepEnv,
          timeoutMs: 120_000,
        });
        paths.unshift(...(await readFile(pathFile, "utf8")).split("\n").filter(Boolean).reverse());
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
    }
  } finally {
    await rm(runner, { recursive: true, force: true });
  }
  return {
    failed,
    steps: done,
    step: (label) => {
      const found = done.find((s) => s.label === label);
      if (!found) throw new Error(`no step ${label}`);
      return found;
    },
  };
}

describe("the action's steps, run locally", () => {
  let emulator: RunningEmulator;
  let root: string;
  beforeAll(async () => {
    emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "ruangkerja-action-"));
    return () => rm(root, { recursive: true, force: true });
  });

  it("refuses an unknown command before anything else runs", async () => {
    const run = await runAction(root, { command: "destroy" }, {});
    expect(run.failed).toBe(true);
    expect(run.step("Check the inputs").output).toContain("the input command must be plan, comment or apply, not 'destroy'");
    expect(run.steps.filter((s) => s.outcome !== "skipped").map((s) => s.label)).toEqual(["Check the inputs"]);
  });

  it("command: plan validates, plans and leaves the comment's content and the saved plan, without a token", async () => {
    await mkdir(join(root, "people"));
    await writeFile(join(root, "people/team.yaml"), usersYaml(makeUsers("ACT", 3)));
    const run = await runAction(root, { command: "plan", dir: "people" }, {});
    expect(run.failed, run.steps.map((s) => `${s.label}: ${s.output}`).join("\n")).toBe(false);
    expect(run.step("Sync to the tip of the branch").outcome).toBe("skipped");
    const markdown = await readFile(join(root, "plan-comment/plan.md"), "utf8");
    expect(markdown.startsWith(PLAN_MARKDOWN_MARKER)).toBe(true);
    expect(markdown).toContain("ACT0002");
    expect(existsSync(join(root, "ruangkerja.plan.json"))).toBe(true);
    expect(emulator.requestCounts()).toMatchObject({ "create-bulk": 0 });
  });

  it("command: plan with invalid declarations keeps the errors for the comment and plans nothing", async () => {
    await mkdir(join(root, "users"));
    await writeFile(join(root, "users/team.yaml"), "users:\n  - employeeID: BAD-ID\n    name: Rusak\n");
    const run = await runAction(root, { command: "plan" }, {});
    expect(run.failed).toBe(true);
    expect(run.step("Validate").outcome).toBe("failure");
    expect(run.step("Plan").outcome).toBe("skipped");
    expect(await readFile(join(root, "plan-comment/errors.txt"), "utf8")).toContain("users/team.yaml:2:");
  });

  it("command: apply moves to the tip of main, applies, and commits the state to origin", async () => {
    const gitEnv = { PATH: process.env.PATH ?? "", HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
    const who = {
      GIT_AUTHOR_NAME: "Dewi",
      GIT_AUTHOR_EMAIL: "dewi@contoh.co.id",
      GIT_COMMITTER_NAME: "Dewi",
      GIT_COMMITTER_EMAIL: "dewi@contoh.co.id",
    };
    const git = async (cwd: string, args: string[]) => {
      const result = await runProcess("git", args, { cwd, env: { ...gitEnv, ...who }, timeoutMs: 30_000 });
      if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
      return result.stdout.trim();
    };
    const origin = join(root, "origin.git");
    const dev = join(root, "dev");
    const workspace = join(root, "work");
    await git(root, ["init", "-q", "--bare", "-b", "main", origin]);
    await git(root, ["clone", "-q", origin, dev]);
    await mkdir(join(dev, "users"));
    await writeFile(join(dev, "users/team.yaml"), usersYaml(makeUsers("ACP", 4)));
    await git(dev, ["checkout", "-q", "-b", "main"]);
    await git(dev, ["add", "-A"]);
    await git(dev, ["commit", "-q", "-m", "Users as code"]);
    await git(dev, ["push", "-q", "origin", "main"]);
    const sha = await git(dev, ["rev-parse", "HEAD"]);
    await git(root, ["clone", "-q", origin, workspace]);
    const run = await runAction(
      workspace,
      { command: "apply" },
      { GITHUB_SHA: sha, RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN },
    );
    expect(run.failed, run.steps.map((s) => `${s.label}: ${s.outcome} ${s.output}`).join("\n")).toBe(false);
    expect(run.step("Sync to the tip of the branch").outputs.sha).toBe(sha);
    expect(run.step("Validate").outcome).toBe("skipped");
    expect(run.step("Apply").output).toContain("4 succeeded");
    expect(emulator.users().map((u) => u.employeeID)).toEqual(expect.arrayContaining(["ACP0000", "ACP0003"]));
    const committed = JSON.parse(await git(origin, ["show", "main:.ruangkerja/state.json"])) as { users: unknown[] };
    expect(committed.users).toHaveLength(4);
    expect(existsSync(join(workspace, "ruangkerja.plan.md"))).toBe(true);
  });
});
