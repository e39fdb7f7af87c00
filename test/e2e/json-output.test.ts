/**
 * Every `--json` output of the built CLI, against the emulator on 127.0.0.1: stdout is exactly one
 * JSON object with its formatVersion and exactly the fields docs/json-output.md lists for it (the
 * doc's tables are parsed, so the doc cannot drift); a failed run prints the failure object with
 * located diagnostics and exits as it does without --json; no token or secret in any output.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { type CliResult, makeUsers, makeWorkdir, ROOT, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-json-output-5c2a9f";
const SECRET = "e2e-json-client-secret-81d3";
const team = makeUsers("JSO", 3);

interface DocSection {
  readonly formatVersion: number | undefined;
  readonly printsFormatVersion: boolean;
  readonly fields: ReadonlySet<string>;
  readonly always: ReadonlySet<string>;
}

/** `## title` → the fields of its table (first column, backticked) and which are there always. */
function parseDoc(text: string): Map<string, DocSection> {
  const sections = new Map<string, DocSection>();
  for (const part of text.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf("\n")).trim();
    const version = /^formatVersion: `(\d+)`(.*)$/m.exec(part);
    const fields = new Set<string>();
    const always = new Set<string>();
    for (const row of part.matchAll(/^\| `([^`]+)` \| [^|]*(?:\\\|[^|]*)* \| ([^|]+) \|/gm)) {
      const [, field, present] = row as unknown as [string, string, string];
      fields.add(field);
      if (present.trim() === "always") always.add(field);
    }
    sections.set(title, {
      formatVersion: version ? Number(version[1]) : undefined,
      printsFormatVersion: version !== null && !version[2]?.includes("not yet printed"),
      fields,
      always,
    });
  }
  return sections;
}

let doc: Map<string, DocSection>;
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
let closedPort: number;
const outputs: CliResult[] = [];

async function cli(args: string[], extraEnv: Record<string, string> = env): Promise<CliResult> {
  const result = await runCli(args, { cwd: work.dir, env: extraEnv });
  outputs.push(result);
  return result;
}

/** stdout is one JSON object on one line. */
function onlyObject(result: CliResult): Record<string, unknown> {
  const text = result.stdout.trimEnd();
  expect(text.split("\n"), `${result.stdout}\n${result.stderr}`).toHaveLength(1);
  const value = JSON.parse(text) as unknown;
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

/** The object has the doc section's formatVersion, every field it marks always, and no field it does not list. */
function expectDocumented(title: string, json: Record<string, unknown>): void {
  const section = doc.get(title);
  expect(section, `docs/json-output.md has a section "## ${title}"`).toBeDefined();
  if (!section) return;
  expect(section.fields.size).toBeGreaterThan(0);
  if (section.printsFormatVersion) expect(json.formatVersion).toBe(section.formatVersion);
  const keys = Object.keys(json);
  expect(
    keys.filter((k) => !section.fields.has(k)),
    `${title}: fields not in the doc`,
  ).toEqual([]);
  expect(
    [...section.always].filter((k) => !keys.includes(k)),
    `${title}: documented fields missing`,
  ).toEqual([]);
}

/** A failed run: the failure object, with the exit code the same run has without --json. */
async function expectFailure(args: string[], runEnv: Record<string, string> = env): Promise<Record<string, unknown>> {
  const plain = await cli(
    args.filter((a) => a !== "--json"),
    runEnv,
  );
  const result = await cli(args, runEnv);
  expect(plain.code).not.toBe(0);
  expect(result.code).toBe(plain.code);
  const json = onlyObject(result);
  expectDocumented("A failed run", json);
  const error = json.error as { message: string; kind: string };
  expect(typeof error.message).toBe("string");
  expect(error.kind).toMatch(/^[A-Z][A-Za-z]+$/);
  expect(result.stderr).toContain(`Error: ${error.message.split("\n")[0]}`);
  return json;
}

beforeAll(async () => {
  doc = parseDoc(await readFile(join(ROOT, "docs/json-output.md"), "utf8"));
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(team));
  await writeText(join(work.dir, "bad/team.yaml"), 'users:\n  - employeeID: "JSB1"\n    name: "Bad"\n    phone: 0812\n');
  // A port that was just listened on and is closed again: nothing answers there.
  const gone = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  closedPort = Number(new URL(gone.url).port);
  await gone.close();
});
afterAll(async () => {
  await emulator?.close();
  await work?.cleanup();
});

describe("every --json output is one documented object", () => {
  it("validate, plan, show", async () => {
    expectDocumented("validate --json", onlyObject(await cli(["validate", "--json"])));
    const plan = await cli(["plan", "--json", "--out", "saved.plan.json"]);
    expect(plan.code).toBe(0);
    const planJson = onlyObject(plan);
    expectDocumented("plan --json", planJson);
    expect((planJson.summary as { create: number }).create).toBe(3);
    expectDocumented("plan --json", onlyObject(await cli(["plan", "--format", "json"])));
    const show = await cli(["show", "saved.plan.json", "--json"]);
    expect(show.code, show.stderr).toBe(0);
    expectDocumented("show PLANFILE --json", onlyObject(show));
  });

  it("apply, then plan --refresh, the refresh-only pair, state list and show, export", async () => {
    const apply = await cli(["apply", "--auto-approve", "--json"]);
    expect(apply.code, apply.stderr).toBe(0);
    const applied = onlyObject(apply);
    expectDocumented("apply --json", applied);
    expect(applied.succeeded).toBe(3);
    const refreshed = onlyObject(await cli(["plan", "--refresh", "--json"]));
    expectDocumented("plan --json", refreshed);
    expect(refreshed).toHaveProperty("drift");
    expectDocumented("plan --refresh-only --json", onlyObject(await cli(["plan", "--refresh-only", "--json"])));
    const accept = await cli(["apply", "--refresh-only", "--auto-approve", "--json"]);
    expect(accept.code, accept.stderr).toBe(0);
    expectDocumented("apply --refresh-only --json", onlyObject(accept));
    expectDocumented("state list --json", onlyObject(await cli(["state", "list", "--json"])));
    const record = onlyObject(await cli(["state", "show", "JSO0001", "--json"]));
    expectDocumented("state show EMPLOYEEID --json", record);
    expect(record.employeeID).toBe("JSO0001");
    const exported = await cli(["export", "--out", "exported", "--state", "exported/state.json", "--json"]);
    expect(exported.code, exported.stderr).toBe(0);
    const exportJson = onlyObject(exported);
    expectDocumented("export --json", exportJson);
    expect(exportJson.exported).toBe(3);
    for (const file of exportJson.files as string[]) await expect(readFile(join(work.dir, file), "utf8")).resolves.toContain("JSO000");
  });
});

describe("a failed --json run prints the failure object, exit code unchanged", () => {
  it("bad declarations: validate's object carries the error, plan and apply the failure object, each located", async () => {
    const validate = await cli(["validate", "--dir", "bad", "--json"]);
    expect(validate.code).toBe((await cli(["validate", "--dir", "bad"])).code);
    const json = onlyObject(validate);
    expectDocumented("validate --json", json);
    expect(json.valid).toBe(false);
    expect((json.error as { kind: string }).kind).toBe("InvalidInputError");
    for (const args of [
      ["plan", "--dir", "bad", "--json"],
      ["plan", "--dir", "bad", "--format", "json"],
      ["apply", "--dir", "bad", "--auto-approve", "--json"],
    ]) {
      const failure = await expectFailure(args);
      expect((failure.error as { kind: string }).kind).toBe("InvalidInputError");
      expect(failure.diagnostics).toContainEqual({
        severity: "error",
        summary: expect.stringContaining("phone 0812"),
        detail: expect.any(String),
        field: "users[0].phone",
        location: { file: "bad/team.yaml", line: 4, column: 12 },
      });
    }
  });

  it("a missing state, an unknown user, a plan file from another folder", async () => {
    const missing = await expectFailure(["state", "show", "JSO0001", "--state", "nowhere/state.json", "--json"]);
    expect((missing.error as { message: string }).message).toContain("there is no state at nowhere/state.json");
    expect(missing.diagnostics).toEqual([]);
    await expectFailure(["state", "show", "NOPE1", "--json"]);
    await expectFailure(["show", "saved.plan.json", "--dir", "bad", "--json"]);
  });

  it("an API nothing listens on (127.0.0.1, a closed port): apply, the refresh-only pair, export", async () => {
    const unreachable = {
      RUANGKERJA_API_URL: `http://127.0.0.1:${closedPort}`,
      RUANGKERJA_CLIENT_ID: "e2e-client",
      RUANGKERJA_CLIENT_SECRET: SECRET,
    };
    const apply = await expectFailure(["apply", "--auto-approve", "--max-attempts", "1", "--json"], unreachable);
    expect((apply.error as { message: string }).message).toMatch(/could not reach the API/);
    await expectFailure(["apply", "--refresh-only", "--auto-approve", "--max-attempts", "1", "--json"], unreachable);
    await expectFailure(["plan", "--refresh-only", "--json", "--allow-other-api"], unreachable);
    await expectFailure(["export", "--out", "elsewhere", "--state", "elsewhere/state.json", "--json"], unreachable);
  });

  it("no output of this file holds the token or the client secret", () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const { stdout, stderr } of outputs) {
      expect(stdout + stderr).not.toContain(TOKEN);
      expect(stdout + stderr).not.toContain(SECRET);
    }
  });
});

describe("the doc's tables", () => {
  it("name a section for every --json output and the failure object", () => {
    for (const title of [
      "validate --json",
      "plan --json",
      "plan --refresh-only --json",
      "show PLANFILE --json",
      "apply --json",
      "apply --refresh-only --json",
      "export --json",
      "state list --json",
      "state show EMPLOYEEID --json",
      "A failed run",
    ]) {
      expect(doc.get(title)?.fields.size, title).toBeGreaterThan(0);
      expect(doc.get(title)?.formatVersion, title).toBe(1);
    }
  });
});
