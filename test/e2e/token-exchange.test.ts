/**
 * Token exchange end to end: the CLI with RUANGKERJA_CLIENT_ID / RUANGKERJA_CLIENT_SECRET against
 * the emulator's POST /oauth/token, over loopback. Renewal is forced without timed assertions:
 * either a loopback proxy holds every /ruangkerja request longer than the token lives (so a
 * token is always past its lifetime by the next request, on both clocks), or it makes the
 * emulator end every token before one request (so that request meets "token is not valid").
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FaultSettings, type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const CLIENT_ID = "acme-hr";
const SECRET = "client-SECRET-8c2f-never-shown";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let proxy: Server | undefined;

async function start(options: { tokenLifetimeSeconds?: number; faults?: FaultSettings } = {}) {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, clientID: CLIENT_ID, clientSecret: SECRET, ...options });
}

beforeEach(async () => {
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(makeUsers("T", 3)));
});
afterEach(async () => {
  if (proxy) await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  proxy = undefined;
  await emulator.close();
  await work.cleanup();
});

/**
 * A loopback proxy in front of the emulator: `before` runs before each /ruangkerja request is
 * forwarded (with its 1-based number); the emulator's reply to it is held `replyDelayMs` before it is passed on.
 */
async function startProxy(before: (n: number) => Promise<void>, replyDelayMs = 0): Promise<string> {
  const target = new URL(emulator.url);
  let n = 0;
  proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void forward());
    const forward = async () => {
      const api = req.url?.startsWith("/ruangkerja") === true;
      if (api) await before(++n);
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          setTimeout(
            () => {
              res.writeHead(reply.statusCode ?? 502, reply.headers);
              reply.pipe(res);
            },
            api ? replyDelayMs : 0,
          );
        },
      );
      out.on("error", () => res.destroy());
      out.end(Buffer.concat(chunks));
    };
  });
  await new Promise<void>((resolve) => proxy?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

/** `apply --json`, one user per request, through a proxy that makes the emulator end every token before the second /ruangkerja request. */
async function applyEndingTokensBeforeSecondRequest() {
  const url = await startProxy(async (n) => {
    if (n === 2) emulator.expireTokens();
  });
  return runCli(["apply", "--auto-approve", "--json", "--chunk-size", "1", "--parallelism", "1"], { cwd: work.dir, env: credentials(url) });
}

const credentials = (url: string, secret = SECRET) => ({
  RUANGKERJA_API_URL: url,
  RUANGKERJA_CLIENT_ID: CLIENT_ID,
  RUANGKERJA_CLIENT_SECRET: secret,
});

async function expectNoSecretsIn(result: { stdout: string; stderr: string }) {
  expect(result.stdout + result.stderr).not.toContain(SECRET);
  const statePath = join(work.dir, ".ruangkerja/state.json");
  if (existsSync(statePath)) expect(await readFile(statePath, "utf8")).not.toContain(SECRET);
}

describe("apply with client credentials", () => {
  it("exchanges them once at POST /oauth/token and applies; the secret is shown nowhere", async () => {
    await start();
    const result = await runCli(["apply", "--auto-approve", "--json"], { cwd: work.dir, env: credentials(emulator.url) });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: 3, failed: 0 });
    expect(emulator.requestCounts()).toMatchObject({ token: 1, "create-bulk": 1, unauthorized: 0 });
    await expectNoSecretsIn(result);
  });

  it("renews a token before it expires: every request outlives the token's two-second lifetime", async () => {
    // Two seconds, not one, leave a loaded machine time to use a fresh token before it runs out.
    await start({ tokenLifetimeSeconds: 2 });
    // Each reply is held longer than a token lives, so the token used for one request has run out by the next.
    const url = await startProxy(async () => undefined, 2_100);
    const result = await runCli(["apply", "--auto-approve", "--json", "--chunk-size", "1", "--parallelism", "1"], {
      cwd: work.dir,
      env: credentials(url),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: 3, failed: 0, requests: { "create-bulk": 3 } });
    await expectNoSecretsIn(result);
    // One token per request, each fetched before the old one ran out: none was refused.
    expect(emulator.requestCounts()).toMatchObject({ token: 3, "create-bulk": 3, unauthorized: 0 });
  });

  it("renews once when the API says the token is not valid, and resends that request", async () => {
    await start();
    const result = await applyEndingTokensBeforeSecondRequest();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      succeeded: 3,
      failed: 0,
      requests: { "create-bulk": 3 },
      attempts: { "create-bulk": 4, token: 1 },
    });
    expect(emulator.requestCounts()).toMatchObject({ token: 2, "create-bulk": 4, unauthorized: 1 });
    expect(emulator.users()).toHaveLength(3);
  });

  it("counts in --json every attempt of a renewal through 503s: the refused request, its resend, its retry and the exchange's", async () => {
    // The first exchange (before the run) and the first create-bulk pass; the renewal's exchange
    // and the resend after it each meet one 503.
    await start({
      faults: {
        retryAfterSeconds: 0,
        next: [
          { fault: "503", route: "create-bulk", skip: 1, count: 1 },
          { fault: "503", route: "token", skip: 1, count: 1 },
        ],
      },
    });
    const result = await applyEndingTokensBeforeSecondRequest();
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { requests: Record<string, number>; attempts: Record<string, number> };
    expect(json.requests).toEqual({ "create-bulk": 3, "update-bulk": 0, update: 0 });
    // create-bulk: 3 calls + the refused one + the 503 after the renewal; token: the renewal and its retry.
    expect(json.attempts).toEqual({ "create-bulk": 5, "update-bulk": 0, update: 0, "update-email-bulk": 0, get: 0, list: 0, token: 2 });
    expect(emulator.requestCounts()).toMatchObject({ token: 3, "create-bulk": 5, unauthorized: 1 });
    expect(emulator.faults().injected["503"]).toBe(2);
    expect(emulator.users()).toHaveLength(3);
  });

  it("gives up on the exchange after --max-attempts, saying how many attempts it made: nothing sent to /ruangkerja", async () => {
    await start({ faults: { retryAfterSeconds: 0, next: [{ fault: "429", route: "token", count: 10 }] } });
    const result = await runCli(["apply", "--auto-approve", "--max-attempts", "3"], { cwd: work.dir, env: credentials(emulator.url) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("POST /oauth/token: gave up after 3 attempts: last reply HTTP 429 RATE_LIMITED (42901)");
    expect(emulator.requestCounts()).toMatchObject({ token: 3, "create-bulk": 0, list: 0 });
    expect(existsSync(join(work.dir, ".ruangkerja/state.json"))).toBe(false);
    await expectNoSecretsIn(result);
  });

  it("fails clearly on a wrong secret: exit 1, nothing sent to /ruangkerja, no state, no secret printed", async () => {
    await start();
    const wrong = "wrong-SECRET-4411";
    const result = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: credentials(emulator.url, wrong) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Credentials does not match in our records");
    expect(result.stderr).toContain("RUANGKERJA_CLIENT_SECRET");
    expect(result.stdout + result.stderr).not.toContain(wrong);
    expect(emulator.requestCounts()).toMatchObject({ token: 1, "create-bulk": 0, list: 0 });
    expect(existsSync(join(work.dir, ".ruangkerja/state.json"))).toBe(false);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json.lock"))).toBe(false);
  });

  it("names the missing half of the credentials", async () => {
    await start();
    const result = await runCli(["apply", "--auto-approve"], {
      cwd: work.dir,
      env: { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_CLIENT_ID: CLIENT_ID },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("RUANGKERJA_CLIENT_SECRET is not set");
    expect(emulator.requestCounts().token).toBe(0);
  });
});

describe("the emulator command's credentials and token lifetime", () => {
  it("serves /oauth/token with --client-id, the secret from RUANGKERJA_EMULATOR_CLIENT_SECRET, and --token-lifetime", async () => {
    await start(); // for afterEach
    const child = spawn(process.execPath, [CLI, "emulator", "--client-id", "cli-client", "--token-lifetime", "7"], {
      env: { PATH: process.env.PATH ?? "", RUANGKERJA_EMULATOR_CLIENT_SECRET: "cli-secret", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("\n")) resolve(out.split("\n")[0] as string);
        });
        child.on("exit", () => reject(new Error(`emulator exited: ${stderr}`)));
      });
      const exchange = (clientSecret: string) =>
        fetch(`${url}/oauth/token`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ clientID: "cli-client", clientSecret, grantType: "client_credentials" }),
          signal: AbortSignal.timeout(5_000),
        });
      const ok = await exchange("cli-secret");
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { data: { expiresIn: string } }).data.expiresIn).toBe("7");
      expect((await exchange("emulator-secret")).status).toBe(400);
      expect(stderr).not.toContain("cli-secret");
    } finally {
      clearTimeout(killer);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
