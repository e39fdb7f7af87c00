/**
 * `plan --refresh-only` and `apply --refresh-only`, as Terraform's: read the state's users from
 * RuangKerja (the same reads as --refresh), show what differs from state (drift), and accept it into
 * state, never changing RuangKerja. The declarations are not read: nothing is planned from them.
 * A saved refresh-only plan is applied only when RuangKerja still shows exactly its drift.
 */
import { isDeepStrictEqual } from "node:util";
import type { RuangkerjaClient } from "../../api/client.js";
import { ConfigError, NotApprovedError, StalePlanError } from "../../errors.js";
import type { Drift } from "../../refresh/detect-drift.js";
import { refreshState } from "../../refresh/refresh-state.js";
import { driftToJson, renderDriftText } from "../../refresh/render-drift.js";
import { newStateDocument, type StateDocument } from "../../state/state-document.js";
import { StateSession } from "../../state/state-session.js";
import type { StateStore } from "../../state/state-store.js";
import { checkStateApi } from "../check-state-api.js";
import { confirm } from "../confirm.js";
import { EXIT_CHANGES, EXIT_OK } from "../exit-codes.js";
import { apiSettings, type CommonFlags, type Environment, lockTimeoutMs, openStateFromFlags, planFormat } from "../options.js";
import { REFRESH_PLAN_FORMAT_VERSION, REFRESH_PLAN_KIND, readRefreshPlanFile, writeRefreshPlanFile } from "../refresh-plan-file.js";
import { showText } from "../../text/untrusted-text.js";
import { TOOL_VERSION } from "../tool-version.js";
import type { Output } from "../output.js";

/** What of plan's flags refresh-only reads (plan.ts's PlanFlags has them; no import back, so no cycle). */
export interface RefreshOnlyPlanFlags extends CommonFlags {
  readonly json?: boolean;
  readonly format?: string;
  readonly out?: string;
  readonly target?: readonly string[];
  readonly refresh?: boolean;
  readonly detailedExitcode?: boolean;
  readonly allowOtherApi?: boolean;
}

/** What of apply's flags refresh-only reads (apply.ts's ApplyFlags has them). */
export interface RefreshOnlyApplyFlags extends CommonFlags {
  readonly autoApprove?: boolean;
  readonly json?: boolean;
  readonly target?: readonly string[];
  readonly refresh?: boolean;
  readonly adopt?: boolean;
  readonly allowOtherApi?: boolean;
  readonly lockTimeout?: number;
  readonly requestTimeout: number;
  readonly maxAttempts?: number;
  readonly planFile?: string;
}

export interface RefreshOnlyIO {
  readonly output: Output;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly prompt: NodeJS.WritableStream;
}

/** Runs `read` with or without the state lock, as plan's --lock says (plan.ts, planLock). */
export type ReadUnderLock = <T>(store: StateStore, read: () => Promise<T>) => Promise<T>;

interface Refreshed {
  /** The state as stored (a new, empty one when none is). */
  readonly stored: StateDocument;
  readonly isNewState: boolean;
  /** Same lineage and serial, users as RuangKerja holds them now. */
  readonly state: StateDocument;
  readonly drift: Drift;
}

async function readDrift(store: StateStore, client: RuangkerjaClient, allowOtherApi: boolean): Promise<Refreshed> {
  const existing = await store.read();
  if (existing) checkStateApi(existing, client.apiOrigin, store.location, allowOtherApi);
  const stored = existing ?? newStateDocument();
  const { state, drift } = await refreshState(stored, client);
  return { stored, isNewState: existing === undefined, state, drift };
}

/** The drift view, ending on what refresh-only does with it rather than on a plan that follows. */
function driftText(drift: Drift, color: boolean, apply: boolean): string {
  const text = renderDriftText(drift, { color }).replace(" The plan below starts from RuangKerja as it is now.", "");
  if (drift.users.length === 0) return `${text}\nNothing to refresh: state is left as it is.`;
  const n = drift.users.length;
  const users = `${n} user${n === 1 ? "" : "s"}`;
  return apply
    ? `${text}\n\nRefresh-only: state will record these ${users} as RuangKerja holds them now (missing ones leave state). RuangKerja is not changed.`
    : `${text}\n\nRefresh-only plan: \`apply --refresh-only\` would record these ${users} in state as RuangKerja holds them now (missing ones leave state). RuangKerja is not changed.`;
}

function refuseWith(flags: { readonly target?: readonly string[]; readonly refresh?: boolean }, command: string): void {
  if (flags.target && flags.target.length > 0) throw new ConfigError(`${command} --refresh-only cannot be combined with --target`);
  if (flags.refresh) throw new ConfigError(`${command}: --refresh-only already reads RuangKerja; it cannot be combined with --refresh`);
}

async function newClient(
  env: Environment,
  flags?: Pick<RefreshOnlyApplyFlags, "requestTimeout" | "maxAttempts">,
): Promise<RuangkerjaClient> {
  const { RuangkerjaClient } = await import("../../api/client.js");
  return new RuangkerjaClient({
    ...apiSettings(env),
    ...(flags && { timeoutMs: flags.requestTimeout * 1000 }),
    ...(flags?.maxAttempts !== undefined && { maxAttempts: flags.maxAttempts }),
  });
}

/** `plan --refresh-only`: show drift; with --out, save it for `apply FILE`. Never writes state. */
export async function runPlanRefreshOnly(
  flags: RefreshOnlyPlanFlags,
  env: Environment,
  output: Output,
  withLock: ReadUnderLock,
): Promise<number> {
  refuseWith(flags, "plan");
  const format = planFormat(flags);
  if (format === "markdown") throw new ConfigError("plan --refresh-only prints text or json, not markdown");
  const store = openStateFromFlags(flags, env);
  const client = await newClient(env);
  const refreshed = await withLock(store, () => readDrift(store, client, flags.allowOtherApi === true));
  const { stored, drift } = refreshed;
  if (flags.out) {
    await writeRefreshPlanFile(flags.out, {
      kind: REFRESH_PLAN_KIND,
      formatVersion: REFRESH_PLAN_FORMAT_VERSION,
      toolVersion: TOOL_VERSION,
      createdAt: new Date().toISOString(),
      state: refreshed.isNewState ? null : { lineage: stored.lineage, serial: stored.serial, journaled: stored.journaled ?? 0 },
      apiOrigin: client.apiOrigin,
      drift: driftToJson(drift),
    });
  }
  if (format === "json") {
    const state = refreshed.isNewState ? null : { lineage: stored.lineage, serial: stored.serial };
    output.out(JSON.stringify({ formatVersion: 1, refreshOnly: true, state, drift: driftToJson(drift) }));
  } else output.out(driftText(drift, output.color, false));
  if (flags.out)
    output.err(`Saved the refresh-only plan to ${flags.out}. To accept exactly this drift: ruangkerja-users apply ${flags.out}`);
  return flags.detailedExitcode && drift.users.length > 0 ? EXIT_CHANGES : EXIT_OK;
}

/** `apply --refresh-only`, or `apply FILE` of a saved refresh-only plan: writes the refreshed state, under the lock. */
export async function runApplyRefreshOnly(flags: RefreshOnlyApplyFlags, env: Environment, io: RefreshOnlyIO): Promise<number> {
  const { output } = io;
  refuseWith(flags, "apply");
  if (flags.adopt) throw new ConfigError("apply --refresh-only changes nothing in RuangKerja, so --adopt has nothing to do");
  const saved = flags.planFile ? await readRefreshPlanFile(flags.planFile) : undefined;
  if (saved && saved.toolVersion !== TOOL_VERSION) {
    throw stale(flags.planFile, `it was made by ruangkerja-users ${saved.toolVersion}, and this is ${TOOL_VERSION}`);
  }
  const interactive = io.stdin.isTTY === true && !flags.json;
  if (!flags.autoApprove && !interactive && !saved) {
    throw new NotApprovedError(
      "apply --refresh-only needs confirmation, but standard input is not a terminal: pass --auto-approve, or apply a saved `plan --refresh-only --out FILE`",
    );
  }
  const client = await newClient(env, flags);
  await client.authenticate();
  const store = openStateFromFlags(flags, env);
  const lock = await store.lock("apply --refresh-only", { timeoutMs: lockTimeoutMs(flags, env) });
  if (lock.takenOver && !flags.json) output.err(lock.takenOver.message);
  // Until the write, a signal only cancels; the finally below frees the lock.
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const refreshed = await readDrift(store, client, flags.allowOtherApi === true);
    if (saved) checkSavedDrift(flags.planFile as string, saved, refreshed, client.apiOrigin);
    const { drift, state } = refreshed;
    if (!flags.json) output.out(driftText(drift, output.color, true));
    const write = drift.users.length > 0 || (state.journaled ?? 0) > 0;
    if (write && !flags.autoApprove && !saved) {
      const yes = await confirm(
        "\nUpdate the state to record what RuangKerja holds now?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ",
        io.stdin,
        io.prompt,
        cancel.signal,
      );
      if (!yes) throw new NotApprovedError("Apply cancelled: the state was not changed.");
    }
    if (cancel.signal.aborted) throw new NotApprovedError("Apply cancelled: the state was not changed.");
    const session = new StateSession(store, state, client.apiOrigin);
    if (write) await session.save();
    const serial = session.snapshot().serial;
    if (flags.json) {
      output.out(JSON.stringify({ formatVersion: 1, refreshOnly: true, drift: driftToJson(drift), stateSaved: write, serial }));
    } else if (write) {
      output.err(`State refreshed: ${store.location} records RuangKerja as it is now (serial ${serial}). RuangKerja was not changed.`);
    }
    return EXIT_OK;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await lock.release();
  }
}

function stale(path: string | undefined, reason: string): StalePlanError {
  return new StalePlanError(
    `stale plan: ${path ?? "the saved plan"} no longer matches what it was made from (${reason}); the state was not changed. Run plan --refresh-only again.`,
  );
}

/** The saved refresh-only plan is applied only to the state and API it was read against, and only while RuangKerja shows exactly its drift. */
function checkSavedDrift(path: string, saved: Awaited<ReturnType<typeof readRefreshPlanFile>>, now: Refreshed, apiOrigin: string): void {
  const state = now.isNewState ? null : { lineage: now.stored.lineage, serial: now.stored.serial, journaled: now.stored.journaled ?? 0 };
  if (!isDeepStrictEqual(saved.state, state)) {
    throw stale(path, `it was made from ${describe(saved.state)}, and ${describe(state)} is stored now`);
  }
  if (saved.apiOrigin !== apiOrigin) throw stale(path, `it was read from ${saved.apiOrigin}, and this run talks to ${apiOrigin}`);
  const drift = driftToJson(now.drift);
  if (!isDeepStrictEqual(saved.drift, drift)) {
    const changed = firstDifference(saved.drift.users, drift.users);
    throw stale(path, `RuangKerja changed since the plan was made: the drift ${changed}`);
  }
}

function describe(state: { lineage: string; serial: number; journaled: number } | null): string {
  if (!state) return "no state";
  return `lineage ${state.lineage} serial ${state.serial}${state.journaled ? ` with ${state.journaled} journaled results` : ""}`;
}

function firstDifference(saved: readonly { employeeID: string }[], fresh: readonly { employeeID: string }[]): string {
  for (let i = 0; i < Math.max(saved.length, fresh.length); i++) {
    const a = saved[i];
    const b = fresh[i];
    if (!isDeepStrictEqual(a, b)) {
      // The file's ids are printed escaped: it may come from anywhere.
      if (!a && b) return `now also shows ${showText(String(b.employeeID))}`;
      if (a && !b) return `no longer shows ${showText(String(a.employeeID))}`;
      return `of ${showText(String(b?.employeeID))} is not what the file shows`;
    }
  }
  return "is not what the file shows";
}
