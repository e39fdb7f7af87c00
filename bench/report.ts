/**
 * From measured runs to the table: medians, min and max, each row beside its floor (the ratio of
 * medians) and its target, as a markdown table for the terminal, bench/results/latest.md and the
 * block between `<!-- bench:begin -->` and `<!-- bench:end -->` in docs/performance.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { median, type Recorded } from "./measure.js";
import type { Scenario } from "./scenario.js";

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Row {
  readonly id: string;
  readonly title: string;
  readonly runs: number;
  readonly seconds: Spread;
  readonly cpuSeconds: number | undefined;
  readonly rssMB: Spread | undefined;
  readonly serverCpuSeconds: number | undefined;
  readonly floor: { readonly id: string; readonly title: string; readonly seconds: Spread } | undefined;
  /** median(this) ÷ median(floor). */
  readonly ratio: number | undefined;
  readonly targetLabel: string;
  /** Whether the medians meet the target; undefined when the row has none. */
  readonly met: boolean | undefined;
  readonly extra: Record<string, number>;
}

function spread(values: readonly number[]): Spread | undefined {
  return values.length === 0 ? undefined : { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

const defined = (values: readonly (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);

function targetOf(scenario: Scenario, seconds: Spread, rss: Spread | undefined, ratio: number | undefined, isFloor: boolean) {
  const target = scenario.target;
  const parts: string[] = [];
  const misses: string[] = [];
  if (target?.seconds !== undefined) {
    parts.push(`≤ ${target.seconds} s`);
    if (seconds.median > target.seconds) misses.push("time");
  }
  const factor = target?.relativeTo?.factor;
  if (factor !== undefined) {
    parts.push(`≤ ${factor}× floor`);
    if (ratio === undefined || ratio > factor) misses.push("ratio");
  }
  if (target?.rssMB !== undefined) {
    parts.push(`≤ ${target.rssMB} MB`);
    if (rss === undefined || rss.median > target.rssMB) misses.push("RSS");
  }
  const label = parts.length > 0 ? parts.join(", ") : isFloor ? "(floor)" : "";
  return { label, met: parts.length === 0 ? undefined : misses.length === 0, misses };
}

export function buildRows(scenarios: readonly Scenario[], measured: ReadonlyMap<string, readonly Recorded[]>): Row[] {
  const rows = new Map<string, Row>();
  for (const s of scenarios) {
    const results = measured.get(s.id) ?? [];
    const seconds = spread(results.map((r) => r.seconds)) ?? { median: Number.NaN, min: Number.NaN, max: Number.NaN };
    const rssMB = spread(defined(results.map((r) => r.rssMB)));
    const floorId = s.target?.relativeTo?.id;
    const floorScenario = scenarios.find((f) => f.id === floorId);
    const floorSeconds = floorId === undefined ? undefined : spread((measured.get(floorId) ?? []).map((r) => r.seconds));
    const floor = floorScenario && floorSeconds ? { id: floorScenario.id, title: floorScenario.title, seconds: floorSeconds } : undefined;
    const ratio = floor ? seconds.median / floor.seconds.median : undefined;
    const isFloor = scenarios.some((other) => other.target?.relativeTo?.id === s.id);
    const target = targetOf(s, seconds, rssMB, ratio, isFloor);
    const extraKeys = [...new Set(results.flatMap((r) => Object.keys(r.extra)))];
    rows.set(s.id, {
      id: s.id,
      title: s.title,
      runs: results.length,
      seconds,
      cpuSeconds: spread(defined(results.map((r) => r.cpuSeconds)))?.median,
      rssMB,
      serverCpuSeconds: spread(defined(results.map((r) => r.serverCpuSeconds)))?.median,
      floor,
      ratio,
      targetLabel: target.label,
      met: target.met === undefined ? undefined : target.met,
      extra: Object.fromEntries(extraKeys.map((k) => [k, median(defined(results.map((r) => r.extra[k])))])),
    });
  }
  return [...rows.values()];
}

const fixed = (value: number | undefined, digits = 2): string => (value === undefined ? "" : value.toFixed(digits));
const range = (s: Spread): string => `${s.min.toFixed(2)}–${s.max.toFixed(2)}`;

export function formatTable(rows: readonly Row[]): string {
  const header = [
    "scenario",
    "runs",
    "median s",
    "min–max s",
    "CPU s",
    "peak RSS MB",
    "server CPU s",
    "floor",
    "floor median s (min–max)",
    "ratio",
    "target",
    "met",
  ];
  const body = rows.map((r) => [
    r.title,
    String(r.runs),
    r.seconds.median.toFixed(2),
    range(r.seconds),
    fixed(r.cpuSeconds),
    fixed(r.rssMB?.median, 0),
    fixed(r.serverCpuSeconds),
    r.floor?.title ?? "",
    r.floor ? `${r.floor.seconds.median.toFixed(2)} (${range(r.floor.seconds)})` : "",
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
    r.targetLabel,
    r.met === undefined ? "" : r.met ? "yes" : "MISS",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}

export function machine() {
  const cpuModel = (() => {
    try {
      return /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
    } catch {
      return cpus()[0]?.model ?? "unknown";
    }
  })();
  return { cpus: cpus().length, cpuModel, node: process.version, platform: `${process.platform} ${process.arch}`, loadavg: loadavg() };
}

/** The markdown the bench writes to latest.md and, with --write-docs, into docs/performance.md. */
export function formatMarkdown(rows: readonly Row[], info: ReturnType<typeof machine>, loadAtStart: readonly number[], date: Date): string {
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(1)).join(" ");
  const notes = rows.flatMap((r) => Object.entries(r.extra).map(([k, v]) => `- ${r.title}: ${k} = ${v}`));
  return [
    `Generated by \`npm run bench\` on ${date.toISOString().slice(0, 10)}: ${info.cpus} CPUs (${info.cpuModel}), Node ${info.node.replace(/^v/, "")}, ${info.platform}; load average ${load(loadAtStart)} at the start, ${load(info.loadavg)} at the end. Medians of alternating runs (bench/README.md).`,
    "",
    formatTable(rows),
    ...(notes.length > 0 ? ["", ...notes] : []),
  ].join("\n");
}

export const DOCS_BEGIN = "<!-- bench:begin -->";
export const DOCS_END = "<!-- bench:end -->";

/** Replaces what lies between the markers in `path` with `markdown`; throws when the markers are missing. */
export function writeDocsBlock(path: string, markdown: string): void {
  const text = readFileSync(path, "utf8");
  const begin = text.indexOf(DOCS_BEGIN);
  const end = text.indexOf(DOCS_END);
  if (begin < 0 || end < begin) throw new Error(`${path} has no ${DOCS_BEGIN} … ${DOCS_END} block to replace`);
  writeFileSync(path, `${text.slice(0, begin + DOCS_BEGIN.length)}\n${markdown}\n${text.slice(end)}`);
}
