#!/usr/bin/env node
/**
 * `ruangkerja-users tf-sync` with a lean start-up: the entry the CDKTF construct's provisioners
 * run (`node dist/cli/tf-sync.js create|destroy --shard <name> …`). It loads only the API client
 * and the apply engine, not the rest of the CLI; `ruangkerja-users tf-sync` runs the same code.
 */
import { RuangkerjaError } from "../errors.js";
import { parseTfSyncArgs, runTfSync } from "./commands/tf-sync.js";
import { EXIT_ERROR } from "./exit-codes.js";
import { processOutput } from "./output.js";

try {
  process.exitCode = await runTfSync(parseTfSyncArgs(process.argv.slice(2)), process.env, processOutput(false));
} catch (error) {
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!(error instanceof RuangkerjaError) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = EXIT_ERROR;
}
