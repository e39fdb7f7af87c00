/** From a user as written (plus the file's defaults) to the desired user the planner compares. */
import type { SourceLocation } from "../diagnostics.js";
import type { DesiredUser } from "../model.js";
import type { DefaultsAsWritten, UserAsWritten } from "./schema.js";

/**
 * A user's own value wins over the file's default; lists replace, never merge. Absent optional
 * fields stay absent (no undefined-valued keys), so plans and state diffs see only what was said.
 */
export function toDesiredUser(
  user: UserAsWritten,
  defaults: DefaultsAsWritten | undefined,
  source: SourceLocation,
  passwordEnvSource: SourceLocation = source,
): DesiredUser {
  const tagSerials = user.tagSerials ?? defaults?.tagSerials;
  const organizationSerial = user.organizationSerial ?? defaults?.organizationSerial;
  // Assigned one by one, not spread: a plan of 100,000 users would make each optional field an object first.
  const desired: Mutable<DesiredUser> = { employeeID: user.employeeID, name: user.name } as Mutable<DesiredUser>;
  if (user.username !== undefined) desired.username = user.username;
  if (user.email !== undefined) desired.email = user.email;
  if (user.phone !== undefined) desired.phone = user.phone;
  desired.isActive = user.isActive ?? defaults?.isActive ?? true;
  // A set: sorted so that reordering the YAML never shows up as a change.
  if (tagSerials !== undefined && tagSerials.length > 0) desired.tagSerials = sortedCopy(tagSerials);
  if (organizationSerial !== undefined) desired.organizationSerial = organizationSerial;
  if (user.previousEmployeeIDs !== undefined && user.previousEmployeeIDs.length > 0)
    desired.previousEmployeeIDs = [...user.previousEmployeeIDs];
  if (user.passwordEnv !== undefined) desired.passwordEnv = { name: user.passwordEnv, source: passwordEnvSource };
  desired.source = source;
  return desired;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A sorted copy; a list of one (the common case) needs no sort. */
function sortedCopy(list: readonly string[]): string[] {
  return list.length === 1 ? [list[0] as string] : [...list].sort();
}
