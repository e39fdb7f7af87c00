/**
 * The pull-request view of a plan (`plan --format markdown`, the GitHub job summary, and `show
 * --format markdown`). It opens with exact counts, then lists the changes riskiest first:
 * deactivations, e-mail changes (RuangKerja resets the password), moves to another organization,
 * renames, other updates, creates; warnings before them, drift (`--refresh`) after. Reads the
 * Plan, never recomputes it. How many rows fit under `maxChars` is markdown-budget.ts's business;
 * what `maskContacts` hides is mask-contacts.ts's.
 *
 * Everything that comes from the declarations or state is printed inside code spans, so a name
 * or value can neither inject HTML nor mention anyone, nor reorder or break the line it is on.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { UserField } from "../model.js";
import type { Drift, DriftedUser, DriftKind } from "../refresh/detect-drift.js";
import { hasUnsafeCharacter, safeLine } from "../text/untrusted-text.js";
import type { FieldValue, Plan, PlannedAction } from "./plan-types.js";
import { type Fold, type Section, cached, fitSections } from "./markdown-budget.js";
import { type Mask, NO_MASK, contactMask } from "./mask-contacts.js";
import { summaryLine } from "./render-text.js";

export { maskEmail, maskPhone } from "./mask-contacts.js";

/** The first line of every markdown plan: lets a workflow find and update its earlier comment. */
export const PLAN_MARKDOWN_MARKER = "<!-- ruangkerja-users plan -->";

/** GitHub refuses an issue or pull-request comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /**
   * A table of more rows than this is folded into `<details>`; deactivations, e-mail and
   * organization changes and warnings show this many rows open and fold the rest.
   * @default 20
   */
  readonly collapseAfter?: number;
  /** The whole text stays at or under this length; rows past it are counted, not shown. @default 60000 */
  readonly maxChars?: number;
  /**
   * Mask e-mail addresses (`b***@contoh.co.id`) and phone numbers (`6281*******55`) wherever
   * they appear: field values, names, warnings, drift. For a public repository.
   * @default false
   */
  readonly maskContacts?: boolean;
  /** What `--refresh` found changed outside git: a folded table after the plan. @default no drift section */
  readonly drift?: Drift;
  /**
   * The saved plan this view shows (`plan --out FILE`, `show FILE`): where rows are left out,
   * the comment names `ruangkerja-users show FILE` to see them all.
   * @default a generic `show PLANFILE` hint
   */
  readonly planFile?: string;
}

/** The comment's groups of changes, riskiest first. */
export type ChangeGroup = "deactivate" | "email" | "organization" | "rename" | "update" | "create";

export const CHANGE_GROUPS: readonly ChangeGroup[] = ["deactivate", "email", "organization", "rename", "update", "create"];

const MARK: Record<ChangeGroup, string> = { deactivate: "-", email: "~", organization: "~", rename: "→", update: "~", create: "+" };
const TITLE: Record<ChangeGroup, string> = {
  deactivate: "Deactivate",
  email: "Change the e-mail: RuangKerja resets the password",
  organization: "Move to another organization",
  rename: "Rename",
  update: "Update",
  create: "Create",
};
const VERB: Record<ChangeGroup, string> = {
  deactivate: "to deactivate",
  email: "to change the e-mail",
  organization: "to move to another organization",
  rename: "to rename",
  update: "to update",
  create: "to create",
};
/** Risky groups keep their first rows in view; the others fold whole once they are long. */
const FOLD: Record<ChangeGroup, Fold> = {
  deactivate: "split",
  email: "split",
  organization: "split",
  rename: "whole",
  update: "whole",
  create: "whole",
};

/** The group an action is listed in: an update changing both the e-mail and the organization is an e-mail change. */
export function changeGroup(action: PlannedAction): ChangeGroup {
  if (action.action !== "update") return action.action;
  if (action.changes.some((ch) => ch.field === "email")) return "email";
  if (action.changes.some((ch) => ch.field === "organizationSerial")) return "organization";
  return "update";
}

/**
 * The plan as a pull-request comment; the first line is PLAN_MARKDOWN_MARKER.
 * @example renderPlanMarkdown(plan, { maskContacts: true, drift, planFile: "ruangkerja.plan.json" })
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const collapseAfter = options.collapseAfter ?? 20;
  const maxChars = options.maxChars ?? 60_000;
  const mask = options.maskContacts ? contactMask(plan, options.drift) : NO_MASK;
  const hint = seeAllHint(options.planFile);
  const groups = groupActions(plan.actions);
  const sections: Section[] = [];
  if (plan.warnings.length > 0) sections.push(warningSection(plan.warnings, mask));
  for (const group of CHANGE_GROUPS) {
    const actions = groups.get(group) ?? [];
    if (actions.length > 0) sections.push(changeSection(group, actions, mask, hint.short));
  }
  const drift = options.drift;
  if (drift && drift.users.length > 0) sections.push(driftSection(drift, mask));
  const head = renderHead(plan, groups);
  const tail = drift && drift.users.length === 0 ? `\n\n${noDriftLine(drift)}` : "";
  return fitSections({ head, sections, tail, hint: hint.long }, maxChars, collapseAfter);
}

function groupActions(actions: readonly PlannedAction[]): Map<ChangeGroup, PlannedAction[]> {
  const groups = new Map<ChangeGroup, PlannedAction[]>(CHANGE_GROUPS.map((g) => [g, []]));
  for (const action of actions) groups.get(changeGroup(action))?.push(action);
  return groups;
}

function renderHead(plan: Plan, groups: ReadonlyMap<ChangeGroup, readonly PlannedAction[]>): string {
  const lines = [PLAN_MARKDOWN_MARKER, "### RuangKerja users plan", ""];
  if (plan.actions.length === 0) {
    lines.push(`✅ **${summaryLine(plan)}**`);
    return lines.join("\n");
  }
  lines.push(`**${summaryLine(plan)}** ${plan.summary.unchanged} unchanged.`, "", "| | change, riskiest first | users |", "|---|---|--:|");
  for (const group of CHANGE_GROUPS) {
    const actions = groups.get(group) ?? [];
    if (actions.length === 0) continue;
    const resetting = group === "rename" ? actions.filter((a) => a.resetsPassword).length : 0;
    const note =
      resetting > 0 ? ` (${resetting} also ${resetting === 1 ? "changes" : "change"} the e-mail: RuangKerja resets the password)` : "";
    lines.push(`| ${MARK[group]} | ${TITLE[group]}${note} | ${actions.length} |`);
  }
  return lines.join("\n");
}

function seeAllHint(planFile: string | undefined): { short: string; long: string } {
  if (planFile) {
    const show = code(`ruangkerja-users show ${planFile}`);
    return {
      short: `${show} lists them all`,
      long: `To see them all, run ${show} (the saved plan; in CI, the plan artifact of this run), or read the text plan in the job log.`,
    };
  }
  return {
    short: "`ruangkerja-users show PLANFILE` or the text plan lists them all",
    long: "To see them all, run `ruangkerja-users show PLANFILE` on the plan saved with `plan --out PLANFILE` (in CI, the plan artifact), or `ruangkerja-users plan` for the text plan, as in the job log.",
  };
}

// ---- The parts

function changeSection(group: ChangeGroup, actions: readonly PlannedAction[], mask: Mask, hint: string): Section {
  const what = group === "create" ? "fields" : group === "deactivate" ? "" : "changes";
  return {
    title: `${MARK[group]} ${TITLE[group]} (${actions.length})`,
    head: [`| employeeID | name | ${what} | declared in |`, "|---|---|---|---|"],
    fold: FOLD[group],
    count: actions.length,
    row: cached((i) => actionRow(actions[i] as PlannedAction, mask)),
    omitted: (shown) => actions.length - shown,
    more: (n) => `…and ${n} more ${VERB[group]}, not shown here: ${hint}.`,
    phrase: (n) => `${n} ${VERB[group]}`,
    changes: true,
  };
}

function actionRow(action: PlannedAction, mask: Mask): string {
  const id =
    action.action === "rename" && action.previousEmployeeID
      ? `${code(action.previousEmployeeID)} → ${code(action.employeeID)}`
      : code(action.employeeID);
  const name = code(clip(mask.text(action.after.name)));
  const where = action.source ? code(location(action.source)) : "no longer declared";
  return `| ${id} | ${name} | ${changesCell(action, mask)} | ${where} |`;
}

function changesCell(action: PlannedAction, mask: Mask): string {
  if (action.action === "deactivate") return "";
  const shown = action.changes.filter((ch) => ch.field !== "employeeID" && !(action.action === "create" && ch.field === "name"));
  return shown
    .map((ch) => {
      if (action.action === "create") return `${ch.field}: ${value(ch.field, ch.after, mask)}`;
      const note = ch.field === "email" && action.resetsPassword ? " *(resets the password)*" : "";
      return `${ch.field}: ${value(ch.field, ch.before, mask)} → ${value(ch.field, ch.after, mask)}${note}`;
    })
    .join("<br>");
}

/** Warnings of one kind (the same explanation) show this many, then how many more there are. */
const SAME_KIND_SHOWN = 5;

interface WarningRow {
  readonly warning?: Diagnostic;
  readonly withDetail: boolean;
  /** For the row that stands for the rest of a kind: how many it stands for. */
  readonly rest?: number;
}

function warningSection(warnings: readonly Diagnostic[], mask: Mask): Section {
  const rows = warningRows(warnings);
  const weight = (row: WarningRow) => row.rest ?? 1;
  return {
    title: `⚠️ Warnings (${warnings.length})`,
    head: [],
    fold: "split",
    count: rows.length,
    row: cached((i) => renderWarningRow(rows[i] as WarningRow, mask)),
    omitted: (shown) => rows.slice(shown).reduce((n, row) => n + weight(row), 0),
    more: (n) => `…and ${n} more ${n === 1 ? "warning" : "warnings"}, not shown here.`,
    phrase: (n) => `${n} ${n === 1 ? "warning" : "warnings"}`,
    changes: false,
  };
}

/** Plan-wide warnings (no file: --target, the mass-deactivation guard) first; then by kind, in order of appearance. */
function warningRows(warnings: readonly Diagnostic[]): WarningRow[] {
  const kinds = new Map<string, Diagnostic[]>();
  const ordered = [...warnings.filter((w) => !w.location), ...warnings.filter((w) => w.location)];
  ordered.forEach((w, i) => {
    // Only a shared explanation makes warnings one kind; one without is its own.
    const key = w.detail ? `${w.field ?? ""}\u0000${w.detail}` : `\u0001${i}`;
    const kind = kinds.get(key);
    if (kind) kind.push(w);
    else kinds.set(key, [w]);
  });
  const rows: WarningRow[] = [];
  for (const kind of kinds.values()) {
    kind.slice(0, SAME_KIND_SHOWN).forEach((warning, k) => rows.push({ warning, withDetail: k === 0 }));
    if (kind.length > SAME_KIND_SHOWN) rows.push({ withDetail: false, rest: kind.length - SAME_KIND_SHOWN });
  }
  return rows;
}

function renderWarningRow(row: WarningRow, mask: Mask): string {
  if (!row.warning) return `- …and ${row.rest} more ${row.rest === 1 ? "warning" : "warnings"} of this kind.`;
  const warning = row.warning;
  const where = warning.location ? ` (${code(location(warning.location))})` : "";
  const detail = row.withDetail && warning.detail ? `<br>${sentence(clip(mask.text(warning.detail), 1500))}` : "";
  return `- ${sentence(clip(mask.text(warning.summary), 500))}${where}${detail}`;
}

const DRIFT_WHAT: Record<DriftKind, string> = {
  changed: "changed in RuangKerja",
  deactivated: "deactivated in RuangKerja",
  missing: "missing from RuangKerja: leaves state (created again if declared)",
};

function driftSection(drift: Drift, mask: Mask): Section {
  const counts: Record<DriftKind, number> = { changed: 0, deactivated: 0, missing: 0 };
  for (const user of drift.users) counts[user.kind]++;
  const users = drift.users.length;
  return {
    title: `Drift: ${counts.changed} changed, ${counts.deactivated} deactivated, ${counts.missing} missing outside git (of ${drift.checked} ${drift.checked === 1 ? "user" : "users"} in state)`,
    head: [
      "RuangKerja users changed since the last apply; the plan above starts from RuangKerja as it is now.",
      "",
      "| employeeID | name | drift | state → RuangKerja now |",
      "|---|---|---|---|",
    ],
    fold: "always",
    count: users,
    row: cached((i) => driftRow(drift.users[i] as DriftedUser, mask)),
    omitted: (shown) => users - shown,
    more: (n) => `…and ${n} more ${n === 1 ? "user" : "users"} with drift, not shown here.`,
    phrase: (n) => `${n} ${n === 1 ? "user" : "users"} with drift`,
    changes: false,
  };
}

function driftRow(user: DriftedUser, mask: Mask): string {
  const changes = user.changes.map((ch) => `${ch.field}: ${value(ch.field, ch.before, mask)} → ${value(ch.field, ch.after, mask)}`);
  return `| ${code(user.employeeID)} | ${code(clip(mask.text(user.name)))} | ${DRIFT_WHAT[user.kind]} | ${changes.join("<br>")} |`;
}

function noDriftLine(drift: Drift): string {
  const n = drift.checked;
  return `No drift: the ${n} ${n === 1 ? "user" : "users"} in state ${n === 1 ? "matches" : "match"} RuangKerja.`;
}

// ---- Values

/** Longer values are cut (a cell stays readable, and one row cannot eat the budget). */
const VALUE_CHARS = 120;
const LIST_ITEMS = 10;

function value(field: UserField, v: FieldValue, mask: Mask): string {
  if (v === null) return "*(none)*";
  if (typeof v === "object") {
    if (v.length === 0) return "*(none)*";
    const items = v.slice(0, LIST_ITEMS).map((item) => code(clip(mask.value(field, item))));
    return `${items.join(", ")}${v.length > LIST_ITEMS ? ` *and ${v.length - LIST_ITEMS} more*` : ""}`;
  }
  return code(clip(mask.value(field, String(v))));
}

function clip(text: string, max = VALUE_CHARS): string {
  if (text.length <= max) return text;
  // Cut at a code point, not inside a surrogate pair.
  return `${Array.from(text.slice(0, max)).slice(0, -1).join("")}…`;
}

function location(source: SourceLocation): string {
  return `${source.file}:${source.line}`;
}

// ---- Markdown safety

/**
 * A code span that holds `text` whatever it contains: a fence longer than any run of backticks
 * in it, `|` escaped for the table, and every control, line-break, bidirectional or invisible
 * character escaped as the text views escape it (`\n`, `\u202e`), since a state file or RuangKerja
 * may hold them and one would break the row or reorder what a reviewer reads.
 */
export function code(text: string): string {
  const flat = neutralise(text).replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Only the unsafe characters, one code point at a time (a lone surrogate is one): safeLine on the
 * whole value would also rewrite a declared name that starts with `::`, which no code span needs.
 */
function neutralise(text: string): string {
  if (!hasUnsafeCharacter(text)) return text;
  return Array.from(text, (char) => (hasUnsafeCharacter(char) ? safeLine(char) : char)).join("");
}

/**
 * Our sentences carry user values too (ids, e-mails): no HTML, no table breaks, no emphasis, and
 * a word with `@` in it (an e-mail, a masked one) goes in a code span, so it mentions no one.
 */
function sentence(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .split(/(\s+)/)
    .map((word) => {
      if (!word.includes("@")) return escapeText(word);
      // Sentence punctuation after an address stays outside its code span.
      const [, core = word, end = ""] = /^(.*?)([.,;:!?)]*)$/.exec(word) ?? [];
      return `${code(core)}${escapeText(end)}`;
    })
    .join("");
}

function escapeText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~])/g, "\\$1");
}
