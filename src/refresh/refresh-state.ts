/**
 * `--refresh`: reads the live users that state knows, then hands them to the pure drift
 * detection. It reads the cheaper way: the first list page (100 users) always, which also proves
 * the API answers; then the rest of the list when that takes fewer requests than looking up the
 * state users not seen yet one by one, and otherwise those lookups. A state user the list did not
 * show is looked up by GET before it is called missing (the list may shift while it is read).
 */
import type { UserFields } from "../model.js";
import type { StateDocument } from "../state/state-document.js";
import { type Drift, detectDrift } from "./detect-drift.js";
import { MAX_PAGES, readPage, readUsersById, type UserReader } from "./read-users.js";

export interface Refresh {
  /** The state to plan against: same lineage and serial, users as RuangKerja holds them now. Not written anywhere. */
  readonly state: StateDocument;
  readonly drift: Drift;
}

export async function refreshState(state: StateDocument, reader: UserReader): Promise<Refresh> {
  const live = new Map<string, UserFields | undefined>();
  if (state.users.size > 0) {
    const seen = (users: readonly { fields: UserFields }[]) => {
      for (const { fields } of users) if (state.users.has(fields.employeeID)) live.set(fields.employeeID, fields);
    };
    const first = await readPage(reader, 1);
    seen(first.users);
    const unseen = () => state.users.size - live.size;
    if (unseen() > first.totalPage - 1) {
      for (let page = 2; page <= Math.min(first.totalPage, MAX_PAGES) && unseen() > 0; page++) {
        const next = await readPage(reader, page);
        seen(next.users);
        if (next.users.length === 0) break;
      }
    }
    const rest = [...state.users.keys()].filter((id) => !live.has(id));
    for (const [employeeID, user] of await readUsersById(reader, rest)) live.set(employeeID, user?.fields);
  }
  const { users, drift } = detectDrift(state.users, live);
  return { state: { ...state, users }, drift };
}
