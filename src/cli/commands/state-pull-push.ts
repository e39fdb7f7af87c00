/**
 * `state pull` and `state push FILE`, as Terraform's: pull prints the stored state (its journal
 * folded in) for a backup; push puts such a file back, under the lock, refusing what would lose
 * history (another lineage, an older serial) unless --force.
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { ConfigError, InvalidInputError } from "../../errors.js";
import { restoreSetAsideStateFile, setAsideStateFile } from "../../state/set-aside-state-file.js";
import { FileStateStore } from "../../state/state-file.js";
import { parseStateJson, type StateDocument, stateToJson, stateToText } from "../../state/state-document.js";
import { EXIT_OK } from "../exit-codes.js";
import { type CommonFlags, type Environment, lockTimeoutMs, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";

export interface StatePushFlags extends CommonFlags {
  readonly force?: boolean;
  readonly lockTimeout?: number;
}

/** A state of 100,000 users is about 20 MB; a file far larger is not a state. */
const MAX_STATE_FILE_BYTES = 1024 * 1024 * 1024;

/** `state pull`: the stored state, journal folded in, as the state file's text (format 2) on stdout. */
export async function runStatePull(flags: CommonFlags, env: Environment, output: Output): Promise<number> {
  const store = openStateFromFlags(flags, env);
  const state = await store.read();
  if (!state) {
    // As Terraform's: nothing on stdout, so a pipe into a backup file gets an empty file, not a made-up state.
    output.err(`No state at ${store.location}: nothing has been applied with it yet; nothing printed.`);
    return EXIT_OK;
  }
  output.out(stateToText(state).trimEnd());
  if (state.journaled) {
    output.err(`Folded in ${state.journaled} journaled call result${state.journaled === 1 ? "" : "s"} of an interrupted apply.`);
  }
  return EXIT_OK;
}

/** `state push FILE`: replaces the stored state by FILE's, under the lock. */
export async function runStatePush(file: string, flags: StatePushFlags, env: Environment, output: Output): Promise<number> {
  // Bad input stops before the lock: nothing is written, not even a lock file.
  const pushed = await readStateFile(file);
  const store = openStateFromFlags(flags, env);
  const lock = await store.lock("state push", { timeoutMs: lockTimeoutMs(flags, env) });
  if (lock.takenOver) output.err(lock.takenOver.message);
  try {
    const existing = await store.read();
    if (existing && sameState(existing, pushed)) {
      output.err(`${store.location} already holds this state (lineage ${pushed.lineage}, serial ${pushed.serial}); nothing to do.`);
      return EXIT_OK;
    }
    const problem = existing && pushProblem(existing, pushed);
    if (problem && !flags.force) {
      throw new ConfigError(
        `state push: ${file} ${problem}; nothing was written to ${store.location}. Pass --force to replace it anyway (a replaced state file is kept beside it).`,
      );
    }
    const written = withSerial(pushed, existing);
    const setAside = existing && flags.force && store instanceof FileStateStore ? await setAsideStateFile(store.location) : undefined;
    try {
      // The checks above decided what may be replaced; write() would insist on following the stored history.
      await store.replace(written);
    } catch (error) {
      if (setAside) await restoreSetAsideStateFile(setAside, store.location, error);
      throw error;
    }
    output.err(
      `Pushed ${written.users.size} user${written.users.size === 1 ? "" : "s"} from ${file} to ${store.location} (lineage ${written.lineage}, serial ${written.serial}).`,
    );
    if (existing) {
      output.err(
        `It replaced lineage ${existing.lineage}, serial ${existing.serial} (${existing.users.size} users)${setAside ? `, kept as ${setAside}` : ""}.`,
      );
    }
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}

/** Why pushing `pushed` over `existing` would lose history; undefined when it moves the same lineage forward. */
function pushProblem(existing: StateDocument, pushed: StateDocument): string | undefined {
  if (existing.lineage !== pushed.lineage) {
    return `holds a state of another lineage (${pushed.lineage}) than the one stored (${existing.lineage}, serial ${existing.serial})`;
  }
  if (pushed.serial < existing.serial) {
    return `holds serial ${pushed.serial}, older than the stored serial ${existing.serial} of the same lineage`;
  }
  if (pushed.serial === existing.serial) {
    return `holds serial ${pushed.serial}, the stored serial, with other content`;
  }
  return undefined;
}

/**
 * The serial never goes back within a lineage: a forced push of an older state is written as the
 * next serial, so every plan saved against the replaced state is stale.
 */
function withSerial(pushed: StateDocument, existing: StateDocument | undefined): StateDocument {
  if (!existing || existing.lineage !== pushed.lineage || pushed.serial > existing.serial) return pushed;
  return { ...pushed, serial: existing.serial + 1 };
}

function sameState(a: StateDocument, b: StateDocument): boolean {
  return isDeepStrictEqual(stateToJson(a), stateToJson(b));
}

/** A regular file of at most MAX_STATE_FILE_BYTES, checked as every state file is (errors at file:line:column). */
async function readStateFile(file: string): Promise<StateDocument> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO does not hang the open; the type check refuses it.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`state push: cannot read ${file}${code ? ` (${code})` : ""}; nothing was written`, { cause: error });
  }
  let text: string;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ConfigError(`state push: ${file} is not a regular file; nothing was written`);
    if (info.size > MAX_STATE_FILE_BYTES)
      throw new ConfigError(`state push: ${file} is larger than 1 GiB, not a state; nothing was written`);
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  const { state, diagnostics } = parseStateJson(file, text);
  if (!state || diagnostics.some((d) => d.severity === "error")) {
    throw new InvalidInputError(`state push: ${file} is not a state ruangkerja-users can read; nothing was written`, diagnostics);
  }
  return state;
}
