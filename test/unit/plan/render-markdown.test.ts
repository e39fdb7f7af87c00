import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { code, PLAN_MARKDOWN_MARKER, renderPlanMarkdown } from "../../../src/plan/render-markdown.js";
import { applied, desired, stateOf } from "../../builders.js";

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => desired(`${prefix}${String(i).padStart(4, "0")}`));

describe("renderPlanMarkdown", () => {
  it("puts the summary first, then a table per kind with before → after", () => {
    const plan = planChanges(
      [desired("A1", { phone: "62811" }), desired("B2"), desired("R3", { previousEmployeeIDs: ["R2"] })],
      stateOf(applied("A1", { phone: "62899" }), applied("R2"), applied("GONE", { name: "Rina" })),
    );
    const md = renderPlanMarkdown(plan);
    const lines = md.split("\n");
    expect(lines[0]).toBe(PLAN_MARKDOWN_MARKER);
    expect(lines[3]).toBe("**Plan: 1 to create, 1 to update, 1 to rename, 1 to deactivate.** 0 unchanged.");
    const order = ["#### + Create (1)", "#### ~ Update (1)", "#### → Rename (1)", "#### - Deactivate (1)"].map((h) => lines.indexOf(h));
    expect(order.every((i) => i > 3)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain("| `A1` | `Name A1` | phone: `62899` → `62811` | `users/team.yaml:3` |");
    expect(md).toContain("| `R2` → `R3` | `Name R3` |");
    expect(md).toContain("| `GONE` | `Rina` |  | no longer declared |");
  });

  it("says so when nothing changes, with no table", () => {
    const md = renderPlanMarkdown(planChanges([desired("A1")], stateOf(applied("A1"))));
    expect(md).toContain("No changes. RuangKerja users match the declarations (1 unchanged).");
    expect(md).not.toContain("|");
  });

  it("collapses a table past collapseAfter rows into <details>", () => {
    const plan = planChanges(many("C", 21), new Map());
    expect(renderPlanMarkdown(plan)).toContain("<details><summary><b>+ Create (21)</b></summary>");
    expect(renderPlanMarkdown(plan, { collapseAfter: 21 })).not.toContain("<details>");
  });

  it("stays under maxChars, counting what it leaves out", () => {
    const plan = planChanges(many("C", 2000), new Map());
    const md = renderPlanMarkdown(plan, { maxChars: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    const shown = md.split("\n").filter((l) => l.startsWith("| `C")).length;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`…and ${2000 - shown} more to create, not shown here.`);
    expect(md).toContain(`${2000 - shown} changes are not listed`);
  });

  it("keeps names from injecting HTML, breaking the table or mentioning anyone", () => {
    const plan = planChanges([desired("A1", { name: "<img src=x> | @everyone `x`" })], new Map());
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("| `` <img src=x> \\| @everyone `x` `` |");
    const row = md.split("\n").find((l) => l.startsWith("| `A1`")) as string;
    // Five cell borders: the escaped pipe is not one.
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(6);
  });

  it("escapes warnings written as text", () => {
    const plan = {
      ...planChanges([], new Map()),
      warnings: [{ severity: "warning" as const, summary: "a <b>bold</b> *claim* | x", detail: "line one\nline two" }],
    };
    expect(renderPlanMarkdown(plan)).toContain("- a &lt;b&gt;bold&lt;/b&gt; \\*claim\\* \\| x<br>line one line two");
  });
});

describe("code", () => {
  it("fences text holding backticks with a longer run, padded", () => {
    expect(code("plain")).toBe("`plain`");
    expect(code("a``b")).toBe("```a``b```");
    expect(code("`x")).toBe("`` `x ``");
  });
});
