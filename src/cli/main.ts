#!/usr/bin/env node
/**
 * The `ruangkerja-users` command: argument parsing, one function per group of commands; errors
 * become messages and exit codes in report-error.ts, shared with the other entry points.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT_ERROR } from "./exit-codes.js";
import { faultOptions } from "./fault-flags.js";
import {
  type CommonFlags,
  collectTarget,
  DEFAULT_DECLARATIONS_DIR,
  type Environment,
  githubSettings,
  parseDuration,
  parseGroupBy,
  parseMaxDeactivate,
  PLAN_FORMATS,
  parsePort,
  parsePositiveInt,
  useColor,
} from "./options.js";
import { type Output, processOutput, wantsJson } from "./output.js";
import { reportError, runReportingJson } from "./report-error.js";
import type { ApplyFlags } from "./commands/apply.js";
import type { EmulatorFlags } from "./commands/emulator.js";
import type { ExportFlags } from "./commands/export.js";
import type { ForceUnlockFlags } from "./commands/force-unlock.js";
import type { ImportFlags } from "./commands/import.js";
import type { InitFlags } from "./commands/init.js";
import type { PlanFlags } from "./commands/plan.js";
import type { ProviderInstallFlags } from "./commands/provider.js";
import type { ShowFlags } from "./commands/show.js";
import type { StateFlags } from "./commands/state.js";
import type { StateMigrateFlags } from "./commands/state-migrate.js";
import type { StatePushFlags } from "./commands/state-pull-push.js";
import type { ValidateFlags } from "./commands/validate.js";
import { TOOL_VERSION as version } from "./tool-version.js";

/**
 * A command's run function, loaded when the command runs: `validate` and `plan` never load the API client,
 * the emulator or the export code. Add a new command the same way, never as a static import.
 */
function lazy<A extends unknown[], R>(load: () => Promise<(...args: A) => Promise<R>>): (...args: A) => Promise<R> {
  return async (...args) => (await load())(...args);
}

const runApply = lazy(async () => (await import("./commands/apply.js")).runApply);
const runDemo = lazy(async () => (await import("./commands/demo.js")).runDemo);
const runEmulator = lazy(async () => (await import("./commands/emulator.js")).runEmulator);
const runExport = lazy(async () => (await import("./commands/export.js")).runExport);
const runForceUnlock = lazy(async () => (await import("./commands/force-unlock.js")).runForceUnlock);
const runInit = lazy(async () => (await import("./commands/init.js")).runInit);
const runImport = lazy(async () => (await import("./commands/import.js")).runImport);
const runPlan = lazy(async () => (await import("./commands/plan.js")).runPlan);
const runProviderInstall = lazy(async () => (await import("./commands/provider.js")).runProviderInstall);
const runShow = lazy(async () => (await import("./commands/show.js")).runShow);
const runStatePull = lazy(async () => (await import("./commands/state-pull-push.js")).runStatePull);
const runStatePush = lazy(async () => (await import("./commands/state-pull-push.js")).runStatePush);
const runStateMigrate = lazy(async () => (await import("./commands/state-migrate.js")).runStateMigrate);
const runStateList = lazy(async () => (await import("./commands/state.js")).runStateList);
const runStateMv = lazy(async () => (await import("./commands/state.js")).runStateMv);
const runStateRm = lazy(async () => (await import("./commands/state.js")).runStateRm);
const runStateShow = lazy(async () => (await import("./commands/state.js")).runStateShow);
// tf-sync reads its own arguments (tf-sync.ts), so the parser comes with the command's module.
const runTfSyncArgs = lazy(async () => {
  const { parseTfSyncArgs, runTfSync } = await import("./commands/tf-sync.js");
  return async (args: readonly string[], env: Environment, output: Output) => runTfSync(parseTfSyncArgs(args), env, output);
});
const runValidate = lazy(async () => (await import("./commands/validate.js")).runValidate);

function outputFor(flags: CommonFlags): Output {
  return processOutput(useColor(flags, process.env, process.stdout.isTTY && process.stderr.isTTY), githubSettings(process.env).annotations);
}

/** Runs a command with the Output its flags ask for; with --json (or --format json) a failure is also a JSON object on stdout. */
function runWith(flags: CommonFlags & { json?: boolean; format?: string }, run: (output: Output) => Promise<number>): Promise<number> {
  const output = outputFor(flags);
  return wantsJson(flags) ? runReportingJson(output, run) : run(output);
}

const TARGET_HELP = "limit the plan to this user (repeatable; a rename matches by its new or old id)";

const ALLOW_OTHER_API_HELP =
  "use a state that was applied against another API than RUANGKERJA_API_URL (refused by default); the state then records this API";

const WORKSPACE_HELP = 'workspace of a postgres:// state (env RUANGKERJA_WORKSPACE; default "default")';

const STATE_HELP = "state file, or a postgres:// URL (env RUANGKERJA_STATE; default .ruangkerja/state.json)";
const NO_COLOR_HELP = "no colours (also: NO_COLOR set to a non-empty value)";

/** --state, --workspace and --no-color: every command that reads a state. */
function withState(command: Command): Command {
  return command.option("--state <path>", STATE_HELP).option("--workspace <name>", WORKSPACE_HELP).option("--no-color", NO_COLOR_HELP);
}

/** --dir, and the state options unless the command has no state. */
function withCommon(command: Command, options: { state: boolean } = { state: true }): Command {
  command.option("--dir <path>", "folder of the YAML declarations", DEFAULT_DECLARATIONS_DIR);
  return options.state ? withState(command) : command.option("--no-color", NO_COLOR_HELP);
}

function lockTimeoutOption(): Option {
  return new Option(
    "--lock-timeout <duration>",
    "wait this long for a state lock held by another run, e.g. 30s, 2m (env RUANGKERJA_LOCK_TIMEOUT; default 0: fail at once)",
  ).argParser(parseDuration("--lock-timeout"));
}

/** Terraform's `-lock=false`: `--lock=false`, `--lock false`, `--lock=true`; a bare `--lock` is true. */
function parseBoolean(name: string): (value: string) => boolean {
  return (value) => {
    if (value === "true") return true;
    if (value === "false") return false;
    throw new InvalidArgumentError(`${name} takes true or false, not ${JSON.stringify(value)}`);
  };
}

function maxDeactivateOption(): Option {
  return new Option(
    "--max-deactivate <n|n%>",
    "safety limit: most users a plan may deactivate, as a count or a share of the users in state (default 10%, and only from 5 users on)",
  ).argParser(parseMaxDeactivate);
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("ruangkerja-users")
    .description("Users as code for RuangKerja: declare employees in YAML, plan and apply them through the RuangKerja API.")
    .version(version)
    .showHelpAfterError()
    .exitOverride();

  addReviewCommands(program, setExitCode);
  addStateCommands(program, setExitCode);
  addToolCommands(program, setExitCode);
  return program;
}

/** validate, plan, show and apply: the commands of a review. */
function addReviewCommands(program: Command, setExitCode: (code: number) => void): void {
  withCommon(program.command("validate").description("check the declarations offline (exit 0 valid, 1 invalid)"), { state: false })
    .option("--json", "print the result as JSON")
    .action(async (flags: ValidateFlags) => setExitCode(await runWith(flags, (output) => runValidate(flags, output))));

  withCommon(program.command("plan").description("show what apply would change; never writes, and reads the API only with --refresh"))
    .option("--json", "print the plan as JSON (a stable, versioned form); same as --format json")
    .addOption(new Option("--format <format>", "how to print the plan (markdown: for a pull-request comment)").choices(PLAN_FORMATS))
    .option("--out <file>", "also save the plan to this file, for `apply FILE` to carry out exactly")
    .option("--target <employeeID>", TARGET_HELP, collectTarget)
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .option("--refresh", "first read the state's users from RuangKerja (GET) and show drift; needs RUANGKERJA_TOKEN or client credentials")
    .option("--compact", "one line per user, grouped by action (for large plans)")
    .option("--mask-contacts", "mask e-mail addresses and phone numbers in the markdown plan and the step summary (public repositories)")
    .option("--allow-other-api", `with --refresh or --refresh-only: ${ALLOW_OTHER_API_HELP}`)
    .option("--refresh-only", "only show drift (RuangKerja against state, GET only) for `apply --refresh-only`; with --out, save it")
    .addOption(
      new Option("--lock [true|false]", "hold the state lock while reading it (default false: plan reads without it; see docs)").argParser(
        parseBoolean("--lock"),
      ),
    )
    .addOption(
      new Option(
        "--lock-timeout <duration>",
        "take the state lock, waiting this long for it, e.g. 30s, 2m (implies --lock; RUANGKERJA_LOCK_TIMEOUT applies only with --lock)",
      ).argParser(parseDuration("--lock-timeout")),
    )
    .addOption(maxDeactivateOption())
    .action(async (flags: PlanFlags) => setExitCode(await runWith(flags, (output) => runPlan(flags, process.env, output))));

  withCommon(
    program
      .command("show")
      .argument("<plan-file>", "a plan saved by `plan --out`")
      .description(
        "print a saved plan, after checking that it is exactly what the declarations and the state give (refused like apply when it is not)",
      ),
  )
    .addOption(new Option("--format <format>", "how to print the plan (default text)").choices(PLAN_FORMATS))
    .option("--json", "same as --format json")
    .option("--mask-contacts", "mask e-mail addresses and phone numbers (markdown only)")
    .action(async (planFile: string, flags: ShowFlags) =>
      setExitCode(await runWith(flags, (output) => runShow(planFile, flags, process.env, output))),
    );

  withCommon(
    program
      .command("apply")
      .argument(
        "[plan-file]",
        "a plan saved by `plan --out`: carried out exactly, without confirmation; refused when the declarations (--dir) or the state changed, or the file was edited",
      )
      .description("apply the plan through the RuangKerja API (asks for confirmation on a terminal)"),
  )
    .option("--auto-approve", "skip the confirmation (needed when standard input is not a terminal)")
    .option("--target <employeeID>", TARGET_HELP, collectTarget)
    .addOption(new Option("--chunk-size <n>", "users per bulk call").default(100).argParser(parsePositiveInt("--chunk-size", 10_000)))
    .addOption(new Option("--parallelism <n>", "requests in flight at once").default(4).argParser(parsePositiveInt("--parallelism", 64)))
    .addOption(
      new Option("--request-timeout <seconds>", "timeout of one request")
        .default(30)
        .argParser(parsePositiveInt("--request-timeout", 3600)),
    )
    .addOption(
      new Option("--max-attempts <n>", "attempts of one request before giving up on 429/5xx/network errors (1: no retries)")
        .default(5)
        .argParser(parsePositiveInt("--max-attempts", 100)),
    )
    .option("--json", "print the result as JSON (needs --auto-approve, or a plan-file)")
    .option("--compact", "show the plan with one line per user, grouped by action")
    .option("--adopt", "a create that meets USER_EMPLOYEE_ID_EXISTS updates that existing user instead of failing")
    .option("--refresh", "first read the state's users from RuangKerja (GET), show drift and plan from what RuangKerja holds now")
    .option("--refresh-only", "accept RuangKerja's drift into state without changing RuangKerja (asks first on a terminal)")
    .addOption(lockTimeoutOption())
    .addOption(maxDeactivateOption())
    .option("--allow-mass-deactivation", "apply even when the plan deactivates more users than --max-deactivate allows")
    .option("--allow-other-api", ALLOW_OTHER_API_HELP)
    .action(async (planFile: string | undefined, flags: ApplyFlags) =>
      setExitCode(
        await runWith(flags, (output) =>
          runApply({ ...flags, planFile }, process.env, { output, stdin: process.stdin, prompt: process.stderr }),
        ),
      ),
    );
}

/** The commands that fill, repair or move the state: export, import, force-unlock, state *. */
function addStateCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("export")
    .description("write every RuangKerja user as YAML declarations plus a matching state (GET only), so the next plan is empty")
    .option("--out <dir>", "folder for the declarations", DEFAULT_DECLARATIONS_DIR)
    .option("--state <path>", "state file, or a postgres:// URL to write (env RUANGKERJA_STATE; default .ruangkerja/state.json)")
    .option("--workspace <name>", WORKSPACE_HELP)
    .addOption(
      new Option("--group-by <how>", "organization: one file per organization; none: one file")
        .default("organization")
        .argParser(parseGroupBy),
    )
    .option("--include-inactive", "declare inactive users too (isActive: false); by default they go to state only")
    .option("--skip-invalid", "export the other users when some cannot be declared as they are (by default nothing is written)")
    .option("--force", "overwrite existing declaration files and replace an existing state")
    .option("--json", "print what was written as JSON instead of the list of files")
    .addOption(lockTimeoutOption())
    .option("--no-color", NO_COLOR_HELP)
    .action(async (flags: ExportFlags) => setExitCode(await runWith(flags, (output) => runExport(flags, process.env, output))));

  withState(
    program
      .command("import")
      .description("adopt users that already exist in RuangKerja into state (GET each; no change in RuangKerja)")
      .argument("<employeeID...>", "employee IDs to adopt"),
  )
    .option("--allow-other-api", ALLOW_OTHER_API_HELP)
    .addOption(lockTimeoutOption())
    .action(async (employeeIDs: string[], flags: ImportFlags) =>
      setExitCode(await runImport(employeeIDs, flags, process.env, outputFor(flags))),
    );

  withState(program.command("force-unlock").description("remove the state lock a killed run left behind (the ID is in the locked message)"))
    .argument("<LOCK_ID>", 'the lock ID printed by "state is locked"')
    .option("--force", "do not ask for confirmation (needed when standard input is not a terminal)")
    .action(async (lockId: string, flags: ForceUnlockFlags) =>
      setExitCode(
        await runForceUnlock(lockId, flags, process.env, { output: outputFor(flags), stdin: process.stdin, prompt: process.stderr }),
      ),
    );

  const state = program.command("state").description("look at and repair the state; never calls the API");
  const stateCommand = (name: string, description: string) => withState(state.command(name).description(description));
  stateCommand("list", "list the users in state: employeeID, active or not, name")
    .option("--json", 'print {"lineage","serial","users":[{employeeID,name,isActive}]}')
    .action(async (flags: StateFlags) => setExitCode(await runWith(flags, (output) => runStateList(flags, process.env, output))));
  stateCommand("show", "print one user's record as last applied")
    .argument("<employeeID>")
    .option("--json", "print the record as JSON")
    .action(async (employeeID: string, flags: StateFlags) =>
      setExitCode(await runWith(flags, (output) => runStateShow(employeeID, flags, process.env, output))),
    );
  stateCommand("rm", "forget users without touching RuangKerja (takes the state lock)")
    .argument("<employeeID...>")
    .action(async (ids: string[], flags: StateFlags) => setExitCode(await runStateRm(ids, flags, process.env, outputFor(flags))));
  stateCommand("mv", "re-key a user in state from OLD to NEW without touching RuangKerja (takes the state lock)")
    .argument("<old>")
    .argument("<new>")
    .action(async (from: string, to: string, flags: StateFlags) =>
      setExitCode(await runStateMv(from, to, flags, process.env, outputFor(flags))),
    );
  stateCommand("pull", "print the state as stored, journal folded in (JSON, the state file's form) on stdout").action(
    async (flags: StateFlags) => setExitCode(await runStatePull(flags, process.env, outputFor(flags))),
  );
  stateCommand("push", "replace the stored state by FILE's, under the lock; refuses another lineage or an older serial unless --force")
    .argument("<file>", "a state file, e.g. the output of `state pull`")
    .option("--force", "replace a stored state of another lineage, or of a serial not older than the file's")
    .addOption(lockTimeoutOption())
    .action(async (file: string, flags: StatePushFlags) => setExitCode(await runStatePush(file, flags, process.env, outputFor(flags))));
  state
    .command("migrate")
    .description("copy a state between a file and PostgreSQL (or two workspaces) without loss; the source is left as it was")
    .requiredOption("--from <path|url>", "the state to copy: a file or a postgres:// URL")
    .requiredOption("--to <path|url>", "where to copy it: a file or a postgres:// URL")
    .option("--workspace <name>", 'workspace of whichever side is postgres:// (env RUANGKERJA_WORKSPACE; default "default")')
    .option("--from-workspace <name>", "workspace of --from (default: --workspace)")
    .option("--to-workspace <name>", "workspace of --to (default: --workspace)")
    .option("--force", "replace a destination that holds another lineage, or a serial not older than the source's")
    .addOption(lockTimeoutOption())
    .action(async (flags: StateMigrateFlags) => setExitCode(await runStateMigrate(flags, process.env, outputFor({}))));
}

/** init, the emulator, the demo (`npm start`) and what the CDKTF provisioners run. */
function addToolCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("init")
    .description("scaffold a repository: users/ with an example file, .gitignore entries, the example GitHub workflows and their scripts")
    .option("--dir <path>", "folder of the YAML declarations", DEFAULT_DECLARATIONS_DIR)
    .addOption(
      new Option("--workflows <which>", "git: apply.yml (state committed back); postgres: apply-postgres.yml; none: no workflows")
        .choices(["git", "postgres", "none"])
        .default("git"),
    )
    .option("--force", "overwrite files init would write that already exist")
    .option("--no-color", NO_COLOR_HELP)
    .action(async (flags: InitFlags & CommonFlags) => setExitCode(await runInit(flags, outputFor(flags))));

  const emulator = program
    .command("emulator")
    .description("run the RuangKerja API emulator; prints its base URL on the first line")
    .addOption(new Option("--port <n>", "port; 0 picks a free one").default(0).argParser(parsePort))
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--token <token>", 'token the emulator accepts (env RUANGKERJA_EMULATOR_TOKEN; default "emulator-token")')
    .option("--data <file.json>", "load users from this file at start and save them there after every change")
    .option("--client-id <id>", 'client ID /oauth/token accepts (env RUANGKERJA_EMULATOR_CLIENT_ID; default "emulator-client")')
    .option(
      "--client-secret <secret>",
      'client secret /oauth/token accepts (env RUANGKERJA_EMULATOR_CLIENT_SECRET; default "emulator-secret")',
    )
    .addOption(
      new Option("--token-lifetime <seconds>", "expiresIn of exchanged tokens (default 43199)").argParser(
        parsePositiveInt("--token-lifetime", 31_536_000),
      ),
    )
    .action(async (flags: EmulatorFlags) => setExitCode(await runEmulator(flags, process.env, outputFor({}))));
  for (const option of faultOptions()) emulator.addOption(option);

  withCommon(program.command("demo").description("what `npm start` runs: plan and apply the declarations against an embedded emulator"), {
    state: false,
  }).action(async (flags: CommonFlags) => setExitCode(await runDemo(flags, outputFor(flags))));

  program
    .command("provider")
    .description("the Terraform provider, terraform-provider-ruangkerja")
    .command("install")
    .description("place the provider where `terraform init` finds it offline (an implied local mirror directory)")
    .option("--dir <path>", "plugin directory (default terraform.d/plugins, beside the Terraform configuration)")
    .action(async (flags: ProviderInstallFlags) => setExitCode(await runProviderInstall(flags, outputFor({}))));

  program
    .command("tf-sync")
    .description('what the CDKTF construct\'s Terraform provisioners run for one shard (see README, "Terraform / CDKTF")')
    .argument("<event>", "create or destroy")
    .requiredOption("--shard <name>", "the shard's Terraform resource name")
    .option("--chunk-size <n>", "users per bulk call (default 100)")
    .option("--spool <dir>", "where destroy leaves the old users for create (default .ruangkerja-tf)")
    .option("--removal <what>", "deactivate or keep users no longer declared (default deactivate)")
    .action(async () => setExitCode(await runTfSyncArgs(process.argv.slice(3), process.env, outputFor({}))));
}

async function main(): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // Commander already printed its own message (or help/version, with exit code 0).
    if (error instanceof CommanderError) exitCode = error.exitCode === 0 ? 0 : EXIT_ERROR;
    else
      exitCode = reportError(error, {
        color: useColor({}, process.env, process.stderr.isTTY),
        annotations: githubSettings(process.env).annotations,
      });
  }
  process.exitCode = exitCode;
}

await main();
