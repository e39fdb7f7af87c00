/**
 * The GitHub Actions examples are valid YAML, run the commands they should, and use only flags
 * that the built CLI's `<command> --help` lists.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PLAN_MARKDOWN_MARKER } from "../../src/plan/render-markdown.js";
import { makeWorkdir, ROOT, runCli } from "./helpers.js";

const DIR = join(ROOT, "examples/github-actions");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

/** One `ruangkerja-users …` invocation found in a run script. */
interface Invocation {
  readonly command: string;
  readonly args: string[];
  readonly step: Step;
}

async function load(file: string): Promise<{ text: string; workflow: Workflow; steps: Step[]; calls: Invocation[] }> {
  const text = await readFile(join(DIR, file), "utf8");
  const workflow = parse(text, { prettyErrors: true }) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const calls: Invocation[] = [];
  for (const step of steps) {
    for (const line of (step.run ?? "").split("\n")) {
      const match = /(?:npx\s+)?ruangkerja-users\s+(.*)$/.exec(line.replace(/#.*$/, ""));
      if (!match) continue;
      // Words up to a shell operator (redirection, ||, &&, ;).
      const words: string[] = [];
      for (const word of (match[1] as string).trim().split(/\s+/)) {
        if (/^(>|>>|\||\|\||&&|;|2>)/.test(word)) break;
        words.push(word);
      }
      const [command, ...args] = words;
      calls.push({ command: command as string, args, step });
    }
  }
  return { text, workflow, steps, calls };
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

let plan: Awaited<ReturnType<typeof load>>;
let apply: Awaited<ReturnType<typeof load>>;
beforeAll(async () => {
  plan = await load("plan.yml");
  apply = await load("apply.yml");
});

describe("examples/github-actions/plan.yml", () => {
  it("runs on pull requests: npm ci, then validate, then plan --format markdown --out", () => {
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
  });

  it("posts or updates the pull-request comment found by the plan's marker, and holds no token", () => {
    const comment = plan.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    const script = String(comment?.with?.script ?? "");
    expect(script).toContain(PLAN_MARKDOWN_MARKER);
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
    expect(plan.workflow.permissions?.["pull-requests"]).toBe("write");
    expect(plan.text).not.toContain("RUANGKERJA_TOKEN");
  });
});

describe("examples/github-actions/apply.yml", () => {
  it("runs on pushes to main, one at a time: npm ci, plan --out, apply that file --auto-approve", () => {
    expect(Object.keys(apply.workflow.on)).toContain("push");
    expect((apply.workflow.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(apply.workflow.concurrency?.["cancel-in-progress"]).toBe(false);
    const planCall = apply.calls.find((c) => c.command === "plan");
    const applyCall = apply.calls.find((c) => c.command === "apply");
    const out = planCall?.args[(planCall?.args.indexOf("--out") ?? -2) + 1];
    expect(out).toMatch(/\.json$/);
    expect(applyCall?.args[0]).toBe(out);
    expect(applyCall?.args).toContain("--auto-approve");
    const ci = runIndex(apply.steps, /^npm ci$/m);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(runIndex(apply.steps, /ruangkerja-users plan/)).toBeGreaterThan(ci);
    expect(runIndex(apply.steps, /ruangkerja-users apply/)).toBeGreaterThan(runIndex(apply.steps, /ruangkerja-users plan/));
  });

  it("takes the token from secrets on the apply step only, and commits the state back even after a failure", () => {
    const applyStep = apply.calls.find((c) => c.command === "apply")?.step;
    expect(applyStep?.env?.RUANGKERJA_TOKEN).toBe("${{ secrets.RUANGKERJA_TOKEN }}");
    const withToken = apply.steps.filter((s) => s.env?.RUANGKERJA_TOKEN !== undefined);
    expect(withToken).toEqual([applyStep]);
    const commit = apply.steps.find((s) => /git commit/.test(s.run ?? ""));
    expect(commit?.if).toBe("always()");
    expect(commit?.run).toContain(".ruangkerja/state.json");
    expect(commit?.run).toContain("git push");
  });
});

describe("every flag the examples use exists", () => {
  it("in `ruangkerja-users <command> --help`", async () => {
    const calls = [...plan.calls, ...apply.calls];
    expect(calls.map((c) => c.command).sort()).toEqual(["apply", "plan", "plan", "validate"]);
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
