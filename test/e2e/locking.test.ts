/**
 * Concurrency end to end: two applies on one state, a lock left by a SIGKILLed apply, and state
 * writes from two processes. A loopback gate in front of the emulator holds the first apply's
 * requests, so "the other run is still applying" is a fact of the test, not a race.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { CLI, makeUsers, makeWorkdir, ROOT, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-lock-token-51c2";

/** An HTTP relay on 127.0.0.1 that holds every request until `open()`, or drops them with `drop()`. */
interface Gate {
  readonly url: string;
  /** Requests received so far (held or relayed). */
  seen(): number;
  open(): void;
  drop(): void;
  close(): Promise<void>;
}

async function startGate(target: string): Promise<Gate> {
  let state: "closed" | "open" | "dropping" = "closed";
  let seen = 0;
  const waiting: (() => void)[] = [];
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => resolve(Buffer.concat(parts)));
      req.on("error", reject);
    });
  const server: Server = createServer((req, res) => {
    seen++;
    void (async () => {
      const body = await readBody(req);
      if (state === "closed") await new Promise<void>((resolve) => waiting.push(resolve));
      if (state === "dropping") {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ["authorization", "accept", "content-type"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const upstream = await fetch(`${target}${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body.length > 0 ? { body } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const release = (next: "open" | "dropping") => {
    state = next;
    for (const go of waiting.splice(0)) go();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => seen,
    open: () => release("open"),
    drop: () => release("dropping"),
    close: () =>
      new Promise((resolve) => {
        release("dropping");
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `condition` every 50 ms for at most `timeoutMs`; fails the test when it never holds. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The CLI as a running child, its output readable while it runs; killed after 60 s at most. */
function startCli(args: string[], cwd: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    output.stdout += d;
  });
  child.stderr?.on("data", (d) => {
    output.stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, output, done };
}

let emulator: RunningEmulator;
let gate: Gate;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  gate = await startGate(emulator.url);
  work = await makeWorkdir();
  env = { RUANGKERJA_API_URL: gate.url, RUANGKERJA_TOKEN: TOKEN };
});
afterEach(async () => {
  await gate.close();
  await work.cleanup();
});

const lockFile = () => join(work.dir, ".ruangkerja/state.json.lock");

/** Each emulated user whose employeeID starts with `prefix`, once per user: the ids and whether any repeats. */
function emulatedIds(prefix: string): string[] {
  return emulator
    .users()
    .map((u) => u.employeeID)
    .filter((id) => id.startsWith(prefix))
    .sort();
}

describe("two applies on one state", () => {
  it("the second fails at once, naming the holder; the first finishes; the emulator holds every user once", async () => {
    const users = makeUsers("LKA", 30);
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(users));
    const first = startCli(["apply", "--auto-approve", "--chunk-size", "10", "--parallelism", "1"], work.dir, env);
    await waitFor("the first apply's first request", () => gate.seen() >= 1);
    expect(existsSync(lockFile())).toBe(true);

    const second = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/state is locked by \S+@\S+ \(pid \d+, apply\) since \d{4}-\d\d-\d\dT/);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(second.stderr).toMatch(/Lock ID: +[0-9a-f-]{36}/);
    expect(second.stderr).not.toContain("stale");
    expect(gate.seen()).toBe(1);

    gate.open();
    expect((await first.done).code).toBe(0);
    expect(emulatedIds("LKA")).toEqual(users.map((u) => u.employeeID));
    expect(existsSync(lockFile())).toBe(false);
  });

  it("with --lock-timeout the second waits for the first, then plans against its state and has nothing left to do", async () => {
    const users = makeUsers("LKB", 25);
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(users));
    const first = startCli(["apply", "--auto-approve"], work.dir, env);
    await waitFor("the first apply's first request", () => gate.seen() >= 1);
    const second = startCli(["apply", "--auto-approve", "--lock-timeout", "50s"], work.dir, env);
    await waitFor("the second apply waiting for the lock", () => second.output.stderr.includes("Acquiring the state lock"));

    gate.open();
    expect((await first.done).code).toBe(0);
    expect((await second.done).code).toBe(0);
    expect(second.output.stdout).toContain("No changes.");
    expect(gate.seen()).toBe(1);
    expect(emulatedIds("LKB")).toEqual(users.map((u) => u.employeeID));
    const state = JSON.parse(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.users).toHaveLength(25);
  });
});

describe("a lock left by a killed apply", () => {
  /** Starts an apply of `users`, SIGKILLs it once its first request is held, and drops that request. */
  async function killedApply(prefix: string, count: number) {
    const users = makeUsers(prefix, count);
    await writeText(join(work.dir, "users/team.yaml"), usersYaml(users));
    const killed = startCli(["apply", "--auto-approve"], work.dir, env);
    await waitFor("the apply's first request", () => gate.seen() >= 1);
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).toBe("SIGKILL");
    gate.drop(); // the killed run's request never reaches the emulator
    expect(existsSync(lockFile())).toBe(true);
    return { users, pid: killed.child.pid };
  }

  it("is taken over by the next apply (its holder is provably dead), even with --lock-timeout; apply converges", async () => {
    const { users } = await killedApply("LKT", 12);
    const holder = JSON.parse(await readFile(lockFile(), "utf8")) as { process?: { startTime: string } };
    expect(holder.process?.startTime).toMatch(/^\d+$/);
    const again = await runCli(["apply", "--auto-approve", "--lock-timeout", "10m"], {
      cwd: work.dir,
      env: { ...env, RUANGKERJA_API_URL: emulator.url },
    });
    expect(again.stderr).not.toContain("state is locked");
    expect(again.stderr).toMatch(/Took over the lock \S+ on \S+ from \S+ \(pid \d+, apply, since [^)]+\): that process /);
    expect(again.code).toBe(0);
    expect(emulatedIds("LKT")).toEqual(users.map((u) => u.employeeID));
    expect(existsSync(lockFile())).toBe(false);
  });

  it("that cannot be proven dead (another pid namespace: a container with the same host name) is maybe stale; force-unlock refuses a wrong ID, then clears it", async () => {
    const { users, pid } = await killedApply("LKC", 12);
    // As if the killed run had been in another container of this machine.
    const holder = JSON.parse(await readFile(lockFile(), "utf8")) as { process: { pidNamespace: string } };
    await writeFile(lockFile(), JSON.stringify({ ...holder, process: { ...holder.process, pidNamespace: "pid:[1]" } }));

    const blocked = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`state is locked by`);
    expect(blocked.stderr).toContain(`(pid ${pid}, apply)`);
    expect(blocked.stderr).toContain("The lock may be stale, but this cannot be proven from here: its holder ran in another pid namespace");
    const id = /Lock ID: +(\S+)/.exec(blocked.stderr)?.[1] ?? "";
    expect(blocked.stderr).toContain(`ruangkerja-users force-unlock ${id}`);

    const wrong = await runCli(["force-unlock", "0000", "--force"], { cwd: work.dir, env: {} });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not match");
    const unconfirmed = await runCli(["force-unlock", id], { cwd: work.dir, env: {} });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain("pass --force");
    expect(existsSync(lockFile())).toBe(true);

    const unlocked = await runCli(["force-unlock", id, "--force"], { cwd: work.dir, env: {} });
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain(`Removed the lock ${id}`);
    expect(existsSync(lockFile())).toBe(false);

    gate.open();
    const again = await runCli(["apply", "--auto-approve"], { cwd: work.dir, env: { ...env, RUANGKERJA_API_URL: emulator.url } });
    expect(again.code).toBe(0);
    expect(emulatedIds("LKC")).toEqual(users.map((u) => u.employeeID));
  });
});

describe("state written by two processes", () => {
  const storeModule = pathToFileURL(join(ROOT, "dist/state/state-file.js")).href;

  /** A child that reads the state, says so, waits for its go file, then writes one more user with the next serial. */
  function writer(name: string) {
    const script = `
      import { existsSync, writeFileSync } from "node:fs";
      import { FileStateStore } from ${JSON.stringify(storeModule)};
      const store = new FileStateStore(".ruangkerja/state.json");
      const state = await store.read();
      writeFileSync("${name}.ready", "");
      const deadline = Date.now() + 30000;
      while (!existsSync("${name}.go")) {
        if (Date.now() > deadline) process.exit(3);
        await new Promise((r) => setTimeout(r, 20));
      }
      const users = new Map(state.users);
      users.set("${name}", { employeeID: "${name}", name: "${name}", isActive: true, serial: "S${name}" });
      try {
        await store.write({ ...state, serial: state.serial + 1, users });
        console.log("written");
      } catch (error) {
        console.log(error.name + ": " + error.message);
      }`;
    return spawnNode(script);
  }

  function spawnNode(script: string) {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: work.dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    return new Promise<string>((resolve) =>
      child.on("close", () => {
        clearTimeout(timer);
        resolve(stdout.trim());
      }),
    );
  }

  it("both read serial 1; the first to write wins, the second is refused and overwrites nothing", async () => {
    await writeText(
      join(work.dir, ".ruangkerja/state.json"),
      JSON.stringify({ formatVersion: 1, lineage: "lineage-two-writers", serial: 1, users: [] }),
    );
    const a = writer("WA");
    const b = writer("WB");
    await waitFor("both writers to read", () => existsSync(join(work.dir, "WA.ready")) && existsSync(join(work.dir, "WB.ready")));
    await writeFile(join(work.dir, "WA.go"), "");
    expect(await a).toBe("written");
    await writeFile(join(work.dir, "WB.go"), "");
    expect(await b).toMatch(/^StateConflictError: the state at .ruangkerja\/state.json was changed by another process/);
    const state = JSON.parse(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8"));
    expect(state.serial).toBe(2);
    expect(state.users.map((u: { employeeID: string }) => u.employeeID)).toEqual(["WA"]);
  });

  it("of several processes racing for the lock, exactly one takes it", async () => {
    const racer = (n: number) => `
      import { existsSync, writeFileSync } from "node:fs";
      import { FileStateStore } from ${JSON.stringify(storeModule)};
      const deadline = Date.now() + 30000;
      writeFileSync("r${n}.ready", "");
      while (!existsSync("race.go")) {
        if (Date.now() > deadline) process.exit(3);
        await new Promise((r) => setTimeout(r, 5));
      }
      try {
        await new FileStateStore(".ruangkerja/state.json").lock("apply");
        writeFileSync("r${n}.tried", "");
        console.log("locked");
        // Hold the lock until every racer has tried.
        while (!existsSync("race.done") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      } catch (error) {
        writeFileSync("r${n}.tried", "");
        console.log(error.name);
      }`;
    const ids = [0, 1, 2, 3];
    const racers = ids.map((n) => spawnNode(racer(n)));
    await waitFor("every racer to be ready", () => ids.every((n) => existsSync(join(work.dir, `r${n}.ready`))));
    await writeFile(join(work.dir, "race.go"), "");
    await waitFor("every racer to try", () => ids.every((n) => existsSync(join(work.dir, `r${n}.tried`))));
    await writeFile(join(work.dir, "race.done"), "");
    const results = await Promise.all(racers);
    expect(results.filter((r) => r === "locked")).toHaveLength(1);
    expect(results.filter((r) => r === "StateLockedError")).toHaveLength(3);
  });
});
