/**
 * Files that earlier versions wrote must still be read after any change of format: the fixtures
 * here are never edited. When the writer moves to a new format version, the last test fails until
 * a file of the new format, written by the CLI of that day, is added beside the old ones.
 *
 * How they were made (with the built CLI and its emulator on 127.0.0.1):
 * - test/fixtures/state/v1-*.json: by the format 1 writer (see file-journal.test.ts);
 * - test/fixtures/state/v2-state.json: `apply --auto-approve --state state.json` of four users,
 *   then again with one of them removed (serial 2, one inactive user);
 * - test/fixtures/plan/v1-saved-plan.json: `plan --state state.json --out plan.json` of
 *   test/fixtures/plan/users/ against that state (a create, an update, a rename, a deactivate).
 */
import { readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSavedPlan } from "../../src/plan/saved-plan-reader.js";
import { SAVED_PLAN_FORMAT_VERSION } from "../../src/plan/saved-plan.js";
import { parseStateJson, STATE_FORMAT_VERSION } from "../../src/state/state-document.js";
import { FileStateStore } from "../../src/state/state-file.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const STATE_FIXTURES = join(FIXTURES, "state");
const PLAN_FIXTURES = join(FIXTURES, "plan");

const formatOf = (file: string): number => (JSON.parse(readFileSync(file, "utf8")) as { formatVersion: number }).formatVersion;
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => join(dir, name));

describe("state files of every format are still read", () => {
  it.each(jsonFiles(STATE_FIXTURES).map((file) => [file.slice(STATE_FIXTURES.length + 1), file]))("%s, parsed", (_, file) => {
    const { state, diagnostics } = parseStateJson(file, readFileSync(file, "utf8"));
    expect(diagnostics).toEqual([]);
    expect(state?.users.size).toBeGreaterThan(0);
  });

  it("format 2, as today's writer wrote it, through the file store (the line-at-a-time reader)", async () => {
    const file = join(STATE_FIXTURES, "v2-state.json");
    expect(formatOf(file)).toBe(2);
    const dir = await mkdtemp(join(tmpdir(), "rk-formats-"));
    try {
      await copyFile(file, join(dir, "state.json"));
      const state = await new FileStateStore(join(dir, "state.json")).read();
      expect(state).toMatchObject({ lineage: "4513dbe3-6933-424c-b538-dc056a17a851", serial: 2, apiOrigin: "http://127.0.0.1:33745" });
      expect([...(state?.users.keys() ?? [])]).toEqual(["EMP0001", "EMP0002", "EMP0003", "EMP0004"]);
      expect(state?.users.get("EMP0001")).toEqual({
        employeeID: "EMP0001",
        name: "Budi Santoso",
        username: "budisantoso",
        email: "budi.santoso@contoh.co.id",
        phone: "6281122334455",
        isActive: true,
        tagSerials: ["RUKRTAG-9WHL0JGP"],
        organizationSerial: "COMPENGR7K2M",
        serial: "NXU5RN04JAH4RCPU",
      });
      expect(state?.users.get("EMP0004")).toMatchObject({ isActive: false, serial: "CTHH90FTD1YVXEGT" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("saved plans of every format are still read", () => {
  it("format 1, as today's `plan --out` wrote it: the envelope and the plan inside", () => {
    const file = join(PLAN_FIXTURES, "v1-saved-plan.json");
    const saved = decodeSavedPlan(file, readFileSync(file, "utf8"));
    expect(saved).toMatchObject({
      formatVersion: 1,
      toolVersion: "0.1.0",
      state: { lineage: "4513dbe3-6933-424c-b538-dc056a17a851", serial: 2 },
      declarationsDir: "users",
      targets: [],
    });
    const plan = saved.planDocument as { summary: Record<string, number>; actions: { action: string; employeeID: string }[] };
    expect(plan.summary).toEqual({ create: 1, update: 1, rename: 1, deactivate: 1, unchanged: 1 });
    expect(plan.actions.map((a) => `${a.action} ${a.employeeID}`)).toEqual([
      "create EMP0005",
      "update EMP0001",
      "rename EMP0020",
      "deactivate EMP0003",
    ]);
  });
});

describe("a new format comes with a fixture", () => {
  it("the newest state and saved-plan formats written today each have a fixture here", () => {
    const stateFormats = jsonFiles(STATE_FIXTURES).map(formatOf);
    const planFormats = jsonFiles(PLAN_FIXTURES).map(formatOf);
    expect(stateFormats, "add test/fixtures/state/v<N>-state.json written by the new writer").toContain(STATE_FORMAT_VERSION);
    expect(planFormats, "add test/fixtures/plan/v<N>-saved-plan.json written by the new `plan --out`").toContain(SAVED_PLAN_FORMAT_VERSION);
  });
});
