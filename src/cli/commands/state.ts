/**
 * `state list | show | rm | mv`: look at and repair the state without touching RuangKerja.
 * `rm` and `mv` take the state lock, as apply does, and write the next serial.
 */
import { ConfigError, InvalidInputError } from "../../errors.js";
import { type AppliedUser, EMPLOYEE_ID_PATTERN } from "../../model.js";
import type { StateDocument } from "../../state/state-document.js";
import type { StateStore } from "../../state/state-store.js";
import { quoteText, showText } from "../../text/untrusted-text.js";
import { EXIT_OK } from "../exit-codes.js";
import { type CommonFlags, type Environment, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";

export interface StateFlags extends CommonFlags {
  readonly json?: boolean;
}

function openStore(flags: StateFlags, env: Environment): StateStore {
  return openStateFromFlags(flags, env);
}

async function readExisting(store: StateStore): Promise<StateDocument> {
  const state = await store.read();
  if (!state) throw new ConfigError(`there is no state at ${store.location} (nothing has been applied with it yet)`);
  return state;
}

function byEmployeeID(a: AppliedUser, b: AppliedUser): number {
  return a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0;
}

/** A missing id, with the one that differs only in case when there is such a one. */
function unknownIdError(ids: readonly string[], state: StateDocument, location: string): ConfigError {
  const hints = ids.map((id) => {
    const near = [...state.users.keys()].find((known) => known.toLowerCase() === id.toLowerCase());
    return near ? `${id} (did you mean ${near}? employee IDs are case-sensitive)` : id;
  });
  const what = ids.length === 1 ? "employeeID" : "employeeIDs";
  return new ConfigError(`${what} not in the state at ${location}: ${hints.join(", ")}; \`state list\` shows the ones it holds`);
}

/** `state list`: every user in state, sorted by employeeID. */
export async function runStateList(flags: StateFlags, env: Environment, output: Output): Promise<number> {
  const store = openStore(flags, env);
  const state = await store.read();
  const users = state ? [...state.users.values()].sort(byEmployeeID) : [];
  if (flags.json) {
    const rows = users.map((u) => ({ employeeID: u.employeeID, name: u.name, isActive: u.isActive }));
    output.out(JSON.stringify({ formatVersion: 1, lineage: state?.lineage ?? null, serial: state?.serial ?? 0, users: rows }));
    return EXIT_OK;
  }
  if (!state) {
    output.err(`No state at ${store.location}: nothing has been applied with it yet.`);
    return EXIT_OK;
  }
  // A state file is a file like any other: what it says is printed escaped (a name cannot start a line of its own).
  const rows = users.map((u) => ({ id: showText(u.employeeID), active: u.isActive, name: showText(u.name) }));
  const width = Math.max(10, ...rows.map((r) => r.id.length));
  for (const r of rows) output.out(`${r.id.padEnd(width)}  ${r.active ? "active  " : "inactive"}  ${r.name}`);
  output.err(`${users.length} user${users.length === 1 ? "" : "s"} in ${store.location} (serial ${state.serial}).`);
  return EXIT_OK;
}

/** `state show EMPLOYEEID`: one user's record as last applied. */
export async function runStateShow(employeeID: string, flags: StateFlags, env: Environment, output: Output): Promise<number> {
  const store = openStore(flags, env);
  const state = await readExisting(store);
  const user = state.users.get(employeeID);
  if (!user) throw unknownIdError([employeeID], state, store.location);
  if (flags.json) {
    output.out(JSON.stringify({ ...user, formatVersion: 1 }));
    return EXIT_OK;
  }
  const fields = (Object.entries(user) as [string, unknown][]).map(([key, value]) => [showText(key), showStateValue(value)] as const);
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, shown] of fields) output.out(`${key.padEnd(width)}  ${shown}`);
  return EXIT_OK;
}

/** A value of a state record as `state show` prints it: text quoted and escaped (quoteText), lists of it, true/false. */
function showStateValue(value: unknown): string {
  if (typeof value === "string") return quoteText(value);
  if (Array.isArray(value)) return `[${value.map(showStateValue).join(", ")}]`;
  return JSON.stringify(value) ?? String(value);
}

/** `state rm EMPLOYEEID…`: forget users; RuangKerja keeps them. All or nothing. */
export async function runStateRm(ids: readonly string[], flags: StateFlags, env: Environment, output: Output): Promise<number> {
  const store = openStore(flags, env);
  const lock = await store.lock("state rm");
  if (lock.takenOver) output.err(lock.takenOver.message);
  try {
    const state = await readExisting(store);
    const unknown = ids.filter((id) => !state.users.has(id));
    if (unknown.length > 0) throw unknownIdError(unknown, state, store.location);
    const users = new Map(state.users);
    for (const id of ids) users.delete(id);
    await store.write({ ...state, serial: state.serial + 1, users });
    const removed = new Set(ids).size;
    output.err(
      `Removed ${removed} user${removed === 1 ? "" : "s"} from ${store.location} (serial ${state.serial + 1}). RuangKerja was not changed: ` +
        "a declaration that still names them plans a create, which meets USER_EMPLOYEE_ID_EXISTS unless you apply with --adopt.",
    );
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}

/** `state mv OLD NEW`: the entry under OLD is now under NEW (RuangKerja is not told: use it when the rename happened elsewhere). */
export async function runStateMv(from: string, to: string, flags: StateFlags, env: Environment, output: Output): Promise<number> {
  if (!EMPLOYEE_ID_PATTERN.test(to)) {
    throw new InvalidInputError(`the new employeeID "${to}" must be letters a-z, A-Z and digits 0-9 only`, []);
  }
  const store = openStore(flags, env);
  const lock = await store.lock("state mv");
  if (lock.takenOver) output.err(lock.takenOver.message);
  try {
    const state = await readExisting(store);
    const user = state.users.get(from);
    if (!user) throw unknownIdError([from], state, store.location);
    if (from === to) throw new ConfigError(`${from} is already under that employeeID; nothing to move`);
    if (state.users.has(to)) {
      throw new ConfigError(
        `${to} is already in the state at ${store.location}; remove it first (\`state rm ${to}\`) if it is the same person`,
      );
    }
    const users = new Map(state.users);
    users.delete(from);
    users.set(to, { ...user, employeeID: to });
    await store.write({ ...state, serial: state.serial + 1, users });
    output.err(`Moved ${from} to ${to} in ${store.location} (serial ${state.serial + 1}). RuangKerja was not changed.`);
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}
