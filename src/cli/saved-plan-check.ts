/**
 * What apply and show do before they trust a saved plan: the folder is the one the command line
 * names, the declarations and state are the ones the plan was made from, and the plan made again
 * from them is exactly the file's. One set of checks, so that show refuses what apply refuses.
 */
import { isAbsolute, normalize, resolve } from "node:path";
import { ConfigError, ModifiedPlanError, StalePlanError } from "../errors.js";
import type { Plan } from "../plan/plan-types.js";
import { type SavedPlanFile, savedPlanDifference } from "../plan/saved-plan.js";

/**
 * The file does not choose what is read: apply and show read the folder of --dir (or the
 * default), and a plan made from another folder is refused before anything is read.
 */
export function checkPlanFolder(path: string, saved: SavedPlanFile, dir: string): void {
  const same = (a: string, b: string) =>
    normalize(a).replace(/\/+$/, "") === normalize(b).replace(/\/+$/, "") ||
    (!isAbsolute(a) && !isAbsolute(b) && resolve(a) === resolve(b));
  if (same(saved.declarationsDir, dir)) return;
  throw new ConfigError(
    `the saved plan ${path} was made from the declarations in ${JSON.stringify(saved.declarationsDir)}, and this run reads ${JSON.stringify(dir)}; nothing was changed. Pass --dir with the folder the plan was made from, or run plan again for this one.`,
  );
}

export function stalePlanError(path: string, reasons: readonly string[]): StalePlanError {
  return new StalePlanError(
    `stale plan: ${path} no longer matches what it was made from (${reasons.join("; ")}); nothing was changed. Run plan again.`,
  );
}

/** Refuses a saved plan whose content is not the plan made now from the same declarations and state. */
export function checkPlanUnmodified(path: string, saved: SavedPlanFile, fresh: Plan): void {
  const difference = savedPlanDifference(saved, fresh);
  if (!difference) return;
  const says = difference.saved === undefined ? "is not in the file" : `is ${difference.saved} in the file`;
  const gives = difference.fresh === undefined ? "nothing there" : difference.fresh;
  throw new ModifiedPlanError(
    `the saved plan ${path} was modified after plan wrote it: ${difference.path} ${says}, but the declarations and the state it was made from give ${gives}; nothing was changed. Do not apply a plan file you cannot trust: run plan again and review the new plan.`,
  );
}
