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
  return {
    employeeID: user.employeeID,
    name: user.name,
    ...(user.username !== undefined && { username: user.username }),
    ...(user.email !== undefined && { email: user.email }),
    ...(user.phone !== undefined && { phone: user.phone }),
    isActive: user.isActive ?? defaults?.isActive ?? true,
    // A set: sorted so that reordering the YAML never shows up as a change.
    ...(tagSerials !== undefined && tagSerials.length > 0 && { tagSerials: [...tagSerials].sort() }),
    ...(organizationSerial !== undefined && { organizationSerial }),
    ...(user.previousEmployeeIDs !== undefined &&
      user.previousEmployeeIDs.length > 0 && { previousEmployeeIDs: [...user.previousEmployeeIDs] }),
    ...(user.passwordEnv !== undefined && { passwordEnv: { name: user.passwordEnv, source: passwordEnvSource } }),
    source,
  };
}
