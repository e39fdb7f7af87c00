/**
 * The `ruangkerja_users` data source: people as RuangKerja holds them now, read through the CLI's
 * client (src/refresh/read-users.ts), as a computed `users` map employeeID → record with the same
 * attributes as the resource's records (password_env and previous_employee_ids, which RuangKerja
 * does not hold, are null). Inactive people are included, with is_active = false.
 *
 * - employee_ids: those people only, each read by GET (an id RuangKerja does not know is an error
 *   naming it); without it, every user, from the list pages in one pass.
 * - organization_serial: only the people of that organization.
 */
import { errorMessage } from "../../errors.js";
import type { LiveUser } from "../../refresh/read-users.js";
import { configuredProvider } from "../provider-settings.js";
import {
  type DataSourceRequest,
  type DataSourceResponse,
  type DataSourceType,
  type TfDiagnostic,
  type TfObject,
  type TfSchema,
  type TfValue,
  UNKNOWN,
} from "../provider-types.js";
import { lookUpUsers, recordFromFields } from "../resources/live-records.js";
import { RECORD_TYPE, USERS_ATTRIBUTE, USERS_RESOURCE_NAME } from "../resources/users-schema.js";

export const EMPLOYEE_IDS_ATTRIBUTE = "employee_ids";
export const ORGANIZATION_ATTRIBUTE = "organization_serial";

const EMPLOYEE_ID = /^[A-Za-z0-9]+$/;

export const USERS_DATA_SOURCE_SCHEMA: TfSchema = {
  version: 0,
  description:
    "People as RuangKerja holds them now, by employeeID, with the attributes of a ruangkerja_users record. Inactive people are included (is_active = false).",
  attributes: [
    {
      name: EMPLOYEE_IDS_ATTRIBUTE,
      type: ["list", "string"],
      optional: true,
      description: "Only these employeeIDs (each must exist in RuangKerja). Default: every user.",
    },
    {
      name: ORGANIZATION_ATTRIBUTE,
      type: "string",
      optional: true,
      description: "Only the people of this organization serial, e.g. COMPFJLYTHWL.",
    },
    {
      name: USERS_ATTRIBUTE,
      type: ["map", RECORD_TYPE],
      computed: true,
      description: "employeeID → the person's record as RuangKerja holds it (password_env and previous_employee_ids are null).",
    },
  ],
};

/** The employee_ids asked for (undefined: every user), or the diagnostics naming what is not an employeeID. */
function wantedIds(config: TfObject): { ids?: readonly string[]; diagnostics: TfDiagnostic[] } {
  const value = config[EMPLOYEE_IDS_ATTRIBUTE];
  if (value === null || value === undefined || value === UNKNOWN) return { diagnostics: [] };
  const list = Array.isArray(value) ? (value as readonly TfValue[]) : [value];
  const diagnostics: TfDiagnostic[] = [];
  list.forEach((id, index) => {
    // Not known yet (validate runs before the value is): checked when read.
    if (id === UNKNOWN) return;
    if (typeof id !== "string" || !EMPLOYEE_ID.test(id)) {
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
  const { client } = configuredProvider(request.provider);
  try {
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

export const usersDataSource: DataSourceType = {
  name: USERS_RESOURCE_NAME,
  schema: USERS_DATA_SOURCE_SCHEMA,
  validate(config: TfObject) {
    return wantedIds(config).diagnostics;
  },
  read,
};
