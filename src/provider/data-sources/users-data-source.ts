/**
 * The `ruangkerja_users` data source: people as RuangKerja holds them now, read through the CLI's
 * client (src/refresh/read-users.ts), as a computed `users` map employeeID → record object with the
 * fields of the resource's records (password_env and previous_employee_ids, which RuangKerja does
 * not hold, are null). An object rather than the resource's JSON text: it is read, not written.
 * Inactive people are included, with is_active = false.
 *
 * - employee_ids: those people only, each read by GET (an id RuangKerja does not know is an error
 *   naming it); without it, every user, from the list pages in one pass.
 * - organization_serial: only the people of that organization.
 */
import { errorMessage } from "../../errors.js";
import { EMPLOYEE_ID_PATTERN } from "../../model.js";
import type { LiveUser } from "../../refresh/read-users.js";
import { configuredProvider } from "../provider-client.js";
import {
  type DataSourceRequest,
  type DataSourceResponse,
  type DataSourceType,
  type TfDiagnostic,
  type TfObject,
  type TfValue,
  UNKNOWN,
} from "../provider-types.js";
import { lookUpUsers, recordFromFields } from "../resources/live-records.js";
import { USERS_ATTRIBUTE, USERS_RESOURCE_NAME } from "../resources/users-schema.js";
import { EMPLOYEE_IDS_ATTRIBUTE, ORGANIZATION_ATTRIBUTE, USERS_DATA_SOURCE_SCHEMA } from "./users-data-source-schema.js";

/** The employee_ids asked for (undefined: every user), or the diagnostics naming what is not an employeeID. */
function wantedIds(config: TfObject): { ids?: readonly string[]; diagnostics: TfDiagnostic[] } {
  const value = config[EMPLOYEE_IDS_ATTRIBUTE];
  if (value === null || value === undefined || value === UNKNOWN) return { diagnostics: [] };
  const list = Array.isArray(value) ? (value as readonly TfValue[]) : [value];
  const diagnostics: TfDiagnostic[] = [];
  list.forEach((id, index) => {
    // Not known yet (validate runs before the value is): checked when read.
    if (id === UNKNOWN) return;
    if (typeof id !== "string" || !EMPLOYEE_ID_PATTERN.test(id)) {
      diagnostics.push({
        severity: "error",
        summary: `${EMPLOYEE_IDS_ATTRIBUTE}[${index}]: ${JSON.stringify(id)} is not an employee ID (letters A-Z, a-z and digits only)`,
        attribute: [{ attribute: EMPLOYEE_IDS_ATTRIBUTE }, { index }],
      });
    }
  });
  return diagnostics.length > 0 ? { diagnostics } : { ids: list as readonly string[], diagnostics };
}

async function read(request: DataSourceRequest): Promise<DataSourceResponse> {
  const { ids, diagnostics } = wantedIds(request.config);
  if (diagnostics.length > 0) return { state: null, diagnostics };
  const organization = request.config[ORGANIZATION_ATTRIBUTE];
  try {
    const { client } = configuredProvider(request.provider);
    const { found, unknown } = await lookUpUsers(client, ids ?? "all");
    if (unknown.length > 0) {
      return {
        state: null,
        diagnostics: unknown.map((id) => ({
          severity: "error",
          summary: `RuangKerja has no user with employeeID "${id}"`,
          detail: "Employee IDs are case-sensitive.",
          attribute: [{ attribute: EMPLOYEE_IDS_ATTRIBUTE }],
        })),
      };
    }
    const keep = (user: LiveUser) => typeof organization !== "string" || user.fields.organizationSerial === organization;
    const users: Record<string, TfValue> = {};
    for (const [id, user] of found) if (keep(user)) users[id] = recordFromFields(user.fields);
    return { state: { ...request.config, [USERS_ATTRIBUTE]: users }, diagnostics: [] };
  } catch (error) {
    return { state: null, diagnostics: [{ severity: "error", summary: `cannot read the users from RuangKerja: ${errorMessage(error)}` }] };
  }
}

export const usersDataSource = {
  name: USERS_RESOURCE_NAME,
  schema: USERS_DATA_SOURCE_SCHEMA,
  validate(config: TfObject) {
    return wantedIds(config).diagnostics;
  },
  read,
} satisfies Required<DataSourceType>;
