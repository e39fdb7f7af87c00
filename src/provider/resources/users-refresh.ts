/**
 * `ruangkerja_users` read and import. read refreshes the state from RuangKerja (the CLI's refresh:
 * the list pages in one pass, `parallelism` of them in flight, or GETs when the state holds fewer
 * people than there are pages), so that a change made outside Terraform shows in `terraform plan`
 * under the person and field, and the plan proposes to set it back. import adopts people RuangKerja already has: a list of
 * employeeIDs, or `*` for every active user.
 */
import { errorMessage } from "../../errors.js";
import { EMPLOYEE_ID_PATTERN } from "../../model.js";
import { configuredProvider } from "../provider-client.js";
import type { ImportRequest, ImportResponse, ReadRequest, ReadResponse, TfDiagnostic, TfValue } from "../provider-types.js";
import { describeDrift, lookUpUsers, recordFromFields, refreshUsers } from "./live-records.js";
import { recordText } from "./record-text.js";
import { resourceValue, USERS_ATTRIBUTE, USERS_RESOURCE_NAME, usersOf } from "./users-schema.js";

/** The import id that stands for every active user RuangKerja has. */
export const IMPORT_ALL = "*";

export async function readUsers(request: ReadRequest): Promise<ReadResponse> {
  try {
    const { client, settings } = configuredProvider(request.provider);
    const { users, drifted } = await refreshUsers(client, usersOf(request.current), settings.parallelism);
    const diagnostics: TfDiagnostic[] = [];
    if (drifted.length > 0) {
      diagnostics.push({
        severity: "warning",
        summary: `${drifted.length} of the people in ${USERS_RESOURCE_NAME} changed outside Terraform: ${describeDrift(drifted)}`,
        detail:
          "RuangKerja differs from what Terraform's state recorded (a change by hand or by another tool, or an apply that was interrupted before Terraform saved its state). terraform plan proposes to set them to the configuration: a person gone from RuangKerja is created again, one made inactive is made active again if the configuration keeps them.",
        attribute: [{ attribute: USERS_ATTRIBUTE }],
      });
    }
    return { newState: { ...request.current, [USERS_ATTRIBUTE]: users }, diagnostics };
  } catch (error) {
    return {
      newState: request.current,
      diagnostics: [{ severity: "error", summary: `cannot read the users from RuangKerja: ${errorMessage(error)}` }],
    };
  }
}

/** The employeeIDs of an import id (`EMP1,EMP2`), or `all`; or the diagnostics naming what is not an employeeID. */
export function parseImportId(id: string): { ids?: readonly string[] | "all"; diagnostics: TfDiagnostic[] } {
  const text = id.trim();
  if (text === IMPORT_ALL) return { ids: "all", diagnostics: [] };
  const ids = text.split(",").map((part) => part.trim());
  const bad = ids.filter((part) => !EMPLOYEE_ID_PATTERN.test(part));
  if (bad.length === 0 && ids.length > 0) return { ids: [...new Set(ids)], diagnostics: [] };
  return {
    diagnostics: bad.map((part) => ({
      severity: "error",
      summary: `import id: ${JSON.stringify(part)} is not an employee ID`,
      detail: `Give employeeIDs separated by commas (letters A-Z, a-z and digits only), e.g. "EMP001,EMP002", or "${IMPORT_ALL}" for every active user.`,
    })),
  };
}

export async function importUsers(request: ImportRequest): Promise<ImportResponse> {
  const { ids, diagnostics } = parseImportId(request.id);
  if (ids === undefined) return { state: null, diagnostics };
  try {
    const { client } = configuredProvider(request.provider);
    const { found, unknown } = await lookUpUsers(client, ids);
    if (unknown.length > 0) {
      return {
        state: null,
        diagnostics: unknown.map((id) => ({
          severity: "error",
          summary: `RuangKerja has no user with employeeID "${id}"; nothing was imported`,
          detail:
            "Check the ID (employee IDs are case-sensitive). A person who does not exist yet is created by apply: declare them instead.",
        })),
      };
    }
    const users: Record<string, TfValue> = {};
    for (const [id, user] of found) if (ids !== "all" || user.fields.isActive) users[id] = recordText(recordFromFields(user.fields));
    return { state: resourceValue(users), diagnostics: [] };
  } catch (error) {
    return { state: null, diagnostics: [{ severity: "error", summary: `cannot read the users from RuangKerja: ${errorMessage(error)}` }] };
  }
}
