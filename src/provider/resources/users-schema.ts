/**
 * `ruangkerja_users` as Terraform sees it: one `users` map from employeeID to that person's record
 * as JSON text (record-text.ts), with the declarations' fields in snake_case, and the conversions
 * between a record and a user as the declarations write it (camelCase, absent for null). The
 * password is never here: `password_env` names the RUANGKERJA_PASSWORD_ variable that holds it.
 *
 * RECORD_TYPE, the record as a Terraform object, is what the `ruangkerja_users` data source holds;
 * the per-person `ruangkerja_user` has the same attributes.
 */
import type { UserAsWritten } from "../../declarations/schema.js";
import type { CtyType, TfObject, TfSchema, TfValue } from "../provider-types.js";
import { UNKNOWN } from "../provider-types.js";

export const USERS_RESOURCE_NAME = "ruangkerja_users";
export const USERS_ATTRIBUTE = "users";
export const ID_ATTRIBUTE = "id";
/** The resource's id: there is one set of users per RuangKerja organization and configuration. */
export const USERS_RESOURCE_ID = "ruangkerja_users";

/** Terraform's name of each declaration field (employeeID is the map's key). */
export const RECORD_FIELDS = {
  name: "name",
  username: "username",
  email: "email",
  phone: "phone",
  isActive: "is_active",
  tagSerials: "tag_serials",
  organizationSerial: "organization_serial",
  previousEmployeeIDs: "previous_employee_ids",
  passwordEnv: "password_env",
} as const satisfies { readonly [K in Exclude<keyof UserAsWritten, "employeeID">]-?: string };

type WrittenField = keyof typeof RECORD_FIELDS;

const RECORD_TYPES: { readonly [K in WrittenField]: CtyType } = {
  name: "string",
  username: "string",
  email: "string",
  phone: "string",
  isActive: "bool",
  // A set: Terraform itself ignores the order, as the planner does.
  tagSerials: ["set", "string"],
  organizationSerial: "string",
  previousEmployeeIDs: ["list", "string"],
  passwordEnv: "string",
};

export const RECORD_TYPE: CtyType = [
  "object",
  Object.fromEntries(Object.entries(RECORD_FIELDS).map(([field, name]) => [name, RECORD_TYPES[field as WrittenField]])),
];

export const USERS_SCHEMA: TfSchema = {
  version: 0,
  description:
    "The people of RuangKerja managed by this configuration, planned and applied by the ruangkerja-users planner and bulk API calls: a changed field is an update in place, a person removed from the map is deactivated, previous_employee_ids renames. Each record is a JSON object text (jsonencode), holding only the fields that are set.",
  attributes: [
    {
      name: USERS_ATTRIBUTE,
      type: ["map", "string"],
      required: true,
      description:
        'employeeID → the person\'s record as a JSON object, e.g. jsonencode({ name = "Budi", email = "budi@contoh.co.id" }): the fields of a users/*.yaml declaration in snake_case (name, username, email, phone, is_active, tag_serials, organization_serial, previous_employee_ids, password_env); a field left out (or null) is not set. employee_id may be given too, equal to the key. password_env names a RUANGKERJA_PASSWORD_ variable in the environment of terraform apply whose value is the initial password; the value never reaches the state.',
    },
    { name: ID_ATTRIBUTE, type: "string", computed: true, description: `Always "${USERS_RESOURCE_ID}".` },
  ],
};

/** Terraform's name of a declaration field (employeeID: the map key, which Terraform calls by the key). */
export function terraformFieldName(field: string): string | undefined {
  return (RECORD_FIELDS as Record<string, string>)[field];
}

/** Whether a value holds a part Terraform does not know yet (during plan). */
export function hasUnknown(value: TfValue | undefined): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value !== null && typeof value === "object") return Object.values(value as TfObject).some(hasUnknown);
  return false;
}

/**
 * A record as the declarations write it, for the schema to check: Terraform's nulls are absent,
 * values are passed as they are (the schema refuses a wrong type). employeeID comes from the key.
 */
export function writtenUser(employeeID: string, record: TfValue): Record<string, unknown> {
  const written: Record<string, unknown> = { employeeID };
  if (record === null || typeof record !== "object" || Array.isArray(record)) return written;
  const fields = record as TfObject;
  for (const [field, name] of Object.entries(RECORD_FIELDS)) {
    const value = fields[name];
    if (value !== null && value !== undefined) written[field] = value;
  }
  return written;
}

/** The `users` map of a resource value (JSON texts, or UNKNOWN during plan); empty for null (no resource) or a value without one. */
export function usersOf(value: TfObject | null): Readonly<Record<string, TfValue>> {
  const users = value?.[USERS_ATTRIBUTE];
  return users !== null && users !== undefined && typeof users === "object" && !Array.isArray(users) ? (users as TfObject) : {};
}

/** The resource's value holding `users`. */
export function resourceValue(users: Readonly<Record<string, TfValue>>): TfObject {
  return { [ID_ATTRIBUTE]: USERS_RESOURCE_ID, [USERS_ATTRIBUTE]: users };
}
