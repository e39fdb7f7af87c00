/**
 * Problems found before YAML is parsed: a file that is not a regular file inside the declarations
 * folder, too large, unreadable, or not UTF-8 text; and how any message quotes a piece of a file.
 * Apart from yaml-messages.ts so that reading files does not load the yaml package.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { quoteText, safeLine } from "../text/untrusted-text.js";

/** A declaration is configuration: a file this large is a mistake (an export, a log), not a team. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** How much of a file a message may quote: enough to recognise a value, too little to carry a file's contents away. */
export const EXCERPT_CHARS = 80;

export function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

/** The first `max` characters (code points, not UTF-16 units) of `text`, and whether there was more. */
function cut(text: string, max: number): [string, boolean] {
  let count = 0;
  let end = 0;
  for (const char of text) {
    if (count === max) return [text.slice(0, end), true];
    end += char.length;
    count++;
  }
  return [text, false];
}

/**
 * A piece of a file as a message may quote it: at most `max` characters of it (then `…`), quoted
 * and escaped as quoteText does (src/text/untrusted-text.ts: `\n`, `\u001b`, `\u202e`, a broken
 * `##[`), so that what a file holds can neither flood a log nor steer a terminal or a CI runner.
 */
export function quoteExcerpt(text: string, max = EXCERPT_CHARS): string {
  const [kept, more] = cut(text, max);
  const quoted = quoteText(kept);
  return more ? `${quoted.slice(0, -1)}…"` : quoted;
}

/** The same, unquoted (safeLine), for text that already stands inside a sentence: a message of the yaml package naming a tag it met. */
export function escapeExcerpt(text: string, max = EXCERPT_CHARS): string {
  const [kept, more] = cut(text, max);
  return `${safeLine(kept)}${more ? "…" : ""}`;
}

/** Sizes from 100 KB up in MB, as a person thinks of them; below, in bytes (a test's small limit). */
function amount(bytes: number): string {
  return bytes >= 100 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

/** `bytes` is undefined when reading stopped at the limit: the size on disk was wrong (a /proc file) or the file grew. */
export function fileTooLargeDiagnostic(file: string, bytes: number | undefined, limit: number): Diagnostic {
  const size =
    bytes === undefined
      ? `more than ${amount(limit)}, the most`
      : amount(bytes) === amount(limit) // just over the limit, both round alike
        ? `${bytes} bytes, more than the ${limit} bytes (${amount(limit)})`
        : `${amount(bytes)}, more than the ${amount(limit)}`;
  return {
    severity: "error",
    summary: `the file is ${size} a declaration file may have`,
    detail: "Declaration files are configuration, not data exports. Split the users over several files (one per team or department).",
    location: fileStart(file),
  };
}

const UNREADABLE_ADVICE: Readonly<Record<string, string>> = {
  EACCES: "The user running ruangkerja-users may not read it: make it readable (chmod a+r), or remove it.",
  EPERM: "The user running ruangkerja-users may not read it: make it readable (chmod a+r), or remove it.",
  ELOOP: "It became a symbolic link after the folder was listed: something is changing the folder while it is read. Run again.",
  ENOENT: "It was removed after the folder was listed: something is changing the folder while it is read. Run again.",
  ENXIO: "It is not a file that can be read (a socket?). Declarations are read only from regular files: remove it.",
};

/** The message names the error code, not the system's text, which would repeat the absolute path. */
export function unreadableFileDiagnostic(file: string, error: unknown): Diagnostic {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return {
    severity: "error",
    summary: `the file cannot be read${code ? ` (${code})` : ""}`,
    detail: (code && UNREADABLE_ADVICE[code]) ?? "Check that it is a file the user running ruangkerja-users can read, then run again.",
    location: fileStart(file),
  };
}

/** What a directory entry is, in words, for an entry that is not a regular file. */
export type EntryKind = "folder" | "named pipe (FIFO)" | "socket" | "character device" | "block device" | "symbolic link" | "special file";

interface TypedEntry {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}

/** fs.Stats and fs.Dirent both answer these. */
export function kindOf(entry: TypedEntry): EntryKind {
  if (entry.isDirectory()) return "folder";
  if (entry.isFIFO()) return "named pipe (FIFO)";
  if (entry.isSocket()) return "socket";
  if (entry.isCharacterDevice()) return "character device";
  if (entry.isBlockDevice()) return "block device";
  if (entry.isSymbolicLink()) return "symbolic link";
  return "special file";
}

const NOT_A_FILE_ADVICE: Readonly<Record<EntryKind, string>> = {
  folder:
    "A name ending in .yaml or .yml is kept for declaration files (a missing file mounted into a container becomes an empty folder of its name). Rename the folder, or put the file in its place.",
  "named pipe (FIFO)": "Reading a pipe waits for whatever writes to it, possibly forever. Remove it and commit the YAML file itself.",
  socket: "A socket holds no declarations. Remove it, or rename it so that its name does not end in .yaml or .yml.",
  "character device": "A device is not a declaration file: reading one can return endless data. Remove it and commit the YAML file itself.",
  "block device": "A device is not a declaration file. Remove it and commit the YAML file itself.",
  "symbolic link": "Declarations are read only from regular files. Replace the link with the file it points to.",
  "special file": "Declarations are read only from regular files. Remove it and commit the YAML file itself.",
};

/**
 * An entry named like a declaration file that is not a regular file (`viaLink`: a link inside the
 * folder to one). A folder has no line to point at, so it is named in the summary instead.
 */
export function notAFileDiagnostic(file: string, kind: EntryKind, viaLink = false): Diagnostic {
  const detail = NOT_A_FILE_ADVICE[kind];
  if (kind === "folder" && !viaLink) {
    return { severity: "error", summary: `${file} is a folder named like a declaration file: it is not read`, detail };
  }
  return {
    severity: "error",
    summary: `the file is ${viaLink ? "a symbolic link to " : ""}a ${kind}, not a regular file: it is not read`,
    detail,
    location: fileStart(file),
  };
}

/** `target` is the link as written (readlink; it may lead out through further links), quoted as a short excerpt: a link's text is the author's. */
export function linkLeavesFolderDiagnostic(file: string, target: string, folder: string): Diagnostic {
  return {
    severity: "error",
    summary: `the file is a symbolic link to ${quoteExcerpt(target)}, which leads outside the declarations folder ${folder}: it is not read`,
    detail:
      "Only files inside the declarations folder are read, so that a change to it cannot make ruangkerja-users read (and print) other files of the machine it runs on, such as credentials. Copy the file into the folder instead of linking to it.",
    location: fileStart(file),
  };
}

export function linkLoopDiagnostic(file: string): Diagnostic {
  return {
    severity: "error",
    summary: "the file is a symbolic link that never reaches a file (links that lead round in a loop): it is not read",
    detail: "Replace the link with the file it was meant to point to, or delete it.",
    location: fileStart(file),
  };
}

export function danglingLinkDiagnostic(file: string, target: string): Diagnostic {
  return {
    severity: "error",
    summary: `the file is a symbolic link to ${quoteExcerpt(target)}, which does not exist`,
    detail:
      "Its users would be planned for deactivation. Restore the file it points to, replace the link with the file, or delete the link. (Emacs leaves such links, named .#<file>, beside files being edited; save the file and they go.)",
    location: fileStart(file),
  };
}

/** Locates the first byte that is not UTF-8; called only once strict decoding has failed. Quotes nothing of the file. */
export function invalidUtf8Diagnostic(file: string, bytes: Uint8Array): Diagnostic {
  let offset = 0;
  while (offset < bytes.length) {
    const b = bytes[offset] ?? 0;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || offset + length > bytes.length) break;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(offset, offset + length));
    } catch {
      break;
    }
    offset += length;
  }
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (const b of before) if (b === 0x0a) line++;
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return {
    severity: "error",
    summary: "the file is not valid UTF-8 text",
    detail:
      "Save the file as UTF-8 (most editors offer this under 'Save with encoding'). Files exported from spreadsheets are often in another encoding; names with accents then break.",
    location: { file, line, column },
  };
}
