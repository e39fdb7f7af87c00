/**
 * `export`: every user of RuangKerja (GET /ruangkerja/users, pages of 100) → YAML declarations
 * and a matching state, so that the next plan is empty and a company can start managing an
 * existing organisation in one command. Active users are declared; inactive ones go to state only
 * (the planner leaves an inactive, undeclared user alone) unless --include-inactive.
 * Nothing is written when a target exists (without --force) or a user cannot be declared as it
 * is (without --skip-invalid).
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { RuangkerjaClient } from "../../api/client.js";
import { findDeclarationFiles } from "../../declarations/find-files.js";
import {
  checkRenderedFiles,
  type GroupBy,
  type RenderedFile,
  renderDeclarationFiles,
  type UserToDeclare,
} from "../../declarations/render-declarations.js";
import { type ModelineSchema, modelineRef, modelineSchema, SCHEMA_COPY_PATH } from "../../declarations/schema.js";
import type { Diagnostic } from "../../diagnostics.js";
import { errorMessage, InvalidInputError, RuangkerjaError } from "../../errors.js";
import { adoptedUser, readAllUsers } from "../../refresh/read-users.js";
import { newStateDocument, type StateDocument } from "../../state/state-document.js";
import { StateSession } from "../../state/state-session.js";
import type { StateStore } from "../../state/state-store.js";
import { EXIT_OK } from "../exit-codes.js";
import { apiSettings, type CommonFlags, type Environment, lockTimeoutMs, openStateFromFlags } from "../options.js";
import { type Output, printDiagnostics } from "../output.js";

export interface ExportFlags extends Pick<CommonFlags, "state" | "workspace" | "color"> {
  readonly out: string;
  readonly groupBy: GroupBy;
  readonly includeInactive?: boolean;
  readonly skipInvalid?: boolean;
  readonly force?: boolean;
  readonly lockTimeout?: number;
  /** --json: print what was written as one JSON object (docs/json-output.md) instead of the file list. */
  readonly json?: boolean;
}

/** `export --json`'s formatVersion (docs/json-output.md). */
export const EXPORT_FORMAT_VERSION = 1;

export async function runExport(flags: ExportFlags, env: Environment, output: Output): Promise<number> {
  const client = new RuangkerjaClient(apiSettings(env));
  const store = openStateFromFlags(flags, env);
  const outDir = resolve(flags.out);
  const lock = await store.lock("export", { timeoutMs: lockTimeoutMs(flags, env) });
  if (lock.takenOver) output.err(lock.takenOver.message);
  try {
    const existing = await readExistingState(store, flags.force === true);
    const live = await readAllUsers(client);
    const declared = live.filter((u) => flags.includeInactive || u.fields.isActive);
    const stateOnly = live.filter((u) => !flags.includeInactive && !u.fields.isActive);

    const schema = await modelineSchema(outDir);
    const schemaRef = modelineRef(outDir, schema);
    const { exported, skipped } = dropInvalid(declared, schemaRef, flags.skipInvalid === true);
    printDiagnostics(output, skipped);
    const files = renderDeclarationFiles(exported, { groupBy: flags.groupBy, schemaRef });
    const left = [...checkRenderedFiles(files).values()].flat();
    if (left.length > 0) throw new InvalidInputError("export produced declarations that do not validate (please report this)", left);

    await refuseToOverwrite(outDir, files, flags.force === true, schema.replaces ? [schema.path] : []);
    await warnAboutOtherFiles(outDir, files, output, flags.out);
    await writeFiles(outDir, files, schema);

    // A replaced state (--force) records the API it now comes from.
    const session = new StateSession(store, existing ?? newStateDocument(), client.apiOrigin);
    for (const user of [...exported, ...stateOnly]) session.put(adoptedUser(user));
    await session.save();

    output.err(
      `Exported ${exported.length} users to ${files.length} file${files.length === 1 ? "" : "s"} in ${flags.out}` +
        (stateOnly.length > 0 ? `; ${stateOnly.length} inactive users are in state only (--include-inactive declares them)` : "") +
        (skipped.length > 0 ? `; ${declared.length - exported.length} users skipped (listed above), not managed` : "") +
        `.\nState written to ${store.location}. Run \`ruangkerja-users plan --dir ${flags.out}\`: it should show no changes.`,
    );
    if (schema.copy !== undefined) {
      output.err(
        `Wrote ${SCHEMA_COPY_PATH}, the schema the files' modeline names for your editor; commit it with them (or install ruangkerja-users in the project and export again to name its copy).`,
      );
    }
    const written = files.map((file) => join(flags.out, file.name));
    if (flags.json) {
      const saved = session.snapshot();
      output.out(
        JSON.stringify({
          formatVersion: EXPORT_FORMAT_VERSION,
          out: flags.out,
          files: written,
          exported: exported.length,
          stateOnly: stateOnly.length,
          skipped: declared.length - exported.length,
          state: { location: store.location, lineage: saved.lineage, serial: saved.serial },
          schemaCopy: schema.copy !== undefined ? SCHEMA_COPY_PATH : null,
        }),
      );
    } else for (const file of written) output.out(file);
    return EXIT_OK;
  } finally {
    await lock.release();
  }
}

async function writeFiles(outDir: string, files: readonly RenderedFile[], schema: ModelineSchema): Promise<void> {
  let current = outDir;
  try {
    if (schema.copy !== undefined) {
      current = schema.path;
      await mkdir(dirname(current), { recursive: true });
      await writeFile(current, schema.copy, "utf8");
    }
    await mkdir(outDir, { recursive: true });
    for (const file of files) {
      current = join(outDir, file.name);
      await writeFile(current, file.text, { encoding: "utf8", mode: 0o600 });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RuangkerjaError(`cannot write ${current}${code ? ` (${code})` : ""}: ${errorMessage(error)}; the state was not written`, {
      cause: error,
    });
  }
}

/** Export starts the state over; an existing one is kept only with --force (its lineage carries on, so saved plans go stale). */
async function readExistingState(store: StateStore, force: boolean): Promise<StateDocument | undefined> {
  let existing: StateDocument | undefined;
  try {
    existing = await store.read();
  } catch (error) {
    // Even with --force: a write over an unreadable state would be refused as a conflict after the
    // YAML files were written, so refuse now, before writing anything.
    if (!force || !(error instanceof RuangkerjaError)) throw error;
    throw new RuangkerjaError(
      `the state at ${store.location} cannot be read (${error.message}), so export cannot replace it: move it aside (or restore it from your backup) and run export again; nothing was written`,
      { cause: error },
    );
  }
  if (existing && !force) {
    throw new InvalidInputError(
      `a state already exists at ${store.location} (${existing.users.size} users): export writes a new one. Use \`import EMPLOYEEID…\` to add users to it, or --force to replace it`,
      [],
    );
  }
  return existing && { ...existing, users: new Map() };
}

/** Users whose fields the declarations would refuse: an error listing them, or (--skip-invalid) warnings and the rest exported. */
function dropInvalid(
  users: readonly UserToDeclare[],
  schemaRef: string,
  skipInvalid: boolean,
): { exported: UserToDeclare[]; skipped: Diagnostic[] } {
  const problems = checkRenderedFiles(renderDeclarationFiles(users, { groupBy: "none", schemaRef }));
  const general = problems.get("");
  if (general) throw new InvalidInputError("export produced declarations that do not validate (please report this)", general);
  if (problems.size === 0) return { exported: [...users], skipped: [] };
  const diagnostics = [...problems.values()].flat();
  if (!skipInvalid) {
    throw new InvalidInputError(
      `${problems.size} RuangKerja user${problems.size === 1 ? "" : "s"} cannot be declared as they are; nothing was written. Correct them in RuangKerja, or pass --skip-invalid to export the others (the skipped users are then not managed)`,
      diagnostics,
    );
  }
  const exported = users.filter((u) => !problems.has(u.fields.employeeID));
  // After dropping a duplicate's second holder the first one is valid again; a second pass confirms.
  const again = checkRenderedFiles(renderDeclarationFiles(exported, { groupBy: "none", schemaRef }));
  if (again.size > 0)
    throw new InvalidInputError("export produced declarations that do not validate (please report this)", [...again.values()].flat());
  return { exported, skipped: diagnostics.map((d): Diagnostic => ({ ...d, severity: "warning" })) };
}

async function refuseToOverwrite(outDir: string, files: readonly RenderedFile[], force: boolean, others: readonly string[]): Promise<void> {
  if (force) return;
  const taken = [...others];
  for (const file of files) {
    if (await stat(join(outDir, file.name)).catch(() => undefined)) taken.push(join(outDir, file.name));
  }
  if (taken.length === 0) return;
  throw new InvalidInputError(
    `export would overwrite ${taken.join(", ")}; nothing was written. Choose another --out folder, or pass --force`,
    [],
  );
}

/** plan reads every YAML file under the folder: files export did not write would declare users twice. */
async function warnAboutOtherFiles(outDir: string, files: readonly RenderedFile[], output: Output, shown: string): Promise<void> {
  if (!(await stat(outDir).catch(() => undefined))?.isDirectory()) return;
  const written = new Set(files.map((f) => join(outDir, f.name)));
  const found = await findDeclarationFiles(outDir, (absolute) => absolute);
  const others = found.files.filter((f) => !written.has(f));
  if (others.length > 0) {
    printDiagnostics(output, [
      {
        severity: "warning",
        summary: `${shown} also holds ${others.length} other declaration file${others.length === 1 ? "" : "s"} (${others.map((f) => relative(outDir, f)).join(", ")})`,
        detail:
          "plan reads every *.yaml and *.yml file under the folder: remove them or move them elsewhere, or users may be declared twice.",
      },
    ]);
  }
}
