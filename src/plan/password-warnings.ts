/**
 * Initial passwords with which one person could sign in as another: creates that read the same
 * passwordEnv variable, and a create whose variable is named after someone else's employeeID (the
 * convention is RUANGKERJA_PASSWORD_<employeeID>: a pull request that gives a new user the variable
 * of its author would let the author sign in as that user). Warnings of the plan, so the reviewer
 * reads them beside the creates, in the text plan, the pull request's comment and the annotations;
 * only the variables' names are looked at, never their values.
 */
import type { Diagnostic } from "../diagnostics.js";
import type { AppliedUser } from "../model.js";
import type { PlannedAction } from "./plan-types.js";

const PREFIX = "RUANGKERJA_PASSWORD_";

/** Naming every other create would make one variable shared by 10,000 creates print 10^8 names. */
const MAX_NAMED = 3;

function names(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_NAMED);
  const more = ids.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  const last = shown.pop();
  return shown.length > 0 ? `${shown.join(", ")} and ${last}` : (last ?? "");
}

function at(action: PlannedAction): Pick<Diagnostic, "field" | "location"> {
  const location = action.passwordEnv?.source ?? action.source;
  return { field: "passwordEnv", ...(location && { location }) };
}

/** The warnings for the plan's creates; `applied` is the state (everyone who exists). */
export function initialPasswordWarnings(actions: readonly PlannedAction[], applied: ReadonlyMap<string, AppliedUser>): Diagnostic[] {
  const creates = actions.filter((a) => a.action === "create" && a.passwordEnv !== undefined);
  if (creates.length === 0) return [];
  // Every person the plan knows, by the name their variable would have.
  const byVariable = new Map<string, string[]>();
  const know = (id: string) => {
    const variable = `${PREFIX}${id.toUpperCase()}`;
    const known = byVariable.get(variable);
    if (!known) byVariable.set(variable, [id]);
    else if (!known.includes(id)) known.push(id);
  };
  for (const id of applied.keys()) know(id);
  for (const action of actions) know(action.employeeID);

  const sharing = new Map<string, string[]>();
  for (const action of creates) {
    const variable = action.passwordEnv?.name as string;
    const group = sharing.get(variable);
    if (group) group.push(action.employeeID);
    else sharing.set(variable, [action.employeeID]);
  }

  const warnings: Diagnostic[] = [];
  for (const action of creates) {
    const variable = action.passwordEnv?.name as string;
    const id = action.employeeID;
    const owners = byVariable.get(variable) ?? [];
    const others = owners.includes(id) ? [] : owners;
    if (others.length > 0) {
      warnings.push({
        severity: "warning",
        summary: `${id} is created with the initial password in ${variable}, the variable named after ${names(others)}`,
        detail: `Whoever knows that password could sign in as ${id}. If this is not meant, give ${id} a variable of its own (passwordEnv: ${PREFIX}${id.toUpperCase()}) and set it where apply runs.`,
        ...at(action),
      });
      continue;
    }
    const group = sharing.get(variable) ?? [];
    // A group whose variable is named after one of its members: the others have the warning above.
    if (group.length < 2 || group.some((member) => owners.includes(member))) continue;
    warnings.push({
      severity: "warning",
      summary: `${id} is created with the same initial password as ${names(group.filter((member) => member !== id))} (${variable})`,
      detail: `Each of them could sign in as the others until they change it. Unless this is meant, give each person a variable of their own (${PREFIX}<employeeID>).`,
      ...at(action),
    });
  }
  return warnings;
}
