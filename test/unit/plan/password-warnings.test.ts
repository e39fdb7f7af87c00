import { describe, expect, it } from "vitest";
import type { PasswordEnv } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { renderPlanMarkdown } from "../../../src/plan/render-markdown.js";
import { applied, desired, stateOf } from "../../builders.js";

const variable = (name: string, line = 7): PasswordEnv => ({
  name: `RUANGKERJA_PASSWORD_${name}`,
  source: { file: "users/new.yaml", line, column: 18 },
});
const warningsOf = (plan: ReturnType<typeof planChanges>) => plan.warnings.filter((w) => w.field === "passwordEnv");

describe("initial passwords one person could use to sign in as another", () => {
  it("warns at a create whose variable is named after another person, declared or in state, at its passwordEnv", () => {
    const declared = planChanges([desired("NEW1", { passwordEnv: variable("EMP0042") }), desired("EMP0042")], new Map());
    expect(warningsOf(declared)).toEqual([
      {
        severity: "warning",
        summary: "NEW1 is created with the initial password in RUANGKERJA_PASSWORD_EMP0042, the variable named after EMP0042",
        detail:
          "Whoever knows that password could sign in as NEW1. If this is not meant, give NEW1 a variable of its own (passwordEnv: RUANGKERJA_PASSWORD_NEW1) and set it where apply runs.",
        field: "passwordEnv",
        location: { file: "users/new.yaml", line: 7, column: 18 },
      },
    ]);
    // The person may be long created (only state knows them), with any case of letters.
    const inState = planChanges([desired("new2", { passwordEnv: variable("AUTHOR7") })], stateOf(applied("Author7")));
    expect(warningsOf(inState).map((w) => w.summary)).toEqual([
      "new2 is created with the initial password in RUANGKERJA_PASSWORD_AUTHOR7, the variable named after Author7",
    ]);
    expect(renderPlanMarkdown(inState, {})).toContain("the variable named after Author7");
  });

  it("warns at each create of a group that shares one variable named after none of them", () => {
    const plan = planChanges(
      [
        desired("B1", { passwordEnv: variable("BATCH", 3) }),
        desired("B2", { passwordEnv: variable("BATCH", 9) }),
        desired("B3", { passwordEnv: variable("BATCH", 15) }),
      ],
      new Map(),
    );
    expect(warningsOf(plan).map((w) => [w.summary, w.location?.line])).toEqual([
      ["B1 is created with the same initial password as B2 and B3 (RUANGKERJA_PASSWORD_BATCH)", 3],
      ["B2 is created with the same initial password as B1 and B3 (RUANGKERJA_PASSWORD_BATCH)", 9],
      ["B3 is created with the same initial password as B1 and B2 (RUANGKERJA_PASSWORD_BATCH)", 15],
    ]);
  });

  it("names the owner once when a group's variable is one member's: the others are warned, the owner is not", () => {
    const plan = planChanges(
      [desired("OWN1", { passwordEnv: variable("OWN1") }), desired("X2", { passwordEnv: variable("OWN1") })],
      new Map(),
    );
    expect(warningsOf(plan).map((w) => w.summary)).toEqual([
      "X2 is created with the initial password in RUANGKERJA_PASSWORD_OWN1, the variable named after OWN1",
    ]);
  });

  it("says nothing for each person's own variable, for updates, or without passwordEnv; a large group names three", () => {
    const own = planChanges(
      [desired("E1", { passwordEnv: variable("E1") }), desired("E2", { passwordEnv: variable("E2") })],
      stateOf(applied("E3")),
    );
    expect(warningsOf(own)).toEqual([]);
    // An existing user is not touched by passwordEnv: no warning even when it names someone else's variable.
    const update = planChanges(
      [desired("E1", { name: "New Name", passwordEnv: variable("E9") }), desired("E9")],
      stateOf(applied("E1"), applied("E9")),
    );
    expect(warningsOf(update)).toEqual([]);
    const many = Array.from({ length: 1000 }, (_, i) => desired(`M${i}`, { passwordEnv: variable("SHARED") }));
    const warned = warningsOf(planChanges(many, new Map()));
    expect(warned).toHaveLength(1000);
    expect(warned[0]?.summary).toBe("M0 is created with the same initial password as M1, M2, M3 and 996 more (RUANGKERJA_PASSWORD_SHARED)");
  });
});
