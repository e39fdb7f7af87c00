/** The views of a drift report, shown before the plan that `--refresh` computes: text and JSON. */
import pc from "picocolors";
import type { FieldValue } from "../plan/plan-types.js";
import { showFieldValue } from "../plan/render-text.js";
import { quoteText, showText } from "../text/untrusted-text.js";
import type { Drift, DriftKind, DriftedUser } from "./detect-drift.js";

export interface DriftJson {
  checked: number;
  summary: Record<DriftKind, number>;
  users: { employeeID: string; kind: DriftKind; name: string; changes: { field: string; before: FieldValue; after: FieldValue }[] }[];
}

export function driftSummary(drift: Drift): Record<DriftKind, number> {
  const summary: Record<DriftKind, number> = { changed: 0, deactivated: 0, missing: 0 };
  for (const user of drift.users) summary[user.kind]++;
  return summary;
}

/** `drift` key of `plan --refresh --json` and `apply --refresh --json`. */
export function driftToJson(drift: Drift): DriftJson {
  return {
    checked: drift.checked,
    summary: driftSummary(drift),
    users: drift.users.map((u) => ({
      employeeID: u.employeeID,
      kind: u.kind,
      name: u.name,
      changes: u.changes.map((ch) => ({ field: ch.field, before: ch.before, after: ch.after })),
    })),
  };
}

const MARK: Record<DriftKind, string> = { changed: "~", deactivated: "-", missing: "!" };

export function renderDriftText(drift: Drift, options: { readonly color: boolean }): string {
  const c = pc.createColors(options.color);
  const users = drift.checked === 1 ? "user" : "users";
  if (drift.users.length === 0) {
    return c.bold(`No drift: the ${drift.checked} ${users} in state ${drift.checked === 1 ? "matches" : "match"} RuangKerja.`);
  }
  const paint: Record<DriftKind, (s: string) => string> = { changed: c.yellow, deactivated: c.red, missing: c.magenta };
  const lines = ["RuangKerja users changed outside the declarations since the last apply (drift, state → RuangKerja now):", ""];
  for (const user of drift.users) lines.push(...renderUser(user, paint[user.kind], c.dim));
  const s = driftSummary(drift);
  lines.push(
    c.bold(
      `Drift: ${s.changed} changed, ${s.deactivated} deactivated, ${s.missing} missing (of ${drift.checked} ${users} in state). The plan below starts from RuangKerja as it is now.`,
    ),
  );
  return lines.join("\n");
}

function renderUser(user: DriftedUser, paint: (s: string) => string, dim: (s: string) => string): string[] {
  const what = user.kind === "missing" ? "missing from RuangKerja" : `${user.kind} in RuangKerja`;
  // The name and values are RuangKerja's and the state's: quoted and escaped like the plan's.
  const lines = [`  ${paint(MARK[user.kind])} ${showText(user.employeeID)} ${dim(quoteText(user.name))} ${paint(what)}`];
  if (user.kind === "missing") {
    lines.push(
      `      ${dim("no user has this employeeID (renamed or removed outside git): it leaves state, so if declared it is created again")}`,
    );
  }
  const width = Math.max(0, ...user.changes.map((ch) => ch.field.length));
  for (const change of user.changes)
    lines.push(`      ${change.field.padEnd(width)}  ${showFieldValue(change.before)} ${paint("→")} ${showFieldValue(change.after)}`);
  lines.push("");
  return lines;
}
