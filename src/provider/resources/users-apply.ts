/**
 * A plan carried out through the CLI's apply engine (schedule, run, bulk sender), with no state of
 * the engine's own: Terraform's state is the record of what was applied, as in tf-sync. What comes
 * back is the `users` map that is now true: the planned map where every action succeeded, and
 * the prior record (or none) wherever one failed, so that the next plan converges.
 *
 * After an interrupted apply (terraform and the provider killed mid-run), Terraform's state does
 * not record what landed, and the next apply plans it again. Every step then converges: a create
 * whose employeeID RuangKerja already has is read back (our own earlier create) or adopted, i.e.
 * sent as an update to the declared record (the CLI's `apply --adopt`); a rename that landed is
 * found under the new id (locate-user.ts); a deactivation of a person already inactive is sent
 * again harmlessly, and one of a person RuangKerja no longer has is done (no one is left to
 * deactivate), as in tf-sync.
 */
import type { ApplyClient } from "../../apply/apply-client.js";
import { runSchedule } from "../../apply/apply-plan.js";
import { ApplyRun } from "../../apply/apply-run.js";
import type { ApplyFailure } from "../../apply/apply-types.js";
import { isUserNotFound } from "../../apply/locate-user.js";
import { resolvePasswords } from "../../apply/passwords.js";
import { scheduleApply } from "../../apply/schedule.js";
import { NO_STATE } from "../../apply/send-batch.js";
import type { DesiredUser } from "../../model.js";
import type { Plan } from "../../plan/plan-types.js";
import type { ProviderSettings } from "../provider-settings.js";
import type { TfDiagnostic, TfPathStep, TfValue } from "../provider-types.js";
import { USERS_ATTRIBUTE } from "./users-schema.js";

/** Failures named one by one; the rest are counted in one more diagnostic. */
const NAMED_FAILURES = 100;

export interface AppliedUsers {
  readonly users: Record<string, TfValue>;
  readonly diagnostics: TfDiagnostic[];
}

type UsersMap = Readonly<Record<string, TfValue>>;

/**
 * Runs `plan` (from `prior` towards `planned`). Initial passwords come from the provider process's
 * environment; a variable missing for a user to be created stops the run before any call.
 */
export async function applyUsers(
  plan: Plan,
  desired: readonly DesiredUser[],
  maps: { readonly prior: UsersMap; readonly planned: UsersMap },
  client: ApplyClient,
  settings: ProviderSettings,
  environment: (name: string) => string | undefined,
  stop?: AbortSignal,
): Promise<AppliedUsers> {
  const { passwords, diagnostics: missing } = resolvePasswords(plan, environment);
  if (missing.length > 0) {
    const diagnostics = missing.map((d): TfDiagnostic => {
      const id = /\(passwordEnv of (\S+)\)/.exec(d.summary)?.[1];
      return {
        severity: "error",
        summary: `${d.summary}; nothing was changed`,
        ...(d.detail !== undefined && { detail: d.detail.replace("apply's environment", "the environment of terraform apply") }),
        attribute: id === undefined ? [{ attribute: USERS_ATTRIBUTE }] : userPath(id, "password_env"),
      };
    });
    return { users: { ...maps.prior }, diagnostics };
  }
  if (plan.actions.length === 0) return { users: { ...maps.planned }, diagnostics: [] };
  // StopProvider (Ctrl-C): the requests in flight finish, no other starts, and a retry's wait ends.
  const run = new ApplyRun(plan, { counts: client.counts, adopt: true, ...(stop && { signal: stop }) });
  const stoppable = client as ApplyClient & { stopRetrying?: () => void };
  stop?.addEventListener("abort", () => stoppable.stopRetrying?.(), { once: true });
  const previousEmployeeIDs = new Map(
    desired.flatMap((u) => (u.previousEmployeeIDs ? [[u.employeeID, u.previousEmployeeIDs] as const] : [])),
  );
  await runSchedule(scheduleApply(plan), run, client, NO_STATE, {
    chunkSize: settings.chunkSize,
    parallelism: settings.parallelism,
    ...(passwords.size > 0 && { passwords }),
    ...(previousEmployeeIDs.size > 0 && { previousEmployeeIDs }),
  });
  const result = run.result();
  const failures = result.failures.filter((f) => !(f.action === "deactivate" && isUserNotFound(f)));
  const diagnostics = failureDiagnostics(failures);
  for (const warning of result.warnings ?? []) {
    diagnostics.push({
      severity: "warning",
      summary: warning.summary,
      ...(warning.detail !== undefined && { detail: warning.detail }),
      attribute: userPath(/^(\S+) /.exec(warning.summary)?.[1] ?? "", "password_env"),
    });
  }
  if (result.stoppedBecause) {
    diagnostics.unshift({ severity: "error", summary: `the apply stopped: ${result.stoppedBecause}` });
  }
  return { users: appliedMap(maps, failures), diagnostics };
}

/** The planned map, with each failed action's users as they were before it. */
function appliedMap(
  maps: { readonly prior: UsersMap; readonly planned: UsersMap },
  failures: readonly ApplyFailure[],
): Record<string, TfValue> {
  const users: Record<string, TfValue> = { ...maps.planned };
  const restore = (id: string) => {
    const before = maps.prior[id];
    if (before === undefined) delete users[id];
    else users[id] = before;
  };
  for (const failure of failures) {
    if (failure.action === "create") delete users[failure.employeeID];
    else if (failure.action === "rename") {
      delete users[failure.employeeID];
      if (failure.previousEmployeeID !== undefined) restore(failure.previousEmployeeID);
    } else restore(failure.employeeID);
  }
  return users;
}

function userPath(employeeID: string, field?: string): TfPathStep[] {
  const path: TfPathStep[] = [{ attribute: USERS_ATTRIBUTE }, { key: employeeID }];
  if (field !== undefined) path.push({ attribute: field });
  return path;
}

function failureDiagnostics(failures: readonly ApplyFailure[]): TfDiagnostic[] {
  const diagnostics = failures.slice(0, NAMED_FAILURES).map((f): TfDiagnostic => {
    const renamed = f.previousEmployeeID ? ` (from ${f.previousEmployeeID})` : "";
    return {
      severity: "error",
      summary: `${f.action} ${f.employeeID}${renamed} failed: ${f.errorCode} ${f.message}`,
      detail: `${f.detail ? `${f.detail}. ` : ""}The state keeps what was applied; run terraform apply again to retry.`,
      // A deactivated user is no longer in the configuration: there is nothing to point at.
      ...(f.action !== "deactivate" && { attribute: userPath(f.employeeID) }),
    };
  });
  if (failures.length > NAMED_FAILURES) {
    diagnostics.push({
      severity: "error",
      summary: `…and ${failures.length - NAMED_FAILURES} more users failed, not listed`,
      detail: `Only the first ${NAMED_FAILURES} failures are listed. The state keeps what was applied; run terraform apply again to retry.`,
    });
  }
  return diagnostics;
}
