/**
 * Every entry point reports a user's mistake as a message with exit 1, never as a stack trace:
 * the errors a user can reach are the tool's own (report-error.ts). Through the built CLI, on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildShardMaps } from "../../src/cdktf/ruangkerja-users.js";
import { desired } from "../builders.js";
import { CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";
import { join } from "node:path";

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

  it("a reader that closes the pipe early (plan | head -1): no stack trace, the command ends with its own exit code", async () => {
    await writeText(join(work.dir, "users/big.yaml"), usersYaml(makeUsers("P", 5000)));
    const child = spawn(process.execPath, [CLI, "plan"], { cwd: work.dir, env: { PATH: process.env.PATH ?? "" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // Like head -1: read the first chunk, then close our end of the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });

  it("tf-sync (what Terraform's provisioners run) with the API unreachable: a sentence, exit 1, no stack trace", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const [map] = buildShardMaps([desired("TF001")], 1);
    const result = await runCli(["tf-sync", "create", "--shard", "ruangkerja_0", "--spool", "spool"], {
      cwd: work.dir,
      timeoutMs: 60_000,
      env: { RUANGKERJA_API_URL: `http://127.0.0.1:${port}`, RUANGKERJA_TOKEN: "t", RUANGKERJA_TF_USERS: JSON.stringify(map) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*(could not reach the API|ECONNREFUSED)/m);
    expect(result.stderr).not.toMatch(STACK);
  });
});
