/**
 * Initial passwords for the creates of a plan, from the environment variables their users name
 * in `passwordEnv`. The caller passes the lookup (nothing below src/cli reads process.env), and
 * every missing variable comes back as a located error, so apply stops before any call.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { Plan } from "../plan/plan-types.js";

export interface ResolvedPasswords {
  /** Password by employeeID, for the creates that have passwordEnv. */
  readonly passwords: ReadonlyMap<string, string>;
  readonly diagnostics: Diagnostic[];
}

export function resolvePasswords(plan: Plan, lookup: (name: string) => string | undefined): ResolvedPasswords {
  const passwords = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const action of plan.actions) {
    if (action.action !== "create" || !action.passwordEnv) continue;
    const { name, source } = action.passwordEnv;
    const value = lookup(name);
    if (value !== undefined && value !== "") {
      passwords.set(action.employeeID, value);
      continue;
    }
    diagnostics.push({
      severity: "error",
      summary: `the environment variable ${name} (passwordEnv of ${action.employeeID}) is ${value === undefined ? "not set" : "empty"}`,
      detail: `apply creates ${action.employeeID} with the initial password in ${name}: set it in apply's environment (e.g. from a CI secret), or remove passwordEnv to let RuangKerja generate a password and e-mail it to the person.`,
      field: "passwordEnv",
      location: source,
    });
  }
  return { passwords, diagnostics };
}
