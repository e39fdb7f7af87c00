/**
 * `--refresh`: reads the live users that state knows, then hands them to the pure drift
 * detection. It reads the cheaper way: the first list page (100 users) always, which also proves
 * the API answers; then the rest of the list when that takes fewer requests than looking up the
 * state users not seen yet one by one, and otherwise those lookups.
 *
 * A state user the list did not show is missing from RuangKerja without a GET of its own only when
 * the whole list was read and did not change meanwhile (every page gave the same totalItems and
 * totalPage, and that many distinct users were seen): an API that lost its users (a restored
 * backup, a new tenant) then costs the list pages, not a GET per user. When the list may have
 * shifted while it was read, those users are looked up by GET before they are called missing.
 *
 * The pages after the first are read one after another, or with `pageParallelism` in flight (the
 * Terraform provider's `parallelism`); each request has the client's retries either way.
 */
import type { UserFields } from "../model.js";
import type { StateDocument } from "../state/state-document.js";
import { type Drift, detectDrift } from "./detect-drift.js";
import { runPool } from "../concurrency/run-pool.js";
import { MAX_PAGES, type ReadPage, readPage, readUsersById, type UserReader } from "./read-users.js";

export interface Refresh {
  /** The state to plan against: same lineage and serial, users as RuangKerja holds them now. Not written anywhere. */
  readonly state: StateDocument;
  readonly drift: Drift;
}

export interface RefreshOptions {
  /** List pages in flight at once after the first. @default 1 */
  readonly pageParallelism?: number;
}

export async function refreshState(state: StateDocument, reader: UserReader, options: RefreshOptions = {}): Promise<Refresh> {
  const live = new Map<string, UserFields | undefined>();
  if (state.users.size > 0) {
    const wholeList = await readList(reader, state.users, live, options.pageParallelism ?? 1);
    const rest = [...state.users.keys()].filter((id) => !live.has(id));
    if (wholeList) for (const employeeID of rest) live.set(employeeID, undefined);
    else for (const [employeeID, user] of await readUsersById(reader, rest)) live.set(employeeID, user?.fields);
  }
  const { users, drift } = detectDrift(state.users, live);
  return { state: { ...state, users }, drift };
}

/**
 * Puts the state users the list shows into `live`: the first page, and the others when they are
 * fewer than the state users still unseen (each would be one GET). True when what was read is the
 * whole list as it stood, so that a state user not in it is not in RuangKerja.
 */
async function readList(
  reader: UserReader,
  wanted: ReadonlyMap<string, unknown>,
  live: Map<string, UserFields | undefined>,
  pageParallelism: number,
): Promise<boolean> {
  const listed = new Set<string>();
  const see = (page: ReadPage) => {
    for (const { fields } of page.users) {
      listed.add(fields.employeeID);
      if (wanted.has(fields.employeeID)) live.set(fields.employeeID, fields);
    }
  };
  const first = await readPage(reader, 1);
  see(first);
  const lastPage = Math.min(first.totalPage, MAX_PAGES);
  const unseen = () => wanted.size - live.size;
  let steady = first.totalItems !== undefined;
  const pages = Array.from({ length: Math.max(0, lastPage - 1) }, (_, i) => i + 2);
  let read = 0;
  let ended = false;
  let failed = false;
  if (unseen() > pages.length) {
    const readNext = async (page: number) => {
      try {
        const next = await readPage(reader, page);
        see(next);
        read++;
        // A list that moved is still read to its end (fewer requests than the GETs), but proves no absence.
        if (next.totalItems !== first.totalItems || next.totalPage !== first.totalPage) steady = false;
        if (next.users.length === 0) ended = true;
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    await runPool(pages, pageParallelism, readNext, () => failed || ended || unseen() === 0);
  }
  return steady && !ended && read === pages.length && listed.size === first.totalItems;
}
