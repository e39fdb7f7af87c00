/** Terraform's confirmation: only the word "yes" approves. */
import { createInterface } from "node:readline/promises";

/** Asks once; false on any other answer, on closed input, or when `signal` aborts (Ctrl-C). */
export async function confirm(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  try {
    const answer = await rl.question(question, signal ? { signal } : {});
    return answer.trim() === "yes";
  } catch {
    return false; // input closed, or cancelled, before an answer
  } finally {
    rl.close();
  }
}
