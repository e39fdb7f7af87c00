/** Reading and writing saved plan files (`plan --out`, `apply FILE`); the format lives in plan/saved-plan.ts. */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../errors.js";
import { decodeSavedPlan, encodeSavedPlan, type SavedPlan } from "../plan/saved-plan.js";

/** Written whole or not at all (a temporary file renamed over), readable by its owner only: it lists people. */
export async function writePlanFile(path: string, saved: SavedPlan): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, encodeSavedPlan(saved), { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot write the plan to ${path}${code ? ` (${code})` : ""}: ${(error as Error).message}`, { cause: error });
  }
}

export async function readPlanFile(path: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ConfigError(`no saved plan at ${path}: write one with \`ruangkerja-users plan --out ${path}\``);
    throw new ConfigError(`cannot read the saved plan ${path}${code ? ` (${code})` : ""}: ${(error as Error).message}`, { cause: error });
  }
  return decodeSavedPlan(path, text);
}
