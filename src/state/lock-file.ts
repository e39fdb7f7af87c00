/**
 * The lock file beside a state file: reading its holder, and removing it only when it still
 * names the holder meant (see removeLockIf).
 */
import { linkSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import type { RecordedLockHolder } from "./lock-holder.js";

/**
 * Removes the lock file if it names `id`; false when it is gone or names another. Reading and
 * then unlinking would remove a lock taken in between, so the file is first renamed to a name of
 * our own, read there, and only then unlinked; a lock that turns out to be another's is put back
 * (with link(), which never overwrites a lock taken meanwhile).
 */
export async function removeLockIf(lockPath: string, id: string): Promise<boolean> {
  const before = await readHolder(lockPath);
  if (typeof before === "string" || before.id !== id) return false;
  const aside = `${lockPath}.${randomUUID()}.removing`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  const moved = await readHolder(aside);
  if (typeof moved !== "string" && moved.id === id) {
    await unlink(aside);
    return true;
  }
  await link(aside, lockPath).catch(() => undefined);
  await unlink(aside);
  return false;
}

/** removeLockIf for a process about to exit. */
export function removeLockIfSync(lockPath: string, id: string): void {
  if (parseHolder(readFileSync(lockPath, "utf8"))?.id !== id) return;
  const aside = `${lockPath}.${randomUUID()}.removing`;
  renameSync(lockPath, aside);
  if (parseHolder(readFileSync(aside, "utf8"))?.id !== id) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // A new lock was taken meanwhile: it stays.
    }
  }
  unlinkSync(aside);
}

/** The lock's holder; "gone" when there is no lock file, "unreadable" when it names none. */
export async function readHolder(lockPath: string): Promise<RecordedLockHolder | "gone" | "unreadable"> {
  try {
    return parseHolder(await readFile(lockPath, "utf8")) ?? "unreadable";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable";
  }
}

/** The holder a lock file names; undefined when half-written or not ours to read. */
export function parseHolder(text: string): RecordedLockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<RecordedLockHolder>;
    if (typeof parsed.id === "string" && typeof parsed.pid === "number") return parsed as RecordedLockHolder;
  } catch {
    // Half-written: reported as a lock without a known holder.
  }
  return undefined;
}
