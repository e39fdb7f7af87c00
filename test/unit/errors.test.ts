/** The error family: every kind a user can meet is a RuangkerjaError with its own name and message. */
import { describe, expect, it } from "vitest";
import { reportError } from "../../src/cli/report-error.js";
import { ConfigError, DatabaseStateLockedError, errorMessage, RuangkerjaError, StateLockedError } from "../../src/errors.js";

const holder = {
  id: "0b4a8d6e-1111-4222-8333-944455556666",
  who: "budi",
  host: "ci-7",
  pid: 42,
  operation: "apply",
  since: "2026-11-23T01:02:03.000Z",
};

describe("DatabaseStateLockedError", () => {
  it("is a StateLockedError with its own name, its message made once, and what a person needs", () => {
    const error = new DatabaseStateLockedError('postgres://db/x (workspace "default")', holder, 1234, 2500);
    expect(error).toBeInstanceOf(StateLockedError);
    expect(error).toBeInstanceOf(RuangkerjaError);
    expect(error.name).toBe("DatabaseStateLockedError");
    expect(error.holder).toEqual(holder);
    expect(error.details).toEqual({ waitedMs: 2500 });
    expect(error.message).toBe(
      'state postgres://db/x (workspace "default") is locked by budi (pid 42 on ci-7, operation "apply") since 2026-11-23T01:02:03.000Z (waited 2.5 s). The lock ends when that run ends or its database connection is lost: wait for it, or pass --lock-timeout to wait.',
    );
  });

  it("names the backend when the holder has not recorded itself", () => {
    const error = new DatabaseStateLockedError("db", undefined, 777, 0);
    expect(error.backendPid).toBe(777);
    expect(error.message).toContain("another session (PostgreSQL backend pid 777) that has not recorded who it is yet");
  });
});

describe("a thrown value that is not an Error", () => {
  it("has a message all the same", () => {
    expect(errorMessage("boom")).toBe("boom");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(new ConfigError("bad flag"))).toBe("bad flag");
  });

  it("is reported, escaped, as a bug, with exit 1; ours are reported as their message", () => {
    const lines: string[] = [];
    const write = (text: string) => lines.push(text);
    expect(reportError("boom\n::error::forged", { color: false, annotations: false, write })).toBe(1);
    expect(lines.join("")).toBe("Unexpected error (please report it): boom\n\\u003a:error::forged\n");
    lines.length = 0;
    expect(reportError(new ConfigError("no token"), { color: false, annotations: false, write })).toBe(1);
    expect(lines.join("")).toBe("Error: no token\n");
  });
});
