/** Moves a state file out of the way (renamed beside it, never deleted) before another state replaces it, and back if that fails. */
import { link, rename, unlink } from "node:fs/promises";
import { errorMessage, StateIOError } from "../errors.js";

/** Renames `path` to `<path>.<UTC time>.replaced`; returns the new name. */
export async function setAsideStateFile(path: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const target = `${path}.${stamp}.replaced`;
  try {
    await rename(path, target);
  } catch (error) {
    throw new StateIOError(path, "write", error);
  }
  return target;
}

/**
 * Puts a set-aside state file back at `path` after the state meant to replace it could not be
 * written. link() never overwrites: a state that appeared at `path` meanwhile stays, and so does
 * the set-aside copy.
 */
export async function restoreSetAsideStateFile(setAside: string, path: string, writeError: unknown): Promise<void> {
  try {
    await link(setAside, path);
  } catch (error) {
    throw new StateIOError(
      path,
      "write",
      new Error(
        `${errorMessage(writeError)}; the state it replaced is kept as ${setAside} and could not be put back (${errorMessage(error)})`,
      ),
    );
  }
  await unlink(setAside).catch(() => undefined);
}
