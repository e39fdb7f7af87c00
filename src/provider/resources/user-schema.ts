/**
 * `ruangkerja_user` as Terraform sees it: one person, with the attributes of a `ruangkerja_users`
 * record (same names) and `employee_id`; and the conversions to and from that record, through
 * which the per-person resource reuses everything the bulk one does.
 */
import type { TfAttribute, TfObject, TfSchema, TfValue } from "../provider-types.js";
import { RECORD_FIELDS } from "./users-schema.js";

export const USER_RESOURCE_NAME = "ruangkerja_user";
export const EMPLOYEE_ID_ATTRIBUTE = "employee_id";
export const USER_ID_ATTRIBUTE = "id";

const attributes: TfAttribute[] = [
  {
    name: EMPLOYEE_ID_ATTRIBUTE,
    type: "string",
    required: true,
    description:
      "The person's employeeID (letters and digits). Changing it renames the person in place when previous_employee_ids lists the old one; otherwise it replaces the resource (the old person is deactivated, a new one created).",
  },
  { name: RECORD_FIELDS.name, type: "string", required: true, description: "The person's name." },
  { name: RECORD_FIELDS.username, type: "string", optional: true, description: "Sign-in name: letters and digits." },
  { name: RECORD_FIELDS.email, type: "string", optional: true, description: "E-mail address; required when phone is not set." },
  { name: RECORD_FIELDS.phone, type: "string", optional: true, description: "Phone number; required when email is not set." },
  { name: RECORD_FIELDS.isActive, type: "bool", optional: true, description: "Whether the person may sign in. Default: true." },
  {
    name: RECORD_FIELDS.tagSerials,
    type: ["set", "string"],
    optional: true,
    description: "RuangKerja tag serials, e.g. RUKRTAG-9WHL0JGP.",
  },
  {
    name: RECORD_FIELDS.organizationSerial,
    type: "string",
    optional: true,
    description: "RuangKerja organization serial, e.g. COMPFJLYTHWL.",
  },
  {
    name: RECORD_FIELDS.previousEmployeeIDs,
    type: ["list", "string"],
    optional: true,
    description: "Earlier employeeIDs of this person, oldest first: an employee_id change from one of them is a rename in place.",
  },
  {
    name: RECORD_FIELDS.passwordEnv,
    type: "string",
    optional: true,
    description:
      "A RUANGKERJA_PASSWORD_ variable in the environment of terraform apply whose value is the initial password (used when the person is created); the value never reaches the state.",
  },
  { name: USER_ID_ATTRIBUTE, type: "string", computed: true, description: "The employeeID." },
];

export const USER_SCHEMA: TfSchema = {
  version: 0,
  description:
    "One person of RuangKerja, planned and applied by the ruangkerja-users planner and API client. For a few hundred people at most: each is read on its own at every plan. For more, use ruangkerja_users (one map, read from the list pages, sent in bulk calls).",
  attributes,
};

/** The employeeID of a resource value, when known and text. */
export function employeeIdOf(value: TfObject | null): string | undefined {
  const id = value?.[EMPLOYEE_ID_ATTRIBUTE];
  return typeof id === "string" ? id : undefined;
}

/** The bulk resource's record of this person (every record field present, null when not set). */
export function recordOf(value: TfObject): TfObject {
  const record: Record<string, TfValue> = {};
  for (const name of Object.values(RECORD_FIELDS)) record[name] = value[name] ?? null;
  return record;
}

/** The resource value of the person `employeeID` with this record. */
export function userValue(employeeID: string, record: TfObject): TfObject {
  return { [USER_ID_ATTRIBUTE]: employeeID, [EMPLOYEE_ID_ATTRIBUTE]: employeeID, ...recordOf(record) };
}
