#!/usr/bin/env node
/**
 * `ruangkerja-users tf-sync` with a lean start-up: the entry the CDKTF construct's provisioners
 * run (`node dist/cli/tf-sync.js create|destroy --shard <name> …`). It loads only the API client
 * and the apply engine, not the rest of the CLI; `ruangkerja-users tf-sync` runs the same code.
 */
import { parseTfSyncArgs, runTfSync } from "./commands/tf-sync.js";
import { processOutput } from "./output.js";
import { reportError } from "./report-error.js";

try {
  process.exitCode = await runTfSync(parseTfSyncArgs(process.argv.slice(2)), process.env, processOutput(false));
} catch (error) {
  process.exitCode = reportError(error, { color: false, annotations: process.env.GITHUB_ACTIONS === "true" });
}
