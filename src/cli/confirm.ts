/** Terraform's confirmation: only the word "yes" approves. */
import { createInterface } from "node:readline/promises";

/**
 * Asks once; false on any other answer, on closed input, or when `signal` aborts (Ctrl-C).
 * Input that closes before an answer must settle the question: on Node 20, readline's question()
 * never does, and the process would end with its lock held (exit 13, an unsettled await).
 */
export async function confirm(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  const closed = new Promise<null>((resolve) => rl.once("close", () => resolve(null)));
  try {
    const answer = await Promise.race([rl.question(question, signal ? { signal } : {}), closed]);
    return answer !== null && answer.trim() === "yes";
  } catch {
    return false; // cancelled before an answer
  } finally {
    rl.close();
  }
}
