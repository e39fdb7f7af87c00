/**
 * Drift, pure: the users state remembers, against the same users as RuangKerja holds them now.
 * The result is a refreshed copy of the users (the live fields, state's serial) for the planner
 * to run on, and a report of what changed outside git. No I/O, like the planner.
 */
import { type AppliedUser, USER_FIELDS, type UserFields } from "../model.js";
import { fieldValue, sameValue } from "../plan/plan-changes.js";
import type { FieldChange } from "../plan/plan-types.js";

/**
 * - `changed`: one or more managed fields differ (before = state, after = RuangKerja);
 * - `deactivated`: as changed, and the user was made inactive in RuangKerja;
 * - `missing`: RuangKerja has no user with this employeeID (renamed or removed outside git).
 */
export type DriftKind = "changed" | "deactivated" | "missing";

export interface DriftedUser {
  readonly kind: DriftKind;
  readonly employeeID: string;
  /** The name state knows the user by. */
  readonly name: string;
  /** Field by field, state → RuangKerja; empty for a missing user. */
  readonly changes: readonly FieldChange[];
}

export interface Drift {
  /** Sorted by employeeID. */
  readonly users: readonly DriftedUser[];
  /** How many state users were compared. */
  readonly checked: number;
}

export interface DriftResult {
  /** State's users as RuangKerja holds them now: drifted ones take the live fields (keeping their serial), missing ones are left out. */
  readonly users: Map<string, AppliedUser>;
  readonly drift: Drift;
}

/**
 * `live` holds, for each state user that was read, its fields now, or undefined when RuangKerja
 * does not know it. A state user absent from `live` was not read and is kept as it is.
 */
export function detectDrift(applied: ReadonlyMap<string, AppliedUser>, live: ReadonlyMap<string, UserFields | undefined>): DriftResult {
  const users = new Map<string, AppliedUser>();
  const drifted: DriftedUser[] = [];
  let checked = 0;
  for (const [employeeID, before] of applied) {
    if (!live.has(employeeID)) {
      users.set(employeeID, before);
      continue;
    }
    checked++;
    const now = live.get(employeeID);
    if (now === undefined) {
      drifted.push({ kind: "missing", employeeID, name: before.name, changes: [] });
      continue;
    }
    const changes: FieldChange[] = [];
    for (const field of USER_FIELDS) {
      if (field === "employeeID") continue;
      const was = fieldValue(before, field);
      const is = fieldValue(now, field);
      if (!sameValue(was, is)) changes.push({ field, before: was, after: is });
    }
    if (changes.length === 0) {
      users.set(employeeID, before);
      continue;
    }
    users.set(employeeID, { ...now, employeeID, serial: before.serial });
    const deactivated = before.isActive && !now.isActive;
    drifted.push({ kind: deactivated ? "deactivated" : "changed", employeeID, name: before.name, changes });
  }
  drifted.sort((a, b) => (a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0));
  return { users, drift: { users: drifted, checked } };
}
