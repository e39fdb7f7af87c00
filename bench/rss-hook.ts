/**
 * Preloaded into every measured process (`node --import`): when the process exits, writes its
 * peak RSS and CPU times to the file named by RUANGKERJA_BENCH_USAGE. Nothing in the product
 * knows about it.
 */
import { writeFileSync } from "node:fs";

const target = process.env.RUANGKERJA_BENCH_USAGE;
if (target) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    // maxRSS is in kilobytes; CPU times in microseconds.
    writeFileSync(
      target,
      JSON.stringify({ maxRssKB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }),
    );
  });
}
