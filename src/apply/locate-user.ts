/**
 * Where a person is now, when a request under the employeeID state holds meets USER_NOT_FOUND.
 *
 * A rename whose reply was lost, and that was not sent again as it was (the run gave up, or the
 * declaration changed before the next run: another name, or a further rename), leaves the person
 * under a later id of their chain while state still holds the earlier one. The chain is what the
 * declaration says of this person: its employeeID and every previousEmployeeID. Each id of it
 * (but the one just refused) is read back with GET /ruangkerja/users/:employeeID; when exactly
 * one holds a user, that is the person, and apply carries the action out there.
 *
 * When none does, state is wrong about this user (renamed or removed outside this tool, or an API
 * that lost its users: a restored backup, a new tenant, a restarted emulator), and the failure
 * says so and names --refresh, which reads RuangKerja before planning.
 */
import { userFieldsFromView } from "../api/user-view.js";
import { type ApiReplyError, errorMessage } from "../errors.js";
import type { DesiredUser, UserFields } from "../model.js";
import type { PlannedAction } from "../plan/plan-types.js";
import type { ReadBackClient } from "./read-back.js";

export type Whereabouts =
  | { readonly outcome: "found"; readonly employeeID: string; readonly found: UserFields }
  | { readonly outcome: "nowhere" }
  | { readonly outcome: "several"; readonly employeeIDs: readonly string[] }
  | { readonly outcome: "unreadable"; readonly employeeID: string; readonly reason: string };

/** The declarations' previousEmployeeIDs by declared employeeID, for ApplyOptions.previousEmployeeIDs. */
export function previousEmployeeIDsOf(users: readonly DesiredUser[]): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const user of users) if (user.previousEmployeeIDs?.length) out.set(user.employeeID, [...user.previousEmployeeIDs]);
  return out;
}

/** RuangKerja has no user under the id the request was sent under. */
export function isUserNotFound(error: ApiReplyError): boolean {
  return error.message === "USER_NOT_FOUND" || error.errorCode === 10104;
}

/**
 * The ids the person may be under now: the declared one, then its previousEmployeeIDs latest
 * first, without `refused` (the id the request was sent under, which the API just said is free).
 */
export function chainOf(action: PlannedAction, refused: string, previous?: ReadonlyMap<string, readonly string[]>): string[] {
  const ids = [action.employeeID, ...[...(previous?.get(action.employeeID) ?? [])].reverse()];
  return [...new Set(ids)].filter((id) => id !== refused);
}

/** Reads every id of the chain (a declaration's chain is short; bounded by its length). Never throws. */
export async function locateUser(client: ReadBackClient, chain: readonly string[]): Promise<Whereabouts> {
  const found: { employeeID: string; fields: UserFields }[] = [];
  for (const employeeID of chain) {
    try {
      const view = await client.getUser(employeeID);
      if (view === undefined) continue;
      const reading = userFieldsFromView(view);
      if (!reading.ok) return { outcome: "unreadable", employeeID, reason: reading.reason };
      found.push({ employeeID, fields: reading.fields });
    } catch (error) {
      return { outcome: "unreadable", employeeID, reason: errorMessage(error) };
    }
  }
  const [only] = found;
  if (only && found.length === 1) return { outcome: "found", employeeID: only.employeeID, found: only.fields };
  return found.length === 0 ? { outcome: "nowhere" } : { outcome: "several", employeeIDs: found.map((f) => f.employeeID) };
}

/** What --refresh does about it, for the failures that prove state wrong. */
export const REFRESH_ADVICE =
  "run `plan --refresh` to see what RuangKerja holds, then `apply --refresh` to plan from it (a user missing from RuangKerja leaves state and, if declared, is created again)";

/** The failure's detail when no id of the chain holds the user: state is out of date. */
export function staleStateDetail(error: ApiReplyError, refused: string, chain: readonly string[]): string {
  const original = error.detail ? `${error.detail}; ` : "";
  const elsewhere = chain.length === 0 ? "" : `, and neither does ${chain.join(" or ")}`;
  return `${original}state holds this user as ${refused}, but RuangKerja has no user under it${elsewhere}: state is out of date (the user was renamed or removed outside this tool, or RuangKerja lost its users: a restored backup, a new tenant); ${REFRESH_ADVICE}`;
}

/** The failure's detail when more than one id of the chain holds a user: which one is this person is not ours to guess. */
export function severalDetail(error: ApiReplyError, refused: string, employeeIDs: readonly string[]): string {
  const original = error.detail ? `${error.detail}; ` : "";
  return `${original}${refused} is not in RuangKerja, but ${employeeIDs.join(" and ")} all are (ids this declaration names for the same person): settle in RuangKerja which one is this person, then \`state mv ${refused} <that id>\` and apply again`;
}
