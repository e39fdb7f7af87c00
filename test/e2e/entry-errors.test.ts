/**
 * Every entry point reports a user's mistake as a message with exit 1, never as a stack trace:
 * the errors a user can reach are the tool's own (report-error.ts). Through the built CLI, on 127.0.0.1.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkdir, runCli } from "./helpers.js";

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await makeWorkdir();
});
afterEach(async () => {
  await work.cleanup();
});

const STACK = /\n\s+at |Unexpected error/;

describe("errors a user can reach", () => {
  it("emulator --port on a port another program holds: a sentence, exit 1", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const result = await runCli(["emulator", "--port", String(port)], { cwd: work.dir, timeoutMs: 30_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Error: cannot listen on 127.0.0.1:${port} (EADDRINUSE): port ${port} is in use by another program`);
      expect(result.stderr).not.toMatch(STACK);
      expect(result.stdout).toBe("");
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it("emulator --host that is not this machine's, and an unreadable --data file: sentences, exit 1", async () => {
    const host = await runCli(["emulator", "--host", "192.0.2.1"], { cwd: work.dir, timeoutMs: 30_000 });
    expect(host.code).toBe(1);
    expect(host.stderr).toContain("192.0.2.1 is not an address of this machine");
    expect(host.stderr).not.toMatch(STACK);
    const data = await runCli(["emulator", "--data", "."], { cwd: work.dir, timeoutMs: 30_000 });
    expect(data.code).toBe(1);
    expect(data.stderr).toMatch(/^Error: .*emulator data file/m);
    expect(data.stderr).not.toMatch(STACK);
  });

  it("emulator with invalid fault flags: a sentence, exit 1", async () => {
    const result = await runCli(["emulator", "--rate-500", "0.9", "--rate-503", "0.9"], { cwd: work.dir, timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^(error|Error): .*/m);
    expect(result.stderr).not.toMatch(STACK);
  });
});
