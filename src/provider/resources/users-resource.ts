/**
 * `ruangkerja_users`: a bulk resource holding a map of people, planned and applied with the CLI's
 * validation, planner, safety guard, apply engine and client.
 *
 * - records are JSON texts (record-text.ts), which Terraform evaluates far faster than objects and
 *   still shows field by field.
 * - plan: the planned state is the configuration's texts as written (Terraform then shows "update
 *   in-place" naming the employeeID and, inside jsonencode, the field), once every record passed
 *   the declarations' checks; the CLI's plan is computed from the prior state for its warnings and
 *   the mass-deactivation guard.
 * - destroy (planned null) deactivates every active user, through the same guard: refused at plan
 *   (and again at apply) unless the provider sets allow_mass_deactivation.
 * - apply: the plan, made again from the same prior state and configuration, through the engine;
 *   on a partial failure the new state is what was applied, beside an error per failed user.
 * - apply after an interrupted apply converges (users-apply.ts): creates that landed are adopted,
 *   deactivations are idempotent.
 * - read (users-refresh.ts): the state as RuangKerja holds it now, so `terraform plan` shows what
 *   changed outside Terraform (person and field) and proposes to set it back.
 * - import (users-refresh.ts): `EMP1,EMP2` or `*` (every active user), as RuangKerja holds them.
 */
import {
  type ApplyRequest,
  type ApplyResponse,
  type PlanRequest,
  type PlanResponse,
  type ResourceType,
  type TfDiagnostic,
  type TfObject,
  UNKNOWN,
} from "../provider-types.js";
import { configuredOrDiagnostic } from "../provider-client.js";
import { providerConfiguration } from "../provider-settings.js";
import { planChanges } from "../../plan/plan-changes.js";
import { applyUsers } from "./users-apply.js";
import { appliedFrom, guardDiagnostics, planWarnings } from "./users-changes.js";
import { ID_ATTRIBUTE, USERS_ATTRIBUTE, USERS_RESOURCE_ID, USERS_RESOURCE_NAME, USERS_SCHEMA, usersOf } from "./users-schema.js";
import { importUsers, readUsers } from "./users-refresh.js";
import { atEntry, checkUserTexts, validateUsersConfig } from "./users-validation.js";
import { recordsOf } from "./record-text.js";

const hasError = (diagnostics: readonly TfDiagnostic[]) => diagnostics.some((d) => d.severity === "error");

/** What plan and apply both compute: the CLI's plan from the prior state to the configuration, and what refuses it. */
async function changesOf(prior: TfObject | null, config: TfObject | null, request: PlanRequest | ApplyRequest) {
  // Settings only: a plan from state needs no credentials (the client is apply's).
  const { settings } = providerConfiguration(request.provider);
  const applied = appliedFrom(recordsOf(usersOf(prior)));
  const checked = config === null ? { users: [], diagnostics: [], unknown: [] } : await checkUserTexts(usersOf(config));
  const diagnostics: TfDiagnostic[] = [...checked.diagnostics];
  const plan = planChanges(checked.users, applied);
  if (!hasError(diagnostics)) {
    diagnostics.push(...planWarnings(plan, checked.users).map(atEntry));
    // A record not known yet may keep a user whom the plan would otherwise deactivate: the guard waits for apply.
    if (checked.unknown.length === 0) diagnostics.push(...guardDiagnostics(plan, applied.size, settings, config === null));
  }
  return { plan, checked, diagnostics, settings };
}

async function plan(request: PlanRequest): Promise<PlanResponse> {
  // The configuration as it is: Terraform refuses a planned value that differs from it.
  const planned = request.config === null ? null : { ...request.config, [ID_ATTRIBUTE]: USERS_RESOURCE_ID };
  // The whole map not known yet (built from another resource's result): checked at apply.
  if (request.config !== null && request.config[USERS_ATTRIBUTE] === UNKNOWN) return { planned, diagnostics: [] };
  const { diagnostics } = await changesOf(request.prior, request.config, request);
  return { planned, diagnostics };
}

async function apply(request: ApplyRequest): Promise<ApplyResponse> {
  const target = request.planned === null ? null : (request.config ?? request.planned);
  const { plan: changes, checked, diagnostics, settings } = await changesOf(request.prior, target, request);
  if (hasError(diagnostics)) return { newState: request.prior, diagnostics };
  const configured = configuredOrDiagnostic(request.provider);
  if ("diagnostic" in configured) return { newState: request.prior, diagnostics: [...diagnostics, configured.diagnostic] };
  const { client } = configured;
  const prior = usersOf(request.prior);
  const planned = request.planned === null ? {} : usersOf(request.planned);
  const applied = await applyUsers(
    changes,
    checked.users,
    { prior, planned },
    client,
    settings,
    request.provider.environment,
    request.stop,
  );
  const all = [...diagnostics, ...applied.diagnostics.map(atEntry)];
  if (request.planned === null && !hasError(applied.diagnostics)) return { newState: null, diagnostics: all };
  // A create that failed in part returns no state: with one, Terraform would taint the resource and
  // plan its replacement, whose destroy half deactivates everyone it holds. Without one, the next
  // apply creates it again, and the people who did land are adopted (a create that meets an
  // existing employeeID becomes an update), as after an interrupted apply.
  if (request.prior === null && hasError(applied.diagnostics)) return { newState: null, diagnostics: all };
  const base = request.planned ?? request.prior ?? {};
  return { newState: { ...base, [ID_ATTRIBUTE]: USERS_RESOURCE_ID, [USERS_ATTRIBUTE]: applied.users }, diagnostics: all };
}

export const usersResource = {
  name: USERS_RESOURCE_NAME,
  schema: USERS_SCHEMA,
  validate: validateUsersConfig,
  plan,
  apply,
  read: readUsers,
  importState: importUsers,
} satisfies Required<ResourceType>;
