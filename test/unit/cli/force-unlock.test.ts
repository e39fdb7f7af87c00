import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runForceUnlock } from "../../../src/cli/commands/force-unlock.js";
import type { Output } from "../../../src/cli/output.js";
import { NotApprovedError } from "../../../src/errors.js";

const ID = "0b4a8d6e-1111-4222-8333-944455556666";
let dir: string;
let statePath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ruangkerja-unlock-"));
  statePath = join(dir, "state.json");
  const holder = { id: ID, who: "budi", host: hostname(), pid: process.pid, operation: "apply", since: "2026-11-23T01:02:03.000Z" };
  await writeFile(`${statePath}.lock`, JSON.stringify(holder));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A terminal that answers `answer`, and an Output that records what was printed. */
function terminal(answer: string) {
  const stdin = Object.assign(Readable.from([`${answer}\n`]), { isTTY: true });
  const prompt = new PassThrough();
  let asked = "";
  prompt.on("data", (d) => {
    asked += d;
  });
  const printed: string[] = [];
  const output: Output = {
    color: false,
    out: (t) => printed.push(t),
    err: (t) => printed.push(t),
    stdoutIsTTY: true,
    stderrIsTTY: true,
  };
  return { io: { output, stdin, prompt }, printed, asked: () => asked };
}

describe("force-unlock on a terminal", () => {
  it("shows who holds the lock, and removes it on 'yes'", async () => {
    const t = terminal("yes");
    expect(await runForceUnlock(ID, { state: statePath }, {}, t.io)).toBe(0);
    expect(t.asked()).toContain(`held by budi@${hostname()} (pid ${process.pid}, apply) since 2026-11-23T01:02:03.000Z`);
    expect(t.printed.join("\n")).toContain(`Removed the lock ${ID}`);
    expect(existsSync(`${statePath}.lock`)).toBe(false);
  });

  it("keeps the lock on any other answer", async () => {
    const t = terminal("y");
    await expect(runForceUnlock(ID, { state: statePath }, {}, t.io)).rejects.toBeInstanceOf(NotApprovedError);
    expect(existsSync(`${statePath}.lock`)).toBe(true);
  });
});
