/**
 * What a benchmark scenario is. Each `bench/*-scenarios.ts` module exports `scenarios(context)`
 * and adds rows to the table (run.ts loads every such file), so another area adds a file here and
 * touches nothing else.
 */

/** One measured command: a whole process, started the way a user starts it. */
export interface Command {
  /** Arguments after `node` (the script first). */
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface Target {
  /** The bound, in seconds, for the median wall time. */
  readonly seconds?: number;
  /**
   * Or: median(this) ÷ median(the scenario `id`) at most `factor` (unbounded: shown, not judged).
   * That scenario is the floor: it runs in the same group, alternating with this one.
   */
  readonly relativeTo?: { readonly id: string; readonly factor?: number };
  /** The bound for the median peak RSS, in MB. */
  readonly rssMB?: number;
}

export interface Scenario {
  /** Stable key in the JSON results, e.g. "plan-100k-files1000-empty". */
  readonly id: string;
  /** The row's label. */
  readonly title: string;
  readonly runs: number;
  /**
   * Scenarios of one group run in turn, A, B, C, A, B, C, … (one run each per round), so that a
   * target and its floor see the same machine; without a group a scenario runs alone.
   */
  readonly group?: string;
  /** Before each run, untimed (reset the emulator, remove state, …). */
  readonly prepare?: () => Promise<void>;
  readonly command: Command;
  /** The server the command talks to, if any: its CPU time during each run is measured too. */
  readonly server?: ServerHandle;
  readonly target?: Target;
  /**
   * After each run: throws when the run did not do what it should (wrong exit code, wrong
   * request count); may return extra measurements (their medians are printed under the table).
   */
  readonly check?: (run: RunOutput) => Promise<Record<string, number> | void> | Record<string, number> | void;
}

export interface RunOutput {
  readonly exitCode: number | null;
  /** The last 64 KB of standard output. */
  readonly stdoutTail: string;
  readonly stderrTail: string;
}

/** What run.ts gives every scenario module. */
export interface BenchContext {
  /** A temporary folder for this run's files. */
  readonly workDir: string;
  /** `dist/cli/main.js`, absolute. */
  readonly cli: string;
  /** User counts asked for, e.g. [10000, 100000]. */
  readonly sizes: readonly number[];
  /** Runs per scenario asked for with --runs, if any. */
  readonly runs?: number;
  readonly emulator: ServerHandle;
  /** The trivial HTTP sink (sink.ts), the floor under the emulator. */
  readonly sink: ServerHandle;
}

/** A server the bench started: the emulator, or the sink (which answers the same admin routes). */
export interface ServerHandle {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  /** Forgets every user and resets the request counters. */
  reset(): Promise<void>;
  /** Requests per route since the last reset. */
  stats(): Promise<Record<string, number>>;
}

/** Runs per scenario unless --runs says otherwise: at least 5, so that a median means something. */
export const DEFAULT_RUNS = 5;

/** Module shape run.ts looks for. */
export type ScenarioFactory = (context: BenchContext) => Promise<Scenario[]> | Scenario[];
