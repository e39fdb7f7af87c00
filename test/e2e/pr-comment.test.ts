/**
 * The pull-request comment through the built CLI against the emulator on 127.0.0.1, for a plan
 * too large to list whole: every group of changes lists rows, riskiest first, the comment stays
 * under GitHub's limit with its warnings and drift, and --mask-contacts hides e-mail addresses
 * and phone numbers in the comment and the job summary but not in the text plan.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { apiSend, makeUsers, makeWorkdir, runCli, type UserSpec, usersYaml, writeText } from "./helpers.js";
import { type MarkdownPart, partsOf } from "../builders.js";

const TOKEN = "pr-comment-token-SECRET-5c1d";
const GITHUB_LIMIT = 65_536;
let emulator: RunningEmulator;
let work: { dir: string; cleanup: () => Promise<void> };
let env: Record<string, string>;
const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { cwd: work.dir, env: { ...env, ...extraEnv } });

const people = makeUsers("P", 1200);
const at = (i: number) => people[i] as UserSpec;

/**
 * From the 1,200 applied users: 300 leave (deactivations), 200 change e-mail, 200 move to another
 * organization, 200 are renamed, 200 change name, 100 stay; 600 join.
 */
function changedDeclarations(): UserSpec[] {
  const users: UserSpec[] = [];
  for (let i = 300; i < 1200; i++) {
    const user = at(i);
    if (i < 500) users.push({ ...user, email: `baru.${user.username}@contoh.co.id` });
    else if (i < 700) users.push({ ...user, organizationSerial: "COMPBARU9X2Q" });
    else if (i < 900) users.push({ ...user, employeeID: `Q${user.employeeID}`, previousEmployeeIDs: [user.employeeID] });
    else if (i < 1100) users.push({ ...user, name: `${user.name} Baru` });
    else users.push(user);
  }
  return [...users, ...makeUsers("N", 600)];
}

/** Declared addresses and phone numbers, whole: `p0300@contoh.co.id`, `628110300`. */
const WHOLE_EMAIL = /[a-z0-9.]{2,}@contoh\.co\.id/;
const WHOLE_PHONE = /62811\d{4}/;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  env = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN };
  work = await makeWorkdir();
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(people));
  const applied = await run(["apply", "--auto-approve"]);
  expect(applied.code, applied.stderr).toBe(0);
  await writeText(join(work.dir, "users/team.yaml"), usersYaml(changedDeclarations()));
});
afterAll(async () => {
  await emulator?.close();
  await work?.cleanup();
});

describe("a plan too large for one comment", () => {
  it("opens with exact counts, lists every group riskiest first, and stays under GitHub's limit", async () => {
    const result = await run(["plan", "--format", "markdown", "--out", "ruangkerja.plan.json"]);
    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md.length).toBeLessThan(GITHUB_LIMIT);
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- ruangkerja-users plan -->");
    expect(lines[3]).toBe("**Plan: 600 to create, 600 to update, 200 to rename, 300 to deactivate.** 100 unchanged.");
    expect(lines.slice(7, 13)).toEqual([
      "| - | Deactivate | 300 |",
      "| ~ | Change the e-mail: RuangKerja resets the password | 200 |",
      "| ~ | Move to another organization | 200 |",
      "| → | Rename | 200 |",
      "| ~ | Update | 200 |",
      "| + | Create | 600 |",
    ]);

    const parts = partsOf(md);
    expect(parts.map((p) => p.title)).toEqual([
      "⚠️ Warnings (201)",
      "- Deactivate (300)",
      "~ Change the e-mail: RuangKerja resets the password (200)",
      "~ Move to another organization (200)",
      "→ Rename (200)",
      "~ Update (200)",
      "+ Create (600)",
    ]);
    const counts = [300, 200, 200, 200, 200, 600];
    let omitted = 0;
    parts.slice(1).forEach((part, i) => {
      expect(part.rows).toBeGreaterThan(20);
      expect(part.rows + part.more).toBe(counts[i]);
      omitted += part.more;
    });
    expect(omitted).toBeGreaterThan(0);
    expect(md).toContain(`**${omitted} of the 1700 changes are not listed here** (`);
    expect(md).toContain("To see them all, run `ruangkerja-users show ruangkerja.plan.json`");
    expect(md).toMatch(/…and \d+ more to deactivate, not shown here: `ruangkerja-users show ruangkerja\.plan\.json` lists them all\./);

    // The mass-deactivation guard leads the warnings; the 200 password resets are summarised.
    const warnings = lines.slice(lines.indexOf("#### ⚠️ Warnings (201)"), lines.indexOf("#### - Deactivate (300)"));
    expect(warnings.find((l) => l.startsWith("- "))).toContain("this plan deactivates 300 of the 1200 users in state (25%)");
    expect(warnings).toContain("- …and 195 more warnings of this kind.");

    // Rows of each group, in the same order as the table.
    const first = (id: string) => md.indexOf(`| \`${id}\``);
    const order = ["P0000", "P0300", "P0500", "P0700", "P0900", "N0000"].map(first);
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain("| `P0700` → `QP0700` | `Karyawan P 0700` |");
    expect(md).toContain(
      "| `P0300` | `Karyawan P 0300` | email: `p0300@contoh.co.id` → `baru.p0300@contoh.co.id` *(resets the password)* |",
    );
    expect(md).toMatch(WHOLE_PHONE);
  });

  it("--mask-contacts masks the comment and the job summary; the text plan in the log stays whole", async () => {
    const masked = await run(["plan", "--format", "markdown", "--mask-contacts"]);
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stdout).not.toMatch(WHOLE_EMAIL);
    expect(masked.stdout).not.toMatch(WHOLE_PHONE);
    expect(masked.stdout).toContain(
      "| `P0300` | `Karyawan P 0300` | email: `p***@contoh.co.id` → `b***@contoh.co.id` *(resets the password)* |",
    );
    expect(masked.stdout).toContain('the e-mail of P0300 changes from `"p***@contoh.co.id"` to `"b***@contoh.co.id"`:');
    expect(masked.stdout).toMatch(/phone: `62\*{5}\d{2}`/);

    const summary = join(work.dir, "summary.md");
    const text = await run(["plan", "--mask-contacts"], { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('email  "p0300@contoh.co.id" → "baru.p0300@contoh.co.id"');
    expect(text.stdout).toMatch(/^ +phone +"628110000"$/m);
    // The annotations show on the pull request's diff: masked like the comment.
    const annotations = text.stderr.split("\n").filter((line) => line.startsWith("::"));
    expect(annotations.some((line) => line.includes("p***@contoh.co.id"))).toBe(true);
    for (const line of annotations) {
      expect(line).not.toMatch(WHOLE_EMAIL);
      expect(line).not.toMatch(WHOLE_PHONE);
    }
    const written = await readFile(summary, "utf8");
    expect(written.startsWith("<!-- ruangkerja-users plan -->")).toBe(true);
    expect(written.length).toBeLessThan(GITHUB_LIMIT);
    expect(written).toContain("**Plan: 600 to create, 600 to update, 200 to rename, 300 to deactivate.**");
    expect(written).not.toMatch(WHOLE_EMAIL);
    expect(written).not.toMatch(WHOLE_PHONE);
  });

  it("plan --refresh: the drift is in the comment, inside the limit, and masked too", async () => {
    // Outside git: new phones for ten unchanged users, and one renamed by hand (missing under its id).
    const edited = Array.from({ length: 10 }, (_, k) => at(1100 + k));
    const reply = await apiSend("POST", `${emulator.url}/ruangkerja/users/update-bulk`, TOKEN, {
      items: [
        ...edited.map((u, k) => ({ employeeID: u.employeeID, name: u.name, phone: `6282199900${k}`, isActive: true })),
        { employeeID: at(1110).employeeID, newEmployeeID: "ZZ1110", name: at(1110).name, isActive: true },
      ],
    });
    expect(reply.status).toBe(200);

    const result = await run(["plan", "--refresh", "--format", "markdown", "--mask-contacts"]);
    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md.length).toBeLessThan(GITHUB_LIMIT);
    const drift = partsOf(md).at(-1) as MarkdownPart;
    expect(drift.title).toBe("Drift: 10 changed, 0 deactivated, 1 missing outside git (of 1200 users in state)");
    expect(drift.rows + drift.more).toBe(11);
    expect(md).toContain("| `P1100` | `Karyawan P 1100` | changed in RuangKerja | phone: `62*****00` → `6282*****00` |");
    expect(md).toContain("| `P1110` | `Karyawan P 1110` | missing from RuangKerja: leaves state (created again if declared) |  |");
    expect(md).not.toMatch(WHOLE_EMAIL);
    expect(md).not.toMatch(WHOLE_PHONE);
    expect(md).not.toMatch(/6282199900\d/);
    // The drift comes after the changes, and the plan starts from RuangKerja as it is now.
    expect(md.indexOf("<details><summary><b>Drift:")).toBeGreaterThan(md.indexOf("+ Create ("));
    expect(md).toContain("**Plan: 601 to create, 610 to update, 200 to rename, 300 to deactivate.**");
  });
});
