/**
 * `apply --adopt`: a create refused with USER_EMPLOYEE_ID_EXISTS means RuangKerja already has a
 * user under that employeeID (made by hand, by another tool, or by an earlier run whose reply was
 * lost). With --adopt, that user is updated to the declaration (update-bulk, or PUT when an
 * organizationSerial is declared) and taken into state; without it, the failure says how to.
 *
 * update-bulk cannot set an e-mail, so an adopted user keeps the address RuangKerja holds. State
 * records that address (read back with a GET), so that a different declared one shows in the next
 * plan as an e-mail change, with its password-reset warning, instead of being silently assumed.
 */
import { userFieldsFromView } from "../api/user-view.js";
import type { ApiReplyError } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { PlannedAction } from "../plan/plan-types.js";
import type { ApplyClient } from "./apply-client.js";

export const USER_EMPLOYEE_ID_EXISTS = "USER_EMPLOYEE_ID_EXISTS";

/** A create that found its employeeID taken in RuangKerja. */
export function isTakenEmployeeID(action: PlannedAction, error: ApiReplyError): boolean {
  return action.action === "create" && (error.message === USER_EMPLOYEE_ID_EXISTS || error.errorCode === 10101);
}

/** The failure as reported without --adopt: what happened, and the two ways forward. */
export function withAdoptHint(error: ApiReplyError): ApiReplyError {
  return {
    ...error,
    detail: `${error.detail ? `${error.detail}: ` : ""}RuangKerja already has a user with this employeeID; run apply --adopt to update that user to this declaration and keep it in state, or \`import\` it first`,
  };
}

/** What state keeps for the adopted user until the e-mail is read back: the declaration without the e-mail (not known yet). */
export function adoptedWithoutEmail(action: PlannedAction, serial: string): AppliedUser {
  const { email: _declared, ...rest } = action.after;
  return { ...rest, serial };
}

/**
 * The adopted users' records with the e-mail RuangKerja holds. A user whose GET fails is
 * left without an e-mail in state: the next plan then offers the declared one as a change.
 */
export async function readAdoptedEmails(client: ApplyClient, adopted: readonly AppliedUser[]): Promise<AppliedUser[]> {
  if (!client.getUser) return [];
  const out: AppliedUser[] = [];
  for (const user of adopted) {
    try {
      const reading = userFieldsFromView(await client.getUser(user.employeeID));
      if (!reading.ok) continue;
      // update-bulk sets neither the e-mail nor the organization: state takes what RuangKerja holds,
      // so a declared value that differs shows in the next plan.
      const { email, organizationSerial } = reading.fields;
      const { email: _email, organizationSerial: _organization, ...rest } = user;
      out.push({ ...rest, ...(email ? { email } : {}), ...(organizationSerial ? { organizationSerial } : {}) });
    } catch {
      // Left without an e-mail; see above.
    }
  }
  return out;
}
