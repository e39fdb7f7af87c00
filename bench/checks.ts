/** What every scenario module checks after a run, and how sizes read in ids and titles. */
import type { RunOutput } from "./scenario.js";

/** 10000 → "10k", 1500 → "1500". */
export const short = (n: number): string => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

export const RSS_LIMIT_MB = 512;

export function expectExit(run: RunOutput, code: number): void {
  if (run.exitCode !== code) throw new Error(`exit code ${run.exitCode}, expected ${code}: ${run.stderrTail.slice(-2000)}`);
}

export function expectOutput(run: RunOutput, text: string): void {
  if (!run.stdoutTail.includes(text)) throw new Error(`expected "${text}" in the output, got: ${run.stdoutTail.slice(-500)}`);
}

/** The JSON.parse floor's one line: how many users it read, which must be what the plan beside it reads. */
export function expectFloorRead(run: RunOutput, declared: number, stateUsers: number): void {
  expectExit(run, 0);
  const read = JSON.parse(run.stdoutTail) as { declared: number; stateUsers: number };
  if (read.declared !== declared || read.stateUsers !== stateUsers) {
    throw new Error(`the JSON.parse floor read ${JSON.stringify(read)}, expected ${declared} declared and ${stateUsers} in state`);
  }
}
