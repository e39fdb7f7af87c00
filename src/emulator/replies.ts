/**
 * The reply envelopes and the user view, key for key and in the key order the seed pages and the
 * API README show, so that a client tested against the emulator parses the real API the same way.
 */
import type { ErrorBody } from "./error-codes.js";
import type { EmulatedUser } from "./store.js";

/** The emulator has one company; the real API returns the caller's. */
export const COMPANY_NAME = "Emulated Company";
export const COMPANY_SERIAL = "COMPEMULATOR";

export interface UserView {
  readonly employeeID: string;
  readonly name: string;
  readonly username: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly isActive: boolean;
  readonly companyName: string;
  readonly companySerial: string;
  readonly organizationDisplayName: string | null;
  readonly organizationLevelSerial: string | null;
  readonly tags: { readonly serial: string; readonly name: string }[];
}

/**
 * The GET endpoints' view of a user. The emulator has no organization or tag catalogue, so the
 * organization's display name and each tag's name are its serial.
 */
export function toUserView(user: EmulatedUser): UserView {
  return {
    employeeID: user.employeeID,
    name: user.name,
    username: user.username,
    email: user.email,
    phone: user.phone,
    isActive: user.isActive,
    companyName: COMPANY_NAME,
    companySerial: COMPANY_SERIAL,
    organizationDisplayName: user.organizationSerial,
    organizationLevelSerial: user.organizationSerial,
    tags: user.tagSerials.map((serial) => ({ serial, name: serial })),
  };
}

/** Single-user and GET success: note `"Success"` with a capital S, unlike the bulk replies. */
export function successReply<T>(data: T): { status: "success"; message: "Success"; data: T } {
  return { status: "success", message: "Success", data };
}

export interface BulkSuccessItem {
  readonly payload: unknown;
  readonly response: { readonly serial: string };
}

export interface BulkFailedItem {
  readonly error: { readonly detail: string; readonly errorCode: number; readonly message: string };
  readonly payload: unknown;
}

export function bulkSuccessItem(payload: unknown, serial: string): BulkSuccessItem {
  return { payload, response: { serial } };
}

export function bulkFailedItem(payload: unknown, error: ErrorBody): BulkFailedItem {
  return { error: { detail: error.detail, errorCode: error.errorCode, message: error.message }, payload };
}

/** Bulk reply: HTTP 200 and `status: "success"` even when every item failed, as the seed pages show. */
export function bulkReply(successItems: BulkSuccessItem[], failedItems: BulkFailedItem[]) {
  return { data: { failedItems, successItems }, status: "success", message: "success" } as const;
}

/** A single-user or whole-request failure, keys in the seed's order. */
export function errorReply(error: ErrorBody): ErrorBody {
  return { errorCode: error.errorCode, message: error.message, detail: error.detail };
}
