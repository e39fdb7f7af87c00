/**
 * One function per /ruangkerja endpoint: parsed body (or query) in, status and reply body out.
 * No HTTP here, so the endpoints' behaviour is testable without a socket; server.ts does the
 * reading, routing, auth and persistence around them.
 */
import { type ErrorBody, errorBody, httpStatusOf } from "./error-codes.js";
import {
  type BulkFailedItem,
  type BulkSuccessItem,
  bulkFailedItem,
  bulkReply,
  bulkSuccessItem,
  errorReply,
  successReply,
  toUserView,
} from "./replies.js";
import type { ListFilter, StoreResult, UserStore } from "./store.js";
import { checkCreate, checkEmailUpdate, checkUpdate, ID_PATTERN, isPlainObject } from "./validation.js";

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface HandlerLimits {
  /** Items allowed in one bulk call. */
  readonly maxBulkItems: number;
}

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

export function failure(error: ErrorBody): Reply {
  return { status: httpStatusOf(error), body: errorReply(error) };
}

function single(result: StoreResult): Reply {
  return result.ok ? { status: 200, body: successReply({ serial: result.user.serial }) } : failure(result.error);
}

/** POST /ruangkerja/users */
export function createUser(store: UserStore, body: unknown): Reply {
  const checked = checkCreate(body);
  return checked.ok ? single(store.create(checked.value)) : failure(checked.error);
}

/** PUT /ruangkerja/users/:employeeID */
export function updateUser(store: UserStore, pathEmployeeID: string, body: unknown): Reply {
  const checked = checkUpdate(body, "update-one", pathEmployeeID);
  return checked.ok ? single(store.update(checked.value)) : failure(checked.error);
}

/** POST /ruangkerja/users/create-bulk */
export function createUsers(store: UserStore, body: unknown, limits: HandlerLimits): Reply {
  return bulk(body, limits, (item) => {
    const checked = checkCreate(item);
    return checked.ok ? store.create(checked.value) : checked;
  });
}

/** POST /ruangkerja/users/update-bulk: each item's employeeID selects the user. */
export function updateUsers(store: UserStore, body: unknown, limits: HandlerLimits): Reply {
  return bulk(body, limits, (item) => {
    const checked = checkUpdate(item, "update-bulk");
    return checked.ok ? store.update(checked.value) : checked;
  });
}

/** POST /ruangkerja/users/update-email-bulk: each item's employeeID selects the user; the reply is shaped like create-bulk's. */
export function updateEmails(store: UserStore, body: unknown, limits: HandlerLimits): Reply {
  return bulk(body, limits, (item) => {
    const checked = checkEmailUpdate(item);
    return checked.ok ? store.updateEmail(checked.value.employeeID, checked.value.email) : checked;
  });
}

function bulk(body: unknown, limits: HandlerLimits, apply: (item: unknown) => StoreResult | { ok: false; error: ErrorBody }): Reply {
  const items = bulkItems(body, limits);
  if (!Array.isArray(items)) return failure(items);
  const successItems: BulkSuccessItem[] = [];
  const failedItems: BulkFailedItem[] = [];
  // In order, each on its own: a later item sees what the earlier ones did.
  for (const item of items) {
    const result = apply(item);
    if (result.ok) successItems.push(bulkSuccessItem(item, result.user.serial));
    else failedItems.push(bulkFailedItem(item, result.error));
  }
  return { status: 200, body: bulkReply(successItems, failedItems) };
}

function bulkItems(body: unknown, limits: HandlerLimits): unknown[] | ErrorBody {
  if (!isPlainObject(body)) return errorBody("INVALID_BODY", 'the body must be a JSON object {"items": [...]}');
  const extra = Object.keys(body).filter((key) => key !== "items");
  if (extra.length > 0) {
    return errorBody("INVALID_BODY", `unexpected top-level key(s) ${extra.map((k) => `"${k}"`).join(", ")}; only "items" is accepted`);
  }
  const items = body.items;
  if (!Array.isArray(items)) return errorBody("INVALID_BODY", "items: must be an array of users");
  if (items.length === 0) return errorBody("EMPTY_ITEMS");
  if (items.length > limits.maxBulkItems) {
    return errorBody("TOO_MANY_ITEMS", `items has ${items.length} entries; at most ${limits.maxBulkItems} are allowed per call`);
  }
  return items as unknown[];
}

/** GET /ruangkerja/users/:employeeID */
export function getUser(store: UserStore, pathEmployeeID: string): Reply {
  if (!ID_PATTERN.test(pathEmployeeID)) {
    return failure(errorBody("VALIDATION_ERROR", "employeeID: must be a string of letters a-z, A-Z and digits 0-9"));
  }
  const user = store.get(pathEmployeeID);
  if (!user) return failure(errorBody("USER_NOT_FOUND", `no user has employeeID "${pathEmployeeID}"`));
  return { status: 200, body: successReply(toUserView(user)) };
}

const QUERY_PARAMETERS = new Set(["page", "pageSize", "isActive", "employeeID", "name", "email", "phone"]);
const POSITIVE_INTEGER = /^[1-9][0-9]{0,8}$/;

interface ListQuery {
  readonly page: number;
  readonly pageSize: number;
  readonly filter: ListFilter;
}

/** GET /ruangkerja/users */
export function listUsers(store: UserStore, query: URLSearchParams): Reply {
  const parsed = parseListQuery(query);
  if (!("page" in parsed)) return failure(parsed);
  const { page, pageSize, filter } = parsed;
  const { items, totalItems } = store.list(filter, page, pageSize);
  return {
    status: 200,
    body: successReply({
      currentPage: page,
      totalItems,
      totalPage: Math.ceil(totalItems / pageSize),
      items: items.map(toUserView),
    }),
  };
}

function parseListQuery(query: URLSearchParams): ListQuery | ErrorBody {
  const unknown = [...new Set(query.keys())].filter((key) => !QUERY_PARAMETERS.has(key));
  if (unknown.length > 0) {
    return errorBody("FIELD_NOT_ACCEPTED", unknown.map((key) => `${key}: not a query parameter of GET /ruangkerja/users`).join("; "));
  }
  const problems: string[] = [];
  const one = (key: string): string | undefined => {
    const values = query.getAll(key);
    if (values.length > 1) problems.push(`${key}: given more than once`);
    return values[0];
  };
  const page = one("page") ?? "1";
  if (!POSITIVE_INTEGER.test(page)) problems.push("page: must be an integer from 1");
  const pageSize = one("pageSize") ?? String(DEFAULT_PAGE_SIZE);
  if (!POSITIVE_INTEGER.test(pageSize) || Number(pageSize) > MAX_PAGE_SIZE) {
    problems.push(`pageSize: must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const filter: { -readonly [K in keyof ListFilter]: ListFilter[K] } = {};
  const isActive = one("isActive");
  if (isActive !== undefined) {
    if (isActive === "true" || isActive === "false") filter.isActive = isActive === "true";
    else problems.push("isActive: must be true or false");
  }
  const employeeID = one("employeeID");
  if (employeeID !== undefined) {
    if (ID_PATTERN.test(employeeID)) filter.employeeID = employeeID;
    else problems.push("employeeID: must be a string of letters a-z, A-Z and digits 0-9");
  }
  for (const key of ["name", "email", "phone"] as const) {
    const value = one(key);
    if (value === undefined) continue;
    // An empty filter would silently mean "any value, but not none": refuse it instead.
    if (value === "") problems.push(`${key}: must not be empty`);
    else filter[key] = value;
  }
  if (problems.length > 0) return errorBody("VALIDATION_ERROR", problems.join("; "));
  return { page: Number(page), pageSize: Number(pageSize), filter };
}
