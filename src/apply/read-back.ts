/**
 * Settling an ambiguous outcome by reading the user back. A request whose reply was lost may have
 * landed; when apply sends it again (or a later run does), a create meets USER_EMPLOYEE_ID_EXISTS
 * and a rename meets USER_NOT_FOUND for the old id, because the first attempt already did the
 * work. Reading the user back (GET /ruangkerja/users/:employeeID) and comparing it with what was
 * sent tells our own earlier attempt (same fields) from a real conflict (different fields).
 *
 * Kept apart from apply-plan so other ways of meeting an existing user (e.g. adopting users that
 * were created outside this tool) can reuse the comparison.
 */
import { errorMessage } from "../errors.js";
import type { UserView } from "../api/types.js";
import { userFieldsFromView } from "../api/user-view.js";
import type { UserField, UserFields } from "../model.js";
import { USER_FIELDS } from "../model.js";
import type { FieldValue } from "../plan/plan-types.js";

export interface ReadBackClient {
  getUser(employeeID: string): Promise<UserView | undefined>;
}

export interface FieldDifference {
  readonly field: UserField;
  /** What was sent (null: none). */
  readonly sent: FieldValue;
  /** What RuangKerja holds (null: none). */
  readonly found: FieldValue;
}

export type ReadBackResult =
  | { readonly outcome: "same"; readonly found: UserFields }
  | { readonly outcome: "different"; readonly found: UserFields; readonly differences: readonly FieldDifference[] }
  | { readonly outcome: "missing" }
  | { readonly outcome: "unreadable"; readonly reason: string };

/**
 * The serial state records for a user confirmed by reading it back: the GET view carries no
 * serial, and nothing in this tool needs one (users are keyed by employeeID).
 */
export const SERIAL_NOT_KNOWN = "";

/** Every managed field: what a create sends. */
export const CREATE_FIELDS: readonly UserField[] = USER_FIELDS;
/** What an update-bulk item sends (no email, no organizationSerial). */
export const UPDATE_BULK_FIELDS: readonly UserField[] = USER_FIELDS.filter((f) => f !== "email" && f !== "organizationSerial");
/** What a PUT sends (no email). */
export const UPDATE_ONE_FIELDS: readonly UserField[] = USER_FIELDS.filter((f) => f !== "email");

function valueOf(user: UserFields, field: UserField): FieldValue {
  if (field === "tagSerials") return [...new Set(user.tagSerials ?? [])].sort();
  return user[field] ?? null;
}

function same(field: UserField, a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  // RuangKerja compares e-mails case-insensitively; it may store them lower-cased.
  if (field === "email" && typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** The fields (of `fields`) where what RuangKerja holds differs from what was sent; absent and null both mean "none". */
export function compareFields(sent: UserFields, found: UserFields, fields: readonly UserField[]): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of fields) {
    const a = valueOf(sent, field);
    const b = valueOf(found, field);
    if (!same(field, a, b)) differences.push({ field, sent: a, found: b });
  }
  return differences;
}

/** Reads `sent.employeeID` back and compares the given fields. Never throws: a failed read is an outcome too. */
export async function readBack(client: ReadBackClient, sent: UserFields, fields: readonly UserField[]): Promise<ReadBackResult> {
  let view: UserView | undefined;
  try {
    view = await client.getUser(sent.employeeID);
  } catch (error) {
    return { outcome: "unreadable", reason: errorMessage(error) };
  }
  if (!view) return { outcome: "missing" };
  const found = userFieldsFromView(view);
  if (!found.ok) return { outcome: "unreadable", reason: found.reason };
  const differences = compareFields(sent, found.fields, fields);
  return differences.length === 0 ? { outcome: "same", found: found.fields } : { outcome: "different", found: found.fields, differences };
}

/** "name "A" ≠ "B"; phone none ≠ "62811"" for an error detail. */
export function describeDifferences(differences: readonly FieldDifference[]): string {
  const show = (v: FieldValue) => (v === null ? "none" : JSON.stringify(v));
  return differences.map((d) => `${d.field}: sent ${show(d.sent)}, found ${show(d.found)}`).join("; ");
}
