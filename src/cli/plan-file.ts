/**
 * Reading and writing saved plan files (`plan --out`, `apply FILE`, `show FILE`); the format lives
 * in plan/saved-plan.ts and plan/saved-plan-reader.ts.
 *
 * A plan file may come from anywhere (a downloaded artifact): only a regular file is read, with a
 * size cap enforced while reading. `plan --out` writes only over an earlier saved plan, never over
 * the state, a declaration, a link or a device, and does not create folders.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../errors.js";
import { encodeSavedPlan, SAVED_PLAN_KIND, type SavedPlan, type SavedPlanFile } from "../plan/saved-plan.js";
import { decodeSavedPlan } from "../plan/saved-plan-reader.js";

/** A saved plan of 100,000 users is about 60 MB; a larger file is not one of ours. */
export const MAX_PLAN_FILE_BYTES = 512 * 1024 * 1024;

/** Written whole or not at all (a new temporary file renamed over), readable by its owner only: it lists people. */
export async function writePlanFile(path: string, saved: SavedPlan): Promise<void> {
  await checkPlanDestination(path);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    // wx: a file (or link) already at the temporary name is never written through.
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(encodeSavedPlan(saved));
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new ConfigError(`cannot write the plan to ${path}${codeOf(error)}`, { cause: error });
  }
}

/** `plan --out` replaces nothing but an earlier saved plan, and writes into an existing folder only. */
async function checkPlanDestination(path: string): Promise<void> {
  const folder = dirname(path);
  const folderStat = await lstat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) {
    throw new ConfigError(
      `cannot write the plan to ${path}: ${folderStat ? `${folder} is not a folder` : `there is no folder ${folder}`} (plan --out does not create folders: create it first, or choose another path)`,
    );
  }
  const existing = await lstat(path).catch(() => undefined);
  if (!existing) return;
  if (!existing.isFile()) {
    throw new ConfigError(
      `refusing to write the plan to ${path}: it is ${kindOf(existing)}, not a saved plan; choose another path (plan --out only replaces a plan it saved)`,
    );
  }
  if (!(await looksLikeSavedPlan(path))) {
    throw new ConfigError(
      `refusing to write the plan to ${path}: the file there is not a plan saved by ruangkerja-users, and plan --out does not overwrite other files; choose another path, or delete it first if it is yours to delete`,
    );
  }
}

/** Our files start with their kind (encodeSavedPlan writes it first). */
async function looksLikeSavedPlan(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return new RegExp(`^\\s*\\{\\s*"kind"\\s*:\\s*"${SAVED_PLAN_KIND}"`).test(head.subarray(0, bytesRead).toString("utf8"));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

export async function readPlanFile(path: string): Promise<SavedPlanFile> {
  return decodeSavedPlan(path, await readPlanText(path));
}

/** The file's text: a regular file (a FIFO or device is refused before it can hang or flood), at most MAX_PLAN_FILE_BYTES, UTF-8. */
async function readPlanText(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer; the type check below refuses it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ConfigError(`no saved plan at ${path}: write one with \`ruangkerja-users plan --out ${path}\``);
    }
    throw new ConfigError(`cannot read the saved plan ${path}${codeOf(error)}`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ConfigError(`cannot use ${path} as a saved plan: it is ${kindOf(info)}, not a file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_PLAN_FILE_BYTES) {
        throw new ConfigError(`cannot use ${path} as a saved plan: it is larger than ${MAX_PLAN_FILE_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(chunk.subarray(0, bytesRead));
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch {
      throw new ConfigError(`cannot use ${path} as a saved plan: it is not UTF-8 text (a saved plan is JSON)`);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read the saved plan ${path}${codeOf(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return "a folder";
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  return "a device";
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ? ` (${code})` : "";
}
