/**
 * One fingerprint of the declarations as written: every file's path (relative to the
 * declarations folder, so the folder may be checked out anywhere) and content, sorted by path.
 * A saved plan keeps it; apply refuses the plan when the files changed since.
 */
import { createHash } from "node:crypto";

export interface DeclarationText {
  /** Relative to the declarations folder, with `/` separators. */
  readonly path: string;
  readonly text: string;
}

export function digestDeclarations(files: readonly DeclarationText[]): string {
  const hash = createHash("sha256");
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { path, text } of sorted) {
    // Lengths delimit the parts: no choice of names and contents can make two sets hash alike.
    // The text is hashed as UTF-8 as it is, not copied into a buffer first (a file can be 10 MB).
    hash.update(`${Buffer.byteLength(path)}:${path}\n${Buffer.byteLength(text, "utf8")}:`);
    hash.update(text, "utf8");
    hash.update("\n");
  }
  return `sha256:${hash.digest("hex")}`;
}
