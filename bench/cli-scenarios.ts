/**
 * The CLI's rows: validate, plan (empty, no-change and 1%-changed state) and apply against the
 * emulator, beside a bare client sending the same bodies. Declarations are generated per size in
 * two layouts: big files (one file for 10k; 10 MiB is the per-file limit, so files of 10,000
 * for 100k) and files of 1,000.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GeneratedUser, writeDeclarations, writeState } from "./generate.js";
import type { BenchContext, RunOutput, Scenario, Target } from "./scenario.js";

const CHUNK_SIZE = 100;
const PARALLELISM = 4;
const RSS_LIMIT_MB = 512;

const short = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

function planTarget(size: number): Target {
  // The targets: 100,000 users in 2.5 s, 10,000 in 0.5 s; in between, linear.
  const seconds = size <= 10_000 ? 0.5 : size >= 100_000 ? 2.5 : 0.5 + ((size - 10_000) / 90_000) * 2;
  return { seconds, rssMB: RSS_LIMIT_MB, label: `≤ ${seconds} s, ≤ ${RSS_LIMIT_MB} MB` };
}

function expectExit(run: RunOutput, code: number): void {
  if (run.exitCode !== code) throw new Error(`exit code ${run.exitCode}, expected ${code}: ${run.stderrTail.slice(-2000)}`);
}

function expectOutput(run: RunOutput, text: string): void {
  if (!run.stdoutTail.includes(text)) throw new Error(`expected "${text}" in the output, got: ${run.stdoutTail.slice(-500)}`);
}

/** CPU seconds a process has used so far (Linux /proc), or undefined elsewhere. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

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

export function scenarios(context: BenchContext): Scenario[] {
  const { cli, workDir, emulator } = context;
  const out: Scenario[] = [];
  for (const size of context.sizes) {
    const runs = context.runs ?? (size >= 100_000 ? 3 : 5);
    const target = planTarget(size);
    const layouts = [
      {
        key: size <= 10_000 ? "onefile" : "files10000",
        label: size <= 10_000 ? "one file" : "files of 10,000",
        perFile: size <= 10_000 ? size : 10_000,
      },
      { key: "files1000", label: "files of 1,000", perFile: 1000 },
    ];
    let applyDir: string | undefined;
    let applyUsers: GeneratedUser[] = [];
    for (const layout of layouts) {
      const dir = join(workDir, `${short(size)}-${layout.key}`);
      const users = writeDeclarations(join(dir, "users"), size, layout.perFile);
      writeState(join(dir, "state.json"), users);
      writeState(join(dir, "state-1pct.json"), users, 100);
      if (layout.key === "files1000") {
        applyDir = dir;
        applyUsers = users;
      }
      const name = `${short(size)}, ${layout.label}`;
      const id = `${short(size)}-${layout.key}`;
      const command = (...args: string[]) => ({ args: [cli, ...args, "--dir", "users", "--no-color"], cwd: dir });
      out.push(
        {
          id: `validate-${id}`,
          title: `validate ${name}`,
          runs,
          command: command("validate"),
          target,
          check: (run) => {
            expectExit(run, 0);
            expectOutput(run, `Valid: ${size} users`);
          },
        },
        {
          id: `plan-${id}-empty`,
          title: `plan ${name}, empty state`,
          runs,
          command: command("plan", "--state", "none.json"),
          target,
          check: (run) => {
            expectExit(run, 0);
            expectOutput(run, `Plan: ${size} to create, 0 to update`);
          },
        },
        {
          id: `plan-${id}-nochange`,
          title: `plan ${name}, no-change state`,
          runs,
          command: command("plan", "--state", "state.json"),
          target,
          check: (run) => {
            expectExit(run, 0);
            expectOutput(run, `(${size} unchanged)`);
            if (run.stdoutTail.trim().split("\n").length !== 1) throw new Error("a no-change plan must print one line");
          },
        },
        {
          id: `plan-${id}-1pct`,
          title: `plan ${name}, 1% changed`,
          runs,
          command: command("plan", "--state", "state-1pct.json"),
          target,
          check: (run) => {
            expectExit(run, 0);
            expectOutput(run, `Plan: 0 to create, ${size / 100} to update`);
          },
        },
      );
    }
    if (!applyDir) continue;
    const dir = applyDir;
    const bodiesPath = join(dir, "bodies.json");
    writeFileSync(bodiesPath, JSON.stringify(bulkBodies(applyUsers)));
    const calls = Math.ceil(size / CHUNK_SIZE);
    const env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: emulator.token };
    let cpuBefore: number | undefined;
    const prepare = async () => {
      await emulator.reset();
      await rm(join(dir, "apply-state.json"), { force: true });
      cpuBefore = cpuSeconds(emulator.pid);
    };
    const emulatorCheck = async (run: RunOutput): Promise<Record<string, number>> => {
      expectExit(run, 0);
      const created = (await emulator.stats())["create-bulk"];
      if (created !== calls) throw new Error(`the emulator saw ${created} create-bulk calls, expected ${calls}`);
      const after = cpuSeconds(emulator.pid);
      return cpuBefore === undefined || after === undefined ? {} : { emulatorCpuSeconds: after - cpuBefore };
    };
    const bareId = `bare-client-${short(size)}`;
    out.push(
      {
        id: bareId,
        title: `bare client: ${calls} create-bulk calls (${short(size)} users)`,
        runs,
        prepare,
        command: { args: [fileURLToPath(new URL("bare-client.js", import.meta.url)), bodiesPath, String(PARALLELISM)], cwd: dir, env },
        check: async (run) => {
          const extra = await emulatorCheck(run);
          const { created } = JSON.parse(run.stdoutTail) as { created: number };
          if (created !== size) throw new Error(`the bare client created ${created} users, expected ${size}`);
          return extra;
        },
      },
      {
        id: `apply-${short(size)}-creates`,
        title: `apply ${short(size)} creates, files of 1,000`,
        runs,
        prepare,
        command: {
          args: [
            cli,
            "apply",
            "--auto-approve",
            "--json",
            "--dir",
            "users",
            "--state",
            "apply-state.json",
            "--chunk-size",
            String(CHUNK_SIZE),
            "--parallelism",
            String(PARALLELISM),
          ],
          cwd: dir,
          env,
        },
        target: { relativeTo: { id: bareId, factor: 2 }, rssMB: RSS_LIMIT_MB, label: `≤ 2× bare, ≤ ${RSS_LIMIT_MB} MB` },
        check: async (run) => {
          const extra = await emulatorCheck(run);
          const result = JSON.parse(run.stdoutTail) as { succeeded: number; requests: Record<string, number> };
          if (result.succeeded !== size || result.requests["create-bulk"] !== calls) {
            throw new Error(
              `apply reported ${result.succeeded} created in ${result.requests["create-bulk"]} calls, expected ${size} in ${calls}`,
            );
          }
          if (!existsSync(join(dir, "apply-state.json"))) throw new Error("apply wrote no state");
          const state = JSON.parse(readFileSync(join(dir, "apply-state.json"), "utf8")) as { users: unknown[] };
          if (state.users.length !== size) throw new Error(`the state holds ${state.users.length} users, expected ${size}`);
          return extra;
        },
      },
    );
  }
  return out;
}
