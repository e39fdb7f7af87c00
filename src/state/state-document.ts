/**
 * The state document: what was last applied, with an identity (lineage) and a clock (serial),
 * as Terraform's state file has. Pure data and its validation; stores live beside it.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { LineCounter } from "yaml";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { parseStrictJson } from "../json/strict-json.js";
import { type AppliedUser, copyUserFields, EMPLOYEE_ID_PATTERN, isObject, USER_FIELDS } from "../model.js";

/**
 * 2: written compact, one user per line, with a journal of results beside it (state-journal.ts)
 * that a reader folds in; an older version, which knows no journal, refuses it. 1: pretty-printed,
 * no journal; read as it is, and written as 2 on the next write.
 */
export const STATE_FORMAT_VERSION = 2;

export interface StateDocument {
  readonly formatVersion: number;
  /** Set when a state is first written; a state from another lineage is another history. */
  readonly lineage: string;
  /** Increases by one on every write. */
  readonly serial: number;
  /**
   * The API the state was last applied against (normalizeApiOrigin); absent in a state written
   * before it was recorded, which gains it on its next write. Using the state against another
   * API is refused unless the user says so.
   */
  readonly apiOrigin?: string;
  /** Users by employeeID, as last applied. */
  readonly users: ReadonlyMap<string, AppliedUser>;
  /**
   * Results an interrupted apply recorded in the state's journal after this serial, folded into
   * `users` when the state was read: how many calls' results (0 or absent: none). The next write
   * makes them part of the state itself.
   */
  readonly journaled?: number;
}

/** The JSON form: users as an array sorted by employeeID (stable diffs, and faster to parse than an object). */
export interface StateJson {
  formatVersion: number;
  lineage: string;
  serial: number;
  apiOrigin?: string;
  users: AppliedUser[];
}

export function newStateDocument(): StateDocument {
  return { formatVersion: STATE_FORMAT_VERSION, lineage: randomUUID(), serial: 0, users: new Map() };
}

export function stateToJson(state: StateDocument): StateJson {
  const users = sortedUsers(state);
  return {
    // A state read in an earlier format is written in this one.
    formatVersion: STATE_FORMAT_VERSION,
    lineage: state.lineage,
    serial: state.serial,
    ...(state.apiOrigin !== undefined && { apiOrigin: state.apiOrigin }),
    users: users.map(orderFields),
  };
}

/**
 * The text of a state file: compact, one user per line, so a file of 100,000 users is about 20 MB
 * instead of 33 MB pretty-printed and a change to one user is a one-line diff in git.
 */
export function stateToText(state: StateDocument): string {
  const head = JSON.stringify({
    formatVersion: STATE_FORMAT_VERSION,
    lineage: state.lineage,
    serial: state.serial,
    ...(state.apiOrigin !== undefined && { apiOrigin: state.apiOrigin }),
  }).slice(0, -1);
  const users = sortedUsers(state);
  if (users.length === 0) return `${head},"users":[]}\n`;
  // One string per user, fields in a fixed order, without copying the records (100,000 of them at the end of a big apply).
  const lines = new Array<string>(users.length);
  for (let i = 0; i < users.length; i++) lines[i] = userJson(users[i] as AppliedUser);
  return `${head},"users":[\n${lines.join(",\n")}\n]}\n`;
}

function sortedUsers(state: StateDocument): AppliedUser[] {
  return [...state.users.values()].sort((a, b) => (a.employeeID < b.employeeID ? -1 : a.employeeID > b.employeeID ? 1 : 0));
}

/** JSON.stringify(orderFields(user)), without the copy. */
function userJson(user: AppliedUser): string {
  let out = `{"employeeID":${JSON.stringify(user.employeeID)},"name":${JSON.stringify(user.name)}`;
  if (user.username !== undefined) out += `,"username":${JSON.stringify(user.username)}`;
  if (user.email !== undefined) out += `,"email":${JSON.stringify(user.email)}`;
  if (user.phone !== undefined) out += `,"phone":${JSON.stringify(user.phone)}`;
  out += `,"isActive":${user.isActive ? "true" : "false"}`;
  if (user.tagSerials !== undefined) out += `,"tagSerials":${JSON.stringify(user.tagSerials)}`;
  if (user.organizationSerial !== undefined) out += `,"organizationSerial":${JSON.stringify(user.organizationSerial)}`;
  return `${out},"serial":${JSON.stringify(user.serial)}}`;
}

/** A record with only the known fields, in a fixed order (serial last): nothing else (no password, no token) can reach the file. */
function orderFields(user: AppliedUser): AppliedUser {
  return { ...copyUserFields(user), serial: user.serial };
}

/** Parses and checks a state file's text; problems come back as diagnostics located in `file`. */
export function parseStateJson(file: string, input: string): { state?: StateDocument; diagnostics: Diagnostic[] } {
  // An editor may have saved the file with a byte-order mark; JSON.parse refuses one.
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const locate = stateLocator(file, text);
  const parsed = parseStrictJson(text);
  if (!parsed.ok) {
    return {
      diagnostics: [
        {
          severity: "error",
          summary: `the state file ${parsed.summary}`,
          detail:
            "It may have been truncated or edited by hand. Restore it from version control or your backup; do not delete it, or every user would be planned as new.",
          location: locate.offset(parsed.offset),
        },
      ],
    };
  }
  const raw = parsed.value;
  return checkState(raw, locate);
}

/** Checks an already parsed state (e.g. from a database row); problems are located at `location` itself. */
export function parseStateValue(location: string, raw: unknown): { state?: StateDocument; diagnostics: Diagnostic[] } {
  const here: SourceLocation = { file: location, line: 1, column: 1 };
  return checkState(
    raw,
    Object.assign(() => here, { offset: () => here }),
  );
}

function checkState(raw: unknown, locate: StateLocator): { state?: StateDocument; diagnostics: Diagnostic[] } {
  const problem = (summary: string, detail?: string, path: readonly (string | number)[] = []): { diagnostics: Diagnostic[] } => ({
    diagnostics: [{ severity: "error", summary, location: locate(path), ...(detail ? { detail } : {}) }],
  });
  if (!isObject(raw)) return problem("the state file does not hold a JSON object");
  const { formatVersion, lineage, serial, apiOrigin, users } = raw;
  if (typeof formatVersion !== "number" || !Number.isInteger(formatVersion) || formatVersion < 1) {
    return problem('the state file has no "formatVersion"', "This does not look like a ruangkerja-users state file.", ["formatVersion"]);
  }
  if (formatVersion > STATE_FORMAT_VERSION) {
    return problem(
      `the state file has format version ${formatVersion}, newer than this ruangkerja-users understands (${STATE_FORMAT_VERSION})`,
      "Upgrade ruangkerja-users to the version that wrote it.",
      ["formatVersion"],
    );
  }
  const restore = "The file was edited by hand or damaged. Restore it from version control or your backup.";
  if (typeof lineage !== "string" || lineage === "") return problem('the state file has no "lineage"', restore, ["lineage"]);
  if (typeof serial !== "number" || !Number.isInteger(serial) || serial < 0) {
    return problem('the state file\'s "serial" is not a non-negative whole number', restore, ["serial"]);
  }
  if (!Number.isSafeInteger(serial)) return problem('the state file\'s "serial" is larger than a state can count to', restore, ["serial"]);
  if (apiOrigin !== undefined && !isApiOrigin(apiOrigin)) {
    return problem('the state file\'s "apiOrigin" is not the URL of an API', restore, ["apiOrigin"]);
  }
  if (!Array.isArray(users)) return problem('the state file\'s "users" is not a list', restore, ["users"]);
  const map = new Map<string, AppliedUser>();
  const diagnostics: Diagnostic[] = [];
  users.forEach((user, index) => {
    const reason = checkAppliedUser(user);
    if (reason) {
      diagnostics.push({
        severity: "error",
        summary: `state entry users[${index}] ${reason}`,
        detail: restore,
        field: `users[${index}]`,
        location: locate(["users", index]),
      });
      return;
    }
    const applied = user as AppliedUser;
    if (map.has(applied.employeeID)) {
      diagnostics.push({
        severity: "error",
        summary: `state lists employeeID "${applied.employeeID}" twice`,
        detail: restore,
        field: `users[${index}]`,
        location: locate(["users", index]),
      });
      return;
    }
    map.set(applied.employeeID, keptFields(applied));
  });
  if (diagnostics.length > 0) return { diagnostics };
  return {
    state: { formatVersion: STATE_FORMAT_VERSION, lineage, serial, ...(apiOrigin !== undefined && { apiOrigin }), users: map },
    diagnostics: [],
  };
}

function isApiOrigin(value: unknown): value is string {
  if (typeof value !== "string" || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.search === "" && url.hash === "" && url.username === "";
  } catch {
    return false;
  }
}

const KNOWN_FIELDS: ReadonlySet<string> = new Set([...USER_FIELDS, "serial"]);

/** The record as state keeps it: only known fields (a copy only when it has others). */
export function keptFields(user: AppliedUser): AppliedUser {
  return onlyKnownFields(user) ? user : orderFields(user);
}

/** A record as stateToJson writes it needs no copy: 100,000 copies are a tenth of a second of a plan. */
function onlyKnownFields(user: AppliedUser): boolean {
  for (const key in user) if (!KNOWN_FIELDS.has(key)) return false;
  return true;
}

/** Why `user` is not a state entry, or undefined when it is one. */
export function checkAppliedUser(user: unknown): string | undefined {
  if (!isObject(user)) return "is not an object";
  if (typeof user.employeeID !== "string" || user.employeeID === "") return "has no employeeID";
  if (!EMPLOYEE_ID_PATTERN.test(user.employeeID))
    return `has employeeID ${JSON.stringify(user.employeeID)}, which RuangKerja cannot hold (letters and digits only)`;
  if (typeof user.name !== "string") return `(${user.employeeID}) has no name`;
  if (typeof user.isActive !== "boolean") return `(${user.employeeID}) has no isActive`;
  if (typeof user.serial !== "string") return `(${user.employeeID}) has no serial`;
  for (const key of ["username", "email", "phone", "organizationSerial"] as const) {
    if (user[key] !== undefined && typeof user[key] !== "string") return `(${user.employeeID}) has a ${key} that is not text`;
  }
  if (user.tagSerials !== undefined && !(Array.isArray(user.tagSerials) && user.tagSerials.every((t) => typeof t === "string"))) {
    return `(${user.employeeID}) has tagSerials that are not a list of text`;
  }
  return undefined;
}

interface StateLocator {
  (path: readonly (string | number)[]): SourceLocation;
  offset(offset: number): SourceLocation;
}

/** The yaml package, loaded when a problem in a state file is placed: reading a good state never loads it. */
function yaml(): typeof import("yaml") {
  return createRequire(import.meta.url)("yaml") as typeof import("yaml");
}

/**
 * Positions for problems in a state file. Only runs when something is wrong, so the normal path
 * stays a bare JSON.parse; JSON is YAML, so the yaml package finds where a path's value starts.
 */
function stateLocator(file: string, text: string): StateLocator {
  let lineCounter: LineCounter | undefined;
  const counter = (): LineCounter => {
    if (!lineCounter) {
      lineCounter = new (yaml().LineCounter)();
      lineCounter.addNewLine(0);
      let at = text.indexOf("\n");
      while (at !== -1) {
        lineCounter.addNewLine(at + 1);
        at = text.indexOf("\n", at + 1);
      }
    }
    return lineCounter;
  };
  const offset = (at: number): SourceLocation => {
    const { line, col } = counter().linePos(Math.max(0, Math.min(at, text.length)));
    return { file, line: Math.max(1, line), column: Math.max(1, col) };
  };
  const locate = (path: readonly (string | number)[]): SourceLocation => {
    if (path.length === 0) return { file, line: 1, column: 1 };
    try {
      const node = yaml().parseDocument(text).getIn(path, true) as { range?: [number, number, number] } | undefined;
      return node?.range ? offset(node.range[0]) : { file, line: 1, column: 1 };
    } catch {
      return { file, line: 1, column: 1 };
    }
  };
  return Object.assign(locate, { offset });
}
