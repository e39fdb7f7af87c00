import { describe, expect, it } from "vitest";
import { collectTarget, githubSettings, planFormat } from "../../../src/cli/options.js";

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
