/**
 * Updates and a SIGKILL: an apply of name changes is killed (a real process, SIGKILL) while one
 * update-bulk is inside the emulator (its latency holds it there), so that call lands after the
 * client is gone and its reply reaches no one. The next plan plans those users again; the next
 * apply sends them again with the same values, and converges: nobody duplicated, nobody lost.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { waitFor } from "../postgres.js";
import { startGateProxy } from "./gate-proxy.js";
import { CLI, makeUsers, makeWorkdir, runCli, usersYaml, writeText } from "./helpers.js";

const TOKEN = "e2e-kill-updates-5e2c";
const USERS = 30;
const CHUNK = 5;
const LATENCY_MS = 600;

let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  work = await makeWorkdir();
});
afterAll(async () => {
  await emulator.close();
  await work.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const renamed = (name: string) => name.replace("Karyawan", "Pegawai");
const users = makeUsers("KU", USERS);
const newNames = new Map(users.map((u) => [u.employeeID, renamed(u.name)]));
/** The users the emulator holds with their new name. */
const updatedInEmulator = () => emulator.users().filter((u) => newNames.get(u.employeeID) === u.name);

describe("an apply of updates killed with SIGKILL mid-run", () => {
  it("the update that landed unsaved is planned and sent again with the same values; the next apply converges", async () => {
    const env = { PATH: process.env.PATH ?? "", NO_COLOR: "1", RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
    const file = join(work.dir, "users/everyone.yaml");
    await writeText(file, usersYaml(users));
    expect((await runCli(["apply", "--auto-approve"], { cwd: work.dir, env })).code).toBe(0);
    expect(emulator.users()).toHaveLength(USERS);

    await writeText(file, usersYaml(users.map((u) => ({ ...u, name: renamed(u.name) }))));
    emulator.setFaults({ latencyMs: LATENCY_MS });
    const child = spawn(process.execPath, [CLI, "apply", "--auto-approve", "--chunk-size", String(CHUNK), "--parallelism", "1"], {
      cwd: work.dir,
      env,
      stdio: ["ignore", "ignore", "ignore"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    const safety = setTimeout(() => child.kill("SIGKILL"), 60_000);
    try {
      // The 3rd call has reached the emulator (counted on arrival) and waits out its latency there.
      await waitFor("the third update-bulk", async () => (emulator.requestCounts()["update-bulk"] ?? 0) >= 3);
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
    } finally {
      clearTimeout(safety);
    }
    // One call at a time: the two before landed with their replies, the 3rd lands with none.
    await waitFor("the call in flight to land", async () => updatedInEmulator().length >= 3 * CHUNK);
    await sleep(LATENCY_MS * 2);
    expect(updatedInEmulator()).toHaveLength(3 * CHUNK);
    expect(emulator.requestCounts()["update-bulk"]).toBe(3);
    emulator.setFaults({});

    const plan = await runCli(["plan", "--json"], { cwd: work.dir, env });
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { summary: Record<string, number>; actions: { action: string; employeeID: string }[] };
    expect(planned.summary).toMatchObject({ create: 0, rename: 0, deactivate: 0 });
    const toUpdate = new Set(planned.actions.filter((a) => a.action === "update").map((a) => a.employeeID));
    // Every user RuangKerja still holds under its old name is planned, and so are those whose
    // update landed without its reply (state cannot know): at least the killed call's.
    const updatedIds = new Set(updatedInEmulator().map((u) => u.employeeID));
    const stillOld = emulator.users().filter((u) => !updatedIds.has(u.employeeID));
    expect(stillOld).toHaveLength(USERS - 3 * CHUNK);
    for (const u of stillOld) expect(toUpdate.has(u.employeeID)).toBe(true);
    const landedUnsaved = updatedInEmulator().filter((u) => toUpdate.has(u.employeeID));
    expect(landedUnsaved.length).toBeGreaterThanOrEqual(CHUNK);

    // The next apply takes over the killed run's lock and sends every planned update, the landed ones again as they were.
    const gate = await startGateProxy(emulator.url, Number.MAX_SAFE_INTEGER);
    try {
      const again = await runCli(["apply", "--auto-approve", "--json", "--chunk-size", String(CHUNK)], {
        cwd: work.dir,
        env: { ...env, RUANGKERJA_API_URL: gate.url },
      });
      expect(again.code).toBe(0);
      const result = JSON.parse(again.stdout);
      expect(result).toMatchObject({ succeeded: toUpdate.size, failed: 0 });
      const bodies = gate
        .sent()
        .filter((r) => r.path.includes("update"))
        .map((r) => r.body);
      for (const u of landedUnsaved) {
        expect(bodies.some((b) => b.includes(JSON.stringify(u.employeeID)) && b.includes(JSON.stringify(u.name)))).toBe(true);
      }
      expect(gate.sent().filter((r) => r.path.includes("create"))).toEqual([]);
    } finally {
      await gate.close();
    }

    const held = emulator.users();
    expect(held).toHaveLength(USERS);
    expect(new Set(held.map((u) => u.employeeID)).size).toBe(USERS);
    for (const u of held) {
      expect(u.name).toBe(newNames.get(u.employeeID));
      expect(u.isActive).toBe(true);
    }
    const after = await runCli(["plan", "--detailed-exitcode"], { cwd: work.dir, env });
    expect(after.stdout).toContain("No changes.");
    expect(after.code).toBe(0);
  }, 90_000);
});
