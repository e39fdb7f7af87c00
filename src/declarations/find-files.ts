/** Which files under the declarations folder are declarations. */
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Diagnostic } from "../diagnostics.js";

const DECLARATION_FILE = /\.ya?ml$/i;

export interface FoundFiles {
  /** Absolute paths. */
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
}

/**
 * `*.yaml` and `*.yml` under `dir`, recursively. Dot-folders (.git, .github) hold no people.
 * Symlinked folders are not followed: they can loop, or pull in another team's files twice. They
 * are errors, not warnings: skipping them silently would plan the deactivation of everyone in them.
 */
export async function findDeclarationFiles(dir: string, display: (absolute: string) => string): Promise<FoundFiles> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      diagnostics.push({ severity: "error", summary: `the folder ${display(folder)} cannot be read${code ? ` (${code})` : ""}` });
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".")) await walk(path);
      } else if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target?.isDirectory()) {
          diagnostics.push(await symlinkedFolderDiagnostic(path, folder, display));
        } else if (DECLARATION_FILE.test(entry.name)) {
          // A dangling link is reported when it cannot be read, like any other unreadable file.
          files.push(path);
        }
      } else if (entry.isFile() && DECLARATION_FILE.test(entry.name)) {
        files.push(path);
      }
    }
  };
  await walk(dir);
  return { files, diagnostics };
}

async function symlinkedFolderDiagnostic(link: string, folder: string, display: (absolute: string) => string): Promise<Diagnostic> {
  const [target, parent] = await Promise.all([realpath(link).catch(() => link), realpath(folder).catch(() => folder)]);
  const up = relative(target, parent);
  const loops = up === "" || (!up.startsWith("..") && !up.startsWith(sep) && !/^[A-Za-z]:/.test(up));
  if (loops) {
    return {
      severity: "error",
      summary: `the symlinked folder ${display(link)} points back to ${display(target)}, a folder that contains it (a loop)`,
      detail: "Reading it would never end. Delete the link; nothing in it is lost, its files are already in the declarations folder.",
    };
  }
  return {
    severity: "error",
    summary: `the symlinked folder ${display(link)} is not read`,
    detail:
      "Declarations are read only from real folders, so the users in it would be planned for deactivation. Move the files into the declarations folder (or copy them), or point --dir at the target.",
  };
}
