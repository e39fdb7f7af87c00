#!/usr/bin/env node
/**
 * The `ruangkerja-users` command: argument parsing, and the only place that maps errors to exit
 * codes and messages.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { formatDiagnostics } from "../diagnostics.js";
import { InvalidInputError, RuangkerjaError } from "../errors.js";
import { runApply } from "./commands/apply.js";
import { runDemo } from "./commands/demo.js";
import { runEmulator } from "./commands/emulator.js";
import { runPlan } from "./commands/plan.js";
import { parseTfSyncArgs, runTfSync } from "./commands/tf-sync.js";
import { runValidate } from "./commands/validate.js";
import { EXIT_ERROR } from "./exit-codes.js";
import { type CommonFlags, DEFAULT_DECLARATIONS_DIR, parsePort, parsePositiveInt, useColor } from "./options.js";
import { type Output, processOutput } from "./output.js";

const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

function outputFor(flags: CommonFlags): Output {
  return processOutput(useColor(flags, process.env, process.stdout.isTTY && process.stderr.isTTY));
}

function withCommon(command: Command, options: { state: boolean } = { state: true }): Command {
  command.option("--dir <path>", "folder of the YAML declarations", DEFAULT_DECLARATIONS_DIR);
  if (options.state) {
    command.option("--state <path>", "state file (env RUANGKERJA_STATE; default .ruangkerja/state.json)");
  }
  return command.option("--no-color", "no colours (also: NO_COLOR set to a non-empty value)");
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("ruangkerja-users")
    .description("Users as code for RuangKerja: declare employees in YAML, plan and apply them through the RuangKerja API.")
    .version(version)
    .showHelpAfterError()
    .exitOverride();

  withCommon(program.command("validate").description("check the declarations offline (exit 0 valid, 1 invalid)"), { state: false })
    .option("--json", "print the result as JSON")
    .action(async (flags) => setExitCode(await runValidate(flags, outputFor(flags))));

  withCommon(program.command("plan").description("show what apply would change; never calls the API"))
    .option("--json", "print the plan as JSON (a stable, versioned form)")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .action(async (flags) => setExitCode(await runPlan(flags, process.env, outputFor(flags))));

  withCommon(program.command("apply").description("apply the plan through the RuangKerja API (asks for confirmation on a terminal)"))
    .option("--auto-approve", "skip the confirmation (needed when standard input is not a terminal)")
    .addOption(new Option("--chunk-size <n>", "users per bulk call").default(100).argParser(parsePositiveInt("--chunk-size", 10_000)))
    .addOption(new Option("--parallelism <n>", "requests in flight at once").default(4).argParser(parsePositiveInt("--parallelism", 64)))
    .addOption(
      new Option("--request-timeout <seconds>", "timeout of one request")
        .default(30)
        .argParser(parsePositiveInt("--request-timeout", 3600)),
    )
    .option("--json", "print the result as JSON (needs --auto-approve)")
    .action(async (flags) =>
      setExitCode(await runApply(flags, process.env, { output: outputFor(flags), stdin: process.stdin, prompt: process.stderr })),
    );

  program
    .command("emulator")
    .description("run the RuangKerja API emulator; prints its base URL on the first line")
    .addOption(new Option("--port <n>", "port; 0 picks a free one").default(0).argParser(parsePort))
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--token <token>", 'token the emulator accepts (env RUANGKERJA_EMULATOR_TOKEN; default "emulator-token")')
    .option("--data <file.json>", "load users from this file at start and save them there after every change")
    .action(async (flags) => setExitCode(await runEmulator(flags, process.env, outputFor({}))));

  withCommon(program.command("demo").description("what `npm start` runs: plan and apply the declarations against an embedded emulator"), {
    state: false,
  }).action(async (flags) => setExitCode(await runDemo(flags, outputFor(flags))));

  program
    .command("tf-sync")
    .description('what the CDKTF construct\'s Terraform provisioners run for one shard (see README, "Terraform / CDKTF")')
    .argument("<event>", "create or destroy")
    .requiredOption("--shard <name>", "the shard's Terraform resource name")
    .option("--chunk-size <n>", "users per bulk call (default 100)")
    .option("--spool <dir>", "where destroy leaves the old users for create (default .ruangkerja-tf)")
    .option("--removal <what>", "deactivate or keep users no longer declared (default deactivate)")
    .action(async () => setExitCode(await runTfSync(parseTfSyncArgs(process.argv.slice(3)), process.env, outputFor({}))));

  return program;
}

async function main(): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    exitCode = reportError(error);
  }
  process.exitCode = exitCode;
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message (or help/version, with exit code 0).
    return error.exitCode === 0 ? 0 : EXIT_ERROR;
  }
  const color = useColor({}, process.env, process.stderr.isTTY);
  if (error instanceof InvalidInputError) {
    if (error.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(error.diagnostics, { color })}\n`);
    process.stderr.write(`Error: ${error.message}\n`);
    return EXIT_ERROR;
  }
  if (error instanceof RuangkerjaError) {
    process.stderr.write(`Error: ${error.message}\n`);
    return EXIT_ERROR;
  }
  // An unexpected failure: show its stack, since it is a bug to report.
  process.stderr.write(`Unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_ERROR;
}

await main();
