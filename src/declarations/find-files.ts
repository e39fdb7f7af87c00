/**
 * Which entries under the declarations folder are declarations, and which are refused. Only
 * regular files inside the folder are read: the folder is what a pull request changes, and a link
 * or a device in it must not make the tool read, or print, anything else on the machine.
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { danglingLinkDiagnostic, kindOf, linkLeavesFolderDiagnostic, linkLoopDiagnostic, notAFileDiagnostic } from "./file-messages.js";

const DECLARATION_FILE = /\.ya?ml$/i;

export interface FoundFiles {
  /** Absolute paths of the entries in the folder (a link's own path, not its target's). */
  readonly files: string[];
  /**
   * For the files among `files` that are symbolic links: the real path of the regular file each
   * names, inside the folder. That path, not the link, is what is opened.
   */
  readonly links: ReadonlyMap<string, string>;
  readonly diagnostics: Diagnostic[];
}

/** Whether `path` is `folder` or lies below it; both are real paths (no links, no `..`). */
export function isInside(folder: string, path: string): boolean {
  const up = relative(folder, path);
  return up === "" || (up !== ".." && !up.startsWith(`..${sep}`) && !isAbsolute(up));
}

/**
 * `*.yaml` and `*.yml` under `dir` (any case), recursively. Dot-folders (.git, .github) hold no
 * people; dot-files are read like any other. Refused, each with an error at its path:
 * - symlinked folders: they can loop, or pull in another team's files twice;
 * - a link to a file outside the folder (its real path is checked, so `../`, absolute targets and
 *   chains of links all count), a dangling link and a link loop;
 * - named pipes, sockets and devices, and a folder named like a declaration file.
 * A link to a regular file inside the folder is read: it shows nothing the folder does not hold.
 * Refusals are errors, not warnings: skipping a file silently would plan the deactivation of
 * everyone in it.
 */
export async function findDeclarationFiles(dir: string, display: (absolute: string) => string): Promise<FoundFiles> {
  const files: string[] = [];
  const links = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const root = await realpath(dir).catch(() => dir);
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
      const named = DECLARATION_FILE.test(entry.name);
      if (entry.isSymbolicLink()) {
        const found = await followLink(path, named, folder, { dir, root, shown: display(dir), display });
        if ("target" in found) {
          files.push(path);
          links.set(path, found.target);
        } else if (found.diagnostic) diagnostics.push(found.diagnostic);
      } else if (entry.isDirectory()) {
        if (entry.name.startsWith(".")) continue;
        if (named) diagnostics.push(notAFileDiagnostic(display(path), "folder"));
        else await walk(path);
      } else if (named) {
        if (entry.isFile()) files.push(path);
        else diagnostics.push(notAFileDiagnostic(display(path), kindOf(entry)));
      }
    }
  };
  await walk(dir);
  return { files, links, diagnostics };
}

type Followed = { readonly target: string } | { readonly diagnostic?: Diagnostic };

interface Folder {
  /** The declarations folder, absolute, and its real path. */
  readonly dir: string;
  readonly root: string;
  /** The declarations folder as the user named it. */
  readonly shown: string;
  readonly display: (absolute: string) => string;
}

/** Resolves a link without opening what it names (opening a pipe could block, a device never end). */
async function followLink(link: string, named: boolean, folder: string, { dir, root, shown, display }: Folder): Promise<Followed> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    // Only a link named like a declaration file matters when it leads nowhere.
    if (!named) return {};
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { diagnostic: linkLoopDiagnostic(display(link)) };
    const written = await readlink(link).catch(() => "");
    // Leading nowhere, or somewhere without a path (/dev/stdin is a link to "pipe:[1234]"): where it was meant to go decides.
    const meant = resolve(folder, written);
    if (!isInside(dir, meant) && !isInside(root, meant)) return { diagnostic: linkLeavesFolderDiagnostic(display(link), written, shown) };
    return { diagnostic: danglingLinkDiagnostic(display(link), written) };
  }
  const stats = await lstat(target).catch(() => undefined);
  if (stats?.isDirectory()) return { diagnostic: await symlinkedFolderDiagnostic(link, target, folder, display) };
  if (!named) return {};
  if (!isInside(root, target)) {
    return { diagnostic: linkLeavesFolderDiagnostic(display(link), await readlink(link).catch(() => target), shown) };
  }
  if (!stats?.isFile()) return { diagnostic: notAFileDiagnostic(display(link), stats ? kindOf(stats) : "special file", true) };
  return { target };
}

async function symlinkedFolderDiagnostic(
  link: string,
  target: string,
  folder: string,
  display: (absolute: string) => string,
): Promise<Diagnostic> {
  // A loop: the target contains the folder that holds the link.
  if (isInside(target, await realpath(folder).catch(() => folder))) {
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
