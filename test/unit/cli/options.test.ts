import { describe, expect, it } from "vitest";
import { collectTarget, githubSettings, lockTimeoutMs, parseDuration, parseMaxDeactivate, planFormat } from "../../../src/cli/options.js";
import { ConfigError } from "../../../src/errors.js";

describe("planFormat", () => {
  it("defaults to text; --json is --format json; a clash is an error", () => {
    expect(planFormat({})).toBe("text");
    expect(planFormat({ json: true })).toBe("json");
    expect(planFormat({ format: "markdown" })).toBe("markdown");
    expect(planFormat({ json: true, format: "json" })).toBe("json");
    expect(() => planFormat({ json: true, format: "markdown" })).toThrow("--json is --format json");
  });
});

describe("collectTarget", () => {
  it("collects repeated ids and refuses what is not an employeeID", () => {
    expect(collectTarget("B2", collectTarget("A1", undefined))).toEqual(["A1", "B2"]);
    expect(() => collectTarget("A 1", undefined)).toThrow("--target takes an employeeID");
  });
});

describe("githubSettings", () => {
  it("annotates only when GITHUB_ACTIONS is exactly true; an empty summary path is none", () => {
    expect(githubSettings({ GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: "/tmp/s.md" })).toEqual({
      annotations: true,
      stepSummary: "/tmp/s.md",
    });
    expect(githubSettings({ GITHUB_ACTIONS: "1", GITHUB_STEP_SUMMARY: "" })).toEqual({ annotations: false, stepSummary: undefined });
  });
});

describe("--lock-timeout", () => {
  const parse = parseDuration("--lock-timeout");
  it.each([
    ["0", 0],
    ["30", 30_000],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["500ms", 500],
  ])("reads %j as %i ms", (text, ms) => {
    expect(parse(text)).toBe(ms);
  });

  it.each(["", "-1", "2 minutes", "1.5m", "25h", "10d"])("refuses %j", (text) => {
    expect(() => parse(text)).toThrow("--lock-timeout must be a duration");
  });

  it("the flag wins over RUANGKERJA_LOCK_TIMEOUT, which wins over 0", () => {
    expect(lockTimeoutMs({ lockTimeout: 1000 }, { RUANGKERJA_LOCK_TIMEOUT: "2m" })).toBe(1000);
    expect(lockTimeoutMs({}, { RUANGKERJA_LOCK_TIMEOUT: "2m" })).toBe(120_000);
    expect(lockTimeoutMs({}, {})).toBe(0);
    expect(() => lockTimeoutMs({}, { RUANGKERJA_LOCK_TIMEOUT: "soon" })).toThrow(ConfigError);
  });
});

describe("--max-deactivate", () => {
  it("takes a count or a percentage and refuses anything else", () => {
    expect(parseMaxDeactivate("20%")).toEqual({ percent: 20 });
    expect(parseMaxDeactivate("3")).toEqual({ count: 3 });
    expect(() => parseMaxDeactivate("lots")).toThrow("--max-deactivate must be a count");
  });
});
