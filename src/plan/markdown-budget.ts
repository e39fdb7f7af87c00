/**
 * Fitting a pull-request comment into its character budget. GitHub refuses a comment over 65,536
 * characters, and a plan of thousands of creates must not crowd out the few deactivations a
 * reviewer has to see: so each part with rows shows at least one, the rest of the budget is shared
 * fairly (a part needing less than its share gives the rest to the others), and what is left out
 * is counted, by part, with how to see it all. Knows nothing of what the rows say; the renderer
 * (render-markdown.ts) supplies them as Sections.
 */

/** `split`: the first rows open, the rest folded; `whole`: folded once long; `always`: folded. */
export type Fold = "split" | "whole" | "always";

/** A part of the comment that lists rows; the budget decides how many it shows. */
export interface Section {
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

export interface Layout {
  readonly head: string;
  readonly sections: readonly Section[];
  readonly tail: string;
  /** How to see what is left out, for the note at the end. */
  readonly hint: string;
}

/** The head, the sections with as many rows as `maxChars` leaves room for, the tail, and a note on what was left out. */
export function fitSections(layout: Layout, maxChars: number, collapseAfter: number): string {
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

/** Rows are rendered once, when the budget or the text first asks for them. */
export function cached(render: (i: number) => string): (i: number) => string {
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
