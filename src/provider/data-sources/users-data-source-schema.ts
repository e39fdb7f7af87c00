/** The `ruangkerja_users` data source's schema (users-data-source.ts reads it), loaded at start-up without the code that reads. */
import type { TfSchema } from "../provider-types.js";
import { RECORD_TYPE, USERS_ATTRIBUTE } from "../resources/users-schema.js";

export const EMPLOYEE_IDS_ATTRIBUTE = "employee_ids";
export const ORGANIZATION_ATTRIBUTE = "organization_serial";

export const USERS_DATA_SOURCE_SCHEMA: TfSchema = {
  version: 0,
  description:
    "People as RuangKerja holds them now, by employeeID, each an object with the fields of a ruangkerja_users record. Inactive people are included (is_active = false).",
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
      // Personal data of people the configuration may not declare: hidden in plan output and logs.
      sensitive: true,
      description:
        "employeeID → the person's record as RuangKerja holds it (password_env and previous_employee_ids are null). Sensitive: people's contact data, which Terraform then hides in plan output (use nonsensitive() where it must show).",
    },
  ],
};
