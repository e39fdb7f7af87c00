import { describe, expect, it } from "vitest";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { planToJson } from "../../../src/plan/render-json.js";
import { renderPlanText } from "../../../src/plan/render-text.js";
import { applied, stateOf } from "../../builders.js";
import { errorsOf, expectDiagnostic, lines } from "./helpers.js";

const FILE = "users/pw.yaml";

function check(...text: string[]) {
  return validateDeclarationText(FILE, lines(...text));
}

describe("passwordEnv", () => {
  it("is accepted and remembers where it is written, for the error when the variable is missing", () => {
    const { users, diagnostics } = check(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    email: budi@contoh.co.id",
      "    passwordEnv: BUDI_PASSWORD",
    );
    expect(diagnostics).toEqual([]);
    expect(users[0]?.passwordEnv).toEqual({ name: "BUDI_PASSWORD", source: { file: FILE, line: 5, column: 5 } });
  });

  it("refuses a name that is not an environment variable name, located at the value", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    passwordEnv: 'my password'");
    expectDiagnostic(diagnostics, { line: 5, field: "users[0].passwordEnv" });
  });

  it("is refused in defaults, saying it is set per user", () => {
    const { diagnostics } = check("defaults:", "  passwordEnv: SHARED", "users: []");
    const d = expectDiagnostic(diagnostics, { line: 2, summary: "per user" });
    expect(d.detail).toContain("move passwordEnv");
  });

  it("a literal password is refused with a pointer to passwordEnv", () => {
    const { diagnostics } = check("users:", "  - employeeID: E1", "    name: Budi", "    phone: '62811'", "    password: Rahasia123");
    expect(errorsOf(diagnostics)).toHaveLength(1);
    const d = expectDiagnostic(diagnostics, { line: 5, summary: "must not be written" });
    expect(d.detail).toContain("passwordEnv: NAME");
    expect(JSON.stringify(diagnostics)).not.toContain("Rahasia123");
  });

  it("is not a managed field: the plan shows its name on a create only, and never as a change", () => {
    const { users } = check(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    email: budi@contoh.co.id",
      "    passwordEnv: BUDI_PASSWORD",
      "  - employeeID: E2",
      "    name: Sari",
      "    email: e2@example.co.id",
      "    passwordEnv: SARI_PASSWORD",
    );
    // E2 already exists (state): passwordEnv means nothing for it.
    const plan = planChanges(users, stateOf(applied("E2", { name: "Sari" })));
    expect(plan.actions.map((a) => a.action)).toEqual(["create"]);
    const [create] = plan.actions;
    expect(create?.passwordEnv?.name).toBe("BUDI_PASSWORD");
    expect(create?.after).not.toHaveProperty("passwordEnv");
    expect(create?.changes.map((c) => c.field)).not.toContain("passwordEnv");
    expect(planToJson(plan).actions[0]?.passwordEnv).toBe("BUDI_PASSWORD");
    expect(renderPlanText(plan, { color: false })).toMatch(/passwordEnv\s+BUDI_PASSWORD/);
  });
});
