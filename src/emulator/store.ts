/**
 * The emulator's users, in memory: creation, update (with rename), lookup and filtered listing,
 * and the uniqueness rules. Pure logic, no I/O: inputs arrive already checked by validation.ts,
 * and the HTTP layer decides what to do with the results.
 *
 * Every operation runs to completion synchronously, so concurrent requests (and the items of one
 * bulk call, in order) each see the effects of the ones before them.
 */
import { randomFillSync } from "node:crypto";
import { type ErrorBody, errorBody } from "./error-codes.js";
import { CONTACT_REQUIRED, type CreateInput, type UpdateInput } from "./validation.js";

/** A user as the emulator stores it. No password is kept, not even a hash: nothing reads it back. */
export interface EmulatedUser {
  readonly employeeID: string;
  readonly name: string;
  readonly username: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly isActive: boolean;
  /** Without duplicates, in the order first sent; empty when the user has none. */
  readonly tagSerials: readonly string[];
  readonly organizationSerial: string | null;
  /** RuangKerja's id of the user: 16 uppercase letters and digits, fixed at creation, kept across renames. */
  readonly serial: string;
}

export type StoreResult = { readonly ok: true; readonly user: EmulatedUser } | { readonly ok: false; readonly error: ErrorBody };

/** GET /ruangkerja/users filters: employeeID exact; name, email, phone case-insensitive substring. */
export interface ListFilter {
  readonly isActive?: boolean;
  readonly employeeID?: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
}

export interface ListPage {
  readonly items: EmulatedUser[];
  readonly totalItems: number;
}

const SERIAL_ALPHABET = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "latin1");
const SERIAL_LENGTH = 16;
// Random bytes are drawn 64 KiB at a time and each is used once: one randomBytes call per serial
// was a quarter of the emulator's CPU under a bulk load. The bytes come from the same CSPRNG, so
// serials stay as unpredictable as before (about 82 bits each).
const POOL_BYTES = 64 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;
const serialBytes = Buffer.alloc(SERIAL_LENGTH);

/** A random serial like `OPENAPI9Z7ZIHIFW`. Bytes ≥ 252 are skipped so every character is equally likely. */
export function randomSerial(): string {
  let length = 0;
  while (length < SERIAL_LENGTH) {
    if (poolOffset === POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const byte = pool[poolOffset++] as number;
    if (byte < 252) serialBytes[length++] = SERIAL_ALPHABET[byte % 36] as number;
  }
  // latin1 of ASCII bytes: one flat string, cheap to hash as a Map key.
  return serialBytes.toString("latin1");
}

const fold = (s: string): string => s.toLowerCase();

interface Folded {
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
}

function foldUser(user: EmulatedUser): Folded {
  return { name: fold(user.name), email: user.email && fold(user.email), phone: user.phone && fold(user.phone) };
}

function uniqueTags(tags: readonly string[] | null): readonly string[] {
  if (!tags || tags.length === 0) return [];
  // Most users have a tag or two: a copy without building a Set.
  if (tags.length === 1) return [tags[0] as string];
  return [...new Set(tags)];
}

export class UserStore {
  // Creation order; a user keeps its slot for life (there is no delete), found by its serial, which never changes.
  private readonly ordered: EmulatedUser[] = [];
  private readonly slotBySerial = new Map<string, number>();
  // Lower-cased name, email and phone per slot, made at the first filtered list after a change
  // rather than once per list call (or once per create, which most runs never filter).
  private readonly foldedBySlot: (Folded | undefined)[] = [];
  private readonly byEmployeeID = new Map<string, EmulatedUser>();
  private readonly byUsername = new Map<string, EmulatedUser>();
  private readonly byEmail = new Map<string, EmulatedUser>();
  private changes = 0;

  constructor(private readonly newSerial: () => string = randomSerial) {}

  /** Grows by one on every change; the server compares it before and after a request to know whether to persist. */
  get revision(): number {
    return this.changes;
  }

  get size(): number {
    return this.ordered.length;
  }

  create(input: CreateInput): StoreResult {
    if (this.byEmployeeID.has(input.employeeID)) return { ok: false, error: errorBody("USER_EMPLOYEE_ID_EXISTS") };
    if (input.email !== null && this.byEmail.has(fold(input.email))) {
      return { ok: false, error: errorBody("USER_EMAIL_EXISTS") };
    }
    if (input.username !== null && this.byUsername.has(fold(input.username))) {
      return { ok: false, error: errorBody("USER_USERNAME_EXISTS") };
    }
    const user: EmulatedUser = {
      employeeID: input.employeeID,
      name: input.name,
      username: input.username,
      email: input.email,
      phone: input.phone,
      isActive: input.isActive,
      tagSerials: uniqueTags(input.tagSerials),
      organizationSerial: input.organizationSerial,
      serial: this.uniqueSerial(),
    };
    this.put(user);
    return { ok: true, user };
  }

  /** Updates the user `input.employeeID` names; absent fields keep their value, null clears. */
  update(input: UpdateInput): StoreResult {
    const current = this.byEmployeeID.get(input.employeeID);
    if (!current) return { ok: false, error: errorBody("USER_NOT_FOUND", `no user has employeeID "${input.employeeID}"`) };
    const newID = input.newEmployeeID ?? current.employeeID;
    const holder = this.byEmployeeID.get(newID);
    if (holder && holder !== current) return { ok: false, error: errorBody("USER_EMPLOYEE_ID_EXISTS") };
    const username = input.username === undefined ? current.username : input.username;
    if (username !== null) {
      const owner = this.byUsername.get(fold(username));
      if (owner && owner !== current) return { ok: false, error: errorBody("USER_USERNAME_EXISTS") };
    }
    const phone = input.phone === undefined ? current.phone : input.phone;
    if (phone === null && current.email === null) {
      return { ok: false, error: errorBody("VALIDATION_ERROR", `${CONTACT_REQUIRED} (the user has no email, so phone cannot be cleared)`) };
    }
    const next: EmulatedUser = {
      employeeID: newID,
      name: input.name,
      username,
      email: current.email,
      phone,
      isActive: input.isActive,
      tagSerials: input.tagSerials === undefined ? current.tagSerials : uniqueTags(input.tagSerials),
      organizationSerial: input.organizationSerial === undefined ? current.organizationSerial : input.organizationSerial,
      serial: current.serial,
    };
    this.remove(current);
    this.put(next);
    return { ok: true, user: next };
  }

  /** update-email-bulk: a new e-mail for the user `employeeID` names (RuangKerja also resets the password; the emulator keeps none). */
  updateEmail(employeeID: string, email: string): StoreResult {
    const current = this.byEmployeeID.get(employeeID);
    if (!current) return { ok: false, error: errorBody("USER_NOT_FOUND", `no user has employeeID "${employeeID}"`) };
    const owner = this.byEmail.get(fold(email));
    if (owner && owner !== current) return { ok: false, error: errorBody("USER_EMAIL_EXISTS") };
    const next: EmulatedUser = { ...current, email };
    this.remove(current);
    this.put(next);
    return { ok: true, user: next };
  }

  get(employeeID: string): EmulatedUser | undefined {
    return this.byEmployeeID.get(employeeID);
  }

  /** One page (1-based) of the users matching the filter, in creation order. */
  list(filter: ListFilter, page: number, pageSize: number): ListPage {
    const start = (page - 1) * pageSize;
    const { isActive, employeeID } = filter;
    const name = filter.name === undefined ? undefined : fold(filter.name);
    const email = filter.email === undefined ? undefined : fold(filter.email);
    const phone = filter.phone === undefined ? undefined : fold(filter.phone);
    if (isActive === undefined && employeeID === undefined && name === undefined && email === undefined && phone === undefined) {
      return { items: this.ordered.slice(start, start + pageSize), totalItems: this.ordered.length };
    }
    const contains = (value: string | null, needle: string | undefined): boolean =>
      needle === undefined || (value?.includes(needle) ?? false);
    let slots: Iterable<number> = this.ordered.keys();
    if (employeeID !== undefined) {
      const one = this.byEmployeeID.get(employeeID);
      slots = one ? [this.slotBySerial.get(one.serial) as number] : [];
    }
    const items: EmulatedUser[] = [];
    let totalItems = 0;
    for (const slot of slots) {
      const user = this.ordered[slot] as EmulatedUser;
      if (isActive !== undefined && user.isActive !== isActive) continue;
      const f = (this.foldedBySlot[slot] ??= foldUser(user));
      if (!contains(f.name, name) || !contains(f.email, email) || !contains(f.phone, phone)) continue;
      if (totalItems >= start && items.length < pageSize) items.push(user);
      totalItems++;
    }
    return { items, totalItems };
  }

  /** Every user, in creation order. */
  all(): EmulatedUser[] {
    return [...this.ordered];
  }

  clear(): void {
    this.ordered.length = 0;
    this.foldedBySlot.length = 0;
    this.slotBySerial.clear();
    this.byEmployeeID.clear();
    this.byUsername.clear();
    this.byEmail.clear();
    this.changes++;
  }

  /**
   * Replaces every user with `users` (e.g. from a data file), enforcing the same uniqueness rules
   * as the endpoints. Throws on a conflict, leaving the store empty rather than half-loaded.
   */
  load(users: readonly EmulatedUser[]): void {
    this.clear();
    for (const user of users) {
      const clash = this.clashOf(user);
      if (clash) {
        this.clear();
        throw new Error(`user "${user.employeeID}": ${clash}`);
      }
      this.put({ ...user, tagSerials: uniqueTags(user.tagSerials) });
    }
  }

  private clashOf(user: EmulatedUser): string | undefined {
    if (this.byEmployeeID.has(user.employeeID)) return "employeeID is used by an earlier user";
    if (this.slotBySerial.has(user.serial)) return `serial "${user.serial}" is used by an earlier user`;
    if (user.email !== null && this.byEmail.has(fold(user.email))) return "email is used by an earlier user";
    if (user.username !== null && this.byUsername.has(fold(user.username))) return "username is used by an earlier user";
    return undefined;
  }

  private uniqueSerial(): string {
    // 36^16 serials make a clash all but impossible; the bound only guards a broken injected generator.
    for (let attempt = 0; attempt < 100; attempt++) {
      const serial = this.newSerial();
      if (!this.slotBySerial.has(serial)) return serial;
    }
    throw new Error("could not draw an unused serial in 100 attempts");
  }

  private put(user: EmulatedUser): void {
    let slot = this.slotBySerial.get(user.serial);
    if (slot === undefined) {
      slot = this.ordered.length;
      this.slotBySerial.set(user.serial, slot);
    }
    this.ordered[slot] = user;
    this.foldedBySlot[slot] = undefined;
    this.byEmployeeID.set(user.employeeID, user);
    if (user.username !== null) this.byUsername.set(fold(user.username), user);
    if (user.email !== null) this.byEmail.set(fold(user.email), user);
    this.changes++;
  }

  private remove(user: EmulatedUser): void {
    // The slot is left alone: put() overwrites it in place, which keeps the user's position.
    this.byEmployeeID.delete(user.employeeID);
    if (user.username !== null) this.byUsername.delete(fold(user.username));
    if (user.email !== null) this.byEmail.delete(fold(user.email));
  }
}
