import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/diagnostics.js";
import type { UserFields } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import type { FieldChange, Plan, PlannedAction } from "../../../src/plan/plan-types.js";
import { changeGroup, code, GITHUB_COMMENT_LIMIT, PLAN_MARKDOWN_MARKER, renderPlanMarkdown } from "../../../src/plan/render-markdown.js";
import type { Drift, DriftedUser } from "../../../src/refresh/detect-drift.js";
import { applied, desired, type MarkdownPart, partsOf, stateOf } from "../../builders.js";

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => desired(`${prefix}${String(i).padStart(4, "0")}`));
const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, "0")}`;
const SOURCE = { file: "users/team.yaml", line: 3, column: 5 };

// ---- Plain-object plans: a 100,000-action plan in milliseconds, without the planner.

function fields(employeeID: string, extra: Partial<UserFields> = {}): UserFields {
  return { employeeID, name: `Karyawan ${employeeID}`, email: `${employeeID.toLowerCase()}@contoh.co.id`, isActive: true, ...extra };
}

function create(employeeID: string): PlannedAction {
  const after = fields(employeeID, { phone: `62811${employeeID.slice(-6)}`, organizationSerial: "COMPFJLYTHWL" });
  const changes: FieldChange[] = Object.entries(after).map(([field, value]) => ({ field, before: null, after: value }) as FieldChange);
  return { action: "create", employeeID, source: SOURCE, changes, after };
}

function update(employeeID: string, changes: FieldChange[]): PlannedAction {
  const before = { ...fields(employeeID), serial: `S${employeeID}` };
  const after = { ...fields(employeeID), ...Object.fromEntries(changes.map((ch) => [ch.field, ch.after])) };
  const resets = changes.some((ch) => ch.field === "email") ? { resetsPassword: true as const } : {};
  return { action: "update", employeeID, source: SOURCE, changes, after, before, ...resets };
}

function rename(employeeID: string, previous: string): PlannedAction {
  const before = { ...fields(previous), serial: `S${previous}` };
  return {
    action: "rename",
    employeeID,
    previousEmployeeID: previous,
    source: SOURCE,
    changes: [{ field: "employeeID", before: previous, after: employeeID }],
    after: fields(employeeID, { email: before.email }),
    before,
  };
}

function deactivate(employeeID: string): PlannedAction {
  const before = { ...fields(employeeID), serial: `S${employeeID}` };
  return {
    action: "deactivate",
    employeeID,
    changes: [{ field: "isActive", before: true, after: false }],
    after: fields(employeeID, { isActive: false }),
    before,
  };
}

function planOf(actions: PlannedAction[], warnings: Diagnostic[] = []): Plan {
  const summary = { create: 0, update: 0, rename: 0, deactivate: 0, unchanged: 7 };
  for (const a of actions) summary[a.action]++;
  return { formatVersion: 1, summary, actions, warnings };
}

/** The issue's measured mix: 1,500 creates, 2,000 updates (some risky), 500 renames, 1,000 deactivations. */
function issueMix(): Plan {
  const actions: PlannedAction[] = [];
  for (let i = 0; i < 1500; i++) actions.push(create(id("C", i)));
  for (let i = 0; i < 2000; i++) {
    const e = id("U", i);
    if (i < 300) actions.push(update(e, [{ field: "email", before: `${e.toLowerCase()}@contoh.co.id`, after: `baru${i}@contoh.co.id` }]));
    else if (i < 500) actions.push(update(e, [{ field: "organizationSerial", before: "COMPFJLYTHWL", after: "COMPZZZ" }]));
    else actions.push(update(e, [{ field: "name", before: `Karyawan ${e}`, after: `Karyawan Baru ${e}` }]));
  }
  for (let i = 0; i < 500; i++) actions.push(rename(id("R", i), id("Q", i)));
  for (let i = 0; i < 1000; i++) actions.push(deactivate(id("D", i)));
  return planOf(actions);
}

const part = (md: string, prefix: string) => partsOf(md).find((p) => p.title.startsWith(prefix));

describe("renderPlanMarkdown", () => {
  it("opens with exact counts, then a table per group, riskiest first, with before → after", () => {
    const plan = planChanges(
      [
        desired("A1", { phone: "62811" }),
        desired("B2"),
        desired("R3", { previousEmployeeIDs: ["R2"], email: "r2@example.co.id" }),
        desired("E1", { email: "baru@example.co.id" }),
        desired("O1", { organizationSerial: "ORGB" }),
      ],
      stateOf(
        applied("A1", { phone: "62899" }),
        applied("R2"),
        applied("GONE", { name: "Rina" }),
        applied("E1"),
        applied("O1", { organizationSerial: "ORGA" }),
      ),
    );
    const md = renderPlanMarkdown(plan);
    const lines = md.split("\n");
    expect(lines[0]).toBe(PLAN_MARKDOWN_MARKER);
    expect(lines[3]).toBe("**Plan: 1 to create, 3 to update, 1 to rename, 1 to deactivate.** 0 unchanged.");
    const counts = lines.slice(5, 13);
    expect(counts).toEqual([
      "| | change, riskiest first | users |",
      "|---|---|--:|",
      "| - | Deactivate | 1 |",
      "| ~ | Change the e-mail: RuangKerja resets the password | 1 |",
      "| ~ | Move to another organization | 1 |",
      "| → | Rename | 1 |",
      "| ~ | Update | 1 |",
      "| + | Create | 1 |",
    ]);
    expect(partsOf(md).map((p) => p.title)).toEqual([
      "⚠️ Warnings (1)",
      "- Deactivate (1)",
      "~ Change the e-mail: RuangKerja resets the password (1)",
      "~ Move to another organization (1)",
      "→ Rename (1)",
      "~ Update (1)",
      "+ Create (1)",
    ]);
    expect(md).toContain("| `A1` | `Name A1` | phone: `62899` → `62811` | `users/team.yaml:3` |");
    expect(md).toContain("| `E1` | `Name E1` | email: `e1@example.co.id` → `baru@example.co.id` *(resets the password)* |");
    expect(md).toContain("| `O1` | `Name O1` | organizationSerial: `ORGA` → `ORGB` |");
    expect(md).toContain("| `R2` → `R3` | `Name R3` |");
    expect(md).toContain("| `GONE` | `Rina` |  | no longer declared |");
    // A heading never runs into the table above it.
    expect(md).toContain("| + | Create | 1 |\n\n#### ⚠️ Warnings (1)");
  });

  it("lists an update that changes the e-mail and the organization once, as an e-mail change", () => {
    const both = update("X1", [
      { field: "email", before: "a@contoh.co.id", after: "b@contoh.co.id" },
      { field: "organizationSerial", before: "ORGA", after: "ORGB" },
    ]);
    expect(changeGroup(both)).toBe("email");
    expect(changeGroup(update("X2", [{ field: "organizationSerial", before: "ORGA", after: "ORGB" }]))).toBe("organization");
    expect(changeGroup(update("X3", [{ field: "phone", before: "1", after: "2" }]))).toBe("update");
    expect(changeGroup(rename("X4", "X0"))).toBe("rename");
    const md = renderPlanMarkdown(planOf([both]));
    expect(md.match(/\| `X1` \|/g)).toHaveLength(1);
    expect(md).toContain("| ~ | Change the e-mail: RuangKerja resets the password | 1 |");
    expect(md).not.toContain("Move to another organization");

    const renamed = {
      ...rename("X5", "X0"),
      changes: [...rename("X5", "X0").changes, { field: "email", before: "a@b.id", after: "c@b.id" }],
      resetsPassword: true,
    } as PlannedAction;
    const withReset = renderPlanMarkdown(planOf([renamed]));
    expect(withReset).toContain("| → | Rename (1 also changes the e-mail: RuangKerja resets the password) | 1 |");
    expect(withReset).toContain("email: `a@b.id` → `c@b.id` *(resets the password)*");
  });

  it("says so when nothing changes, with no table", () => {
    const md = renderPlanMarkdown(planChanges([desired("A1")], stateOf(applied("A1"))));
    expect(md).toContain("No changes. RuangKerja users match the declarations (1 unchanged).");
    expect(md).not.toContain("|");
  });

  it("folds a long table into <details>; a risky one keeps its first rows open", () => {
    const plan = planChanges(many("C", 21), new Map());
    expect(renderPlanMarkdown(plan)).toContain("<details><summary><b>+ Create (21)</b></summary>");
    expect(renderPlanMarkdown(plan, { collapseAfter: 21 })).not.toContain("<details>");

    const md = renderPlanMarkdown(planOf(Array.from({ length: 25 }, (_, i) => deactivate(id("D", i)))));
    const lines = md.split("\n");
    const heading = lines.indexOf("#### - Deactivate (25)");
    const fold = lines.indexOf("<details><summary>5 more</summary>");
    expect(heading).toBeGreaterThan(0);
    expect(lines.slice(heading, fold).filter((l) => l.startsWith("| `D"))).toHaveLength(20);
    expect(lines.slice(fold).filter((l) => l.startsWith("| `D"))).toHaveLength(5);
  });

  it("stays under maxChars, counting what it leaves out", () => {
    const plan = planChanges(many("C", 2000), new Map());
    const md = renderPlanMarkdown(plan, { maxChars: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    const shown = md.split("\n").filter((l) => l.startsWith("| `C")).length;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`…and ${2000 - shown} more to create, not shown here`);
    expect(md).toContain(`**${2000 - shown} of the 2000 changes are not listed here** (${2000 - shown} to create)`);
  });

  it("the issue's mix: every group lists rows, deactivations first, under GitHub's limit", () => {
    const plan = issueMix();
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain("**Plan: 1500 to create, 2000 to update, 500 to rename, 1000 to deactivate.** 7 unchanged.");
    const expected: [string, number][] = [
      ["- Deactivate", 1000],
      ["~ Change the e-mail: RuangKerja resets the password", 300],
      ["~ Move to another organization", 200],
      ["→ Rename", 500],
      ["~ Update", 1500],
      ["+ Create", 1500],
    ];
    const parts = partsOf(md);
    expect(parts.map((p) => p.title.replace(/ \(\d+\)$/, ""))).toEqual(expected.map(([t]) => t));
    let omitted = 0;
    for (const [title, count] of expected) {
      const p = part(md, title) as MarkdownPart;
      expect(p.title).toContain(`(${count})`);
      // A fair share each: no group is crowded out by another.
      expect(p.rows).toBeGreaterThanOrEqual(50);
      expect(p.rows + p.more).toBe(count);
      omitted += p.more;
    }
    expect(md).toContain(`**${omitted} of the 5000 changes are not listed here** (`);
    expect(md).toContain("`ruangkerja-users show PLANFILE`");
    // The first deactivation comes before the first create, rename or plain update.
    const first = (prefix: string) => md.indexOf(`| \`${prefix}`);
    expect(first("D")).toBeLessThan(first("U000300"));
    expect(first("U000300")).toBeLessThan(first("Q"));
    expect(first("Q")).toBeLessThan(first("U000500"));
    expect(first("U000500")).toBeLessThan(first("C"));
  });

  it("names the saved plan where rows are left out", () => {
    const md = renderPlanMarkdown(issueMix(), { planFile: "ruangkerja.plan.json" });
    expect(md).toContain("…and ");
    expect(md).toContain("`ruangkerja-users show ruangkerja.plan.json` lists them all");
    expect(md).toContain("To see them all, run `ruangkerja-users show ruangkerja.plan.json` (the saved plan; in CI, the plan artifact");
    expect(md).not.toContain("PLANFILE");
  });

  it("a 100,000-create plan stays under GitHub's limit and counts the rest exactly", () => {
    const plan = planOf(Array.from({ length: 100_000 }, (_, i) => create(id("C", i))));
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const p = part(md, "+ Create (100000)") as MarkdownPart;
    expect(p.rows).toBeGreaterThan(100);
    expect(p.rows + p.more).toBe(100_000);
    expect(md).toContain(`**${p.more} of the 100000 changes are not listed here** (${p.more} to create)`);
  });

  it("caps and summarises many warnings and a large drift, keeping plan-wide warnings and every group", () => {
    const actions: PlannedAction[] = [];
    const warnings: Diagnostic[] = [];
    for (let i = 0; i < 40_000; i++) actions.push(create(id("C", i)));
    for (let i = 0; i < 40_000; i++) {
      const e = id("U", i);
      actions.push(update(e, [{ field: "email", before: `${e.toLowerCase()}@contoh.co.id`, after: `baru${i}@contoh.co.id` }]));
      warnings.push({
        severity: "warning",
        summary: `the e-mail of ${e} changes from "${e.toLowerCase()}@contoh.co.id" to "baru${i}@contoh.co.id": RuangKerja resets this user's password`,
        detail: "Apply sends the new address through update-email-bulk. Tell them before you apply.",
        field: "email",
        location: SOURCE,
      });
    }
    for (let i = 0; i < 20_000; i++) {
      actions.push(deactivate(id("D", i)));
      // Each with its own explanation: none can stand for another.
      warnings.push({
        severity: "warning",
        summary: `${id("N", i)} lists ${id("D", i)} as a previous employee ID, but both are in state`,
        detail: `Remove ${id("D", i)} from previousEmployeeIDs if it is a different person.`,
        field: "previousEmployeeIDs",
        location: SOURCE,
      });
    }
    warnings.push({
      severity: "warning",
      summary: "this plan deactivates 20000 of the 60000 users in state (33%), more than the safety limit of 10%",
    });
    const driftUsers: DriftedUser[] = Array.from({ length: 50_000 }, (_, i) => ({
      kind: i % 10 === 0 ? "missing" : i % 10 === 1 ? "deactivated" : "changed",
      employeeID: id("U", i),
      name: `Karyawan ${id("U", i)}`,
      changes:
        i % 10 === 0 ? [] : [{ field: "phone", before: `62811${String(i).padStart(6, "0")}`, after: `62822${String(i).padStart(6, "0")}` }],
    }));
    const drift: Drift = { users: driftUsers, checked: 60_000 };
    const plan = planOf(actions, warnings);

    const md = renderPlanMarkdown(plan, { drift });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const titles = partsOf(md).map((p) => p.title);
    expect(titles[0]).toBe("⚠️ Warnings (60001)");
    expect(titles.slice(1, 4)).toEqual([
      "- Deactivate (20000)",
      "~ Change the e-mail: RuangKerja resets the password (40000)",
      "+ Create (40000)",
    ]);
    expect(titles[4]).toBe("Drift: 40000 changed, 5000 deactivated, 5000 missing outside git (of 60000 users in state)");
    for (const p of partsOf(md)) expect(p.rows).toBeGreaterThan(0);
    const lines = md.split("\n");
    const warningLines = lines.slice(lines.indexOf("#### ⚠️ Warnings (60001)"), lines.indexOf("#### - Deactivate (20000)"));
    // The plan-wide guard comes first, though it was the last warning.
    expect(warningLines.find((l) => l.startsWith("- "))).toContain("this plan deactivates 20000");
    // 40,000 e-mail warnings share one explanation: five shown, the rest counted, the explanation once.
    expect(warningLines.filter((l) => l.includes("RuangKerja resets this user"))).toHaveLength(5);
    expect(warningLines.filter((l) => l.includes("Tell them before you apply"))).toHaveLength(1);
    expect(warningLines).toContain("- …and 39995 more warnings of this kind.");
    const warningPart = part(md, "⚠️ Warnings") as MarkdownPart;
    expect(md).toMatch(new RegExp(`Also left out: ${warningPart.more} warnings, \\d+ users with drift\\.`));
    const driftPart = part(md, "Drift:") as MarkdownPart;
    expect(driftPart.rows + driftPart.more).toBe(50_000);
    expect(md).toContain("| `U000000` | `Karyawan U000000` | missing from RuangKerja: leaves state (created again if declared) |  |");
    expect(md).toContain("| `U000002` | `Karyawan U000002` | changed in RuangKerja | phone: `62811000002` → `62822000002` |");
  });

  it("keeps every group at least one row and the total under maxChars, however small", () => {
    const plan = issueMix();
    for (const maxChars of [4_000, 8_000, 15_000, 30_000]) {
      const md = renderPlanMarkdown(plan, { maxChars, planFile: "p.json" });
      expect(md.length).toBeLessThanOrEqual(maxChars);
      const parts = partsOf(md);
      expect(parts).toHaveLength(6);
      for (const p of parts) expect(p.rows).toBeGreaterThan(0);
    }
  });

  it("keeps names from injecting HTML, breaking the table or mentioning anyone", () => {
    const plan = planChanges([desired("A1", { name: "<img src=x> | @everyone `x`" })], new Map());
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("| `` <img src=x> \\| @everyone `x` `` |");
    const row = md.split("\n").find((l) => l.startsWith("| `A1`")) as string;
    // Five cell borders: the escaped pipe is not one.
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(6);
  });

  it("cuts a very long value, so one row cannot take the budget", () => {
    const plan = planChanges(
      [desired("A1", { name: "N".repeat(5000), tagSerials: Array.from({ length: 30 }, (_, i) => `TAG-${i}`) })],
      new Map(),
    );
    const row = renderPlanMarkdown(plan)
      .split("\n")
      .find((l) => l.startsWith("| `A1`")) as string;
    expect(row.length).toBeLessThan(600);
    expect(row).toContain(`\`${"N".repeat(119)}…\``);
    expect(row).toContain("`TAG-17` *and 20 more*");
  });

  it("escapes warnings written as text, and puts words with @ in code spans", () => {
    const plan = {
      ...planChanges([], new Map()),
      warnings: [
        { severity: "warning" as const, summary: "a <b>bold</b> *claim* | x", detail: "line one\nline two" },
        { severity: "warning" as const, summary: "ping @everyone about budi@contoh.co.id." },
        { severity: "warning" as const, summary: "~~struck~~ [link](x)" },
      ],
    };
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("- a &lt;b&gt;bold&lt;/b&gt; \\*claim\\* \\| x<br>line one line two");
    expect(md).toContain("- ping `@everyone` about `budi@contoh.co.id`.");
    expect(md).toContain("- \\~\\~struck\\~\\~ \\[link\\](x)");
  });
});

describe("code", () => {
  it("fences text holding backticks with a longer run, padded", () => {
    expect(code("plain")).toBe("`plain`");
    expect(code("a``b")).toBe("```a``b```");
    expect(code("`x")).toBe("`` `x ``");
  });

  it("escapes control, line-break and bidirectional characters, which a state value may hold", () => {
    expect(code("a\u202Etxt.exe")).toBe("`a\\u202etxt.exe`");
    expect(code("one\ntwo\r\u2028|\u001B[31m\uD800")).toBe("`one\\ntwo\\r\\u2028\\|\\u001b[31m\\ud800`");
    // Only those: a joiner names need, a pair outside the BMP and a leading `::` stay as written.
    expect(code("::نام\u200Cها 😀")).toBe("`::نام\u200Cها 😀`");
    const drift: Drift = { checked: 1, users: [{ kind: "changed", employeeID: "A1", name: "Budi\u202E\n| x |", changes: [] }] };
    const md = renderPlanMarkdown(planOf([]), { drift });
    expect(md).toContain("\n| `A1` | `Budi\\u202e\\n\\| x \\|` | changed in RuangKerja |  |\n");
  });
});
