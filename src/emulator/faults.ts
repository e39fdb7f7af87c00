/**
 * Fault injection: the failures a real API may show (rate limits, server errors, slowness, a reply
 * lost after the request was processed, a refused batch size), switched on by options, by the
 * `emulator` command's flags, or at run time through `PUT /_emulator/faults`. Rates draw from a
 * seeded generator so a run can be repeated; a schedule ("the next N requests to this route")
 * makes a test exact: `{fault: "drop", route: "create-bulk", skip: 1}` drops the reply of the
 * second create-bulk and nothing else.
 */
import { API_ROUTES, type ApiRoute } from "./routes.js";

/** What an injected fault does to one request. */
export type FaultKind = "429" | "500" | "503" | "drop";
export const FAULT_KINDS: readonly FaultKind[] = ["429", "500", "503", "drop"];

/** A fault for the next matching requests. */
export interface ScheduledFault {
  readonly fault: FaultKind;
  /** Only requests to this /ruangkerja route (the names of `/_emulator/stats`). @default every route */
  readonly route?: ApiRoute;
  /** Matching requests let through before the fault starts. @default 0 */
  readonly skip?: number;
  /** Matching requests that get the fault. @default 1 */
  readonly count?: number;
}

/** Every switch; an absent one is off. */
export interface FaultSettings {
  /** Milliseconds every /ruangkerja request waits before it is processed. @default 0 */
  readonly latencyMs?: number;
  /** Share (0–1) of requests answered 429 with `Retry-After`, unprocessed. @default 0 */
  readonly rate429?: number;
  /** Share (0–1) of requests answered 500, unprocessed. @default 0 */
  readonly rate500?: number;
  /** Share (0–1) of requests answered 503 with `Retry-After`, unprocessed. @default 0 */
  readonly rate503?: number;
  /** Share (0–1) of requests processed and then cut off without a reply (the ambiguous case). @default 0 */
  readonly dropRate?: number;
  /** Seconds sent in `Retry-After` on injected 429 and 503 replies. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Seed of the generator the rates draw from. @default a random one */
  readonly seed?: number;
  /** Items allowed in one bulk call; more → 413 `TOO_MANY_ITEMS`. @default unlimited */
  readonly maxBulkItems?: number;
  /** Faults for the next matching requests, checked before the rates, in order. */
  readonly next?: readonly ScheduledFault[];
}

/** The fault (if any) one request gets. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault: FaultKind | undefined;
  readonly retryAfterSeconds: number;
}

const RATE_KEYS = ["rate429", "rate500", "rate503", "dropRate"] as const;
const KNOWN_KEYS = new Set<string>(["latencyMs", ...RATE_KEYS, "retryAfterSeconds", "seed", "maxBulkItems", "next"]);
const SCHEDULE_KEYS = new Set(["fault", "route", "skip", "count"]);
const MAX_LATENCY_MS = 600_000;

/** Checks a settings document (an option object or a PUT body): the settings, or every problem found. */
export function parseFaultSettings(input: unknown): { ok: true; value: FaultSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, problems: ["the fault settings must be a JSON object"] };
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) problems.push(`${key}: not a fault setting`);
  const out: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = {};
  const integer = (key: "latencyMs" | "retryAfterSeconds" | "seed" | "maxBulkItems", min: number, max: number) => {
    const value = raw[key];
    if (value === undefined || value === null) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key}: must be a whole number from ${min} to ${max}`);
    } else out[key] = value;
  };
  integer("latencyMs", 0, MAX_LATENCY_MS);
  integer("retryAfterSeconds", 0, 86_400);
  integer("seed", 0, 2 ** 32 - 1);
  integer("maxBulkItems", 1, Number.MAX_SAFE_INTEGER);
  let total = 0;
  for (const key of RATE_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) problems.push(`${key}: must be a number from 0 to 1`);
    else {
      out[key] = value;
      total += value;
    }
  }
  if (total > 1) problems.push(`the rates add up to ${total}; together they must not exceed 1`);
  if (raw.next !== undefined && raw.next !== null) {
    if (!Array.isArray(raw.next)) problems.push("next: must be an array of {fault, route?, skip?, count?}");
    else out.next = raw.next.map((entry, i) => parseScheduled(entry, `next[${i}]`, problems));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out };
}

function parseScheduled(entry: unknown, where: string, problems: string[]): ScheduledFault {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    problems.push(`${where}: must be an object {fault, route?, skip?, count?}`);
    return { fault: "500" };
  }
  const raw = entry as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!SCHEDULE_KEYS.has(key)) problems.push(`${where}.${key}: not a field of a scheduled fault`);
  if (!FAULT_KINDS.includes(raw.fault as FaultKind))
    problems.push(`${where}.fault: must be one of ${FAULT_KINDS.map((k) => `"${k}"`).join(", ")}`);
  if (raw.route !== undefined && !API_ROUTES.includes(raw.route as ApiRoute)) {
    problems.push(`${where}.route: must be one of ${API_ROUTES.join(", ")}`);
  }
  for (const key of ["skip", "count"] as const) {
    const value = raw[key];
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 0)) {
      problems.push(`${where}.${key}: must be a whole number from 0`);
    }
  }
  return {
    fault: raw.fault as FaultKind,
    ...(raw.route !== undefined ? { route: raw.route as ApiRoute } : {}),
    ...(raw.skip !== undefined ? { skip: raw.skip as number } : {}),
    ...(raw.count !== undefined ? { count: raw.count as number } : {}),
  };
}

/** mulberry32: small, fast and good enough to spread faults; the same seed gives the same sequence. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface PendingFault {
  readonly fault: FaultKind;
  readonly route: ApiRoute | undefined;
  skip: number;
  count: number;
}

/** The live switches of one emulator, and how many faults each kind has injected. */
export class FaultInjector {
  private settings: FaultSettings = {};
  private pending: PendingFault[] = [];
  private random: () => number = Math.random;
  private injected: Record<FaultKind, number> = { "429": 0, "500": 0, "503": 0, drop: 0 };

  constructor(settings: FaultSettings = {}) {
    this.set(settings);
  }

  /** Replaces every switch (an absent one is turned off) and restarts the generator; the counts of injected faults go on. */
  set(settings: FaultSettings): void {
    const { next, ...rest } = settings;
    this.settings = rest;
    this.pending = (next ?? []).map((s) => ({ fault: s.fault, route: s.route, skip: s.skip ?? 0, count: s.count ?? 1 }));
    this.random = generator(settings.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** Zeroes the counts of injected faults (the switches stay). */
  resetCounts(): void {
    this.injected = { "429": 0, "500": 0, "503": 0, drop: 0 };
  }

  get maxBulkItems(): number {
    return this.settings.maxBulkItems ?? Number.POSITIVE_INFINITY;
  }

  /** The settings now in force, the schedule as far as it is left, and the counts injected so far. */
  describe(): { settings: FaultSettings; injected: Record<FaultKind, number> } {
    const next = this.pending
      .filter((p) => p.count > 0)
      .map((p) => ({ fault: p.fault, ...(p.route ? { route: p.route } : {}), skip: p.skip, count: p.count }));
    return { settings: { ...this.settings, ...(next.length > 0 ? { next } : {}) }, injected: { ...this.injected } };
  }

  /** Decides the fate of one request to `route`; counts it as injected. */
  decide(route: ApiRoute): FaultDecision {
    const fault = this.scheduled(route) ?? this.drawn();
    if (fault) this.injected[fault]++;
    return { latencyMs: this.settings.latencyMs ?? 0, fault, retryAfterSeconds: this.settings.retryAfterSeconds ?? 1 };
  }

  private scheduled(route: ApiRoute): FaultKind | undefined {
    for (const entry of this.pending) {
      if (entry.count <= 0 || (entry.route !== undefined && entry.route !== route)) continue;
      if (entry.skip > 0) {
        entry.skip--;
        continue;
      }
      entry.count--;
      return entry.fault;
    }
    return undefined;
  }

  private drawn(): FaultKind | undefined {
    const { rate429 = 0, rate500 = 0, rate503 = 0, dropRate = 0 } = this.settings;
    if (rate429 + rate500 + rate503 + dropRate === 0) return undefined;
    const u = this.random();
    if (u < rate429) return "429";
    if (u < rate429 + rate500) return "500";
    if (u < rate429 + rate500 + rate503) return "503";
    if (u < rate429 + rate500 + rate503 + dropRate) return "drop";
    return undefined;
  }
}
