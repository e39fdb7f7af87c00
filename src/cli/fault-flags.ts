/** The `emulator` command's fault flags → the emulator's FaultSettings (checked by the emulator itself). */
import { errorMessage } from "../errors.js";
import { InvalidArgumentError, Option } from "commander";
import type { FaultSettings } from "../emulator/index.js";

export interface FaultFlags {
  readonly faults?: Record<string, unknown>;
  readonly latency?: number;
  readonly rate429?: number;
  readonly rate500?: number;
  readonly rate503?: number;
  readonly dropRate?: number;
  readonly retryAfter?: number;
  readonly faultSeed?: number;
  readonly maxBulkItems?: number;
}

function share(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, e.g. 0.2`);
    return n;
  };
}

function whole(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--faults must be a JSON object: ${errorMessage(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError("--faults must be a JSON object");
  return parsed as Record<string, unknown>;
}

/** The option lines, in the order `emulator --help` shows them. */
export function faultOptions(): Option[] {
  return [
    new Option("--latency <ms>", "fault: delay every API request by this many milliseconds").argParser(whole("--latency", 0, 600_000)),
    new Option("--rate-429 <share>", "fault: share (0-1) of API requests answered 429 with Retry-After").argParser(share("--rate-429")),
    new Option("--rate-500 <share>", "fault: share (0-1) of API requests answered 500").argParser(share("--rate-500")),
    new Option("--rate-503 <share>", "fault: share (0-1) of API requests answered 503 with Retry-After").argParser(share("--rate-503")),
    new Option("--drop-rate <share>", "fault: share (0-1) of API requests processed, then cut off without a reply").argParser(
      share("--drop-rate"),
    ),
    new Option("--retry-after <seconds>", "Retry-After of injected 429/503 replies (default 1)").argParser(
      whole("--retry-after", 0, 86_400),
    ),
    new Option("--fault-seed <n>", "seed of the fault rates, to repeat a run").argParser(whole("--fault-seed", 0, 2 ** 32 - 1)),
    new Option("--max-bulk-items <n>", "items allowed per bulk call; more is refused with 413 TOO_MANY_ITEMS").argParser(
      whole("--max-bulk-items", 1, 1_000_000),
    ),
    new Option(
      "--faults <json>",
      "every fault switch as one JSON document, as PUT /_emulator/faults takes it (the flags above win)",
    ).argParser(jsonObject),
  ];
}

export function faultSettings(flags: FaultFlags): FaultSettings {
  const set = <T>(value: T | undefined) => value;
  const fromFlags = {
    latencyMs: set(flags.latency),
    rate429: set(flags.rate429),
    rate500: set(flags.rate500),
    rate503: set(flags.rate503),
    dropRate: set(flags.dropRate),
    retryAfterSeconds: set(flags.retryAfter),
    seed: set(flags.faultSeed),
    maxBulkItems: set(flags.maxBulkItems),
  };
  const given = Object.fromEntries(Object.entries(fromFlags).filter(([, value]) => value !== undefined));
  return { ...flags.faults, ...given };
}
