/** How `export` groups users into declaration files; apart from the renderer so that reading options does not load it (and yaml). */

/** `organization`: one file per organization, its serial as the file's default; `none`: one file. */
export type GroupBy = "organization" | "none";

export const GROUP_BY: readonly GroupBy[] = ["organization", "none"];
