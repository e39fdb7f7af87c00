/**
 * `state migrate --from FILE|URL --to FILE|URL`: copies a state between backends (file and
 * PostgreSQL, or two workspaces) without loss: same lineage, serial and users, read back and
 * compared. Both sides are locked meanwhile; the source is left as it was.
 */
import { isDeepStrictEqual } from "node:util";
import { ConfigError, InvalidInputError, StateIOError } from "../../errors.js";
import { openStateStore } from "../../state/open-state-store.js";
import { isPostgresUrl } from "../../state/postgres-url.js";
import { restoreSetAsideStateFile, setAsideStateFile } from "../../state/set-aside-state-file.js";
import { FileStateStore } from "../../state/state-file.js";
import { type StateDocument, stateToJson } from "../../state/state-document.js";
import type { StateLock } from "../../state/state-store.js";
import { EXIT_OK } from "../exit-codes.js";
import { type Environment, lockTimeoutMs, stateWorkspace } from "../options.js";
import type { Output } from "../output.js";

export interface StateMigrateFlags {
  readonly from: string;
  readonly to: string;
  readonly workspace?: string;
  readonly fromWorkspace?: string;
  readonly toWorkspace?: string;
  readonly force?: boolean;
  readonly lockTimeout?: number;
}

export async function runStateMigrate(flags: StateMigrateFlags, env: Environment, output: Output): Promise<number> {
  const workspace = stateWorkspace(flags, env);
  // --workspace (or RUANGKERJA_WORKSPACE) names the workspace of whichever side is PostgreSQL.
  const fromWorkspace = flags.fromWorkspace ?? (isPostgresUrl(flags.from) ? workspace : undefined);
  const toWorkspace = flags.toWorkspace ?? (isPostgresUrl(flags.to) ? workspace : undefined);
  if (flags.from === flags.to && fromWorkspace === toWorkspace) {
    throw new ConfigError("state migrate: --from and --to name the same state (give another --to, or another --to-workspace)");
  }
  const source = openStateStore(flags.from, { workspace: fromWorkspace });
  const destination = openStateStore(flags.to, { workspace: toWorkspace });
  const locks: StateLock[] = [];
  try {
    const timeoutMs = lockTimeoutMs(flags, env);
    for (const store of [source, destination]) {
      const lock = await store.lock("state migrate", { timeoutMs });
      locks.push(lock);
      if (lock.takenOver) output.err(lock.takenOver.message);
    }
    const state = await source.read();
    if (!state) throw new ConfigError(`state migrate: there is no state at ${source.location}; nothing was copied`);
    const existing = await destination.read();
    if (existing && isSameState(existing, state)) {
      output.err(`${destination.location} already holds this state (lineage ${state.lineage}, serial ${state.serial}); nothing to do.`);
      return EXIT_OK;
    }
    const problem = existing && !flags.force ? overwriteProblem(existing, state) : undefined;
    if (problem) {
      throw new InvalidInputError(
        `state migrate: ${destination.location} ${problem}; nothing was copied. Pass --force to replace it (a replaced state file is kept beside it).`,
        [],
      );
    }
    // A replaced state file is kept beside it, and put back if the new one cannot be written.
    const setAside = existing && destination instanceof FileStateStore ? await setAsideStateFile(destination.location) : undefined;
    try {
      // The checks above decided what may be replaced: a write that must follow the destination's history would refuse.
      await destination.replace(state);
    } catch (error) {
      if (setAside) await restoreSetAsideStateFile(setAside, destination.location, error);
      throw error;
    }
    const copied = await destination.read();
    if (!copied || !isSameState(copied, state)) {
      throw new StateIOError(destination.location, "write", new Error("the state read back differs from the source; check both"));
    }
    output.err(
      `Migrated ${state.users.size} user${state.users.size === 1 ? "" : "s"} (lineage ${state.lineage}, serial ${state.serial}) ` +
        `from ${source.location} to ${destination.location}. The source is unchanged: point --state at the destination from now on.`,
    );
    if (existing) {
      output.err(
        `It replaced lineage ${existing.lineage}, serial ${existing.serial} (${existing.users.size} users)${setAside ? `, kept as ${setAside}` : ""}.`,
      );
    }
    return EXIT_OK;
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

/** Why writing `state` over `existing` would lose something; undefined when it only moves the same history forward. */
function overwriteProblem(existing: StateDocument, state: StateDocument): string | undefined {
  if (existing.lineage !== state.lineage) {
    return `holds a state of another lineage (${existing.lineage}, serial ${existing.serial}; the source's is ${state.lineage})`;
  }
  if (existing.serial >= state.serial) {
    return `holds serial ${existing.serial} of the same lineage, not older than the source's serial ${state.serial}`;
  }
  return undefined;
}

function isSameState(a: StateDocument, b: StateDocument): boolean {
  return isDeepStrictEqual(stateToJson(a), stateToJson(b));
}
