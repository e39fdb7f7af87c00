/** Builders for the plain objects unit tests feed the planner, state and apply. */
import type { AppliedUser, DesiredUser } from "../src/model.js";
import type { StateDocument } from "../src/state/state-document.js";
import type { StateStore } from "../src/state/state-store.js";

export function desired(employeeID: string, overrides: Partial<DesiredUser> = {}): DesiredUser {
  return {
    employeeID,
    name: `Name ${employeeID}`,
    email: `${employeeID.toLowerCase()}@example.co.id`,
    isActive: true,
    source: { file: "users/team.yaml", line: 3, column: 5 },
    ...overrides,
  };
}

export function applied(employeeID: string, overrides: Partial<AppliedUser> = {}): AppliedUser {
  return {
    employeeID,
    name: `Name ${employeeID}`,
    email: `${employeeID.toLowerCase()}@example.co.id`,
    isActive: true,
    serial: `SERIAL${employeeID.toUpperCase()}`,
    ...overrides,
  };
}

export function stateOf(...users: AppliedUser[]): Map<string, AppliedUser> {
  return new Map(users.map((u) => [u.employeeID, u]));
}

/** A state store in memory that keeps every write, for apply's unit tests. */
export class MemoryStateStore implements StateStore {
  location = "memory";
  writes: StateDocument[] = [];
  async read() {
    return this.writes.at(-1);
  }
  async write(state: StateDocument) {
    this.writes.push(state);
  }
  async lock() {
    return { release: async () => undefined, releaseSync: () => undefined };
  }
}

/** The same JSON value with every object's keys in reverse order: content equal, text not. */
export function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  return value;
}

/** One part (a group of changes, the warnings, drift) of a markdown plan, as a test reads it. */
export interface MarkdownPart {
  readonly title: string;
  rows: number;
  more: number;
}

/** The comment's parts in order: their titles, how many rows they list and how many they say are left out. */
export function partsOf(md: string): MarkdownPart[] {
  const parts: MarkdownPart[] = [];
  for (const line of md.split("\n")) {
    const title = /^(?:#### |<details><summary><b>)(.+?)(?:<\/b><\/summary>)?$/.exec(line);
    if (title) parts.push({ title: title[1] as string, rows: 0, more: 0 });
    const part = parts.at(-1);
    if (!part) continue;
    if (/^\| `/.test(line) || (/^- /.test(line) && !line.startsWith("- …"))) part.rows++;
    const more = /^…and (\d+) more/.exec(line);
    if (more) part.more += Number(more[1]);
  }
  return parts;
}
