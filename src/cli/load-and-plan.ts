/** The steps plan, apply and demo share: declarations and state in, a plan out, problems printed. */
import { loadDeclarations } from "../declarations/load-declarations.js";
import { hasErrors } from "../diagnostics.js";
import { InvalidInputError } from "../errors.js";
import type { DesiredUser } from "../model.js";
import { planChanges } from "../plan/plan-changes.js";
import type { Plan } from "../plan/plan-types.js";
import type { Drift } from "../refresh/detect-drift.js";
import type { UserReader } from "../refresh/read-users.js";
import { refreshState } from "../refresh/refresh-state.js";
import { newStateDocument, type StateDocument } from "../state/state-document.js";
import type { StateStore } from "../state/state-store.js";
import { checkStateApi } from "./check-state-api.js";
import { countLine, type Output, printDiagnostics } from "./output.js";

/** Loads and validates the declarations; prints every diagnostic; throws when any is an error. */
export async function loadDesired(dir: string, output: Output) {
  const result = await loadDeclarations({ dir });
  printDiagnostics(output, result.diagnostics);
  if (hasErrors(result.diagnostics)) {
    throw new InvalidInputError(`the declarations in ${dir} are invalid (${countLine(result.diagnostics)}); nothing was changed`, []);
  }
  return result;
}

export interface PlanContext {
  readonly plan: Plan;
  readonly state: StateDocument;
  /** True when the store held no state yet. */
  readonly isNewState: boolean;
  /** With --refresh: what changed in RuangKerja outside git; `state` is then the refreshed one. */
  readonly drift?: Drift;
}

export async function loadAndPlan(dir: string, store: StateStore, output: Output, refreshFrom?: UserReader): Promise<PlanContext> {
  const { users } = await loadDesired(dir, output);
  return planAgainstState(users, store, refreshFrom);
}

/** The API a run talks to: a state applied against another one is refused before it is read from or planned for. */
export interface ApiOfRun {
  readonly apiOrigin: string;
  /** --allow-other-api */
  readonly allowOtherApi: boolean;
}

/**
 * With `refreshFrom` (--refresh), the state users are first read from RuangKerja and the plan starts from them.
 * With `api`, a state recorded against another API is refused first (checkStateApi).
 */
export async function planAgainstState(
  users: readonly DesiredUser[],
  store: StateStore,
  refreshFrom?: UserReader,
  api?: ApiOfRun,
): Promise<PlanContext> {
  const existing = await store.read();
  if (existing && api) checkStateApi(existing, api.apiOrigin, store.location, api.allowOtherApi);
  const stored = existing ?? newStateDocument();
  const refreshed = refreshFrom ? await refreshState(stored, refreshFrom) : undefined;
  const state = refreshed?.state ?? stored;
  return { plan: planChanges(users, state.users), state, isNewState: existing === undefined, ...(refreshed && { drift: refreshed.drift }) };
}
