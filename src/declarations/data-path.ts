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
