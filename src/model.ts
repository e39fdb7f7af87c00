/**
 * The product's words for a user at each stage: as declared (with its source), and as applied
 * (in state). Field names are the API's.
 */
import type { SourceLocation } from "./diagnostics.js";

/** The fields we manage on a RuangKerja user, normalized (absent optional fields are omitted). */
export interface UserFields {
  readonly employeeID: string;
  readonly name: string;
  readonly username?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly isActive: boolean;
  /** Compared as a set; stored sorted and without duplicates. */
  readonly tagSerials?: readonly string[];
  readonly organizationSerial?: string;
}

/** What an employeeID may be: letters A-Z, a-z and digits (the declarations' schema and the API say the same). */
export const EMPLOYEE_ID_PATTERN = /^[A-Za-z0-9]+$/;

/** The names of the managed fields, in the order plans show them. */
export const USER_FIELDS = [
  "employeeID",
  "name",
  "username",
  "email",
  "phone",
  "isActive",
  "tagSerials",
  "organizationSerial",
] as const satisfies readonly (keyof UserFields)[];

export type UserField = (typeof USER_FIELDS)[number];

/** `passwordEnv: NAME`: the environment variable a create takes the initial password from. Never the password itself. */
export interface PasswordEnv {
  readonly name: string;
  /** Where `passwordEnv` is written, for the error when the variable is missing. */
  readonly source: SourceLocation;
}

/** A user as the YAML declares it, after defaults and normalization. */
export interface DesiredUser extends UserFields {
  /** Earlier employee IDs of this person: a state entry under one of them is renamed. */
  readonly previousEmployeeIDs?: readonly string[];
  /** Read only when the user is created; not a managed field (never compared, never in state). */
  readonly passwordEnv?: PasswordEnv;
  /** Where the user's list item starts. */
  readonly source: SourceLocation;
}

/** What state remembers of a user: the fields last applied, and RuangKerja's serial. */
export interface AppliedUser extends UserFields {
  readonly serial: string;
}

/**
 * A copy of the managed fields only, in USER_FIELDS order, lists copied: the one way a record
 * reaches a file (state, saved plans), so nothing else on the object (a password, a token) can.
 */
export function copyUserFields(user: UserFields): UserFields {
  const out: Record<string, unknown> = {};
  for (const field of USER_FIELDS) {
    const value = user[field];
    if (value !== undefined) out[field] = Array.isArray(value) ? [...(value as readonly string[])] : value;
  }
  return out as unknown as UserFields;
}

/** A value JSON could hold as an object: not null, not a list. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
