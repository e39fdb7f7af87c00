import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { validateDeclarationText } from "../../../src/declarations/index.js";
import { parseCommonDeclarationText } from "../../../src/declarations/fast-parse.js";
import { parseDeclarationTextWithYaml } from "../../../src/declarations/parse-file.js";
import {
  isPasswordEnvName,
  PASSWORD_ENV_MAX_LENGTH,
  PASSWORD_ENV_PATTERN,
  suggestPasswordEnv,
} from "../../../src/declarations/password-env.js";
import { DECLARATIONS_SCHEMA_PATH } from "../../../src/declarations/schema.js";
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
      "    passwordEnv: RUANGKERJA_PASSWORD_BUDI",
    );
    expect(diagnostics).toEqual([]);
    expect(users[0]?.passwordEnv).toEqual({ name: "RUANGKERJA_PASSWORD_BUDI", source: { file: FILE, line: 5, column: 5 } });
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
    expect(d.detail).toContain("passwordEnv: RUANGKERJA_PASSWORD_<NAME>");
    expect(JSON.stringify(diagnostics)).not.toContain("Rahasia123");
  });

  it("is not a managed field: the plan shows its name on a create only, and never as a change", () => {
    const { users } = check(
      "users:",
      "  - employeeID: E1",
      "    name: Budi",
      "    email: budi@contoh.co.id",
      "    passwordEnv: RUANGKERJA_PASSWORD_BUDI",
      "  - employeeID: E2",
      "    name: Sari",
      "    email: e2@example.co.id",
      "    passwordEnv: RUANGKERJA_PASSWORD_SARI",
    );
    // E2 already exists (state): passwordEnv means nothing for it.
    const plan = planChanges(users, stateOf(applied("E2", { name: "Sari" })));
    expect(plan.actions.map((a) => a.action)).toEqual(["create"]);
    const [create] = plan.actions;
    expect(create?.passwordEnv?.name).toBe("RUANGKERJA_PASSWORD_BUDI");
    expect(create?.after).not.toHaveProperty("passwordEnv");
    expect(create?.changes.map((c) => c.field)).not.toContain("passwordEnv");
    expect(planToJson(plan).actions[0]?.passwordEnv).toBe("RUANGKERJA_PASSWORD_BUDI");
    expect(renderPlanText(plan, { color: false })).toMatch(/passwordEnv\s+RUANGKERJA_PASSWORD_BUDI/);
  });
});

/** One user E1 (or `id`) whose passwordEnv is `name`, on line 5. */
function withPasswordEnv(name: string, id = "EMP0042") {
  return lines("users:", `  - employeeID: ${id}`, "    name: Rina", "    email: rina@contoh.co.id", `    passwordEnv: ${name}`);
}

describe("passwordEnv names only RUANGKERJA_PASSWORD_ variables (docs/password-env.md)", () => {
  it("the rule here is the schema's, and its length too", () => {
    const schema = JSON.parse(readFileSync(DECLARATIONS_SCHEMA_PATH, "utf8")) as {
      definitions: { user: { properties: { passwordEnv: { pattern: string; maxLength: number } } } };
    };
    const { pattern, maxLength } = schema.definitions.user.properties.passwordEnv;
    expect(pattern).toBe(PASSWORD_ENV_PATTERN.source);
    expect(maxLength).toBe(PASSWORD_ENV_MAX_LENGTH);
  });

  it.each(["RUANGKERJA_PASSWORD_EMP0042", "RUANGKERJA_PASSWORD_RINA_INITIAL_PASSWORD", "RUANGKERJA_PASSWORD_1", "RUANGKERJA_PASSWORD__"])(
    "accepts %s",
    (name) => {
      expect(check(withPasswordEnv(name)).diagnostics).toEqual([]);
      expect(isPasswordEnvName(name)).toBe(true);
    },
  );

  it.each([
    ["RUANGKERJA_TOKEN", /RUANGKERJA_TOKEN holds the RuangKerja API token: apply would have sent it/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["RUANGKERJA_CLIENT_SECRET", /holds the RuangKerja client secret/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["RUANGKERJA_CLIENT_ID", /holds the RuangKerja client ID/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["RUANGKERJA_API_URL", /one of ruangkerja-users' own variables/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["GITHUB_TOKEN", /looks like a credential/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["HOME", /HOME is a variable of the machine that runs apply/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["PATH", /PATH is a variable of the machine/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["RINA_INITIAL_PASSWORD", /^passwordEnv may name only/, "RUANGKERJA_PASSWORD_RINA_INITIAL_PASSWORD or RUANGKERJA_PASSWORD_EMP0042"],
    ["ruangkerja_password_rina", /^passwordEnv may name only/, "RUANGKERJA_PASSWORD_RINA or RUANGKERJA_PASSWORD_EMP0042"],
    ["RUANGKERJA_PASSWORD_", /^passwordEnv may name only/, "RUANGKERJA_PASSWORD_EMP0042"],
    ["RUANGKERJA_PASSWORD_rina", /^passwordEnv may name only/, "RUANGKERJA_PASSWORD_RINA or RUANGKERJA_PASSWORD_EMP0042"],
  ])("refuses %s at its value, naming the variable to use instead", (name, why, instead) => {
    const { users, diagnostics } = check(withPasswordEnv(name));
    const d = expectDiagnostic(diagnostics, {
      line: 5,
      column: 18,
      field: "users[0].passwordEnv",
      summary: `passwordEnv "${name}" is not a RUANGKERJA_PASSWORD_ variable`,
    });
    expect(d.detail).toMatch(why);
    expect(d.detail).toContain(`Write passwordEnv: ${instead},`);
    expect(d.detail).toContain("docs/password-env.md");
    expect(users).toEqual([]);
  });

  it("refuses the same names on both parse paths: the fast path hands them to yaml, which reports them", () => {
    for (const name of ["RUANGKERJA_TOKEN", "HOME", "rina", "RUANGKERJA_PASSWORD_EMP0042"]) {
      const text = withPasswordEnv(name);
      // The fast path never answers for a passwordEnv (yaml knows where its key is written), good or bad.
      expect(parseCommonDeclarationText(FILE, text), name).toBeUndefined();
      expect(validateDeclarationText(FILE, text).diagnostics).toEqual(parseDeclarationTextWithYaml(FILE, text).diagnostics);
    }
  });

  it("suggests nothing that would itself be refused, and falls back to the employeeID form", () => {
    expect(suggestPasswordEnv("x".repeat(200), "EMP1")).toEqual(["RUANGKERJA_PASSWORD_EMP1"]);
    expect(suggestPasswordEnv("RUANGKERJA_TOKEN", undefined)).toEqual(["RUANGKERJA_PASSWORD_<employeeID>"]);
    expect(suggestPasswordEnv("rina-baru", "emp1")).toEqual(["RUANGKERJA_PASSWORD_RINA_BARU", "RUANGKERJA_PASSWORD_EMP1"]);
    for (const name of ["a b", "ÄÖ", "", "---", "9"]) {
      for (const s of suggestPasswordEnv(name, "E1").filter((s) => !s.includes("<"))) expect(isPasswordEnvName(s), s).toBe(true);
    }
  });

  it("a name too long is refused by its length alone", () => {
    const { diagnostics } = check(withPasswordEnv(`RUANGKERJA_PASSWORD_${"X".repeat(100)}`));
    expect(diagnostics.map((d) => d.summary)).toEqual(["passwordEnv is longer than 100 characters (it has 120)"]);
  });
});
