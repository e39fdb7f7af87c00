/**
 * End-to-end helpers: run the built CLI as a user does (a child process of `node <bin>`), against
 * an emulator on 127.0.0.1, in a temporary working directory. Every child is bounded in time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
export const CLI = join(ROOT, pkg.bin["ruangkerja-users"] as string);

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <bin> ...args` with a clean environment (no inherited RUANGKERJA_*), killed after `timeoutMs`. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; input?: string; onChild?: (child: ChildProcess) => void },
): Promise<CliResult> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" };
  return runProcess(process.execPath, [CLI, ...args], {
    ...options,
    env: { ...base, ...options.env },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/** Runs any program with exactly `env`, collecting its output; killed after `timeoutMs` (default 180 s). */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number; input?: string; onChild?: (child: ChildProcess) => void },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    options.onChild?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.on("error", () => undefined); // the child may exit before reading its input
    child.stdin.end(options.input ?? "");
  });
}

export async function makeWorkdir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "ruangkerja-e2e-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

export interface UserSpec {
  employeeID: string;
  name: string;
  email?: string;
  phone?: string;
  username?: string;
  isActive?: boolean;
  tagSerials?: string[];
  organizationSerial?: string;
  previousEmployeeIDs?: string[];
}

/** YAML for a declarations file; strings are quoted so nothing is mistaken for a number. */
export function usersYaml(users: UserSpec[], defaults?: Partial<UserSpec>): string {
  const lines: string[] = [];
  const emit = (indent: string, first: string, spec: Partial<UserSpec>) => {
    let prefix = first;
    for (const [key, value] of Object.entries(spec)) {
      if (value === undefined) continue;
      const rendered = Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(", ")}]` : JSON.stringify(value);
      lines.push(`${indent}${prefix}${key}: ${rendered}`);
      prefix = prefix.replace("- ", "  ");
    }
  };
  if (defaults) {
    lines.push("defaults:");
    emit("  ", "", defaults);
  }
  lines.push("users:");
  for (const user of users) emit("  ", "- ", user);
  return `${lines.join("\n")}\n`;
}

export function makeUsers(prefix: string, count: number, start = 0): UserSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(start + i).padStart(4, "0");
    return {
      employeeID: `${prefix}${n}`,
      name: `Karyawan ${prefix} ${n}`,
      email: `${prefix.toLowerCase()}${n}@contoh.co.id`,
      username: `${prefix.toLowerCase()}${n}`,
      phone: `62811${n}`,
      tagSerials: ["RUKRTAG-9WHL0JGP"],
      organizationSerial: "COMPFJLYTHWL",
    };
  });
}

/** GET a JSON document from the emulator with the token. */
export async function apiGet(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: { Authorization: token, Accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

export async function apiSend(method: string, url: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: token, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() };
}

/** Switches the emulator's faults the way an operator or a CI script would: PUT /_emulator/faults. */
export async function setEmulatorFaults(url: string, settings: object): Promise<void> {
  const reply = await fetch(`${url}/_emulator/faults`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(settings),
    signal: AbortSignal.timeout(10_000),
  });
  if (reply.status !== 200) throw new Error(`PUT /_emulator/faults answered ${reply.status}: ${await reply.text()}`);
}

/** Runs the built CLI under script(1), which gives it a pseudo-terminal; stdout and stderr arrive mixed. Killed after 30 s. */
export function runOnTerminal(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; text: string }> {
  const cmd = `exec ${[process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(" ")}`;
  return new Promise((resolve) => {
    const child = spawn("script", ["-qec", cmd, "/dev/null"], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...options.env },
    });
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, text });
    });
    child.stdin.end();
  });
}
