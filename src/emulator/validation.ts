/**
 * Which fields each endpoint accepts and the rule each field follows, as the API README's field
 * table gives them. The emulator is deliberately stricter than a real server may be: a field the
 * endpoint does not accept, or an unknown one, is rejected rather than ignored, because a client
 * that sends it has a bug the real API might hide by dropping the field silently.
 */
import { type ErrorBody, errorBody } from "./error-codes.js";

/** The request-body kinds that carry one user. `update-one` is PUT, which alone takes organizationSerial. */
export type ItemKind = "create" | "update-one" | "update-bulk";

const FIELDS = [
  "employeeID",
  "name",
  "newEmployeeID",
  "username",
  "email",
  "phone",
  "password",
  "isActive",
  "tagSerials",
  "organizationSerial",
] as const;

type FieldName = (typeof FIELDS)[number];

const ACCEPTED: Record<ItemKind, ReadonlySet<FieldName>> = {
  create: new Set<FieldName>([
    "employeeID",
    "name",
    "username",
    "email",
    "phone",
    "password",
    "isActive",
    "tagSerials",
    "organizationSerial",
  ]),
  "update-one": new Set<FieldName>([
    "employeeID",
    "name",
    "newEmployeeID",
    "username",
    "phone",
    "isActive",
    "tagSerials",
    "organizationSerial",
  ]),
  "update-bulk": new Set<FieldName>(["employeeID", "name", "newEmployeeID", "username", "phone", "isActive", "tagSerials"]),
};

const REQUIRED: ReadonlySet<FieldName> = new Set<FieldName>(["employeeID", "name", "isActive"]);

const ENDPOINT_LABEL: Record<ItemKind, string> = {
  create: "create (POST /ruangkerja/users, create-bulk)",
  "update-one": "PUT /ruangkerja/users/:employeeID",
  "update-bulk": "POST /ruangkerja/users/update-bulk",
};

export const ID_PATTERN = /^[A-Za-z0-9]+$/;
const PHONE_PATTERN = /^\+?[0-9]+$/;
// Plausible, not RFC 5322: one @, no spaces, a dot in the domain. Enough to catch a swapped field.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * Lengths, in characters (code points). The API pages give none, so these are the emulator's own
 * choice (docs/emulator.md, "Choices where the documentation is silent"); they are the bounds the
 * declarations' schema sets (docs/limits.md), written here again because the emulator imports
 * nothing from the client's side. E-mail's 254 is the longest address SMTP carries.
 */
export const MAX_LENGTHS = { id: 64, name: 200, email: 254, phone: 20, serial: 64, tags: 100 } as const;

const ID_RULE = "must be a string of letters a-z, A-Z and digits 0-9";
const tooLong = (max: number) => `must be at most ${max} characters long`;

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A string of at most `max` characters; the count runs only for a string long enough to be in doubt. */
function withinLength(value: string, max: number): boolean {
  return value.length <= max || (value.length <= 2 * max && codePoints(value) <= max);
}

type Rule = (value: unknown) => string | undefined;

/** The rule, then the length: a value of the wrong form is told its form first. */
const andAtMost =
  (max: number, rule: Rule): Rule =>
  (v) =>
    rule(v) ?? (typeof v === "string" && !withinLength(v, max) ? tooLong(max) : undefined);

const idRule: Rule = andAtMost(MAX_LENGTHS.id, (v) => (typeof v === "string" && ID_PATTERN.test(v) ? undefined : ID_RULE));
const isSerial = (v: unknown) => typeof v === "string" && v !== "";
const optional =
  (rule: Rule): Rule =>
  (v) =>
    v === null ? undefined : rule(v);

const RULES: Record<FieldName, Rule> = {
  employeeID: idRule,
  name: andAtMost(MAX_LENGTHS.name, (v) => (typeof v === "string" && v.trim() !== "" ? undefined : "must be a non-empty string")),
  newEmployeeID: optional(idRule),
  username: optional(idRule),
  email: optional((v) =>
    typeof v === "string" && withinLength(v, MAX_LENGTHS.email) && EMAIL_PATTERN.test(v)
      ? undefined
      : `must be an e-mail address (name@domain.tld) or null, at most ${MAX_LENGTHS.email} characters`,
  ),
  phone: optional(
    andAtMost(MAX_LENGTHS.phone, (v) =>
      typeof v === "string" && PHONE_PATTERN.test(v) ? undefined : "must be a string of digits, optionally after a leading +, or null",
    ),
  ),
  password: optional((v) => (typeof v === "string" ? undefined : "must be a string or null")),
  isActive: (v) => (typeof v === "boolean" ? undefined : "must be true or false"),
  tagSerials: optional((v) => {
    if (!(Array.isArray(v) && v.every(isSerial))) return "must be an array of non-empty strings, or null";
    if (v.length > MAX_LENGTHS.tags) return `must hold at most ${MAX_LENGTHS.tags} serials`;
    return v.every((s: string) => withinLength(s, MAX_LENGTHS.serial)) ? undefined : `each serial ${tooLong(MAX_LENGTHS.serial)}`;
  }),
  organizationSerial: optional(andAtMost(MAX_LENGTHS.serial, (v) => (isSerial(v) ? undefined : "must be a non-empty string or null"))),
};

/** A create body or item, checked. Absent optional fields are null. The password is checked, then dropped. */
export interface CreateInput {
  readonly employeeID: string;
  readonly name: string;
  readonly username: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly isActive: boolean;
  readonly tagSerials: readonly string[] | null;
  readonly organizationSerial: string | null;
}

/**
 * An update body or item, checked. `undefined` (absent) leaves the stored value unchanged;
 * `null` clears it; `newEmployeeID` null or absent means no rename.
 */
export interface UpdateInput {
  readonly employeeID: string;
  readonly name: string;
  readonly isActive: boolean;
  readonly newEmployeeID?: string | null;
  readonly username?: string | null;
  readonly phone?: string | null;
  readonly tagSerials?: readonly string[] | null;
  readonly organizationSerial?: string | null;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorBody };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the field names and each field's rule, collecting every problem of the item into one error. */
function checkFields(raw: unknown, kind: ItemKind): Checked<Record<string, unknown>> {
  if (!isPlainObject(raw)) return { ok: false, error: errorBody("INVALID_BODY", "the user must be a JSON object") };
  const accepted = ACCEPTED[kind];
  const refused: string[] = [];
  for (const key of Object.keys(raw)) {
    if (accepted.has(key as FieldName)) continue;
    const known = (FIELDS as readonly string[]).includes(key);
    refused.push(known ? `${key}: not accepted by ${ENDPOINT_LABEL[kind]}` : `${key}: not a user field`);
  }
  if (refused.length > 0) return { ok: false, error: errorBody("FIELD_NOT_ACCEPTED", refused.join("; ")) };

  const problems: string[] = [];
  for (const field of FIELDS) {
    if (!accepted.has(field)) continue;
    const value = raw[field];
    if (value === undefined || (value === null && REQUIRED.has(field))) {
      if (REQUIRED.has(field)) problems.push(`${field}: is required`);
      continue;
    }
    const problem = RULES[field](value);
    if (problem) problems.push(`${field}: ${problem}`);
  }
  if (problems.length > 0) return { ok: false, error: errorBody("VALIDATION_ERROR", problems.join("; ")) };
  return { ok: true, value: raw };
}

export const CONTACT_REQUIRED = "email or phone: at least one is required";

export function checkCreate(raw: unknown): Checked<CreateInput> {
  const checked = checkFields(raw, "create");
  if (!checked.ok) return checked;
  const f = checked.value;
  const value: CreateInput = {
    employeeID: f.employeeID as string,
    name: f.name as string,
    username: (f.username as string | undefined) ?? null,
    email: (f.email as string | undefined) ?? null,
    phone: (f.phone as string | undefined) ?? null,
    isActive: f.isActive as boolean,
    tagSerials: (f.tagSerials as string[] | undefined) ?? null,
    organizationSerial: (f.organizationSerial as string | undefined) ?? null,
  };
  if (value.email === null && value.phone === null) {
    return { ok: false, error: errorBody("VALIDATION_ERROR", CONTACT_REQUIRED) };
  }
  return { ok: true, value };
}

/** `pathEmployeeID` is PUT's `:employeeID`: the body's employeeID must repeat it. */
export function checkUpdate(raw: unknown, kind: "update-one" | "update-bulk", pathEmployeeID?: string): Checked<UpdateInput> {
  const checked = checkFields(raw, kind);
  if (!checked.ok) return checked;
  const f = checked.value;
  if (pathEmployeeID !== undefined && f.employeeID !== pathEmployeeID) {
    return {
      ok: false,
      error: errorBody(
        "VALIDATION_ERROR",
        `employeeID: must equal the employeeID in the path ("${pathEmployeeID}"); use newEmployeeID to rename`,
      ),
    };
  }
  const value: Record<string, unknown> = { employeeID: f.employeeID, name: f.name, isActive: f.isActive };
  // Copy only the keys that were sent: absence is meaningful (leave unchanged).
  for (const key of ["newEmployeeID", "username", "phone", "tagSerials", "organizationSerial"] as const) {
    if (key in f) value[key] = f[key];
  }
  return { ok: true, value: value as unknown as UpdateInput };
}

/** An update-email-bulk item, checked. The password, when sent, is checked and dropped like on create. */
export interface EmailUpdateInput {
  readonly employeeID: string;
  readonly email: string;
}

const EMAIL_UPDATE_FIELDS = new Set(["employeeID", "email", "password"]);

export function checkEmailUpdate(raw: unknown): Checked<EmailUpdateInput> {
  if (!isPlainObject(raw)) return { ok: false, error: errorBody("INVALID_BODY", "the item must be a JSON object") };
  const refused = Object.keys(raw)
    .filter((key) => !EMAIL_UPDATE_FIELDS.has(key))
    .map((key) =>
      (FIELDS as readonly string[]).includes(key)
        ? `${key}: not accepted by POST /ruangkerja/users/update-email-bulk`
        : `${key}: not a user field`,
    );
  if (refused.length > 0) return { ok: false, error: errorBody("FIELD_NOT_ACCEPTED", refused.join("; ")) };
  const problems: string[] = [];
  for (const field of ["employeeID", "email"] as const) {
    const value = raw[field];
    if (value === undefined || value === null) problems.push(`${field}: is required`);
    else {
      const problem = RULES[field](value);
      if (problem) problems.push(`${field}: ${problem}`);
    }
  }
  if (raw.password !== undefined) {
    const problem = RULES.password(raw.password);
    if (problem) problems.push(`password: ${problem}`);
  }
  if (problems.length > 0) return { ok: false, error: errorBody("VALIDATION_ERROR", problems.join("; ")) };
  return { ok: true, value: { employeeID: raw.employeeID as string, email: raw.email as string } };
}
