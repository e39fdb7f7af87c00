import { describe, expect, it } from "vitest";
import { lockTimeoutMs, parseDuration, parseMaxDeactivate } from "../../../src/cli/options.js";
import { ConfigError } from "../../../src/errors.js";

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
