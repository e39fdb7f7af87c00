/**
 * Validation of hostile input stays linear (docs/limits.md): `validate` of the inputs of issue 13,
 * at each size asked for: N unknown keys in one user, N users with unquoted phones, 2N
 * previousEmployeeIDs in one user. Each run must refuse the file and print the first 100 errors of
 * the kind and one line for the rest. The sizes of one input alternate, and each larger size is
 * set beside the smallest: linear means a ratio of about the ratio of sizes (judged: at most 1.5×
 * that).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { short } from "./checks.js";
import { type BenchContext, DEFAULT_RUNS, type RunOutput, type Scenario } from "./scenario.js";

/** How far from linear a larger size may be: its time at most this times (size ÷ smallest size) the smallest's. */
const LINEAR_SLACK = 1.5;

function lines(count: number, line: (i: number) => string): string {
  const out: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = line(i);
  return `${out.join("\n")}\n`;
}

const ONE_USER = "users:\n  - employeeID: A1\n    name: Budi\n    email: a1@contoh.co.id\n";

interface HostileInput {
  readonly key: string;
  readonly title: (size: number) => string;
  readonly text: (size: number) => string;
  /** What stderr must say: the refusal, bounded. */
  readonly says: (size: number) => RegExp;
}

const more = (n: number) => (n - 100).toLocaleString("en-US");

const INPUTS: readonly HostileInput[] = [
  {
    key: "unknown-keys",
    title: (n) => `${short(n)} unknown keys in one user`,
    text: (n) => ONE_USER + lines(n, (i) => `    k${i}: v`),
    says: (n) => new RegExp(`…and ${more(n)} more like this`),
  },
  {
    key: "unquoted-phones",
    title: (n) => `${short(n)} users with unquoted phones`,
    text: (n) => `users:\n${lines(n, (i) => `  - employeeID: E${i}\n    name: Budi\n    phone: ${6281100000 + i}`)}`,
    says: (n) => new RegExp(`…and ${more(n)} more like this`),
  },
  {
    key: "previous-ids",
    title: (n) => `${short(2 * n)} previousEmployeeIDs`,
    text: (n) => `${ONE_USER}    previousEmployeeIDs:\n${lines(2 * n, (i) => `      - P${i}`)}`,
    says: (n) => new RegExp(`previousEmployeeIDs lists ${(2 * n).toLocaleString("en-US")} items, more than the 100 allowed`),
  },
];

function check(says: RegExp) {
  return (run: RunOutput): Record<string, number> => {
    if (run.exitCode !== 1) throw new Error(`exit code ${run.exitCode}, expected 1 (refused): ${run.stderrTail.slice(-2000)}`);
    if (!says.test(run.stderrTail)) throw new Error(`expected ${says} in stderr, got: ${run.stderrTail.slice(-1000)}`);
    const shown = /Invalid: (\d+) errors?/.exec(run.stderrTail)?.[1];
    return shown === undefined ? {} : { errorsShown: Number(shown) };
  };
}

export function scenarios(context: BenchContext): Scenario[] {
  const out: Scenario[] = [];
  const smallest = Math.min(...context.sizes);
  for (const input of INPUTS) {
    for (const size of context.sizes) {
      const dir = join(context.workDir, `hostile-${input.key}-${short(size)}`);
      mkdirSync(join(dir, "users"), { recursive: true });
      writeFileSync(join(dir, "users", "a.yaml"), input.text(size));
      const id = (n: number) => `validate-hostile-${input.key}-${short(n)}`;
      out.push({
        id: id(size),
        title: `validate refuses ${input.title(size)}`,
        runs: context.runs ?? DEFAULT_RUNS,
        group: `hostile-${input.key}`,
        command: { args: [context.cli, "validate", "--dir", "users", "--no-color"], cwd: dir },
        ...(size > smallest && { target: { relativeTo: { id: id(smallest), factor: (size / smallest) * LINEAR_SLACK } } }),
        check: check(input.says(size)),
      });
    }
  }
  return out;
}
