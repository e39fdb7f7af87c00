import { describe, expect, it } from "vitest";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { ACTIONS_PER_CHUNK, renderPlanText, renderPlanTextChunks, SUMMARY_FIRST_ABOVE } from "../../../src/plan/render-text.js";
import { hasUnsafeCharacter } from "../../../src/text/untrusted-text.js";
import { applied, desired, stateOf } from "../../builders.js";

const mixed = planChanges(
  [desired("NEW1", { phone: "62811" }), desired("U1", { name: "Changed", phone: "62899" }), desired("R2", { previousEmployeeIDs: ["R1"] })],
  stateOf(applied("U1"), applied("R1"), applied("GONE")),
);

function creates(n: number) {
  return planChanges(
    Array.from({ length: n }, (_, i) => desired(`E${String(i).padStart(5, "0")}`)),
    new Map(),
  );
}

describe("plan text for large plans", () => {
  it("prints a no-change plan as one line", () => {
    const text = renderPlanText(planChanges([desired("A"), desired("B")], stateOf(applied("A"), applied("B"))), { color: false });
    expect(text.split("\n")).toEqual(["No changes. RuangKerja users match the declarations (2 unchanged)."]);
  });

  it("--compact: one line per user, grouped under a count per action, the fields an update changes but not their values", () => {
    const lines = renderPlanText(mixed, { color: false, compact: true }).split("\n");
    expect(lines).toContain("  1 to create:");
    expect(lines).toContain('    + NEW1 "Name NEW1"  (users/team.yaml:3)');
    expect(lines).toContain('    ~ U1 "Changed": name, phone  (users/team.yaml:3)');
    expect(lines).toContain('    → R1 → R2 "Name R2": name, email  (users/team.yaml:3)');
    expect(lines).toContain('    - GONE "Name GONE"  (no longer declared)');
    expect(lines.indexOf("  1 to create:")).toBeLessThan(lines.indexOf("  1 to update:"));
    expect(lines.join("\n")).not.toContain("62899");
    expect(lines.at(-1)).toBe("Plan: 1 to create, 1 to update, 1 to rename, 1 to deactivate.");
  });

  it(`puts the summary first as well once a plan has more than ${SUMMARY_FIRST_ABOVE} actions`, () => {
    const small = renderPlanText(creates(SUMMARY_FIRST_ABOVE), { color: false }).split("\n");
    expect(small[0]).toBe("RuangKerja users will change as follows:");
    const large = renderPlanText(creates(SUMMARY_FIRST_ABOVE + 1), { color: false, compact: true }).split("\n");
    expect(large[0]).toBe(`Plan: ${SUMMARY_FIRST_ABOVE + 1} to create, 0 to update, 0 to rename, 0 to deactivate.`);
    expect(large.at(-1)).toBe(large[0]);
  });

  it("gives the same text in pieces, a bounded number of users per piece", () => {
    const plan = creates(2500);
    const chunks = [...renderPlanTextChunks(plan, { color: false })];
    // Full chunks of actions, then the rest with the summary (here only the summary).
    expect(chunks.length).toBe(Math.floor(2500 / ACTIONS_PER_CHUNK) + 1);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join("\n")).toBe(renderPlanText(plan, { color: false }));
    expect(chunks.join("\n").match(/\+ create /g)).toHaveLength(2500);
  });
});

describe("plan text of hostile values", () => {
  /** Lines as GitHub's runner reads them (ending at LF or CR, leading white space trimmed) that would be workflow commands. */
  const forged = (text: string) => text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith("::") || line.includes("##["));
  const hostileName = "Budi\n::error title=Forged::all good\u202e ##[error]x";
  const source = { file: "users/\n::error::forged.yaml", line: 3, column: 5 };
  const plan = planChanges(
    [desired("NEW1", { name: hostileName, source, tagSerials: ["T\n::warning::t"] }), desired("U1", { name: "Changed", source })],
    stateOf(applied("U1", { name: "Old\r::error::old", organizationSerial: "\u001b[2Jgone" })),
  );

  it.each([false, true])("prints names, values and file names escaped (compact: %s)", (compact) => {
    const text = renderPlanText(plan, { color: false, compact });
    expect(forged(text)).toEqual([]);
    expect(hasUnsafeCharacter(text.replace(/\n/g, " "))).toBe(false);
    expect(text).toContain('"Budi\\n::error title=Forged::all good\\u202e #\\u0023[error]x"');
    expect(text).toContain('("users/\\n::error::forged.yaml":3)');
  });

  it("prints state's values escaped in an update", () => {
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain('~ update U1 "Old\\r::error::old"');
    expect(text).toContain('"\\u001b[2Jgone" → (none)');
    expect(text).toContain('tagSerials  ["T\\n::warning::t"]');
  });
});
