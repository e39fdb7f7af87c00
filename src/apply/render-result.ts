/** Views of an apply result: the human text and the `apply --json` form. */
import pc from "picocolors";
import type { Diagnostic } from "../diagnostics.js";
import { formatDiagnostics } from "../diagnostics.js";
import { warningToJson } from "../plan/render-json.js";
import { safeLine, showText } from "../text/untrusted-text.js";
import type { ApplyResult } from "./apply-types.js";

export function renderApplyResult(result: ApplyResult, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const lines: string[] = [];
  for (const f of result.failures) {
    // The file name is the declarations'; message, code and detail are RuangKerja's words, with values it echoes.
    const where = f.source ? `${showText(f.source.file)}:${f.source.line}: ` : "";
    const who = f.previousEmployeeID ? `${showText(f.previousEmployeeID)} → ${showText(f.employeeID)}` : showText(f.employeeID);
    const said = `${safeLine(f.message)} (${safeLine(String(f.errorCode))})${f.detail ? `: ${safeLine(f.detail)}` : ""}`;
    lines.push(`${where}${c.red(c.bold("failed"))}: ${f.action} ${who}: ${said}`);
  }
  if (result.confirmedByReadBack) {
    lines.push(
      `${result.confirmedByReadBack} user(s) already held what was sent (an earlier attempt had landed, its reply lost): read back and recorded as applied.`,
    );
  }
  if (result.warnings?.length) lines.push(formatDiagnostics(result.warnings, options));
  if (result.relocated) {
    lines.push(
      `${result.relocated} user(s) were not under the employee ID state held but under another ID of their declaration (an earlier rename had landed, its reply lost): found there, changed to the declaration and recorded.`,
    );
  }
  const stale = result.failures.filter((f) => f.staleState).length;
  if (stale > 0) {
    lines.push(
      c.yellow(
        `${stale} failure(s) show that state is out of date: RuangKerja has no user under the employee ID state holds for them (renamed or removed outside this tool, or an API that lost its users). Run \`plan --refresh\` to see what RuangKerja holds, then \`apply --refresh\` to plan from it.`,
      ),
    );
  }
  if (result.batchesSplit) lines.push(`${result.batchesSplit} bulk call(s) refused for their size were split in halves and sent again.`);
  if (result.stoppedBecause) lines.push(c.red(`Apply stopped early: ${safeLine(result.stoppedBecause)}`));
  const r = result.requests;
  const summary = `Apply ${result.failed === 0 ? "complete" : "finished with failures"}: ${result.succeeded} succeeded, ${result.failed} failed (requests: ${r["create-bulk"]} create-bulk, ${r["update-bulk"]} update-bulk, ${r.update} update${r["update-email-bulk"] ? `, ${r["update-email-bulk"]} update-email-bulk` : ""}).`;
  lines.push(result.failed === 0 ? c.green(c.bold(summary)) : c.red(c.bold(summary)));
  if (result.failed > 0) {
    lines.push(
      result.stateNotWritten
        ? "The state was not written, so it may lack what succeeded; run plan, then apply again (users that exist already are read back)."
        : "What succeeded is kept in state; fix the failures and run apply again.",
    );
  }
  return lines.join("\n");
}

/** `apply --json`; `warnings` are the plan's (e.g. e-mail changes apply does not carry out). */
export function applyResultToJson(result: ApplyResult, warnings: readonly Diagnostic[] = []) {
  return {
    succeeded: result.succeeded,
    failed: result.failed,
    failures: result.failures.map((f) => ({
      action: f.action,
      employeeID: f.employeeID,
      ...(f.previousEmployeeID ? { previousEmployeeID: f.previousEmployeeID } : {}),
      errorCode: f.errorCode,
      message: f.message,
      detail: f.detail,
      source: f.source ? { file: f.source.file, line: f.source.line } : null,
      ...(f.staleState ? { staleState: true } : {}),
    })),
    requests: { ...result.requests },
    ...(result.attempts ? { attempts: { ...result.attempts } } : {}),
    warnings: [...warnings, ...(result.warnings ?? [])].map(warningToJson),
    ...(result.stoppedBecause ? { stoppedBecause: result.stoppedBecause } : {}),
    ...(result.confirmedByReadBack ? { confirmedByReadBack: result.confirmedByReadBack } : {}),
    ...(result.batchesSplit ? { batchesSplit: result.batchesSplit } : {}),
    ...(result.relocated ? { relocated: result.relocated } : {}),
    ...(result.stateNotWritten ? { stateNotWritten: true } : {}),
    formatVersion: 1,
  };
}
