/**
 * `demo` (what `npm start` runs): the main job against an embedded emulator, with no token,
 * server or setup. Starts the emulator on a free loopback port with a random token, plans the
 * declarations, applies them, plans again to show convergence, and cleans up after itself.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RuangkerjaClient } from "../../api/client.js";
import { applyPlan } from "../../apply/apply-plan.js";
import { renderApplyResult } from "../../apply/render-result.js";
import { startEmulator } from "../../emulator/index.js";
import { renderPlanText, summaryLine } from "../../plan/render-text.js";
import { FileStateStore } from "../../state/state-file.js";
import { StateSession } from "../../state/state-session.js";
import { EXIT_ERROR, EXIT_OK } from "../exit-codes.js";
import { loadAndPlan } from "../load-and-plan.js";
import { type CommonFlags, declarationsDir } from "../options.js";
import type { Output } from "../output.js";

export async function runDemo(flags: CommonFlags, output: Output): Promise<number> {
  const dir = declarationsDir(flags);
  const token = randomBytes(24).toString("base64url");
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, token });
  const stateDir = await mkdtemp(join(tmpdir(), "ruangkerja-demo-"));
  try {
    output.out(`Started the RuangKerja emulator at ${emulator.url}; state goes to ${stateDir} (removed at the end).\n`);
    const store = new FileStateStore(join(stateDir, "state.json"));
    const { plan, state } = await loadAndPlan(dir, store, output);
    output.out(renderPlanText(plan, { color: output.color }));
    const client = new RuangkerjaClient({ baseUrl: emulator.url, token });
    const result = await applyPlan(plan, client, new StateSession(store, state));
    output.out(`\n${renderApplyResult(result, { color: output.color })}`);
    const again = await loadAndPlan(dir, store, output);
    output.out(`\nPlanning again: ${summaryLine(again.plan)}`);
    output.out(`The emulator now holds ${emulator.users().length} users.`);
    return result.failed === 0 && again.plan.actions.length === 0 ? EXIT_OK : EXIT_ERROR;
  } finally {
    await emulator.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}
