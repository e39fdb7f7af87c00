/**
 * Plan actions → request bodies. Updates send the whole managed record (the API requires name
 * and isActive anyway): an optional field the declarations no longer set is sent as null, which
 * clears it, so what RuangKerja holds converges on what is declared.
 */
import type { CreateUserBody, UpdateBulkItem, UpdateUserBody } from "../api/types.js";
import type { PlannedAction } from "../plan/plan-types.js";

/** `password`: the initial password from the user's passwordEnv, resolved by the caller; only creates carry one. */
export function createBody(action: PlannedAction, password?: string): CreateUserBody {
  const u = action.after;
  const body: CreateUserBody = { employeeID: u.employeeID, name: u.name, isActive: u.isActive };
  if (u.username !== undefined) body.username = u.username;
  if (u.email !== undefined) body.email = u.email;
  if (u.phone !== undefined) body.phone = u.phone;
  if (u.tagSerials !== undefined && u.tagSerials.length > 0) body.tagSerials = [...u.tagSerials];
  if (u.organizationSerial !== undefined) body.organizationSerial = u.organizationSerial;
  if (password !== undefined && password !== "") body.password = password;
  return body;
}

/** The employeeID RuangKerja knows the user by before this action. */
export function currentEmployeeID(action: PlannedAction): string {
  return action.previousEmployeeID ?? action.employeeID;
}

export function updateBulkItem(action: PlannedAction): UpdateBulkItem {
  const u = action.after;
  const item: UpdateBulkItem = {
    employeeID: currentEmployeeID(action),
    name: u.name,
    username: u.username ?? null,
    phone: u.phone ?? null,
    isActive: u.isActive,
    tagSerials: u.tagSerials ? [...u.tagSerials] : [],
  };
  if (action.previousEmployeeID) item.newEmployeeID = action.employeeID;
  return item;
}

export function updateUserBody(action: PlannedAction): UpdateUserBody {
  return { ...updateBulkItem(action), organizationSerial: action.after.organizationSerial ?? null };
}

/** update-bulk does not accept organizationSerial (per its seed page): such changes go through PUT. */
export function needsSingleUpdate(action: PlannedAction): boolean {
  return action.changes.some((change) => change.field === "organizationSerial");
}
