/** Moves a state file out of the way (renamed beside it, never deleted) before another state replaces it. */
import { rename } from "node:fs/promises";
import { StateIOError } from "../errors.js";

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
