/**
 * `import EMPLOYEEID…`: adopts users that already exist in RuangKerja into state, as GET reads
 * them, so the next plan shows only the real differences between the YAML and RuangKerja (and
 * no create that would fail with USER_EMPLOYEE_ID_EXISTS). All or nothing: an unknown id
 * imports no one. Holds the state lock while it runs.
 */
import { RuangkerjaClient } from "../../api/client.js";
import type { Diagnostic } from "../../diagnostics.js";
import { InvalidInputError } from "../../errors.js";
import { adoptedUser, readUsersById } from "../../refresh/read-users.js";
import { newStateDocument } from "../../state/state-document.js";
import { StateSession } from "../../state/state-session.js";
import { quoteText } from "../../text/untrusted-text.js";
import { checkStateApi } from "../check-state-api.js";
import { EXIT_OK } from "../exit-codes.js";
import { apiSettings, type CommonFlags, type Environment, lockTimeoutMs, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";
import { EMPLOYEE_ID_PATTERN } from "../../model.js";

export type ImportFlags = Pick<CommonFlags, "state" | "workspace" | "color"> & {
  readonly lockTimeout?: number;
  /** --allow-other-api: import into a state recorded against another API (it then records this one). */
  readonly allowOtherApi?: boolean;
};

export async function runImport(employeeIDs: readonly string[], flags: ImportFlags, env: Environment, output: Output): Promise<number> {
  const malformed = employeeIDs.filter((id) => !EMPLOYEE_ID_PATTERN.test(id));
  if (malformed.length > 0) {
    throw new InvalidInputError(
      "nothing was imported",
      malformed.map((id): Diagnostic => ({
        severity: "error",
        summary: `${JSON.stringify(id)} is not an employee ID`,
        detail: "Employee IDs have letters A-Z, a-z and digits 0-9 only.",
      })),
    );
  }
  const client = new RuangkerjaClient(apiSettings(env));
  const store = openStateFromFlags(flags, env);
  const lock = await store.lock("import", { timeoutMs: lockTimeoutMs(flags, env) });
  if (lock.takenOver) output.err(lock.takenOver.message);
  try {
    const existing = await store.read();
    if (existing) checkStateApi(existing, client.apiOrigin, store.location, flags.allowOtherApi === true);
    const state = existing ?? newStateDocument();
    const wanted = [...new Set(employeeIDs)];
    for (const id of wanted.filter((id) => state.users.has(id))) output.err(`${id} is already in state; left as it is.`);
    const toRead = wanted.filter((id) => !state.users.has(id));
    if (toRead.length === 0) {
      output.err("Nothing to import.");
      return EXIT_OK;
    }
    const found = await readUsersById(client, toRead);
    const unknown = toRead.filter((id) => found.get(id) === undefined);
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `nothing was imported: ${unknown.length} of ${toRead.length} employee IDs are unknown to RuangKerja at ${client.displayUrl}`,
        unknown.map((id): Diagnostic => ({
          severity: "error",
          summary: `RuangKerja has no user with employeeID "${id}"`,
          detail: "Check the ID (employee IDs are case-sensitive). A user that does not exist yet is created by apply: declare it instead.",
        })),
      );
    }
    const session = new StateSession(store, state, client.apiOrigin);
    for (const id of toRead) {
      const user = found.get(id);
      if (!user) continue;
      session.put(adoptedUser(user));
      output.out(`Imported ${id} ${quoteText(user.fields.name)}${user.fields.isActive ? "" : " (inactive)"}`);
    }
    await session.save();
    output.err(
      `${toRead.length} user${toRead.length === 1 ? "" : "s"} imported into ${store.location}. Run plan to compare them with the declarations (a user you do not declare is planned for deactivation).`,
    );
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}
