/**
 * Reading RuangKerja's users as they are now, through the GET endpoints: every user page by page
 * (pages of 100, the documented maximum), or some users one by one. Every loop is bounded: pages
 * stop at the reply's totalPage and never go past MAX_PAGES; lookups are as many as ids asked for.
 */
import type { UserPage, UserView } from "../api/types.js";
import { userFieldsFromView } from "../api/user-view.js";
import { runPool } from "../concurrency/run-pool.js";
import { ApiError } from "../errors.js";
import type { AppliedUser, UserFields } from "../model.js";

/** What refresh, export and import need of the client (RuangkerjaClient has it; unit tests fake it). */
export interface UserReader {
  /** The user, or undefined when the API answers 404. */
  getUser(employeeID: string): Promise<UserView | undefined>;
  listUsers(page: number, pageSize?: number): Promise<UserPage>;
}

/** A live user: the managed fields, and the view's organization name (export names files after it). */
export interface LiveUser {
  readonly fields: UserFields;
  readonly organizationDisplayName?: string;
}

/**
 * A live user as state records it when adopted (export, import). The GET view carries no serial,
 * so it is empty until an apply that changes the user records the one RuangKerja returns.
 */
export function adoptedUser(user: LiveUser): AppliedUser {
  return { ...user.fields, serial: "" };
}

/** The documented maximum of `pageSize`. */
export const LIST_PAGE_SIZE = 100;
/** 1 000 000 users at 100 a page: more pages than that is a reply gone wrong, not a company. */
export const MAX_PAGES = 10_000;
/** GETs in flight at once when reading users one by one. */
export const READ_PARALLELISM = 8;

const LIST_PATH = "/ruangkerja/users";

function unexpected(path: string, what: string): ApiError {
  return new ApiError(`GET ${path}: unexpected reply (${what})`, { request: { method: "GET", path } });
}

function toLiveUser(view: unknown, path: string): LiveUser {
  const reading = userFieldsFromView(view);
  if (!reading.ok) throw unexpected(path, reading.reason);
  const display = (view as { organizationDisplayName?: unknown }).organizationDisplayName;
  return { fields: reading.fields, ...(typeof display === "string" && display !== "" && { organizationDisplayName: display }) };
}

export interface ReadPage {
  readonly users: LiveUser[];
  /** As the reply says, checked to be a whole number. */
  readonly totalPage: number;
  /** As the reply says; undefined when it is not a whole number (then nothing is concluded from it). */
  readonly totalItems?: number;
}

/** One page of GET /ruangkerja/users, its views mapped and checked. */
export async function readPage(reader: UserReader, page: number, pageSize = LIST_PAGE_SIZE): Promise<ReadPage> {
  const reply = await reader.listUsers(page, pageSize);
  if (!Number.isInteger(reply.totalPage) || reply.totalPage < 0) throw unexpected(LIST_PATH, "totalPage is not a whole number");
  if (reply.totalPage > MAX_PAGES) {
    throw unexpected(LIST_PATH, `totalPage is ${reply.totalPage}, more than the ${MAX_PAGES} pages this tool reads`);
  }
  const totalItems = Number.isInteger(reply.totalItems) && reply.totalItems >= 0 ? reply.totalItems : undefined;
  return { users: reply.items.map((view) => toLiveUser(view, LIST_PATH)), totalPage: reply.totalPage, totalItems };
}

/**
 * Every user, page after page until the last reply's totalPage (or an empty page). A user seen
 * twice (the list shifted while it was read) is kept once, as last seen.
 */
export async function readAllUsers(reader: UserReader, pageSize = LIST_PAGE_SIZE): Promise<LiveUser[]> {
  const users = new Map<string, LiveUser>();
  let totalPage = 1;
  for (let page = 1; page <= totalPage && page <= MAX_PAGES; page++) {
    const result = await readPage(reader, page, pageSize);
    for (const user of result.users) users.set(user.fields.employeeID, user);
    totalPage = result.totalPage;
    if (result.users.length === 0) break;
  }
  return [...users.values()];
}

/** The given users by GET /ruangkerja/users/:employeeID; undefined for those the API does not know (404). */
export async function readUsersById(
  reader: UserReader,
  employeeIDs: readonly string[],
  parallelism = READ_PARALLELISM,
): Promise<Map<string, LiveUser | undefined>> {
  const found = new Map<string, LiveUser | undefined>();
  let failed = false;
  await runPool(
    employeeIDs,
    parallelism,
    async (employeeID) => {
      try {
        const path = `${LIST_PATH}/${employeeID}`;
        const view = await reader.getUser(employeeID);
        const user = view === undefined ? undefined : toLiveUser(view, path);
        if (user && user.fields.employeeID !== employeeID) {
          throw unexpected(path, `it returned user ${user.fields.employeeID}; employee IDs are case-sensitive`);
        }
        found.set(employeeID, user);
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    () => failed,
  );
  return found;
}
