/**
 * Rules over all files together: one person per employeeID, username and e-mail, and renames
 * (previousEmployeeIDs) that cannot be read two ways. Each occurrence of a conflict is reported
 * where it is written, naming the other places. Linear in the users: groups are made once, each
 * message names at most a few places, and of each rule only the first problems are described and
 * located (diagnostic-limit.ts).
 */
import { type Diagnostic, formatLocation, type SourceLocation } from "../diagnostics.js";
import type { DeclaredUser } from "./declared-user.js";
import { type DataPath, fieldOf } from "./data-path.js";
import { DiagnosticLimit } from "../diagnostic-limit.js";

/** Finds the position of a value inside a user's declaration; only called for problems. */
export type Locate = (declared: DeclaredUser, path: DataPath) => SourceLocation;

/** Naming every other place would make a file with one id pasted 10,000 times print 10^8 places. */
const MAX_PLACES_NAMED = 3;

function groupBy<T>(items: readonly T[], keysOf: (item: T) => Iterable<string>): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    for (const key of keysOf(item)) {
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}

/**
 * Only the keys held by two or more items: no list is made for the (many) keys held once. A first
 * pass keeps only the keys seen; the items are looked at again only when some key repeats.
 */
function groupDuplicates<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    if (seen.size === seen.add(key).size) repeated.add(key);
  }
  // In the order each key was first found repeated, as the rules have always reported them.
  const groups = new Map<string, T[]>();
  for (const key of repeated) groups.set(key, []);
  if (repeated.size === 0) return groups;
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) groups.get(key)?.push(item);
  }
  return groups;
}

function who(declared: DeclaredUser): string {
  return declared.employeeID === undefined ? `users[${declared.index}]` : `user ${declared.employeeID}`;
}

function place(declared: DeclaredUser): string {
  return `${who(declared)} (${formatLocation(declared.source)})`;
}

/** The places of a group's members other than `self`, which is in the group unless told otherwise. Linear only in what it names. */
function placesExcept(group: readonly DeclaredUser[], self: DeclaredUser, selfInGroup = true): string {
  const named: string[] = [];
  for (const d of group) {
    if (named.length === MAX_PLACES_NAMED) break;
    if (d !== self) named.push(place(d));
  }
  const more = group.length - (selfInGroup ? 1 : 0) - named.length;
  if (more > 0) return `${named.join(", ")} and ${more} more`;
  const last = named.pop();
  return named.length > 0 ? `${named.join(", ")} and ${last}` : (last ?? "");
}

function usersPath(declared: DeclaredUser, ...rest: (string | number)[]): DataPath {
  return ["users", declared.index, ...rest];
}

interface Claim {
  readonly declared: DeclaredUser;
  readonly position: number;
  readonly previousID: string;
}

/** Where each rule adds its diagnostics, of each kind only the first (diagnostic-limit.ts). */
interface Report {
  readonly diagnostics: Diagnostic[];
  readonly limit: DiagnosticLimit;
  readonly locate: Locate;
}

/** The same value declared by several users: one error at each, naming the others. */
function duplicates(
  report: Report,
  users: readonly DeclaredUser[],
  field: "employeeID" | "username" | "email",
  describe: (value: string, elsewhere: string, mixedCase: boolean) => Pick<Diagnostic, "summary" | "detail">,
): void {
  const caseless = field !== "employeeID";
  const groups = groupDuplicates(users, (d) => {
    const value = d[field];
    return value === undefined ? undefined : caseless ? value.toLowerCase() : value;
  });
  for (const group of groups.values()) {
    const mixedCase = new Set(group.map((d) => d[field])).size > 1;
    for (const declared of group) {
      report.limit.add(report.diagnostics, `${field} declared twice`, () => {
        const path = usersPath(declared, field);
        const message = describe(declared[field] ?? "", placesExcept(group, declared), mixedCase);
        return { severity: "error", ...message, field: fieldOf(path) ?? field, location: report.locate(declared, path) };
      });
    }
  }
}

function renameConflicts(report: Report, users: readonly DeclaredUser[]): void {
  const claims: Claim[] = [];
  for (const declared of users) {
    declared.previousEmployeeIDs?.forEach((previousID, position) => {
      claims.push({ declared, position, previousID });
    });
  }
  if (claims.length === 0) return;
  const byID = groupBy(users, (d) => (d.employeeID === undefined ? [] : [d.employeeID]));
  const at = (claim: Claim) => {
    const path = usersPath(claim.declared, "previousEmployeeIDs", claim.position);
    return { field: fieldOf(path) ?? "previousEmployeeIDs", location: report.locate(claim.declared, path) };
  };
  for (const claim of claims) {
    // Listing one's own id is reported with the file (parse-file.ts); here only other users count.
    const holders = byID.get(claim.previousID) ?? [];
    const selfHolds = claim.declared.employeeID === claim.previousID;
    if (holders.length - (selfHolds ? 1 : 0) === 0) continue;
    report.limit.add(report.diagnostics, "previousEmployeeIDs lists a declared employeeID", () => ({
      severity: "error",
      summary: `previousEmployeeIDs of ${who(claim.declared)} lists "${claim.previousID}", which is the employeeID of ${placesExcept(holders, claim.declared, selfHolds)}`,
      detail:
        `A previous ID means "rename the user ${claim.previousID} to ${claim.declared.employeeID ?? "this person"}"; ` +
        `that user cannot also stay as it is. Remove "${claim.previousID}" from previousEmployeeIDs, or remove the other declaration.`,
      ...at(claim),
    }));
  }
  for (const group of groupBy(claims, (c) => [c.previousID]).values()) {
    // A user listing the same id twice is the schema's uniqueItems problem, not a second claimant.
    const claimants = [...new Set(group.map((c) => c.declared))];
    if (claimants.length < 2) continue;
    for (const claim of group) {
      report.limit.add(report.diagnostics, "previousEmployeeIDs claimed twice", () => ({
        severity: "error",
        summary: `"${claim.previousID}" is listed in previousEmployeeIDs of ${who(claim.declared)} and also of ${placesExcept(claimants, claim.declared)}`,
        detail: `The user ${claim.previousID} can be renamed into only one person. Keep "${claim.previousID}" in one previousEmployeeIDs list.`,
        ...at(claim),
      }));
    }
  }
}

/** What the caller has already established about the users, so that a rule need not look again. */
export interface KnownFacts {
  /** Every user has an employeeID, and no two the same (the loader sees it in the users it sorts by employeeID anyway). */
  readonly distinctEmployeeIDs?: boolean;
}

/** Every problem among the users of all files together, including users with errors of their own (their valid fields count). */
export function checkCrossFileRules(users: readonly DeclaredUser[], locate: Locate, known: KnownFacts = {}): Diagnostic[] {
  const caseNote = (mixedCase: boolean) => (mixedCase ? " (upper and lower case count as the same)" : "");
  const report: Report = { diagnostics: [], limit: new DiagnosticLimit(), locate };
  if (known.distinctEmployeeIDs !== true) {
    duplicates(report, users, "employeeID", (id, elsewhere) => ({
      summary: `employeeID "${id}" is also declared by ${elsewhere}`,
      detail: "An employee ID identifies one person in RuangKerja. Keep one declaration, or correct the ID of the other person.",
    }));
  }
  duplicates(report, users, "username", (name, elsewhere, mixedCase) => ({
    summary: `username "${name}" is also used by ${elsewhere}${caseNote(mixedCase)}`,
    detail: "A sign-in name belongs to one person. Give one of them another username.",
  }));
  duplicates(report, users, "email", (email, elsewhere, mixedCase) => ({
    summary: `email "${email}" is also used by ${elsewhere}${caseNote(mixedCase)}`,
    detail: "RuangKerja allows one user per e-mail address. Correct one of them, or use phone instead for one person.",
  }));
  renameConflicts(report, users);
  for (const d of report.limit.summaries()) report.diagnostics.push(d);
  return report.diagnostics;
}
