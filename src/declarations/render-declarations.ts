/**
 * The way back: users (as RuangKerja holds them) → declaration files, for `export`. Pure: text
 * in memory, written by the CLI. The YAML comes from the yaml package (quoting what would read
 * back as a number or boolean), and every file is read back with the same parser, schema and
 * cross-file rules that `plan` uses, so what export writes is what plan accepts.
 */
import { Document, isMap, isScalar, isSeq, visit } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import type { UserFields } from "../model.js";
import { checkCrossFileRules } from "./cross-file-rules.js";
import { type DeclaredUser, parseDeclarationText } from "./parse-file.js";

/** `organization`: one file per organization, its serial as the file's default; `none`: one file. */
export type GroupBy = "organization" | "none";

export const GROUP_BY: readonly GroupBy[] = ["organization", "none"];

export interface UserToDeclare {
  readonly fields: UserFields;
  /** The organization's name, for the file name and header (the view's organizationDisplayName). */
  readonly organizationDisplayName?: string;
}

export interface RenderedFile {
  /** File name inside the output folder, e.g. `engineering.yaml`. */
  readonly name: string;
  readonly text: string;
  /** In the order written (by employeeID). */
  readonly users: readonly UserFields[];
}

export interface RenderOptions {
  readonly groupBy: GroupBy;
  /** `$schema` of the yaml-language-server modeline, relative to the output folder. */
  readonly schemaRef: string;
}

const ALL_USERS_FILE = "users.yaml";
const NO_ORGANIZATION_FILE = "no-organization.yaml";

export function renderDeclarationFiles(users: readonly UserToDeclare[], options: RenderOptions): RenderedFile[] {
  const sorted = [...users].sort((a, b) => compare(a.fields.employeeID, b.fields.employeeID));
  if (options.groupBy === "none" || sorted.length === 0) {
    return sorted.length === 0 ? [] : [renderFile(ALL_USERS_FILE, sorted, undefined, options.schemaRef, "every user")];
  }
  const groups = new Map<string, UserToDeclare[]>();
  for (const user of sorted) {
    const key = user.fields.organizationSerial ?? "";
    const group = groups.get(key);
    if (group) group.push(user);
    else groups.set(key, [user]);
  }
  const names = fileNames(groups);
  return [...groups.entries()]
    .map(([serial, members]) => {
      const display = members.find((m) => m.organizationDisplayName)?.organizationDisplayName;
      const about =
        serial === ""
          ? "users without an organization"
          : `organization ${display && display !== serial ? `${display} (${serial})` : serial}`;
      return renderFile(names.get(serial) as string, members, serial === "" ? undefined : serial, options.schemaRef, about);
    })
    .sort((a, b) => compare(a.name, b.name));
}

/** A readable, unique file name per organization: its name in lower-case words, else its serial. */
function fileNames(groups: ReadonlyMap<string, readonly UserToDeclare[]>): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const [serial, members] of groups) {
    if (serial === "") {
      wanted.set(serial, NO_ORGANIZATION_FILE);
      continue;
    }
    const display = members.find((m) => m.organizationDisplayName)?.organizationDisplayName ?? "";
    wanted.set(serial, `${slug(display) || slug(serial) || "organization"}.yaml`);
  }
  const counts = new Map<string, number>();
  for (const name of wanted.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
  counts.set(ALL_USERS_FILE, (counts.get(ALL_USERS_FILE) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const [serial, name] of wanted) {
    // Two organizations with one name (or a name that slugs to another's) keep their serial in the file name.
    names.set(serial, (counts.get(name) ?? 0) > 1 && serial !== "" ? `${name.slice(0, -".yaml".length)}-${slug(serial)}.yaml` : name);
  }
  return names;
}

function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

function renderFile(
  name: string,
  members: readonly UserToDeclare[],
  organizationSerial: string | undefined,
  schemaRef: string,
  about: string,
) {
  const users = members.map((m) => m.fields);
  const sharedTags = commonTags(users);
  const defaults: Record<string, unknown> = {};
  if (organizationSerial !== undefined) defaults.organizationSerial = organizationSerial;
  if (sharedTags) defaults.tagSerials = [...sharedTags];
  const items = users.map((user) => declaredUser(user, organizationSerial !== undefined, sharedTags !== undefined));
  const doc = new Document(Object.keys(defaults).length > 0 ? { defaults, users: items } : { users: items });
  doc.commentBefore =
    ` yaml-language-server: $schema=${schemaRef}\n\n` + ` Exported from RuangKerja by \`ruangkerja-users export\`: ${about}.`;
  if (isMap(doc.contents)) {
    const [, second] = doc.contents.items;
    if (second && typeof second.key === "object" && second.key !== null) (second.key as { spaceBefore?: boolean }).spaceBefore = true;
    const list = doc.contents.get("users", true);
    if (isSeq(list)) list.items.slice(1).forEach((item) => Object.assign(item as object, { spaceBefore: true }));
  }
  // Tag lists on one line, as the README writes them: `tagSerials: [RUKRTAG-9WHL0JGP]`.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "tagSerials" && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return { name, text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), users };
}

/** The tag set every user of the file has, when there are several users and it is not empty: it moves to defaults. */
function commonTags(users: readonly UserFields[]): readonly string[] | undefined {
  const first = users[0]?.tagSerials;
  if (users.length < 2 || !first || first.length === 0) return undefined;
  const key = first.join("\n");
  return users.every((u) => (u.tagSerials ?? []).join("\n") === key) ? first : undefined;
}

/** The user as written: fields in the README's order, isActive only when false, organization and tags only where defaults do not say them. */
function declaredUser(user: UserFields, organizationInDefaults: boolean, tagsInDefaults: boolean): Record<string, unknown> {
  return {
    employeeID: user.employeeID,
    name: user.name,
    ...(user.username !== undefined && { username: user.username }),
    ...(user.email !== undefined && { email: user.email }),
    ...(user.phone !== undefined && { phone: user.phone }),
    ...(!user.isActive && { isActive: false }),
    ...(!tagsInDefaults && user.tagSerials && user.tagSerials.length > 0 && { tagSerials: [...user.tagSerials] }),
    ...(!organizationInDefaults && user.organizationSerial !== undefined && { organizationSerial: user.organizationSerial }),
  };
}

/**
 * Reads the rendered files back as plan would (schema, then rules across files) and returns the
 * errors per employeeID, reworded for users that live in RuangKerja, not yet in a file.
 * Problems that belong to no single user (the file itself) come under the key "".
 */
export function checkRenderedFiles(files: readonly RenderedFile[]): Map<string, Diagnostic[]> {
  const problems = new Map<string, Diagnostic[]>();
  const declared: DeclaredUser[] = [];
  const owner = new Map<DeclaredUser, string>();
  const byFile = new Map<string, { starts: number[]; ids: string[] }>();
  for (const file of files) {
    const parsed = parseDeclarationText(file.name, file.text);
    const starts: number[] = [];
    const ids: string[] = [];
    for (const d of parsed.users) {
      const id = file.users[d.index]?.employeeID ?? "";
      owner.set(d, id);
      starts.push(d.source.line);
      ids.push(id);
      declared.push(d);
    }
    byFile.set(file.name, { starts, ids });
    for (const d of parsed.diagnostics) add(problems, whose(d, byFile.get(file.name)), d);
  }
  for (const d of checkCrossFileRules(declared, (user) => user.source)) add(problems, whose(d, byFile.get(d.location?.file ?? "")), d);
  return problems;
}

function whose(d: Diagnostic, file: { starts: number[]; ids: string[] } | undefined): string {
  if (d.severity !== "error" || !d.location || !file) return "";
  let found = "";
  file.starts.forEach((start, i) => {
    if (start <= (d.location?.line ?? 0)) found = file.ids[i] ?? "";
  });
  return found;
}

function add(problems: Map<string, Diagnostic[]>, employeeID: string, d: Diagnostic): void {
  if (d.severity !== "error") return;
  const field = d.field?.replace(/^users\[\d+\]\.?/, "") || undefined;
  const reworded: Diagnostic = {
    severity: "error",
    summary: employeeID === "" ? d.summary : `RuangKerja user ${employeeID} cannot be declared as it is: ${d.summary}`,
    ...(d.detail ? { detail: d.detail } : {}),
    ...(field ? { field } : {}),
  };
  const list = problems.get(employeeID);
  if (list) list.push(reworded);
  else problems.set(employeeID, [reworded]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
