/**
 * E-mail changes in apply. RuangKerja's update endpoints take no e-mail; a new address goes
 * through POST /ruangkerja/users/update-email-bulk, after the rest of the user's changes (a
 * rename included) have landed. So an action that changes the e-mail runs in two steps: its
 * record (everything but the e-mail) through update-bulk or PUT, kept in state with the old
 * address, then the e-mail itself. An action that changes only the e-mail has the second step alone.
 */
import type { UpdateEmailItem } from "../api/types.js";
import type { PlannedAction } from "../plan/plan-types.js";
import type { ApplyClient } from "./apply-client.js";

export function changesEmail(action: PlannedAction): boolean {
  return action.action !== "create" && action.changes.some((change) => change.field === "email");
}

/** True when the action has changes besides the e-mail, for update-bulk or PUT. */
export function changesRecord(action: PlannedAction): boolean {
  return action.changes.some((change) => change.field !== "email");
}

/** The action's first step: its changes without the e-mail, and a result that keeps the old address. */
export function withoutEmailChange(action: PlannedAction): PlannedAction {
  const { email: _new, ...rest } = action.after;
  const old = action.before?.email;
  return {
    ...action,
    changes: action.changes.filter((change) => change.field !== "email"),
    after: old === undefined ? rest : { ...rest, email: old },
  };
}

/** The item of the second step, under the user's employeeID after the first (the new one for a rename). */
export function emailItem(action: PlannedAction): UpdateEmailItem {
  return { employeeID: action.employeeID, email: action.after.email as string };
}

export function sendEmails(client: ApplyClient, actions: readonly PlannedAction[]) {
  if (!client.updateEmailBulk) throw new Error("this API client cannot change e-mail addresses (no updateEmailBulk)");
  return client.updateEmailBulk(actions.map(emailItem));
}
