/**
 * `ruangkerja_user`: one person per resource, for configurations that manage a few hundred people
 * at most. Each resource is read with its own GET /ruangkerja/users/:employeeID at every plan and
 * applied with its own call; past a few hundred, the bulk `ruangkerja_users` (one map, read from
 * the list pages, sent in bulk calls) is the choice.
 *
 * It is the bulk resource with a map of one: the same checks (users-validation.ts), planner,
 * apply engine (users-apply.ts: create-bulk with one item, update-bulk or PUT when the
 * organization changes) and drift (live-records.ts). The API's single-user GET is used to read;
 * the single POST create is not, as the client and its apply engine create through create-bulk,
 * which also gives the read-back and adoption of a create that meets an existing employeeID.
 *
 * - employee_id changed with the old one in previous_employee_ids: a rename in place, as in the
 *   bulk resource; changed otherwise: the resource is replaced (the old person deactivated, the
 *   new one created).
 * - destroy deactivates the person. The mass-deactivation guard does not apply: it counts the
 *   people of one resource, here always one; Terraform's plan lists each resource it destroys.
 * - read: the person as RuangKerja holds them now (gone: Terraform plans to create them again).
 * - import: the id is the employeeID.
 */
import { errorMessage } from "../../errors.js";
import type { DesiredUser } from "../../model.js";
import { planChanges } from "../../plan/plan-changes.js";
import { readUsersById } from "../../refresh/read-users.js";
import { configuredOrDiagnostic, configuredProvider } from "../provider-client.js";
import type {
  ApplyRequest,
  ApplyResponse,
  ImportRequest,
  ImportResponse,
  PlanRequest,
  PlanResponse,
  ReadRequest,
  ReadResponse,
  ResourceType,
  TfDiagnostic,
  TfObject,
  TfPathStep,
  TfValue,
} from "../provider-types.js";
import { recordFromFields, refreshRecord } from "./live-records.js";
import {
  EMPLOYEE_ID_ATTRIBUTE,
  employeeIdOf,
  recordOf,
  USER_ID_ATTRIBUTE,
  USER_RESOURCE_NAME,
  USER_SCHEMA,
  userValue,
} from "./user-schema.js";
import { applyUsers } from "./users-apply.js";
import { appliedFrom, planWarnings } from "./users-changes.js";
import { parseImportId } from "./users-refresh.js";
import { hasUnknown, RECORD_FIELDS, USERS_ATTRIBUTE } from "./users-schema.js";
import { checkUsers } from "./users-validation.js";

const hasError = (diagnostics: readonly TfDiagnostic[]) => diagnostics.some((d) => d.severity === "error");

/** The person as a one-entry map of the bulk resource (empty for no resource). */
function mapOf(value: TfObject | null): Record<string, TfValue> {
  const id = employeeIdOf(value);
  return value === null || id === undefined ? {} : { [id]: recordOf(value) };
}

/** A bulk diagnostic (`users["X"].phone: …`, at users → X → phone) about this one person (`phone: …`, at phone). */
function personal(diagnostic: TfDiagnostic): TfDiagnostic {
  const [first, , field] = diagnostic.attribute ?? [];
  const bulk = first !== undefined && "attribute" in first && first.attribute === USERS_ATTRIBUTE;
  const attribute: TfPathStep[] | undefined = !bulk ? diagnostic.attribute?.slice() : field ? [field] : undefined;
  const { attribute: _bulk, ...rest } = diagnostic;
  return {
    ...rest,
    summary: diagnostic.summary.replace(/^users\["[^"]*"\](?:\.(\w+))?: /, (_all, name?: string) => (name ? `${name}: ` : "")),
    ...(attribute && { attribute }),
  };
}

/** Whether going from `prior` to `config` renames the person in place (the old id in previous_employee_ids). */
function renames(priorId: string, config: TfObject): boolean {
  const previous = config[RECORD_FIELDS.previousEmployeeIDs];
  return Array.isArray(previous) && previous.includes(priorId);
}

/**
 * A replacement whose new person keeps the old one's e-mail or username is most often one person
 * whose employeeID changed: RuangKerja keeps the deactivated person's address, so the create would
 * fail on it (the bulk planner warns the same way about a create beside a deactivation).
 */
function sharedOnReplace(prior: TfObject | null, config: TfObject): TfDiagnostic[] {
  const priorId = employeeIdOf(prior);
  const shared = [RECORD_FIELDS.email, RECORD_FIELDS.username].filter(
    (name) => typeof config[name] === "string" && config[name] === prior?.[name],
  );
  if (priorId === undefined || shared.length === 0) return [];
  return [
    {
      severity: "warning",
      summary: `employee_id changes from ${priorId} to ${employeeIdOf(config) ?? "?"} with the same ${shared.join(" and ")}: the person is replaced, and RuangKerja keeps the deactivated ${priorId}'s ${shared.join(" and ")}, so the create is likely to fail`,
      detail: `If it is the same person, add "${priorId}" to previous_employee_ids: the person is then renamed in place.`,
      attribute: [{ attribute: EMPLOYEE_ID_ATTRIBUTE }],
    },
  ];
}

/** The CLI's plan from `prior` (the old person, unless replaced) to `config`, and what refuses it. */
async function changesOf(prior: TfObject | null, config: TfObject | null) {
  const checked = config === null ? { users: [] as DesiredUser[], diagnostics: [], unknown: [] } : await checkUsers(mapOf(config));
  const diagnostics = checked.diagnostics.map(personal);
  const plan = planChanges(checked.users, appliedFrom(mapOf(prior)));
  if (!hasError(diagnostics)) diagnostics.push(...planWarnings(plan, checked.users).map(personal));
  return { plan, checked, diagnostics };
}

async function plan(request: PlanRequest): Promise<PlanResponse> {
  const { config } = request;
  if (config === null) return { planned: null, diagnostics: [] };
  const planned: TfObject = { ...config, [USER_ID_ATTRIBUTE]: config[EMPLOYEE_ID_ATTRIBUTE] ?? null };
  if (hasUnknown(config)) return { planned, diagnostics: [] };
  const priorId = employeeIdOf(request.prior);
  const replaced = priorId !== undefined && priorId !== employeeIdOf(config) && !renames(priorId, config);
  const { diagnostics } = await changesOf(replaced ? null : request.prior, config);
  if (replaced && !hasError(diagnostics)) diagnostics.push(...sharedOnReplace(request.prior, config));
  return {
    planned,
    ...(replaced && { requiresReplace: [[{ attribute: EMPLOYEE_ID_ATTRIBUTE }]] }),
    diagnostics,
  };
}

async function apply(request: ApplyRequest): Promise<ApplyResponse> {
  const target = request.planned === null ? null : (request.config ?? request.planned);
  const { plan: changes, checked, diagnostics } = await changesOf(request.prior, target);
  if (hasError(diagnostics)) return { newState: request.prior, diagnostics };
  const configured = configuredOrDiagnostic(request.provider);
  if ("diagnostic" in configured) return { newState: request.prior, diagnostics: [...diagnostics, configured.diagnostic] };
  const { settings, client } = configured;
  const maps = { prior: mapOf(request.prior), planned: mapOf(request.planned) };
  const applied = await applyUsers(changes, checked.users, maps, client, settings, request.provider.environment, request.stop);
  const all = [...diagnostics, ...applied.diagnostics.map(personal)];
  const id = employeeIdOf(request.planned);
  // users-apply.ts gives back the planned record where it landed, the prior one where it failed.
  if (id !== undefined && maps.planned[id] !== undefined && applied.users[id] === maps.planned[id]) {
    return { newState: { ...request.planned, [USER_ID_ATTRIBUTE]: id }, diagnostics: all };
  }
  // Destroyed, or what failed left as it was: the prior person where they still are, else none.
  const priorId = employeeIdOf(request.prior);
  const kept = priorId !== undefined && maps.prior[priorId] !== undefined && applied.users[priorId] === maps.prior[priorId];
  return { newState: kept ? request.prior : null, diagnostics: all };
}

async function read(request: ReadRequest): Promise<ReadResponse> {
  const id = employeeIdOf(request.current);
  if (id === undefined) return { newState: request.current, diagnostics: [] };
  try {
    const { client } = configuredProvider(request.provider);
    const live = (await readUsersById(client, [id])).get(id);
    const { record } = refreshRecord(id, recordOf(request.current), live?.fields);
    return { newState: record === null ? null : { ...request.current, ...record }, diagnostics: [] };
  } catch (error) {
    const summary = `cannot read ${id} from RuangKerja: ${errorMessage(error)}`;
    return { newState: request.current, diagnostics: [{ severity: "error", summary }] };
  }
}

async function importState(request: ImportRequest): Promise<ImportResponse> {
  const { ids, diagnostics } = parseImportId(request.id);
  if (ids === undefined) return { state: null, diagnostics };
  const [id] = ids === "all" ? [] : ids;
  if (ids === "all" || ids.length !== 1 || id === undefined) {
    const summary = `${USER_RESOURCE_NAME} imports one person: the id is an employeeID, got ${JSON.stringify(request.id)}`;
    return { state: null, diagnostics: [{ severity: "error", summary, detail: "To import many people at once, use ruangkerja_users." }] };
  }
  try {
    const { client } = configuredProvider(request.provider);
    const live = (await readUsersById(client, [id])).get(id);
    if (!live) {
      const summary = `RuangKerja has no user with employeeID "${id}"; nothing was imported`;
      return { state: null, diagnostics: [{ severity: "error", summary, detail: "Employee IDs are case-sensitive." }] };
    }
    return { state: userValue(id, recordFromFields(live.fields)), diagnostics: [] };
  } catch (error) {
    return { state: null, diagnostics: [{ severity: "error", summary: `cannot read ${id} from RuangKerja: ${errorMessage(error)}` }] };
  }
}

export const userResource = {
  name: USER_RESOURCE_NAME,
  schema: USER_SCHEMA,
  async validate(config: TfObject) {
    return hasUnknown(config) ? [] : (await checkUsers(mapOf(config))).diagnostics.map(personal);
  },
  plan,
  apply,
  read,
  importState,
} satisfies Required<ResourceType>;
