/**
 * The pull-request view of a plan (`plan --format markdown`, the GitHub job summary): the
 * summary first, warnings, then a table per action kind with the changed fields
 * (`before → after`). A table longer than `collapseAfter` rows is folded into `<details>`, and the
 * whole stays under `maxChars` (GitHub refuses comments over 65,536 characters). Reads the Plan,
 * never recomputes it.
 *
 * Everything that comes from the declarations or state is printed inside code spans, so a name
 * or value can neither inject HTML nor mention anyone.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { ActionKind, FieldValue, Plan, PlannedAction } from "./plan-types.js";
import { summaryLine } from "./render-text.js";

/** The first line of every markdown plan: lets a workflow find and update its earlier comment. */
export const PLAN_MARKDOWN_MARKER = "<!-- ruangkerja-users plan -->";

export interface MarkdownOptions {
  /** Tables with more rows than this are collapsed into `<details>`. @default 20 */
  readonly collapseAfter?: number;
  /** The text stays under this length; rows past it are counted, not shown. @default 60000 */
  readonly maxChars?: number;
}

const TITLE: Record<ActionKind, string> = { create: "Create", update: "Update", rename: "Rename", deactivate: "Deactivate" };
const MARK: Record<ActionKind, string> = { create: "+", update: "~", rename: "→", deactivate: "-" };
const KINDS: readonly ActionKind[] = ["create", "update", "rename", "deactivate"];

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const collapseAfter = options.collapseAfter ?? 20;
  const maxChars = options.maxChars ?? 60_000;
  const head: string[] = [PLAN_MARKDOWN_MARKER, "### RuangKerja users plan", ""];
  if (plan.actions.length === 0) {
    head.push(`✅ **${summaryLine(plan)}**`);
  } else {
    head.push(`**${summaryLine(plan)}** ${plan.summary.unchanged} unchanged.`);
  }
  if (plan.warnings.length > 0) {
    head.push("", `#### ⚠️ Warnings (${plan.warnings.length})`, "");
    for (const warning of plan.warnings) head.push(renderWarning(warning));
  }
  let text = head.join("\n");
  // Leave room for the closing lines of the last table and a note on what was left out.
  let budget = maxChars - text.length - 400;
  let omitted = 0;
  for (const kind of KINDS) {
    const actions = plan.actions.filter((a) => a.action === kind);
    if (actions.length === 0) continue;
    const heading = `${MARK[kind]} ${TITLE[kind]} (${actions.length})`;
    const collapsed = actions.length > collapseAfter;
    const lines: string[] = ["", collapsed ? `<details><summary><b>${heading}</b></summary>` : `#### ${heading}`, ""];
    lines.push(...tableHead(kind));
    budget -= lines.join("\n").length + 40;
    let shown = 0;
    for (const action of actions) {
      const row = tableRow(action);
      if (budget - row.length - 1 < 0) break;
      budget -= row.length + 1;
      lines.push(row);
      shown++;
    }
    if (shown < actions.length) {
      omitted += actions.length - shown;
      lines.push("", `…and ${actions.length - shown} more to ${kind}, not shown here.`);
    }
    if (collapsed) lines.push("", "</details>");
    text += `\n${lines.join("\n")}`;
  }
  if (omitted > 0) {
    text += `\n\n> ${omitted} changes are not listed: the comment would be too long. Run \`ruangkerja-users plan\` to see them all.`;
  }
  return `${text}\n`;
}

function tableHead(kind: ActionKind): string[] {
  const what = kind === "create" ? "fields" : kind === "deactivate" ? "" : "changes";
  return [`| employeeID | name | ${what} | declared in |`, "|---|---|---|---|"];
}

function tableRow(action: PlannedAction): string {
  const id =
    action.action === "rename" && action.previousEmployeeID
      ? `${code(action.previousEmployeeID)} → ${code(action.employeeID)}`
      : code(action.employeeID);
  const name = code(action.after.name);
  const where = action.source ? code(location(action.source)) : "no longer declared";
  return `| ${id} | ${name} | ${changesCell(action)} | ${where} |`;
}

function changesCell(action: PlannedAction): string {
  if (action.action === "deactivate") return "";
  const shown = action.changes.filter((ch) => ch.field !== "employeeID" && !(action.action === "create" && ch.field === "name"));
  return shown
    .map((ch) => (action.action === "create" ? `${ch.field}: ${value(ch.after)}` : `${ch.field}: ${value(ch.before)} → ${value(ch.after)}`))
    .join("<br>");
}

function value(v: FieldValue): string {
  if (v === null) return "*(none)*";
  if (Array.isArray(v)) return v.length === 0 ? "*(none)*" : v.map(code).join(", ");
  return code(String(v));
}

function location(source: SourceLocation): string {
  return `${source.file}:${source.line}`;
}

function renderWarning(warning: Diagnostic): string {
  const where = warning.location ? ` (${code(location(warning.location))})` : "";
  const detail = warning.detail ? `<br>${escapeText(warning.detail)}` : "";
  return `- ${escapeText(warning.summary)}${where}${detail}`;
}

/**
 * A code span that holds `text` whatever it contains: a fence longer than any run of backticks
 * in it, `|` escaped for the table, line breaks flattened.
 */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Our sentences carry user values too (ids, e-mails): no HTML, no table breaks, no emphasis. */
function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#])/g, "\\$1");
}
