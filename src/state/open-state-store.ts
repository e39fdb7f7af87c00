/**
 * Chooses the state store from what the user named: a `postgres://` or `postgresql://` URL is a
 * PostgreSQL state (one row per workspace), anything else a state file.
 */
import { ConfigError } from "../errors.js";
import { PostgresStateStore } from "./postgres-store.js";
import { isPostgresUrl } from "./postgres-url.js";
import { FileStateStore } from "./state-file.js";

export const DEFAULT_WORKSPACE = "default";

const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface OpenStateStoreOptions {
  /** The workspace within a PostgreSQL state. @default "default" */
  readonly workspace?: string;
}

/** A FileStateStore or a PostgresStateStore: both also offer readLock() and forceUnlock(). */
export function openStateStore(location: string, options: OpenStateStoreOptions = {}): FileStateStore | PostgresStateStore {
  const workspace = options.workspace ?? DEFAULT_WORKSPACE;
  if (!WORKSPACE_NAME.test(workspace)) {
    throw new ConfigError(
      `the workspace name ${JSON.stringify(workspace)} is not allowed: use 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  if (isPostgresUrl(location)) return new PostgresStateStore({ url: location, workspace });
  // Also "postgres:/…" with one slash: a typo that must not become a folder (or print a password).
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location)?.[1] ?? /^(postgres(?:ql)?):/i.exec(location)?.[1];
  if (scheme) {
    // A mistyped scheme would otherwise become a folder named "postgress:" beside the declarations.
    throw new ConfigError(`the state location ${scheme}://… is not supported: use a file path, or a postgres:// or postgresql:// URL`);
  }
  if (workspace !== DEFAULT_WORKSPACE) {
    throw new ConfigError(
      `workspace "${workspace}" needs a PostgreSQL state (--state postgres://…); a state file holds one state: name another file with --state instead`,
    );
  }
  return new FileStateStore(location);
}
