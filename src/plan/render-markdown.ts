/**
 * The pull-request view of a plan (`plan --format markdown`, the GitHub job summary, and `show
 * --format markdown`). It opens with exact counts, then lists the changes riskiest first:
 * deactivations, e-mail changes (RuangKerja resets the password), moves to another organization,
 * renames, other updates, creates; warnings before them, drift (`--refresh`) after. Reads the
 * Plan, never recomputes it.
 *
 * The whole text stays under `maxChars` (GitHub refuses a comment over 65,536 characters): each
 * part with rows shows at least one, the rest of the budget is shared fairly (a part needing less
 * than its share gives the rest to the others), and what is left out is counted, by part, with
 * how to see it all. So a large group of creates can never crowd the deactivations out.
 *
 * Everything that comes from the declarations or state is printed inside code spans, so a name
 * or value can neither inject HTML nor mention anyone. `maskContacts` hides e-mail addresses and
 * phone numbers for public repositories.
 */
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import type { UserField } from "../model.js";
import type { Drift, DriftedUser, DriftKind } from "../refresh/detect-drift.js";
import type { FieldValue, Plan, PlannedAction } from "./plan-types.js";
import { summaryLine } from "./render-text.js";

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

interface Layout {
  readonly head: string;
  readonly sections: readonly Section[];
  readonly tail: string;
  /** How to see what is left out, for the note at the end. */
  readonly hint: string;
}

/** The head, the sections with as many rows as `maxChars` leaves room for, the tail, and a note on what was left out. */
function fitSections(layout: Layout, maxChars: number, collapseAfter: number): string {
  const { head, sections, tail, hint } = layout;
  const render = (shown: readonly number[]) => {
    const body = sections.map((s, i) => `\n${renderSection(s, shown[i] ?? 1, collapseAfter)}`).join("");
    const footer = renderFooter(
      sections,
      sections.map((s, i) => s.omitted(shown[i] ?? 1)),
      hint,
    );
    return `${head}${body}${tail}${footer}\n`;
  };
  // Fixed parts first (the footer at its longest), then every section's frame and first row.
  const longestFooter = renderFooter(
    sections,
    sections.map((s) => s.omitted(0)),
    hint,
  ).length;
  let budget = maxChars - 1 - head.length - tail.length - longestFooter;
  for (const s of sections) budget -= frameLength(s, collapseAfter) + s.row(0).length + 1;
  let shown = shareRows(sections, budget);
  let text = render(shown);
  // The frames and the footer were reserved at their longest: give what they left to the rows.
  const spare = maxChars - text.length - 100;
  if (spare > 100 && sections.some((s, i) => (shown[i] ?? 0) < s.count)) {
    shown = shareRows(sections, budget + spare);
    text = render(shown);
  }
  // The frames are estimates; should one have been short, take rows off the longest part.
  while (text.length > maxChars && trimLongest(sections, shown, text.length - maxChars)) text = render(shown);
  return text;
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

// ---- Sections and the budget

/** `split`: the first rows open, the rest folded; `whole`: folded once long; `always`: folded. */
type Fold = "split" | "whole" | "always";

/** A part of the comment that lists rows; the budget decides how many it shows. */
interface Section {
  readonly title: string;
  /** Lines above the rows: a table's head, or nothing for a list. */
  readonly head: readonly string[];
  readonly fold: Fold;
  /** How many rows it could show (at least one). */
  readonly count: number;
  row(i: number): string;
  /** How many items (changes, warnings, users) the first `shown` rows leave out. */
  omitted(shown: number): number;
  /** The line under the rows when some are left out. */
  more(omitted: number): string;
  /** `950 to deactivate`, for the note at the end. */
  phrase(omitted: number): string;
  /** Whether its items are planned changes (counted in the note) or context (warnings, drift). */
  readonly changes: boolean;
}

/** Rows are rendered once, when the budget or the text first asks for them. */
function cached(render: (i: number) => string): (i: number) => string {
  const rows: string[] = [];
  return (i) => (rows[i] ??= render(i));
}

function renderSection(s: Section, shown: number, collapseAfter: number): string {
  const rows: string[] = [];
  for (let i = 0; i < shown; i++) rows.push(s.row(i));
  const omitted = s.omitted(shown);
  const more = omitted > 0 ? ["", s.more(omitted)] : [];
  if (s.fold === "always" || (s.fold === "whole" && s.count > collapseAfter)) {
    return ["", `<details><summary><b>${s.title}</b></summary>`, "", ...s.head, ...rows, ...more, "", "</details>"].join("\n");
  }
  if (s.fold === "split" && shown > collapseAfter) {
    const rest = rows.splice(collapseAfter);
    const folded = ["", `<details><summary>${rest.length} more</summary>`, "", ...s.head, ...rest, ...more, "", "</details>"];
    return ["", `#### ${s.title}`, "", ...s.head, ...rows, ...folded].join("\n");
  }
  return ["", `#### ${s.title}`, "", ...s.head, ...rows, ...more].join("\n");
}

/** A section's text without rows, at its longest (folded in two, counts at their widest). */
function frameLength(s: Section, collapseAfter: number): number {
  const split = s.fold === "split" ? s.head.join("\n").length + 60 : 0;
  return 1 + renderSection(s, 0, collapseAfter).length + split + 20;
}

/**
 * Rows per section: each shows its first row (paid for by the caller), then the budget is split
 * evenly among the sections with rows left; one that needs less than its share shows them all
 * and leaves the rest to the others.
 */
function shareRows(sections: readonly Section[], budget: number): number[] {
  const entries = sections.map((section) => ({ section, shown: 1 }));
  let left = budget;
  let open = entries.filter((e) => e.section.count > 1);
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    if (share <= 0) break;
    const fits = open.map((entry) => ({ entry, fit: fitRows(entry.section, entry.shown, share) }));
    const whole = fits.filter(({ entry, fit }) => entry.shown + fit.rows === entry.section.count);
    if (whole.length === 0) {
      for (const { entry, fit } of fits) entry.shown += fit.rows;
      break;
    }
    for (const { entry, fit } of whole) {
      entry.shown = entry.section.count;
      left -= fit.cost;
    }
    open = open.filter((e) => e.shown < e.section.count);
  }
  return entries.map((e) => e.shown);
}

interface Fit {
  readonly rows: number;
  readonly cost: number;
}

function fitRows(s: Section, from: number, limit: number): Fit {
  let cost = 0;
  let i = from;
  for (; i < s.count; i++) {
    const length = s.row(i).length + 1;
    if (cost + length > limit) break;
    cost += length;
  }
  return { rows: i - from, cost };
}

/** Takes rows off the section showing the most until `excess` characters are gone; false when none can give. */
function trimLongest(sections: readonly Section[], shown: number[], excess: number): boolean {
  let longest = 0;
  shown.forEach((n, i) => {
    if (n > (shown[longest] ?? 0)) longest = i;
  });
  const section = sections[longest];
  let n = shown[longest] ?? 0;
  if (!section || n <= 1) return false;
  for (let cut = 0; n > 1 && cut < excess;) cut += section.row(--n).length + 1;
  shown[longest] = n;
  return true;
}

function renderFooter(sections: readonly Section[], omitted: readonly number[], hint: string): string {
  const changes: string[] = [];
  const context: string[] = [];
  let missing = 0;
  let total = 0;
  sections.forEach((s, i) => {
    const n = omitted[i] ?? 0;
    if (s.changes) total += s.count;
    if (n === 0) return;
    (s.changes ? changes : context).push(s.phrase(n));
    if (s.changes) missing += n;
  });
  if (changes.length === 0 && context.length === 0) return "";
  const lead =
    changes.length > 0
      ? `**${missing} of the ${total} changes are not listed here** (${changes.join(", ")}), to keep this comment within GitHub's size limit; the counts above are exact.`
      : "Not everything is listed here, to keep this comment within GitHub's size limit.";
  const also = context.length > 0 ? ` Also left out: ${context.join(", ")}.` : "";
  return `\n\n> ${lead}${also} ${hint}`;
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
  if (Array.isArray(v)) {
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

// ---- Masking

interface Mask {
  /** A field's value: an e-mail or phone field is masked whole. */
  value(field: UserField, text: string): string;
  /** Free text (names, warnings): e-mail addresses in it, and the plan's phone numbers. */
  text(text: string): string;
}

const NO_MASK: Mask = { value: (_field, text) => text, text: (text) => text };

const EMAIL_IN_TEXT = /[^\s@"'`<>()[\]{},;:|\\]+@[^\s@"'`<>()[\]{},;:|\\]+/g;
const DIGITS_IN_TEXT = /(?<![A-Za-z0-9+])\+?\d{5,}(?![A-Za-z0-9])/g;

/**
 * Any e-mail-shaped text is masked. A run of digits is masked only when it is one of the phone
 * numbers in the plan or drift: employee IDs may be digits too.
 */
function contactMask(plan: Plan, drift: Drift | undefined): Mask {
  const phones = new Set<string>();
  // Kept without the leading +, so `+62…` in a sentence matches `62…` in a field and back.
  const bare = (phone: string) => phone.replace(/^\+/, "");
  const add = (...values: (FieldValue | undefined)[]) => {
    for (const v of values) if (typeof v === "string") phones.add(bare(v));
  };
  for (const action of plan.actions) {
    add(action.after.phone, action.before?.phone);
    for (const ch of action.changes) if (ch.field === "phone") add(ch.before, ch.after);
  }
  for (const user of drift?.users ?? []) for (const ch of user.changes) if (ch.field === "phone") add(ch.before, ch.after);
  const text = (t: string) =>
    t.replace(EMAIL_IN_TEXT, (email) => maskEmail(email)).replace(DIGITS_IN_TEXT, (run) => (phones.has(bare(run)) ? maskPhone(run) : run));
  return { text, value: (field, t) => (field === "email" ? maskEmail(t) : field === "phone" ? maskPhone(t) : text(t)) };
}

/** `budi.santoso@contoh.co.id` → `b***@contoh.co.id`: the first character and the domain stay. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${String.fromCodePoint(email.codePointAt(0) as number)}***${email.slice(at)}`;
}

/** `6281234567855` → `6281*******55`: the country and operator prefix and the last two digits stay. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "").length;
  const head = digits >= 10 ? 4 : digits >= 6 ? 2 : 0;
  const tail = digits >= 6 ? 2 : 0;
  let seen = 0;
  return phone.replace(/\d/g, (d) => {
    const i = seen++;
    return i < head || i >= digits - tail ? d : "*";
  });
}

// ---- Markdown safety

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
