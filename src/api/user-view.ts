/**
 * The GET endpoints' user view, read into the fields we manage. The view uses its own names
 * (`organizationLevelSerial`, `tags: [{serial, name}]`) and may carry `null` or `""` for a value
 * that is not set; the result is normalized the way declarations are (absent when not set, tags
 * sorted without repeats, omitted when empty), so state, declarations and live users compare
 * field by field. The view carries no serial: callers that need one keep their own.
 */
import type { UserFields } from "../model.js";

/** The view, or why it cannot be read (a reply of an unexpected shape). */
export type ViewReading = { readonly ok: true; readonly fields: UserFields } | { readonly ok: false; readonly reason: string };

/** Maps one user view (as the API returned it, unchecked) to our managed fields. */
export function userFieldsFromView(view: unknown): ViewReading {
  if (typeof view !== "object" || view === null || Array.isArray(view)) return { ok: false, reason: "a user view is not an object" };
  const v = view as Record<string, unknown>;
  if (typeof v.employeeID !== "string" || v.employeeID === "") return { ok: false, reason: "a user view has no employeeID" };
  const who = `user view ${v.employeeID}`;
  if (typeof v.name !== "string") return { ok: false, reason: `${who} has no name` };
  if (typeof v.isActive !== "boolean") return { ok: false, reason: `${who} has no isActive (true or false)` };
  const optional: Record<string, string> = {};
  for (const [ours, theirs] of [
    ["username", "username"],
    ["email", "email"],
    ["phone", "phone"],
    ["organizationSerial", "organizationLevelSerial"],
  ] as const) {
    const value = v[theirs];
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") return { ok: false, reason: `${who} has a ${theirs} that is not text` };
    optional[ours] = value;
  }
  const tags = v.tags;
  const tagSerials = new Set<string>();
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags)) return { ok: false, reason: `${who} has tags that are not a list` };
    for (const tag of tags as unknown[]) {
      const serial = (tag as { serial?: unknown } | null)?.serial;
      if (typeof serial !== "string" || serial === "") return { ok: false, reason: `${who} has a tag without a serial` };
      tagSerials.add(serial);
    }
  }
  return {
    ok: true,
    fields: {
      employeeID: v.employeeID,
      name: v.name,
      ...(optional.username !== undefined && { username: optional.username }),
      ...(optional.email !== undefined && { email: optional.email }),
      ...(optional.phone !== undefined && { phone: optional.phone }),
      isActive: v.isActive,
      ...(tagSerials.size > 0 && { tagSerials: [...tagSerials].sort() }),
      ...(optional.organizationSerial !== undefined && { organizationSerial: optional.organizationSerial }),
    },
  };
}
