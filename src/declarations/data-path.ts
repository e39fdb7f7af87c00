/** Paths into a declaration's data, apart from yaml-source.ts so that the rules across files do not load yaml. */

/** A path into the data, as AJV and our messages use it: `["users", 2, "phone"]`. */
export type DataPath = readonly (string | number)[];

/** `users[2].phone`; undefined for the document itself. */
export function fieldOf(path: DataPath): string | undefined {
  let field = "";
  for (const segment of path) {
    field += typeof segment === "number" ? `[${segment}]` : field === "" ? segment : `.${segment}`;
  }
  return field === "" ? undefined : field;
}

/** A step of a walk down the data, linked to the step above: the path is built only when a finding needs it. */
export interface PathLink {
  readonly parent?: PathLink;
  /** The key or index that led here; absent at the top. */
  readonly segment?: string | number;
}

export function pathOfLink(link: PathLink): DataPath {
  const path: (string | number)[] = [];
  for (let at: PathLink | undefined = link; at?.segment !== undefined; at = at.parent) path.push(at.segment);
  return path.reverse();
}

/** `phone`, `tagSerials[1]`, `users[2]`: the short name a summary starts with. */
export function label(path: DataPath): string {
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  if (typeof last === "number") return typeof before === "string" ? `${before}[${last}]` : `[${last}]`;
  return last ?? "the file";
}

/** The field name that decides the rules: for `previousEmployeeIDs[1]`, the list's name. */
export function fieldName(path: DataPath): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === "string") return segment;
  }
  return "";
}
