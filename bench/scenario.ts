/**
 * What a benchmark scenario is. Each `bench/*.ts` module that exports `scenarios(context)` adds
 * rows to the table (run.ts finds them by that export), so another area (e.g. Terraform) adds a
 * file here and touches nothing else.
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
  /** Or: at most `factor` times the median of the scenario with this id (measured in the same run). */
  readonly relativeTo?: { readonly id: string; readonly factor: number };
  /** The bound for the median peak RSS, in MB. */
  readonly rssMB?: number;
  /** How the target reads in the table, e.g. "≤ 2.5 s" or "≤ 2× bare". */
  readonly label: string;
}

export interface Scenario {
  /** Stable key in the JSON results, e.g. "plan-100k-files1000-empty". */
  readonly id: string;
  /** The row's label. */
  readonly title: string;
  readonly runs: number;
  /** Before each run, untimed (reset the emulator, remove state, …). */
  readonly prepare?: () => Promise<void>;
  readonly command: Command;
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
  readonly emulator: EmulatorHandle;
}

export interface EmulatorHandle {
  readonly url: string;
  readonly token: string;
  readonly pid: number;
  /** Forgets every user and resets the request counters. */
  reset(): Promise<void>;
  /** Requests per route since the last reset. */
  stats(): Promise<Record<string, number>>;
}

/** Module shape run.ts looks for. */
export type ScenarioFactory = (context: BenchContext) => Promise<Scenario[]> | Scenario[];
