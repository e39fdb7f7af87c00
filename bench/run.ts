/**
 * `npm run bench`: runs every scenario (scenario.ts; rows come from the `*-scenarios.ts` modules)
 * as whole processes. The scenarios of a group alternate, one run each per round, so a target
 * and its floor see the same machine; the table puts each row's median beside its floor's
 * (report.ts). Writes bench/results/latest.json and latest.md; `--write-docs` also replaces the
 * generated block of docs/performance.md. Flags: --sizes 10000,100000  --runs N  --only <text in
 * an id> (floors of what it selects run too)  --no-terraform  --write-docs. bench/README.md says
 * what each floor is and how to read the table.
 * Then, unless --only names something else or --no-terraform is given, the Terraform path
 * (terraform.ts, its own process and table: it needs terraform on PATH and says so when missing).
 *
 * Not part of `npm test`: timings belong here, never in assertions.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Recorded, runOnce, type StartedServer, startServer } from "./measure.js";
import { buildRows, formatMarkdown, machine, writeDocsBlock } from "./report.js";
import type { BenchContext, Scenario, ScenarioFactory } from "./scenario.js";

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench → the package root.
const root = resolve(here, "../..");

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The table reads top-down as the product works: reading and planning, applying, refusing hostile input; then any other area. */
const FIRST = ["plan-scenarios.js", "apply-scenarios.js", "limit-scenarios.js"];

/** Every `*-scenarios.js` module beside this one. */
async function loadFactories(): Promise<ScenarioFactory[]> {
  const factories: ScenarioFactory[] = [];
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
  const names = readdirSync(here).filter((name) => name.endsWith("-scenarios.js"));
  for (const name of names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    const module = (await import(pathToFileURL(join(here, name)).href)) as { scenarios?: unknown };
    if (typeof module.scenarios === "function") factories.push(module.scenarios as ScenarioFactory);
  }
  return factories;
}

/** The scenarios whose id contains `only`, and the floors they are measured against (those floors' floors too). */
function select(all: readonly Scenario[], only: string | undefined): Scenario[] {
  if (only === undefined) return [...all];
  const wanted = new Set(all.filter((s) => s.id.includes(only)).map((s) => s.id));
  for (let grew = true; grew;) {
    grew = false;
    for (const s of all) {
      const floor = s.target?.relativeTo?.id;
      if (wanted.has(s.id) && floor !== undefined && !wanted.has(floor)) {
        wanted.add(floor);
        grew = true;
      }
    }
  }
  return all.filter((s) => wanted.has(s.id));
}

/** Groups in order of first appearance; a scenario without a group is a group of its own. */
function groups(scenarios: readonly Scenario[]): Scenario[][] {
  const byKey = new Map<string, Scenario[]>();
  for (const s of scenarios) {
    const key = s.group ?? `:${s.id}`;
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  return [...byKey.values()];
}

/** Runs each group round by round: A, B, C, A, B, C, … until every scenario has had its runs. */
async function measureAll(selected: readonly Scenario[], usageFile: string): Promise<Map<string, Recorded[]>> {
  const measured = new Map<string, Recorded[]>(selected.map((s) => [s.id, []]));
  for (const group of groups(selected)) {
    const rounds = Math.max(...group.map((s) => s.runs));
    for (let round = 0; round < rounds; round++) {
      for (const scenario of group) {
        if (round >= scenario.runs) continue;
        await scenario.prepare?.();
        const run = await runOnce(scenario.command, usageFile, scenario.server);
        const extra = (await scenario.check?.(run.output)) ?? {};
        (measured.get(scenario.id) as Recorded[]).push({ ...run, extra });
        const cpu = run.cpuSeconds === undefined ? "" : `, CPU ${run.cpuSeconds.toFixed(2)} s`;
        process.stderr.write(`  ${scenario.id} #${round + 1}: ${run.seconds.toFixed(2)} s${cpu}, ${run.rssMB?.toFixed(0) ?? "?"} MB\n`);
      }
    }
  }
  return measured;
}

async function startServers(cli: string): Promise<{ emulator: StartedServer; sink: StartedServer }> {
  const emulator = await startServer("emulator", [cli, "emulator", "--port", "0", "--token", "bench-token"], "bench-token");
  try {
    return { emulator, sink: await startServer("sink", [join(here, "sink.js")], "bench-token") };
  } catch (error) {
    emulator.stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const cli = join(root, "dist/cli/main.js");
  const sizes = (option("--sizes") ?? "10000,100000").split(",").map(Number);
  const runsText = option("--runs");
  const only = option("--only");
  const writeDocs = process.argv.includes("--write-docs");
  if (writeDocs && only !== undefined) throw new Error("--write-docs writes the docs from a whole run: leave out --only");
  const loadAtStart = loadavg();
  const workDir = mkdtempSync(join(tmpdir(), "ruangkerja-bench-"));
  const { emulator, sink } = await startServers(cli);
  try {
    const context: BenchContext = {
      workDir,
      cli,
      sizes,
      emulator: emulator.handle,
      sink: sink.handle,
      ...(runsText ? { runs: Number(runsText) } : {}),
    };
    process.stderr.write(`Generating declarations in ${workDir}…\n`);
    const scenarios: Scenario[] = [];
    for (const factory of await loadFactories()) scenarios.push(...(await factory(context)));
    const selected = select(scenarios, only);
    const measured = await measureAll(selected, join(workDir, "usage.json"));
    const rows = buildRows(selected, measured);
    const info = machine();
    const date = new Date();
    const markdown = formatMarkdown(rows, info, loadAtStart, date);
    process.stdout.write(`\n${markdown}\n`);
    const resultsDir = join(root, "bench/results");
    mkdirSync(resultsDir, { recursive: true });
    const json = JSON.stringify({ date: date.toISOString(), machine: info, loadAtStart, sizes, rows }, null, 2);
    const stamp = date.toISOString().replace(/[:.]/g, "-");
    writeFileSync(join(resultsDir, `bench-${stamp}.json`), json);
    writeFileSync(join(resultsDir, "latest.json"), json);
    writeFileSync(join(resultsDir, "latest.md"), `${markdown}\n`);
    process.stdout.write(`\nWrote bench/results/latest.json, latest.md and bench-${stamp}.json\n`);
    if (writeDocs) {
      writeDocsBlock(join(root, "docs/performance.md"), markdown);
      process.stdout.write("Replaced the generated table in docs/performance.md\n");
    }
  } finally {
    emulator.stop();
    sink.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The CDKTF path: Terraform apply of 1,000 and 5,000 users beside the CLI, and a no-change plan (terraform.ts). */
function runTerraformBench(): void {
  const only = option("--only");
  if (process.argv.includes("--no-terraform") || (only !== undefined && !"terraform".includes(only))) return;
  if (spawnSync("terraform", ["version"], { stdio: "ignore" }).status !== 0) {
    process.stdout.write("\nTerraform rows skipped: terraform is not on PATH.\n");
    return;
  }
  process.stdout.write("\nTerraform / CDKTF (bench/terraform.ts):\n");
  const runs = option("--runs");
  const result = spawnSync(process.execPath, [join(here, "terraform.js"), ...(runs ? ["--runs", runs] : [])], { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`the Terraform benchmark failed (exit ${result.status})`);
}

main()
  .then(() => {
    if (process.exitCode === undefined || process.exitCode === 0) runTerraformBench();
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
