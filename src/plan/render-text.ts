/**
 * The human view of a plan, in the style Terraform users know: `+` create, `~` update,
 * `→` rename, `-` deactivate, `before → after` per field, and a summary line last.
 */
import pc from "picocolors";
import { formatDiagnostic } from "../diagnostics.js";
import type { ActionKind, FieldValue, Plan, PlannedAction } from "./plan-types.js";

export interface RenderOptions {
  readonly color: boolean;
}

const MARK: Record<ActionKind, string> = { create: "+", update: "~", rename: "→", deactivate: "-" };

export function renderPlanText(plan: Plan, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const paint: Record<ActionKind, (s: string) => string> = { create: c.green, update: c.yellow, rename: c.cyan, deactivate: c.red };
  const lines: string[] = [];
  if (plan.actions.length > 0) {
    lines.push("RuangKerja users will change as follows:", "");
    for (const action of plan.actions) lines.push(...renderAction(action, paint[action.action], c.dim));
  }
  for (const warning of plan.warnings) lines.push(formatDiagnostic(warning, options), "");
  lines.push(c.bold(summaryLine(plan)));
  return lines.join("\n");
}

export function summaryLine(plan: Plan): string {
  if (plan.actions.length === 0) {
    return `No changes. RuangKerja users match the declarations (${plan.summary.unchanged} unchanged).`;
  }
  const s = plan.summary;
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.rename} to rename, ${s.deactivate} to deactivate.`;
}

function renderAction(action: PlannedAction, paint: (s: string) => string, dim: (s: string) => string): string[] {
  const where = action.source ? dim(`  (${action.source.file}:${action.source.line})`) : dim("  (no longer declared)");
  const title =
    action.action === "rename"
      ? `${action.previousEmployeeID} → ${action.employeeID}`
      : `${action.employeeID}${action.before ? ` ${dim(JSON.stringify(action.before.name))}` : ""}`;
  const lines = [`  ${paint(MARK[action.action])} ${paint(action.action)} ${title}${where}`];
  const changes = action.action === "rename" ? action.changes.filter((ch) => ch.field !== "employeeID") : action.changes;
  const width = Math.max(0, ...changes.map((ch) => ch.field.length));
  for (const change of changes) {
    const name = change.field.padEnd(width);
    const value = action.action === "create" ? show(change.after) : `${show(change.before)} ${paint("→")} ${show(change.after)}`;
    const note = change.field === "email" && action.resetsPassword ? `  ${paint("(resets the user's password)")}` : "";
    lines.push(`      ${name}  ${value}${note}`);
  }
  if (action.passwordEnv)
    lines.push(
      `      ${"passwordEnv".padEnd(width)}  ${action.passwordEnv.name} ${dim("(initial password read from this environment variable at apply)")}`,
    );
  lines.push("");
  return lines;
}

function show(value: FieldValue): string {
  if (value === null) return "(none)";
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
  return JSON.stringify(value);
}
