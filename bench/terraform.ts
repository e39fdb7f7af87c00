/**
 * `npm run bench:terraform`: the CDKTF path beside the CLI, on the emulator (127.0.0.1).
 * - apply of N users (1,000 and 5,000) through `terraform apply` of the synthesized stack, and
 *   through `ruangkerja-users apply`, each from nothing (emulator reset, no state);
 * - a no-change `terraform plan` at the largest size.
 * Prints medians and ratios against issue 19's targets (Terraform apply of 1,000 and of 5,000
 * within 5× of the CLI; no-change plan of 5,000 within 3 s) and writes them to bench/results/. Flags: --sizes 1000,5000
 * --runs 3 --engine provider|terraform_data (the construct's engine; default provider). Timings live here, never in test assertions. Needs terraform on PATH.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = join(root, "dist/cli/main.js");
const SYNTH = join(root, "dist/cdktf/main.js");
const TOKEN = "bench-terraform-token";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,5000" },
    runs: { type: "string", default: "3" },
    shards: { type: "string" },
    engine: { type: "string", default: "provider" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const runs = Number(values.runs);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs = 30 * 60_000): Promise<Result> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, seconds: (performance.now() - start) / 1000 });
    });
  });
}

async function must(what: string, result: Promise<Result>): Promise<Result> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-4000)}`);
  return r;
}

/** Starts `ruangkerja-users emulator` as its own process (as a user would), returning its URL. */
async function startEmulator(env: Record<string, string>): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [CLI, "emulator", "--port", "0", "--token", TOKEN], { env, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((done, fail) => {
    let text = "";
    const timer = setTimeout(() => fail(new Error("the emulator did not start within 30 s")), 30_000);
    child.stdout.on("data", (d) => {
      text += d;
      const line = text.split("\n")[0];
      if (text.includes("\n") && line) {
        clearTimeout(timer);
        done(line.trim());
      }
    });
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

function usersYaml(from: number, count: number): string {
  const lines = ["defaults:", "  organizationSerial: COMPFJLYTHWL", "  tagSerials: [RUKRTAG-9WHL0JGP]", "users:"];
  for (let i = from; i < from + count; i++) {
    const n = String(i).padStart(6, "0");
    lines.push(`  - employeeID: EMP${n}`, `    name: Karyawan ${n}`, `    email: karyawan.${n}@contoh.co.id`, `    phone: "62811${n}"`);
  }
  return `${lines.join("\n")}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Where a traced run's time went: the provider's starts (spawn to handshake), its calls, its exits (Close to exit), and the rest. */
interface Share {
  readonly starts: number;
  readonly startSeconds: number;
  readonly callSeconds: number;
  readonly exitSeconds: number;
}

/**
 * Reads a TF_LOG=trace log of one run: each provider process's "starting plugin" to its "serving"
 * line, each call's own duration ("answered", ms), and each "Close" to "plugin process exited".
 * What is left of the run's wall time is Terraform's own (its walks, graphs, rendering, state).
 */
function providerShare(log: string): Share {
  const at = (line: string) => Date.parse(line.slice(0, 24));
  let starts = 0;
  let startSeconds = 0;
  let callSeconds = 0;
  let exitSeconds = 0;
  let started: number | undefined;
  let closed: number | undefined;
  for (const line of log.split("\n")) {
    if (line.includes("provider: starting plugin:")) {
      started = at(line);
      starts++;
    } else if (line.includes('"@message":"serving"') && started !== undefined) {
      startSeconds += (at(line) - started) / 1000;
      started = undefined;
    } else if (line.includes('"@message":"answered"')) {
      callSeconds += Number(/"ms":(\d+)/.exec(line)?.[1] ?? 0) / 1000;
    } else if (line.includes("GRPCProvider.v6: Close")) {
      closed = at(line);
    } else if (line.includes("plugin process exited") && closed !== undefined) {
      exitSeconds += (at(line) - closed) / 1000;
      closed = undefined;
    }
  }
  return { starts, startSeconds, callSeconds, exitSeconds };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "ruangkerja-bench-tf-"));
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" };
  const tfrc = join(work, "terraform.rc");
  writeFileSync(tfrc, "");
  const emulator = await startEmulator(base);
  const env = {
    ...base,
    RUANGKERJA_API_URL: emulator.url,
    RUANGKERJA_TOKEN: TOKEN,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: tfrc,
  };
  const reset = async () => {
    const res = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`emulator reset: HTTP ${res.status}`);
  };
  const rows: { id: string; medianSeconds: number; seconds: number[]; targetSeconds?: number }[] = [];
  const traced: ({ id: string; seconds: number } & Share)[] = [];
  /** One more run of `args` with TF_LOG=trace, untimed by the table: where its time went. */
  const trace = async (id: string, args: string[], stack: string, tfEnv: Record<string, string>, codes: readonly number[]) => {
    const logPath = join(work, `${id}.log`);
    const result = await run("terraform", args, stack, { ...tfEnv, TF_LOG: "trace", TF_LOG_PATH: logPath });
    if (!codes.includes(result.code ?? -1)) throw new Error(`traced ${id} exited ${result.code}:\n${result.stderr.slice(-4000)}`);
    traced.push({ id, seconds: result.seconds, ...providerShare(readFileSync(logPath, "utf8")) });
  };
  try {
    for (const size of sizes) {
      const dir = join(work, `n${size}`);
      // Four files, as teams would split them.
      const per = Math.ceil(size / 4);
      for (let f = 0; f < 4; f++) {
        mkdirSync(join(dir, "users"), { recursive: true });
        writeFileSync(join(dir, "users", `team${f}.yaml`), usersYaml(f * per, Math.min(per, size - f * per)));
      }
      await must(
        "synth",
        run(
          process.execPath,
          [SYNTH, "--dir", "users", "--out", "cdktf.out", "--engine", values.engine, ...(values.shards ? ["--shards", values.shards] : [])],
          dir,
          env,
        ),
      );
      // As an install would: the synthesized provisioners find the package from Terraform's working directory.
      mkdirSync(join(dir, "node_modules"), { recursive: true });
      symlinkSync(root, join(dir, "node_modules/ruangkerja-users"));
      const stack = join(dir, "cdktf.out/stacks/users");
      const tfEnv = { ...env, TF_DATA_DIR: join(dir, "tf-data") };
      await must("terraform init", run("terraform", ["init", "-input=false", "-no-color"], stack, tfEnv));

      const cli: number[] = [];
      const tf: number[] = [];
      for (let r = 0; r < runs; r++) {
        await reset();
        rmSync(join(dir, "state.json"), { force: true });
        cli.push(
          (
            await must(
              "CLI apply",
              run(process.execPath, [CLI, "apply", "--auto-approve", "--dir", "users", "--state", "state.json"], dir, env),
            )
          ).seconds,
        );
        await reset();
        rmSync(join(dir, "terraform.users.tfstate"), { force: true });
        rmSync(join(stack, ".ruangkerja-tf"), { recursive: true, force: true });
        tf.push(
          (await must("terraform apply", run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], stack, tfEnv))).seconds,
        );
        process.stderr.write(`n=${size} run ${r + 1}/${runs}: CLI ${cli.at(-1)?.toFixed(2)} s, Terraform ${tf.at(-1)?.toFixed(2)} s\n`);
      }
      rows.push({ id: `cli-apply-${size}`, medianSeconds: median(cli), seconds: cli });
      rows.push({
        id: `terraform-apply-${size}`,
        medianSeconds: median(tf),
        seconds: tf,
        ...(size === 1000 || size === 5000 ? { targetSeconds: 5 * median(cli) } : {}),
      });
      if (values.engine === "provider") {
        await reset();
        rmSync(join(dir, "terraform.users.tfstate"), { force: true });
        rmSync(join(stack, ".ruangkerja-tf"), { recursive: true, force: true });
        await trace(`terraform-apply-${size}`, ["apply", "-auto-approve", "-input=false", "-no-color"], stack, tfEnv, [0]);
      }
      if (size === Math.max(...sizes)) {
        const plans: number[] = [];
        for (let r = 0; r < runs; r++) {
          const plan = await run("terraform", ["plan", "-detailed-exitcode", "-input=false", "-no-color"], stack, tfEnv);
          if (plan.code !== 0) throw new Error(`no-change plan exited ${plan.code} (expected 0):\n${plan.stderr.slice(-4000)}`);
          plans.push(plan.seconds);
        }
        rows.push({
          id: `terraform-plan-nochange-${size}`,
          medianSeconds: median(plans),
          seconds: plans,
          ...(size === 5000 ? { targetSeconds: 3 } : {}),
        });
        if (values.engine === "provider") {
          await trace(`terraform-plan-nochange-${size}`, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], stack, tfEnv, [0]);
        }
      }
    }
  } finally {
    emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(30) : c.padStart(12))).join(" ");
  const out = [`construct engine: ${values.engine} (--engine provider|terraform_data)`, line(["scenario", "median s", "target s", "runs"])];
  for (const row of rows) {
    out.push(
      line([
        row.id,
        row.medianSeconds.toFixed(2),
        row.targetSeconds ? row.targetSeconds.toFixed(2) : "-",
        row.seconds.map((s) => s.toFixed(2)).join("/"),
      ]),
    );
  }
  const ratios: Record<string, number> = {};
  for (const size of sizes) {
    const cliRow = rows.find((r) => r.id === `cli-apply-${size}`);
    const tfRow = rows.find((r) => r.id === `terraform-apply-${size}`);
    if (cliRow && tfRow) ratios[`terraform/cli apply ${size}`] = tfRow.medianSeconds / cliRow.medianSeconds;
  }
  for (const [name, ratio] of Object.entries(ratios))
    out.push(`${name}: ${ratio.toFixed(1)}×${name.endsWith(" 1000") || name.endsWith(" 5000") ? " (target ≤ 5×)" : ""}`);
  if (traced.length > 0) {
    out.push("", "where the time went (one more run of each with TF_LOG=trace; the log itself costs a little):");
    out.push(line(["traced run", "wall s", "starts", "start s", "calls s", "exits s", "Terraform s"]));
    for (const t of traced) {
      const own = t.seconds - t.startSeconds - t.callSeconds - t.exitSeconds;
      out.push(
        line([
          t.id,
          t.seconds.toFixed(2),
          String(t.starts),
          t.startSeconds.toFixed(2),
          t.callSeconds.toFixed(2),
          t.exitSeconds.toFixed(2),
          own.toFixed(2),
        ]),
      );
    }
    for (const t of traced) {
      const target = rows.find((r) => r.id === t.id)?.targetSeconds;
      const own = t.seconds - t.startSeconds - t.callSeconds - t.exitSeconds;
      if (target !== undefined)
        out.push(
          `${t.id}: Terraform's own ${own.toFixed(2)} s of a target of ${target.toFixed(2)} s (${Math.round((100 * own) / target)}%)`,
        );
    }
    out.push(
      "starts: spawn to handshake of each provider process; calls: the provider's own time in its calls; exits: Close to exit; Terraform: the rest (its walks, graphs, plan rendering, state).",
    );
  }
  out.push(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
  const results = join(root, "bench/results");
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, `terraform-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
    `${JSON.stringify({ rows, ratios, traced, loadavg: loadavg() }, null, 2)}\n`,
  );
}

await main();
