/**
 * Running one measured process and the servers it talks to: a child `node --import rss-hook.js`
 * whose peak RSS and CPU time come back through a file, the emulator or the sink as a child of
 * the bench (so every process of a run is in one process tree), and a server's CPU time from
 * /proc before and after a run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Command, RunOutput, ServerHandle } from "./scenario.js";

const here = dirname(fileURLToPath(import.meta.url));
const TAIL = 64 * 1024;
/** No measured process may run longer than this: the bench's request loops are bounded in time too. */
const RUN_TIMEOUT_MS = 10 * 60_000;

export interface Measured {
  readonly seconds: number;
  readonly rssMB: number | undefined;
  /** User + system CPU of the measured process: less disturbed by other jobs on a shared machine than wall time. */
  readonly cpuSeconds: number | undefined;
  /** CPU the server used during the run (Linux only). */
  readonly serverCpuSeconds: number | undefined;
  readonly output: RunOutput;
}

/** A run and what its scenario's check returned. */
export interface Recorded extends Measured {
  readonly extra: Record<string, number>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function keepTail(previous: string, chunk: Buffer): string {
  const text = previous + chunk.toString("utf8");
  return text.length > TAIL ? text.slice(-TAIL) : text;
}

/** CPU seconds a process has used so far (Linux /proc), or undefined elsewhere. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function readUsage(usageFile: string): { rssMB: number; cpuSeconds: number } | undefined {
  try {
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRssKB: number; userMs: number; systemMs: number };
    return { rssMB: usage.maxRssKB / 1024, cpuSeconds: (usage.userMs + usage.systemMs) / 1000 };
  } catch {
    return undefined;
  }
}

/** Runs `command` once as `node --import rss-hook.js …` and measures it (and `server`, if given). */
export async function runOnce(command: Command, usageFile: string, server: ServerHandle | undefined): Promise<Measured> {
  rmSync(usageFile, { force: true });
  const hook = pathToFileURL(join(here, "rss-hook.js")).href;
  const serverBefore = server && processCpuSeconds(server.pid);
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", hook, ...command.args], {
    cwd: command.cwd,
    env: { ...process.env, ...command.env, RUANGKERJA_BENCH_USAGE: usageFile, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  let stdoutTail = "";
  let stderrTail = "";
  child.stdout.on("data", (chunk: Buffer) => (stdoutTail = keepTail(stdoutTail, chunk)));
  child.stderr.on("data", (chunk: Buffer) => (stderrTail = keepTail(stderrTail, chunk)));
  const exitCode = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  const serverAfter = server && processCpuSeconds(server.pid);
  const usage = readUsage(usageFile);
  return {
    seconds,
    rssMB: usage?.rssMB,
    cpuSeconds: usage?.cpuSeconds,
    serverCpuSeconds: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
    output: { exitCode, stdoutTail, stderrTail },
  };
}

export interface StartedServer {
  readonly handle: ServerHandle;
  stop(): void;
}

/** Starts a server whose first line of stdout is its base URL (`ruangkerja-users emulator`, sink.js). */
export async function startServer(name: string, args: readonly string[], token: string): Promise<StartedServer> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the ${name} printed no URL within 30 s`)), 30_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      done(line.trim());
    });
    child.once("exit", (code) => fail(new Error(`the ${name} exited with ${code}`)));
  });
  const admin = async (path: string, method: string) => {
    const response = await fetch(`${url}/_emulator/${path}`, { method, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${name} ${path}: HTTP ${response.status}`);
    return response.json() as Promise<{ requests?: Record<string, number> }>;
  };
  const handle: ServerHandle = {
    url,
    token,
    pid: child.pid ?? 0,
    reset: async () => void (await admin("reset", "POST")),
    stats: async () => (await admin("stats", "GET")).requests ?? {},
  };
  return { handle, stop: () => child.kill() };
}
