/**
 * What `validate` and `plan` load: at company scale start-up is a fixed cost of every run, so a
 * plain plan must not load the API client (ky), the emulator, other commands, pg, AJV's compiler (the
 * build generates the validator) or `yaml` (files of the common shape take the fast path). The
 * CLI runs as a user runs it, with a preloaded recorder of every module loaded.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateToJson } from "../../src/state/state-document.js";
import { applied } from "../builders.js";
import { CLI, makeWorkdir, ROOT, usersYaml, writeText } from "./helpers.js";

const RECORDER = pathToFileURL(join(ROOT, "test/e2e/module-recorder.mjs")).href;

/** Runs the CLI with the recorder; returns its exit code, output and the file URLs of the modules it loaded. */
async function runRecorded(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
  const record = join(cwd, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", RECORDER, CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", MODULE_RECORD: record },
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
      resolvePromise({ code, stdout, stderr });
    });
  });
  const loaded = (await readFile(record, "utf8")).split("\n").filter((line) => line !== "");
  return { ...result, loaded };
}

/** Modules a plain `validate` or `plan` must never load. */
const NOT_FOR_PLAN: readonly (readonly [string, RegExp])[] = [
  ["ky (the API client's HTTP library)", /\/node_modules\/ky\//],
  ["the API client", /\/dist\/api\/client\.js$/],
  ["the emulator", /\/dist\/emulator\//],
  ["another command", /\/dist\/cli\/commands\/(?!validate\.js$|plan\.js$)/],
  ["AJV's compiler (only its small runtime helpers may load)", /\/node_modules\/ajv\/dist\/(?!runtime\/)/],
  ["ajv-formats", /\/node_modules\/ajv-formats\//],
  ["yaml", /\/node_modules\/yaml\//],
  ["pg (only a postgres:// state needs it)", /\/node_modules\/pg\//],
  ["the CDKTF construct", /\/node_modules\/(cdktf|constructs)\/|\/dist\/cdktf\//],
];

function unwanted(loaded: readonly string[], allowed: readonly string[] = []): string[] {
  return NOT_FOR_PLAN.filter(([name]) => !allowed.includes(name)).flatMap(([name, pattern]) =>
    loaded.filter((url) => pattern.test(url)).map((url) => `${name}: ${url}`),
  );
}

const loadedAny = (loaded: readonly string[], pattern: RegExp) => loaded.some((url) => pattern.test(url));

describe("start-up: what validate and plan load", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const users = [
    { employeeID: "EMP1", name: "Ana Putri", email: "ana@example.co.id", tagSerials: ["RUKRTAG-1"] },
    { employeeID: "EMP2", name: "Budi Santoso", phone: "+62812345678" },
  ];

  beforeAll(async () => {
    ({ dir, cleanup } = await makeWorkdir());
    await writeText(join(dir, "users/team.yaml"), usersYaml(users, { organizationSerial: "COMP1" }));
    const state = new Map([
      ["EMP1", applied("EMP1", { name: "Ana Putri", email: "ana@example.co.id", tagSerials: ["RUKRTAG-1"], organizationSerial: "COMP1" })],
      ["EMP2", applied("EMP2", { name: "Budi Santoso", email: undefined, phone: "+62812345678", organizationSerial: "COMP1" })],
    ]);
    const document = { formatVersion: 1, lineage: "00000000-0000-4000-8000-000000000000", serial: 3, users: state };
    await writeText(join(dir, ".ruangkerja/state.json"), `${JSON.stringify(stateToJson(document), null, 2)}\n`);
    // A file the fast path leaves to yaml (an anchor and its alias), and one with a schema error.
    await writeText(
      join(dir, "unusual/team.yaml"),
      "users:\n  - employeeID: EMP3\n    name: Citra\n    email: citra@example.co.id\n    tagSerials: &tags [RUKRTAG-1]\n  - employeeID: EMP4\n    name: Dewi\n    email: dewi@example.co.id\n    tagSerials: *tags\n",
    );
    await writeText(join(dir, "wrong/team.yaml"), "users:\n  - employeeID: EMP-5\n    name: Eko\n    email: eko@example.co.id\n");
  });
  afterAll(async () => cleanup());

  it("validate of common files loads its command and the prebuilt validator, and nothing it does not need", async () => {
    const run = await runRecorded(["validate"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Valid: 2 users in 1 files");
    expect(loadedAny(run.loaded, /\/dist\/cli\/commands\/validate\.js$/)).toBe(true);
    // The fast path's verdict-only validator; the one with messages only for a file with a problem.
    expect(loadedAny(run.loaded, /\/dist\/declarations\/users-verdict-validator\.cjs$/)).toBe(true);
    expect(loadedAny(run.loaded, /\/dist\/declarations\/users-validator\.cjs$/)).toBe(false);
    expect(unwanted(run.loaded)).toEqual([]);
  });

  it("plan against a matching state loads neither the API client, nor the emulator, nor yaml, nor AJV's compiler", async () => {
    const run = await runRecorded(["plan"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No changes");
    expect(loadedAny(run.loaded, /\/dist\/cli\/commands\/plan\.js$/)).toBe(true);
    expect(loadedAny(run.loaded, /\/dist\/state\/state-file\.js$/)).toBe(true);
    expect(unwanted(run.loaded)).toEqual([]);
  });

  it("loads yaml for a file the fast path leaves to it, with the same result", async () => {
    const run = await runRecorded(["validate", "--dir", "unusual"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Valid: 2 users in 1 files");
    expect(loadedAny(run.loaded, /\/node_modules\/yaml\//)).toBe(true);
    expect(unwanted(run.loaded, ["yaml"])).toEqual([]);
  });

  it("loads yaml to place a schema error, still without AJV's compiler", async () => {
    const run = await runRecorded(["validate", "--dir", "wrong"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("wrong/team.yaml:2:");
    expect(run.stderr).toContain("employeeID");
    expect(loadedAny(run.loaded, /\/dist\/declarations\/users-validator\.cjs$/)).toBe(true);
    expect(loadedAny(run.loaded, /\/node_modules\/yaml\//)).toBe(true);
    expect(unwanted(run.loaded, ["yaml"])).toEqual([]);
  });
});
