/**
 * Saved plans through the built CLI against the emulator on 127.0.0.1: `plan --out`, `apply FILE`
 * and `show FILE`; staleness, tampering, and what is printed against what is sent.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { reverseKeys } from "../builders.js";
import { startGateProxy } from "./gate-proxy.js";
import { makeUsers, makeWorkdir, runCli, runOnTerminal, usersYaml, writeText } from "./helpers.js";

const TOKEN = "gitops-token-SECRET-91b2";
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const totalRequests = () => Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0);
const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { cwd: work.dir, env: { ...env, ...extraEnv } });
const teamFile = () => join(work.dir, "users/team.yaml");

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  const reset = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST", signal: AbortSignal.timeout(5000) });
  expect(reset.ok).toBe(true);
  work = await makeWorkdir();
  await writeText(teamFile(), usersYaml(makeUsers("T", 3)));
});
afterEach(async () => {
  await work.cleanup();
});

describe("saved plans", () => {
  it("plan --out then apply FILE carries out exactly that plan, and the file holds no token", async () => {
    await mkdir(join(work.dir, "plans"));
    const planned = await run(["plan", "--out", "plans/p.json"]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("Plan: 3 to create");
    expect(planned.stderr).toContain("Saved the plan to plans/p.json");
    const text = await readFile(join(work.dir, "plans/p.json"), "utf8");
    expect(text).not.toContain(TOKEN);
    const saved = JSON.parse(text);
    expect(saved).toMatchObject({ kind: "ruangkerja-users-plan", formatVersion: 1, state: null, targets: [] });
    expect(saved.declarationsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(saved.plan.actions.map((a: { employeeID: string }) => a.employeeID)).toEqual(["T0000", "T0001", "T0002"]);
    expect(totalRequests()).toBe(0);

    // No --auto-approve and no terminal: a saved plan was reviewed when it was made.
    const applied = await run(["apply", "plans/p.json"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete: 3 succeeded, 0 failed");
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["T0000", "T0001", "T0002"]);
    for (const output of [planned.stdout, planned.stderr, applied.stdout, applied.stderr]) expect(output).not.toContain(TOKEN);

    const again = await run(["plan", "--detailed-exitcode"]);
    expect(again.code).toBe(0);
  });

  it("a saved plan with only updates applies against the state it was made from", async () => {
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const users = makeUsers("T", 3);
    users[1] = { ...users[1], name: "Nama Baru" } as (typeof users)[number];
    await writeText(teamFile(), usersYaml(users));
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    const result = await run(["apply", "p.json", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: 1, failed: 0 });
    expect(emulator.users().find((u) => u.employeeID === "T0001")?.name).toBe("Nama Baru");
  });

  it("is refused as stale after the state changed, before any API call", async () => {
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const state = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8");
    const before = totalRequests();
    const result = await run(["apply", "p.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stale plan: p.json");
    expect(result.stderr).toContain("there was no state when it was made");
    expect(result.stderr).toContain("Run plan again");
    expect(totalRequests()).toBe(before);
    expect(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8")).toBe(state);
    expect(existsSync(join(work.dir, ".ruangkerja/state.json.lock"))).toBe(false);
  });

  it("is refused as stale when the state's serial moved on", async () => {
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    await writeText(teamFile(), usersYaml(makeUsers("T", 4)));
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const before = totalRequests();
    const result = await run(["apply", "p.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the state changed since \(serial 1 then, 2 now/);
    expect(totalRequests()).toBe(before);
  });

  it("is refused as stale after a YAML edit, before any API call, leaving no state or lock", async () => {
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    await writeFile(teamFile(), `${await readFile(teamFile(), "utf8")}# a comment is an edit too\n`);
    const result = await run(["apply", "p.json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stale plan: p.json");
    expect(result.stderr).toContain("the declarations in users changed since");
    expect(totalRequests()).toBe(0);
    expect(existsSync(join(work.dir, ".ruangkerja"))).toBe(false);
  });

  it.runIf(existsSync("/usr/bin/script"))("apply FILE on a terminal does not ask again: the plan was the review", async () => {
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    const result = await runOnTerminal(["apply", "p.json"], { cwd: work.dir, env });
    expect(result.text).not.toContain("Enter a value");
    expect(result.text).toContain("Apply complete: 3 succeeded, 0 failed");
    expect(result.code).toBe(0);
  });

  it("apply FILE reads the folder of --dir (or the default), and refuses a plan made from another one", async () => {
    await writeText(join(work.dir, "people/all.yaml"), usersYaml(makeUsers("P", 2)));
    expect((await run(["plan", "--dir", "people", "--out", "p.json"])).code).toBe(0);
    const elsewhere = await run(["apply", "p.json"]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('the saved plan p.json was made from the declarations in "people", and this run reads "users"');
    expect(totalRequests()).toBe(0);
    expect((await run(["apply", "p.json", "--dir", "./people/"])).code).toBe(0);
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["P0000", "P0001"]);
  });

  it("a damaged plan file is refused with its path, and a missing one says how to make it", async () => {
    await writeText(join(work.dir, "p.json"), '{"kind":"ruangkerja-users-plan","formatVersion":1,"plan":');
    const damaged = await run(["apply", "p.json"]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain("p.json:1:58: error: the saved plan is not valid JSON (it ends too early: it may be truncated)");
    const missing = await run(["apply", "nothing.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no saved plan at nothing.json");
    expect(missing.stderr).toContain("plan --out nothing.json");
    expect(totalRequests()).toBe(0);
  });
});

/**
 * A plan of every kind of action against an applied state: T0000's e-mail changes (update-email-bulk),
 * T0001's name (update-bulk), T0002 moves organisation (PUT), T0003 is renamed to R0003, T0004 is
 * removed (deactivated), N0000 is new with an initial password from the environment.
 */
async function everyKindPlan(): Promise<void> {
  await writeText(teamFile(), usersYaml(makeUsers("T", 5)));
  expect((await run(["apply", "--auto-approve"])).code).toBe(0);
  const users = makeUsers("T", 4);
  users[0] = { ...(users[0] as (typeof users)[number]), email: "baru0000@contoh.co.id" };
  users[1] = { ...(users[1] as (typeof users)[number]), name: "Nama Baru" };
  users[2] = { ...(users[2] as (typeof users)[number]), organizationSerial: "COMPOTHER" };
  users[3] = { ...(users[3] as (typeof users)[number]), employeeID: "R0003", previousEmployeeIDs: ["T0003"] };
  const created = `  - employeeID: "N0000"\n    name: "Orang Baru"\n    email: "n0000@contoh.co.id"\n    passwordEnv: RUANGKERJA_PASSWORD_N0000\n`;
  await writeText(teamFile(), usersYaml(users) + created);
}

const PASSWORD_ENV = { RUANGKERJA_PASSWORD_N0000: "Awal-Sandi-123" };
type Doc = { declarationsDir: string; plan: { summary: Record<string, number>; actions: Record<string, unknown>[] } };
type Action = { action: string; employeeID: string; after: Record<string, unknown>; changes: { field: string; after: unknown }[] };

describe("a saved plan applies exactly what it showed, or nothing", () => {
  const stateFile = () => join(work.dir, ".ruangkerja/state.json");

  /** Writes an edited copy of p.json, applies it, and checks that nothing was sent or written. */
  async function refused(edit: (doc: Doc) => void, says: string | RegExp): Promise<string> {
    const doc = JSON.parse(await readFile(join(work.dir, "p.json"), "utf8")) as Doc;
    edit(doc);
    await writeFile(join(work.dir, "edited.json"), JSON.stringify(doc, null, 1));
    const stateBefore = await readFile(stateFile(), "utf8");
    const requestsBefore = totalRequests();
    const result = await run(["apply", "edited.json", "--auto-approve"], PASSWORD_ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(says);
    expect(result.stderr).toContain("nothing was changed");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(totalRequests()).toBe(requestsBefore);
    expect(await readFile(stateFile(), "utf8")).toBe(stateBefore);
    expect((await readdir(join(work.dir, ".ruangkerja"))).sort()).toEqual(["state.json"]);
    return result.stderr;
  }
  const find = (doc: Doc, kind: string, id?: string) =>
    doc.plan.actions.find((a) => a.action === kind && (id === undefined || a.employeeID === id)) as unknown as Action;

  beforeEach(async () => {
    await everyKindPlan();
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
  });

  it("an edited e-mail is refused before any request, naming the field and both values", async () => {
    const stderr = await refused((doc) => {
      const update = find(doc, "update", "T0001");
      update.after.email = "attacker@example.com";
    }, /was modified after plan wrote it: plan\.actions\[\d+\]\.after\.email is "attacker@example\.com" in the file, but the declarations and the state it was made from give "t0001@contoh\.co\.id"/);
    expect(stderr).toContain("run plan again and review the new plan");
  });

  it("a name changed so that it differs from the one printed is refused", async () => {
    await refused((doc) => {
      const create = find(doc, "create");
      create.after.name = "Someone Else";
    }, /was modified after plan wrote it: plan\.actions\[\d+\]\.after\.name is "Someone Else"/);
    // Changed in both places (what is shown and what would be sent): refused all the same.
    await refused((doc) => {
      const create = find(doc, "create");
      create.after.name = "Someone Else";
      for (const change of create.changes) if (change.field === "name") change.after = "Someone Else";
    }, /was modified after plan wrote it/);
  });

  it("an added create (with passwordEnv naming the token) is refused", async () => {
    const stderr = await refused((doc) => {
      const create = find(doc, "create");
      doc.plan.actions.unshift({
        ...(create as unknown as Record<string, unknown>),
        employeeID: "X9999",
        after: { ...create.after, employeeID: "X9999" },
        passwordEnv: { name: "RUANGKERJA_TOKEN", source: { file: "users/team.yaml", line: 1, column: 1 } },
      });
      (doc.plan.summary.create as number) += 1;
    }, /was modified after plan wrote it/);
    expect(stderr).not.toContain(TOKEN);
    expect(emulator.users().map((u) => u.employeeID)).not.toContain("X9999");
  });

  it("an added deactivation is refused", async () => {
    await refused((doc) => {
      const update = find(doc, "update", "T0001");
      doc.plan.actions.push({
        ...(update as unknown as Record<string, unknown>),
        action: "deactivate",
        after: { ...update.after, isActive: false },
      });
      (doc.plan.summary.deactivate as number) += 1;
    }, /was modified after plan wrote it/);
    expect(emulator.users().find((u) => u.employeeID === "T0001")?.isActive).toBe(true);
  });

  it("an edited declarationsDir does not choose the folder: the plan is refused, the other folder never read", async () => {
    await writeText(join(work.dir, "elsewhere/x.yaml"), usersYaml(makeUsers("E", 1)));
    await refused((doc) => {
      doc.declarationsDir = "elsewhere";
    }, /was made from the declarations in "elsewhere", and this run reads "users"/);
  });

  it("the same content in another key order and layout is accepted, and carried out", async () => {
    const doc = JSON.parse(await readFile(join(work.dir, "p.json"), "utf8")) as unknown;
    await writeFile(join(work.dir, "reordered.json"), JSON.stringify(reverseKeys(doc)));
    const result = await run(["apply", "reordered.json"], PASSWORD_ENV);
    expect(result.stderr).toBe(result.stderr.replace(/was modified/, ""));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Apply complete: 6 succeeded, 0 failed");
  });

  it("an untouched plan sends exactly what plan printed, for every kind of action", async () => {
    const shown = await run(["plan", "--json"]);
    const printed = (JSON.parse(shown.stdout) as { actions: Action[] }).actions;
    expect(printed.map((a) => a.action).sort()).toEqual(["create", "deactivate", "rename", "update", "update", "update"]);
    const proxy = await startGateProxy(emulator.url, Number.MAX_SAFE_INTEGER);
    try {
      const textPlan = (await run(["plan"])).stdout;
      const applied = await run(["apply", "p.json"], { ...PASSWORD_ENV, RUANGKERJA_API_URL: proxy.url });
      expect(applied.code).toBe(0);
      // The plan apply printed is the one plan printed.
      expect(applied.stdout.startsWith(textPlan.trimEnd())).toBe(true);
      // Every item sent, by the employeeID RuangKerja knew it by.
      const items = new Map<string, Record<string, unknown>[]>();
      for (const request of proxy.sent()) {
        if (request.method === "GET" || request.body === "") continue;
        const body = JSON.parse(request.body) as Record<string, unknown> | Record<string, unknown>[];
        const list = Array.isArray(body) ? body : Array.isArray(body.items) ? (body.items as Record<string, unknown>[]) : [body];
        for (const item of list) {
          const id = typeof item.employeeID === "string" ? item.employeeID : decodeURIComponent(request.path.split("/").pop() ?? "");
          items.set(id, [...(items.get(id) ?? []), { ...item, via: request.path }]);
        }
      }
      for (const action of printed) {
        const known =
          action.action === "rename" ? (action as unknown as { previousEmployeeID: string }).previousEmployeeID : action.employeeID;
        const sent = items.get(known) ?? [];
        expect(sent.length, `${action.action} ${action.employeeID} was sent`).toBeGreaterThan(0);
        for (const change of action.changes) {
          const field = action.action === "rename" && change.field === "employeeID" ? "newEmployeeID" : change.field;
          const values = sent.filter((item) => field in item).map((item) => item[field]);
          const expected = Array.isArray(change.after) ? [...(change.after as string[])].sort() : change.after;
          expect(
            values.map((v) => (Array.isArray(v) ? [...(v as string[])].sort() : v)),
            `${action.employeeID} ${field}`,
          ).toContainEqual(expected);
        }
      }
      expect(emulator.users().find((u) => u.employeeID === "T0004")?.isActive).toBe(false);
      expect(emulator.users().find((u) => u.employeeID === "R0003")).toBeDefined();
    } finally {
      await proxy.close();
    }
  });
});

describe("show PLANFILE", () => {
  beforeEach(async () => {
    await everyKindPlan();
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
  });

  it("prints the plan as text, markdown or JSON, after the checks apply makes; never calls the API", async () => {
    const planText = (await run(["plan"])).stdout;
    const requests = totalRequests();
    const text = await run(["show", "p.json"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(planText);
    expect(text.stderr).toMatch(
      /p\.json: made \S+ by ruangkerja-users \S+ from users and state serial \d+ of \.ruangkerja\/state\.json\. Checked/,
    );
    const markdown = await run(["show", "p.json", "--format", "markdown"]);
    expect(markdown.stdout.split("\n")[0]).toBe("<!-- ruangkerja-users plan -->");
    expect(markdown.stdout).toContain("Plan: 1 to create, 3 to update, 1 to rename, 1 to deactivate.");
    const json = await run(["show", "p.json", "--json"]);
    const parsed = JSON.parse(json.stdout) as { savedPlan: { verified: boolean; targets: string[] }; summary: Record<string, number> };
    expect(parsed.savedPlan).toMatchObject({ verified: true, targets: [] });
    expect(parsed.summary).toMatchObject({ create: 1, update: 3, rename: 1, deactivate: 1 });
    expect(totalRequests()).toBe(requests);
    expect(JSON.parse((await run(["plan", "--json"])).stdout)).toMatchObject({
      actions: (parsed as unknown as { actions: unknown[] }).actions,
    });
  });

  it("refuses a modified, damaged, stale or misplaced plan file the way apply does", async () => {
    const doc = JSON.parse(await readFile(join(work.dir, "p.json"), "utf8")) as Doc;
    (doc.plan.actions[0] as Action).after.name = "Someone Else";
    await writeFile(join(work.dir, "edited.json"), JSON.stringify(doc));
    const modified = await run(["show", "edited.json"]);
    expect(modified.code).toBe(1);
    expect(modified.stdout).toBe("");
    expect(modified.stderr).toContain("the saved plan edited.json was modified after plan wrote it");

    await writeFile(join(work.dir, "damaged.json"), (await readFile(join(work.dir, "p.json"), "utf8")).slice(0, 200));
    const damaged = await run(["show", "damaged.json"]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain("damaged.json:");

    const misplaced = await run(["show", "p.json", "--dir", "other"]);
    expect(misplaced.code).toBe(1);
    expect(misplaced.stderr).toContain('was made from the declarations in "users", and this run reads "other"');

    await writeText(
      teamFile(),
      `${await readFile(teamFile(), "utf8")}  - employeeID: "Z1"\n    name: "Zed"\n    email: "z1@contoh.co.id"\n`,
    );
    const stale = await run(["show", "p.json"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("stale plan: p.json no longer matches what it was made from (the declarations in users changed since)");
  });
});

describe("plan --out writes only where a plan belongs", () => {
  it("refuses to overwrite the state, a declaration or any file that is not a saved plan, a folder or a link", async () => {
    expect((await run(["apply", "--auto-approve"])).code).toBe(0);
    const state = await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8");
    const team = await readFile(teamFile(), "utf8");
    for (const target of [".ruangkerja/state.json", "users/team.yaml", "README.md", "users"]) {
      if (target === "README.md") await writeFile(join(work.dir, target), "# notes\n");
      const result = await run(["plan", "--out", target]);
      expect(result.code, target).toBe(1);
      expect(result.stderr, target).toMatch(/refusing to write the plan to/);
    }
    expect(await readFile(join(work.dir, ".ruangkerja/state.json"), "utf8")).toBe(state);
    expect(await readFile(teamFile(), "utf8")).toBe(team);
    const { symlink } = await import("node:fs/promises");
    await symlink(join(work.dir, "README.md"), join(work.dir, "link.json"));
    expect((await run(["plan", "--out", "link.json"])).stderr).toContain("it is a symbolic link, not a saved plan");
    expect((await run(["plan", "--out", "/dev/null"])).stderr).toContain("it is a device, not a saved plan");
  });

  it("does not create folders, replaces its own earlier plan, and writes it readable by its owner only", async () => {
    const missing = await run(["plan", "--out", "nowhere/p.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("there is no folder nowhere (plan --out does not create folders");
    expect(existsSync(join(work.dir, "nowhere"))).toBe(false);
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    expect((await run(["plan", "--out", "p.json"])).code).toBe(0);
    const { stat } = await import("node:fs/promises");
    expect((await stat(join(work.dir, "p.json"))).mode & 0o777).toBe(0o600);
    expect((await readdir(work.dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a saved plan that is a FIFO or a device is refused at once, without hanging", async () => {
    const { execFileSync } = await import("node:child_process");
    execFileSync("mkfifo", [join(work.dir, "fifo.json")]);
    const fifo = await run(["apply", "fifo.json"]);
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toContain("cannot use fifo.json as a saved plan: it is a FIFO, not a file");
    const device = await run(["show", "/dev/zero"]);
    expect(device.code).toBe(1);
    expect(device.stderr).toContain("it is a device, not a file");
  });
});
