/**
 * `npm run bench`: runs every scenario (see scenario.ts) as whole processes, several times, and
 * prints a table of medians beside each target and the ratio, then writes the numbers as JSON
 * to bench/results/. Flags: --sizes 10000,100000  --runs N  --only <text in the id>.
 * Then, unless --only names something else or --no-terraform is given, the Terraform path
 * (terraform.ts, its own process and table: it needs terraform on PATH and says so when missing).
 *
 * Not part of `npm test`: timings belong here, never in assertions.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchContext, Command, EmulatorHandle, RunOutput, Scenario, ScenarioFactory } from "./scenario.js";

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench → the package root.
const root = resolve(here, "../..");
const TAIL = 64 * 1024;

interface Measured {
  readonly seconds: number;
  readonly rssMB: number | undefined;
  /** User + system CPU of the measured process: less disturbed by other jobs on a shared machine than wall time. */
  readonly cpuSeconds: number | undefined;
  readonly extra: Record<string, number>;
}

interface Row {
  readonly id: string;
  readonly title: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly medianRssMB: number | undefined;
  readonly medianCpuSeconds: number | undefined;
  readonly targetSeconds: number | undefined;
  readonly targetRssMB: number | undefined;
  readonly targetLabel: string;
  readonly timeRatio: number | undefined;
  readonly rssRatio: number | undefined;
  readonly extra: Record<string, number>;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function keepTail(previous: string, chunk: Buffer): string {
  const text = previous + chunk.toString("utf8");
  return text.length > TAIL ? text.slice(-TAIL) : text;
}

async function runOnce(
  command: Command,
  usageFile: string,
): Promise<{ seconds: number; output: RunOutput; rssMB: number | undefined; cpuSeconds: number | undefined }> {
  rmSync(usageFile, { force: true });
  const hook = pathToFileURL(join(here, "rss-hook.js")).href;
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", hook, ...command.args], {
    cwd: command.cwd,
    env: { ...process.env, ...command.env, RUANGKERJA_BENCH_USAGE: usageFile, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdoutTail = "";
  let stderrTail = "";
  child.stdout.on("data", (chunk: Buffer) => (stdoutTail = keepTail(stdoutTail, chunk)));
  child.stderr.on("data", (chunk: Buffer) => (stderrTail = keepTail(stderrTail, chunk)));
  const exitCode = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  const seconds = (performance.now() - started) / 1000;
  let rssMB: number | undefined;
  let cpuSeconds: number | undefined;
  try {
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKB: number; userMs: number; systemMs: number };
    rssMB = usage.maxRssKB / 1024;
    cpuSeconds = (usage.userMs + usage.systemMs) / 1000;
  } catch {
    rssMB = undefined;
  }
  return { seconds, rssMB, cpuSeconds, output: { exitCode, stdoutTail, stderrTail } };
}

async function startEmulator(cli: string): Promise<{ handle: EmulatorHandle; child: ChildProcess }> {
  const token = "bench-token";
  const child = spawn(process.execPath, [cli, "emulator", "--port", "0", "--token", token], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((done, fail) => {
    lines.once("line", done);
    child.once("exit", (code) => fail(new Error(`the emulator exited with ${code}`)));
  });
  const admin = async (path: string, method: string) => {
    const response = await fetch(`${url}/_emulator/${path}`, { method });
    if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status}`);
    return response.json() as Promise<{ requests?: Record<string, number> }>;
  };
  const handle: EmulatorHandle = {
    url,
    token,
    pid: child.pid ?? 0,
    reset: async () => void (await admin("reset", "POST")),
    stats: async () => (await admin("stats", "GET")).requests ?? {},
  };
  return { handle, child };
}

/** Every module beside this one that exports `scenarios`. */
async function loadFactories(): Promise<ScenarioFactory[]> {
  const factories: ScenarioFactory[] = [];
  for (const name of readdirSync(here).sort()) {
    // terraform.js is a program of its own (runTerraformBench below), not a scenario module.
    if (!name.endsWith(".js") || ["run.js", "rss-hook.js", "bare-client.js", "terraform.js"].includes(name)) continue;
    const module = (await import(pathToFileURL(join(here, name)).href)) as { scenarios?: unknown };
    if (typeof module.scenarios === "function") factories.push(module.scenarios as ScenarioFactory);
  }
  return factories;
}

function machine() {
  const cpuModel = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
    } catch {
      return cpus()[0]?.model ?? "unknown";
    }
  })();
  return { cpus: cpus().length, cpuModel, node: process.version, platform: `${process.platform} ${process.arch}`, loadavg: loadavg() };
}

function format(rows: readonly Row[]): string {
  const header = ["scenario", "runs", "median s", "min–max s", "CPU s", "peak RSS MB", "target", "time ratio", "RSS ratio"];
  const body = rows.map((r) => [
    r.title,
    String(r.runs),
    r.medianSeconds.toFixed(2),
    `${r.minSeconds.toFixed(2)}–${r.maxSeconds.toFixed(2)}`,
    r.medianCpuSeconds === undefined ? "?" : r.medianCpuSeconds.toFixed(2),
    r.medianRssMB === undefined ? "?" : r.medianRssMB.toFixed(0),
    r.targetLabel,
    r.timeRatio === undefined ? "" : `${r.timeRatio.toFixed(2)}${r.timeRatio > 1 ? " MISS" : ""}`,
    r.rssRatio === undefined ? "" : `${r.rssRatio.toFixed(2)}${r.rssRatio > 1 ? " MISS" : ""}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

async function main(): Promise<void> {
  const cli = join(root, "dist/cli/main.js");
  const sizes = (option("--sizes") ?? "10000,100000").split(",").map(Number);
  const runsText = option("--runs");
  const only = option("--only");
  const workDir = mkdtempSync(join(tmpdir(), "ruangkerja-bench-"));
  const { handle, child } = await startEmulator(cli);
  try {
    const context: BenchContext = { workDir, cli, sizes, emulator: handle, ...(runsText ? { runs: Number(runsText) } : {}) };
    const scenarios: Scenario[] = [];
    process.stderr.write(`Generating declarations in ${workDir}…\n`);
    for (const factory of await loadFactories()) scenarios.push(...(await factory(context)));
    const selected = scenarios.filter((s) => only === undefined || s.id.includes(only));
    const measured = new Map<string, Measured[]>();
    const usageFile = join(workDir, "usage.json");
    for (const scenario of selected) {
      const results: Measured[] = [];
      for (let run = 0; run < scenario.runs; run++) {
        await scenario.prepare?.();
        const { seconds, rssMB, cpuSeconds, output } = await runOnce(scenario.command, usageFile);
        const extra = (await scenario.check?.(output)) ?? {};
        results.push({ seconds, rssMB, cpuSeconds, extra });
        process.stderr.write(`  ${scenario.id} #${run + 1}: ${seconds.toFixed(2)} s, ${rssMB?.toFixed(0) ?? "?"} MB\n`);
      }
      measured.set(scenario.id, results);
    }
    const rows: Row[] = selected.map((s) => {
      const results = measured.get(s.id) ?? [];
      const seconds = results.map((r) => r.seconds);
      const rss = results.flatMap((r) => (r.rssMB === undefined ? [] : [r.rssMB]));
      const cpu = results.flatMap((r) => (r.cpuSeconds === undefined ? [] : [r.cpuSeconds]));
      const relative = s.target?.relativeTo;
      const base = relative ? measured.get(relative.id) : undefined;
      const targetSeconds = relative && base ? median(base.map((r) => r.seconds)) * relative.factor : s.target?.seconds;
      const medianSeconds = median(seconds);
      const medianRssMB = rss.length > 0 ? median(rss) : undefined;
      const extraKeys = [...new Set(results.flatMap((r) => Object.keys(r.extra)))];
      return {
        id: s.id,
        title: s.title,
        runs: results.length,
        medianSeconds,
        minSeconds: Math.min(...seconds),
        maxSeconds: Math.max(...seconds),
        medianRssMB,
        medianCpuSeconds: cpu.length > 0 ? median(cpu) : undefined,
        targetSeconds,
        targetRssMB: s.target?.rssMB,
        targetLabel: s.target
          ? `${s.target.label}${relative && targetSeconds !== undefined ? ` (${targetSeconds.toFixed(2)} s)` : ""}`
          : "(floor)",
        timeRatio: targetSeconds === undefined ? undefined : medianSeconds / targetSeconds,
        rssRatio: s.target?.rssMB === undefined || medianRssMB === undefined ? undefined : medianRssMB / s.target.rssMB,
        extra: Object.fromEntries(
          extraKeys.map((k) => [k, median(results.flatMap((r) => (r.extra[k] === undefined ? [] : [r.extra[k]])))]),
        ),
      };
    });
    const info = machine();
    const table = format(rows);
    const notes = rows.flatMap((r) =>
      Object.entries(r.extra).map(([k, v]) =>
        k === "emulatorCpuSeconds"
          ? `${r.title}: the emulator used ${v.toFixed(2)} s of CPU (median) in ${r.medianSeconds.toFixed(2)} s of wall time`
          : `${r.title}: ${k} = ${v}`,
      ),
    );
    process.stdout.write(
      `\nMachine: ${info.cpus} CPUs (${info.cpuModel}), Node ${info.node}, ${info.platform}; load average at the end ${info.loadavg.map((l) => l.toFixed(2)).join(" ")}\n\n${table}\n${notes.length > 0 ? `\n${notes.join("\n")}\n` : ""}`,
    );
    const resultsDir = join(root, "bench/results");
    mkdirSync(resultsDir, { recursive: true });
    const json = JSON.stringify({ date: new Date().toISOString(), machine: info, sizes, rows }, null, 2);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    writeFileSync(join(resultsDir, `bench-${stamp}.json`), json);
    writeFileSync(join(resultsDir, "latest.json"), json);
    writeFileSync(join(resultsDir, "latest.md"), `${table}\n`);
    process.stdout.write(`\nWrote bench/results/bench-${stamp}.json\n`);
  } finally {
    child.kill();
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
