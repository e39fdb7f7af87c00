/**
 * The apply rows, one alternating group per size: the bare client (bare-client.ts) against the
 * emulator and against the trivial sink (sink.ts), and `apply` of every user as creates against
 * each, in text mode (as CI runs it) and in --json mode. Each row is beside its floor: apply on
 * the emulator beside the bare client on the emulator, apply on the sink beside the bare client
 * on the sink, and the bare client on the emulator beside the same on the sink (the emulator's
 * own cost).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectExit, RSS_LIMIT_MB, short } from "./checks.js";
import { type GeneratedUser, writeDeclarations } from "./generate.js";
import { type BenchContext, DEFAULT_RUNS, type RunOutput, type Scenario, type ServerHandle } from "./scenario.js";

const CHUNK_SIZE = 100;
const PARALLELISM = 4;
const STATE = "apply-state.json";
const bareClient = fileURLToPath(new URL("bare-client.js", import.meta.url));

/** The create-bulk bodies apply sends for these users, in the same chunks. */
function bulkBodies(users: readonly GeneratedUser[]): unknown[][] {
  const sorted = [...users].sort((a, b) => (a.employeeID < b.employeeID ? -1 : 1));
  const bodies: unknown[][] = [];
  for (let i = 0; i < sorted.length; i += CHUNK_SIZE) {
    bodies.push(
      sorted.slice(i, i + CHUNK_SIZE).map((u) => ({
        employeeID: u.employeeID,
        name: u.name,
        isActive: u.isActive,
        ...(u.username !== undefined && { username: u.username }),
        ...(u.email !== undefined && { email: u.email }),
        ...(u.phone !== undefined && { phone: u.phone }),
        ...(u.tagSerials !== undefined && u.tagSerials.length > 0 && { tagSerials: [...new Set(u.tagSerials)].sort() }),
        ...(u.organizationSerial !== undefined && { organizationSerial: u.organizationSerial }),
      })),
    );
  }
  return bodies;
}

/** Users in the state apply wrote: read as JSON when it has a `users` list, else through `state list` (another format). */
function usersInState(cli: string, dir: string): number {
  try {
    const state = JSON.parse(readFileSync(join(dir, STATE), "utf8")) as { users?: unknown };
    if (Array.isArray(state.users)) return state.users.length;
  } catch {
    // Not one JSON document: ask the CLI.
  }
  const listed = execFileSync(process.execPath, [cli, "state", "list", "--state", STATE], { cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  return listed
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "").length;
}

interface ApplyRowsInput {
  readonly context: BenchContext;
  readonly size: number;
  readonly dir: string;
  readonly bodiesPath: string;
  readonly runs: number;
}

export function scenarios(context: BenchContext): Scenario[] {
  const out: Scenario[] = [];
  for (const size of context.sizes) {
    const dir = join(context.workDir, `apply-${short(size)}`);
    const users = writeDeclarations(join(dir, "users"), size, 1000);
    const bodiesPath = join(dir, "bodies.json");
    writeFileSync(bodiesPath, JSON.stringify(bulkBodies(users)));
    out.push(...applyRows({ context, size, dir, bodiesPath, runs: context.runs ?? DEFAULT_RUNS }));
  }
  return out;
}

function applyRows({ context, size, dir, bodiesPath, runs }: ApplyRowsInput): Scenario[] {
  const calls = Math.ceil(size / CHUNK_SIZE);
  const group = `apply-${short(size)}`;
  const prepare = (server: ServerHandle) => async () => {
    await server.reset();
    // The state and anything beside it a state store may keep (a journal, a lock).
    for (const name of readdirSync(dir)) if (name.startsWith(STATE)) await rm(join(dir, name), { force: true, recursive: true });
  };
  const expectCalls = async (server: ServerHandle) => {
    const seen = (await server.stats())["create-bulk"];
    if (seen !== calls) throw new Error(`the server saw ${seen} create-bulk calls, expected ${calls} (⌈${size} ÷ ${CHUNK_SIZE}⌉)`);
  };
  const bare = (server: ServerHandle, where: string, floor?: string): Scenario => ({
    id: `bare-${where}-${short(size)}`,
    title: `bare client ${short(size)} → ${where} (${calls} calls)`,
    runs,
    group,
    prepare: prepare(server),
    server,
    command: {
      args: [bareClient, bodiesPath, String(PARALLELISM)],
      cwd: dir,
      env: { RUANGKERJA_API_URL: server.url, RUANGKERJA_TOKEN: server.token },
    },
    ...(floor && { target: { relativeTo: { id: floor, factor: 2 } } }),
    check: async (run) => {
      expectExit(run, 0);
      await expectCalls(server);
      const { created } = JSON.parse(run.stdoutTail) as { created: number };
      if (created !== size) throw new Error(`the bare client created ${created} users, expected ${size}`);
    },
  });
  const apply = (server: ServerHandle, where: string, json: boolean, floor: string, factor: number): Scenario => ({
    id: `apply-${short(size)}-${where}-${json ? "json" : "text"}`,
    title: `apply ${short(size)} creates → ${where}${json ? ", --json" : ""}`,
    runs,
    group,
    prepare: prepare(server),
    server,
    command: {
      args: [
        context.cli,
        "apply",
        "--auto-approve",
        ...(json ? ["--json"] : ["--no-color"]),
        "--dir",
        "users",
        "--state",
        STATE,
        "--chunk-size",
        String(CHUNK_SIZE),
        "--parallelism",
        String(PARALLELISM),
      ],
      cwd: dir,
      env: { RUANGKERJA_API_URL: server.url, RUANGKERJA_TOKEN: server.token },
    },
    target: { relativeTo: { id: floor, factor }, rssMB: RSS_LIMIT_MB },
    check: async (run: RunOutput) => {
      expectExit(run, 0);
      await expectCalls(server);
      const [succeeded, reported] = json ? jsonSummary(run) : textSummary(run);
      if (succeeded !== size || reported !== calls) {
        throw new Error(`apply reported ${succeeded} created in ${reported} calls, expected ${size} in ${calls}`);
      }
      const inState = usersInState(context.cli, dir);
      if (inState !== size) throw new Error(`the state holds ${inState} users, expected ${size}`);
    },
  });
  const { emulator, sink } = context;
  return [
    bare(sink, "sink"),
    bare(emulator, "emulator", `bare-sink-${short(size)}`),
    apply(emulator, "emulator", false, `bare-emulator-${short(size)}`, 1.5),
    apply(emulator, "emulator", true, `bare-emulator-${short(size)}`, 1.5),
    apply(sink, "sink", false, `bare-sink-${short(size)}`, 2),
  ];
}

function jsonSummary(run: RunOutput): [number, number | undefined] {
  const result = JSON.parse(run.stdoutTail) as { succeeded: number; requests: Record<string, number> };
  return [result.succeeded, result.requests["create-bulk"]];
}

function textSummary(run: RunOutput): [number, number | undefined] {
  const summary = /Apply complete: (\d+) succeeded, 0 failed \(requests: (\d+) create-bulk/.exec(run.stdoutTail);
  if (!summary) throw new Error(`no "Apply complete" line in the output: ${run.stdoutTail.slice(-500)}`);
  return [Number(summary[1]), Number(summary[2])];
}
