/** Terraform's confirmation: only the word "yes" approves. */
import { createInterface } from "node:readline/promises";

export async function confirm(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  try {
    const answer = await rl.question(question);
    return answer.trim() === "yes";
  } catch {
    return false; // input closed before an answer
  } finally {
    rl.close();
  }
}
