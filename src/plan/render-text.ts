/**
 * The human view of a plan, in the style Terraform users know: `+` create, `~` update,
 * `→` rename, `-` deactivate, `before → after` per field, and a summary line last. Values come
 * from declarations, state and RuangKerja: they are printed through src/text/untrusted-text.ts.
 */
import pc from "picocolors";
import { formatDiagnostic } from "../diagnostics.js";
import { quotesAsIs, quoteText, showText } from "../text/untrusted-text.js";
import { USER_FIELDS, type UserFields } from "../model.js";
import { fieldValue, plannedCreation } from "./plan-changes.js";
import { ACTION_KINDS, type ActionKind, type FieldValue, type Plan, type PlannedAction } from "./plan-types.js";

export interface RenderOptions {
  readonly color: boolean;
  /**
   * One line per action (what changes, not the values), grouped by kind.
   * @default false
   */
  readonly compact?: boolean;
}

const MARK: Record<ActionKind, string> = { create: "+", update: "~", rename: "→", deactivate: "-" };

/** Above this many actions the summary also comes first, so a long plan says what it does before it scrolls. */
export const SUMMARY_FIRST_ABOVE = 20;

/**
 * Actions per chunk of renderPlanTextChunks: a 100,000-user plan is never held as one array of
 * lines. A chunk of 100 creates (about 34 kB) is joined while its many small strings are still in
 * the processor's cache, into an ordinary young string; one of 1,000 went to V8's large-object space,
 * fresh memory each time, and took about half as long again to join (measured: 51 ms against 35 ms for 25 MB).
 */
export const ACTIONS_PER_CHUNK = 100;

export function renderPlanText(plan: Plan, options: RenderOptions): string {
  return [...renderPlanTextChunks(plan, options)].join("\n");
}

/** The text of renderPlanText in pieces, to be written one after the other, each followed by a line break. */
export function* renderPlanTextChunks(plan: Plan, options: RenderOptions): Generator<string> {
  const c = pc.createColors(options.color);
  const paint: Record<ActionKind, (s: string) => string> = { create: c.green, update: c.yellow, rename: c.cyan, deactivate: c.red };
  // `  + create `: the start of each action's first line, made once per kind.
  const heads = {} as Record<ActionKind, string>;
  for (const kind of ACTION_KINDS) heads[kind] = `  ${paint[kind](MARK[kind])} ${paint[kind](kind)} `;
  let lines: string[] = [];
  if (plan.actions.length > 0) {
    if (plan.actions.length > SUMMARY_FIRST_ABOVE) lines.push(c.bold(summaryLine(plan)), "");
    lines.push("RuangKerja users will change as follows:", "");
    let kind: ActionKind | undefined;
    for (let i = 0; i < plan.actions.length; i++) {
      const action = plan.actions[i] as PlannedAction;
      if (options.compact) {
        if (action.action !== kind) {
          if (kind !== undefined) lines.push("");
          kind = action.action;
          lines.push(`  ${paint[kind](groupTitle(kind, plan))}`);
        }
        lines.push(renderCompactAction(action, paint[action.action], c.dim));
      } else {
        lines.push(renderAction(action, heads[action.action], paint[action.action], c.dim));
      }
      if ((i + 1) % ACTIONS_PER_CHUNK === 0) {
        yield lines.join("\n");
        lines = [];
      }
    }
    if (options.compact) lines.push("");
  }
  for (const warning of plan.warnings) lines.push(formatDiagnostic(warning, options), "");
  lines.push(c.bold(summaryLine(plan)));
  yield lines.join("\n");
}

function groupTitle(kind: ActionKind, plan: Plan): string {
  const titles: Record<ActionKind, string> = { create: "to create", update: "to update", rename: "to rename", deactivate: "to deactivate" };
  return `${plan.summary[kind]} ${titles[kind]}:`;
}

/** `  (users/a.yaml:5)`, or that the user is no longer declared. */
function whereDeclared(action: PlannedAction, dim: (s: string) => string): string {
  return action.source ? dim(`${fileMention(action.source.file)}${action.source.line})`) : dim("  (no longer declared)");
}

/** `  (` and showText of the file name last shown, and `:`: the actions of one file come one after another. */
let lastFile: { readonly file: string; readonly mention: string } | undefined;
function fileMention(file: string): string {
  if (lastFile?.file !== file) lastFile = { file, mention: `  (${showText(file)}:` };
  return lastFile.mention;
}

/** `EMP001`, or `OLD1 → EMP001` for a rename. */
function titleOf(action: PlannedAction): string {
  const id = showText(action.employeeID);
  return action.action === "rename" ? `${showText(action.previousEmployeeID ?? "")} → ${id}` : id;
}

/** `+ create EMP001 "Budi"  (users/a.yaml:5)`; an update names the fields that change. */
function renderCompactAction(action: PlannedAction, paint: (s: string) => string, dim: (s: string) => string): string {
  const fields = action.action === "update" || action.action === "rename" ? action.changes.filter((ch) => ch.field !== "employeeID") : [];
  const changed = fields.length > 0 ? `: ${fields.map((ch) => ch.field).join(", ")}` : "";
  return `    ${paint(MARK[action.action])} ${titleOf(action)} ${dim(quoteText(action.after.name))}${changed}${whereDeclared(action, dim)}`;
}

export function summaryLine(plan: Plan): string {
  if (plan.actions.length === 0) {
    return `No changes. RuangKerja users match the declarations (${plan.summary.unchanged} unchanged).`;
  }
  const s = plan.summary;
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.rename} to rename, ${s.deactivate} to deactivate.`;
}

/** By width, then field: `\n      name    ` (a 100,000-user plan has about 700,000 such lines, of a few fields and widths). */
const FIELD_LINE_STARTS: Record<string, string>[] = [];

/** The start of a field's line, up to its value: the field's name padded to `width`, as one string. */
function fieldLineStart(field: string, width: number): string {
  const starts = (FIELD_LINE_STARTS[width] ??= {});
  return (starts[field] ??= `\n      ${field.padEnd(width)}  `);
}

/** fieldLineStart and the opening quote of a value that quotesAsIs: the value and `"` complete the line. */
const QUOTED_LINE_STARTS: Record<string, string>[] = [];
function quotedLineStart(field: string, width: number): string {
  const starts = (QUOTED_LINE_STARTS[width] ??= {});
  return (starts[field] ??= `${fieldLineStart(field, width)}"`);
}

/** A create's field line, its start and its value, with what it was made from: neighbouring users often share a value. */
interface FieldLine {
  readonly width: number;
  readonly value: FieldValue;
  readonly line: string;
}

/** Per field, the line last made (fieldLine). */
const LAST_FIELD_LINES: Partial<Record<string, FieldLine>> = {};

/** Whether two values print the same: equal, or lists equal item by item. */
function sameShownValue(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * fieldLineStart and showFieldValue as one string. The line is kept, as one flat string, for the
 * next user with the same value in the field (a file's organization, the default tags, isActive):
 * the text of a large plan is then made of fewer, longer pieces, which are quicker to join.
 */
function fieldLine(field: string, width: number, value: FieldValue): string {
  const last = LAST_FIELD_LINES[field];
  if (last !== undefined && last.width === width && sameShownValue(last.value, value)) return last.line;
  const line = [fieldLineStart(field, width), showFieldValue(value)].join("");
  LAST_FIELD_LINES[field] = { width, value: typeof value === "object" && value !== null ? [...value] : value, line };
  return line;
}

/** The lines of one action, joined, ending with an empty line; `head` is its kind's `  + create `. */
function renderAction(action: PlannedAction, head: string, paint: (s: string) => string, dim: (s: string) => string): string {
  const title = action.action === "rename" || !action.before ? titleOf(action) : `${titleOf(action)} ${dim(quoteText(action.before.name))}`;
  let text = `${head}${title}${whereDeclared(action, dim)}`;
  const created = plannedCreation(action);
  if (created) {
    const width = createdWidth(created);
    return `${text}${createdFieldLines(created, width)}${passwordEnvLine(action, width, dim)}\n`;
  }
  const changes = action.action === "rename" ? action.changes.filter((ch) => ch.field !== "employeeID") : action.changes;
  let width = 0;
  for (const change of changes) if (change.field.length > width) width = change.field.length;
  for (const change of changes) {
    const start = fieldLineStart(change.field, width);
    if (action.action === "create") {
      text += start + showFieldValue(change.after);
      continue;
    }
    const note = change.field === "email" && action.resetsPassword ? `  ${paint("(resets the user's password)")}` : "";
    text += `${start}${showFieldValue(change.before)} ${paint("→")} ${showFieldValue(change.after)}${note}`;
  }
  return `${text}${passwordEnvLine(action, width, dim)}\n`;
}

function passwordEnvLine(action: PlannedAction, width: number, dim: (s: string) => string): string {
  if (!action.passwordEnv) return "";
  return `\n      ${"passwordEnv".padEnd(width)}  ${showText(action.passwordEnv.name)} ${dim("(initial password read from this environment variable at apply)")}`;
}

/** The width of a create's field column: its longest field name set (whose fieldValue is not null). */
function createdWidth(after: UserFields): number {
  let width = 0;
  for (const field of USER_FIELDS) {
    if (field.length <= width) continue;
    const value = after[field];
    if (value !== undefined && (typeof value !== "object" || value.length !== 0)) width = field.length;
  }
  return width;
}

/** A create's field lines as its changes would print them (plannedCreation: they are the fields set), without making the changes. */
function createdFieldLines(after: UserFields, width: number): string {
  let text = "";
  for (const field of USER_FIELDS) {
    const value = fieldValue(after, field);
    if (value === null) continue;
    // A name or an e-mail address rarely repeats from one user to the next: it is quoted in place.
    if (typeof value === "string" && field !== "organizationSerial")
      text += quotesAsIs(value) ? `${quotedLineStart(field, width)}${value}"` : fieldLineStart(field, width) + quoteText(value);
    else text += fieldLine(field, width, value);
  }
  return text;
}

/** A field value as the text views print it: `(none)`, a quoted string (quoteText), true/false, or a list. */
export function showFieldValue(value: FieldValue): string {
  if (value === null) return "(none)";
  if (Array.isArray(value)) return `[${value.map(quoteText).join(", ")}]`;
  return typeof value === "string" ? quoteText(value) : String(value);
}
