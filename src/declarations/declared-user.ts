/** What one declaration file yields, apart from parse-file.ts so that the fast path (fast-parse.ts), which parse-file.ts calls, can name it too. */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { DesiredUser } from "../model.js";

/**
 * One item of a users: list. The identity fields are what the rules across files compare; they
 * are kept even when another field of the user is wrong, so one run reports a duplicate
 * employeeID together with, say, an unquoted phone. A field with an error of its own is absent.
 */
export interface DeclaredUser {
  /** Position in its file's users: list, for field paths such as `users[3].email`. */
  readonly index: number;
  readonly source: SourceLocation;
  readonly employeeID?: string;
  readonly username?: string;
  readonly email?: string;
  readonly previousEmployeeIDs?: readonly string[];
  /** The normalized user; absent when the user (or the file's defaults) has an error. */
  readonly user?: DesiredUser;
}

export interface ParsedFile {
  readonly users: DeclaredUser[];
  readonly diagnostics: Diagnostic[];
}
