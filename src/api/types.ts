/** Wire shapes of the RuangKerja user API, as the seed pages give them. */
import type { ApiReplyError } from "../errors.js";

/** Item of create-bulk and body of POST /ruangkerja/users. */
export interface CreateUserBody {
  employeeID: string;
  name: string;
  username?: string | null;
  email?: string | null;
  phone?: string | null;
  isActive: boolean;
  tagSerials?: string[] | null;
  organizationSerial?: string | null;
  /** The initial password (from the user's passwordEnv); RuangKerja generates one when absent. */
  password?: string;
}

/** Item of update-bulk (no email, no organizationSerial, per the seed page). */
export interface UpdateBulkItem {
  employeeID: string;
  name: string;
  newEmployeeID?: string | null;
  username?: string | null;
  phone?: string | null;
  isActive: boolean;
  tagSerials?: string[] | null;
}

/** Body of PUT /ruangkerja/users/:employeeID (no email, but organizationSerial). */
export interface UpdateUserBody extends UpdateBulkItem {
  organizationSerial?: string | null;
}

/** Item of update-email-bulk. A password left out is made up by RuangKerja and e-mailed to the user. */
export interface UpdateEmailItem {
  employeeID: string;
  email: string;
}

export interface BulkSuccessItem<T> {
  readonly payload: T;
  readonly response: { readonly serial: string };
}

export interface BulkFailedItem<T> {
  readonly error: ApiReplyError;
  readonly payload: T;
}

export interface BulkResult<T> {
  readonly successItems: BulkSuccessItem<T>[];
  readonly failedItems: BulkFailedItem<T>[];
}

/** The user view of the GET endpoints (note organizationLevelSerial and tags as objects). */
export interface UserView {
  readonly employeeID: string;
  readonly name: string;
  readonly username: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly isActive: boolean;
  readonly companyName?: string | null;
  readonly companySerial?: string | null;
  readonly organizationDisplayName?: string | null;
  readonly organizationLevelSerial?: string | null;
  readonly tags?: { readonly serial: string; readonly name: string }[] | null;
}

export interface UserPage {
  readonly currentPage: number;
  readonly totalItems: number;
  readonly totalPage: number;
  readonly items: UserView[];
}

/** Kinds of request counted by the client (the keys of `apply --json`'s `requests`). */
export type RequestKind = "create-bulk" | "update-bulk" | "update" | "get" | "list" | "update-email-bulk";

/** Kinds of HTTP request, for counting attempts: each RequestKind, and the token exchange (POST /oauth/token). */
export type AttemptKind = RequestKind | "token";

/** The client's counters: calls by kind, and every HTTP request sent (retries, resends, exchanges) under `attempts`. */
export type RequestCounts = Record<RequestKind, number> & { readonly attempts: Record<AttemptKind, number> };
