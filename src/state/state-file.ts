/**
 * The file state store: `.ruangkerja/state.json` by default. Writes go to a temporary file in
 * the same folder, are flushed, then renamed over the old one, so a reader (or a crash) only
 * ever sees a whole state. The lock is a file created with O_EXCL beside it, naming its holder.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, unlink } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { dirname } from "node:path";
import { InvalidInputError, type LockHolder, StateConflictError, StateIOError, StateLockedError } from "../errors.js";
import { parseStateJson, type StateDocument, stateToJson } from "./state-document.js";
import type { LockOptions, StateLock, StateStore } from "./state-store.js";

export const DEFAULT_STATE_PATH = ".ruangkerja/state.json";

export class FileStateStore implements StateStore {
  readonly lockPath: string;

  constructor(readonly location: string) {
    this.lockPath = `${location}.lock`;
  }

  async read(): Promise<StateDocument | undefined> {
    let text: string;
    try {
      text = await readFile(this.location, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateIOError(this.location, "read", error);
    }
    const { state, diagnostics } = parseStateJson(this.location, text);
    if (!state) throw new InvalidInputError(`cannot use the state file ${this.location}`, diagnostics);
    return state;
  }

  /**
   * Writes `state` unless the stored one is not its predecessor (same lineage, serial one lower):
   * then another process wrote meanwhile, and StateConflictError keeps its write. No state on
   * disk is fine (a first write, or a state deleted by hand). The check and the rename are not
   * one atomic step; the lock keeps other applies out, the check catches a writer that ignored
   * it (a force-unlock while the run was alive, a lock file deleted by hand).
   */
  async write(state: StateDocument): Promise<void> {
    const found = await this.readIdentity();
    if (found !== "absent" && (found === "unreadable" || found.lineage !== state.lineage || found.serial !== state.serial - 1)) {
      throw new StateConflictError(this.location, found === "unreadable" ? undefined : found, {
        lineage: state.lineage,
        serial: state.serial - 1,
      });
    }
    try {
      await this.writeAtomically(state);
    } catch (error) {
      throw new StateIOError(this.location, "write", error);
    }
  }

  /** The lineage and serial on disk; cheap for the files we write, which name them first. */
  private async readIdentity(): Promise<{ lineage: string; serial: number } | "absent" | "unreadable"> {
    let text: string;
    try {
      const handle = await open(this.location, "r");
      try {
        const head = Buffer.alloc(IDENTITY_HEAD_BYTES);
        const { bytesRead } = await handle.read(head, 0, head.length, 0);
        text = head.subarray(0, bytesRead).toString("utf8");
        const lineage = /"lineage"\s*:\s*"([^"\\]*)"/.exec(text)?.[1];
        const serial = /"serial"\s*:\s*(\d+)\s*,/.exec(text)?.[1];
        if (lineage !== undefined && serial !== undefined && text.indexOf('"serial"') < text.indexOf('"users"')) {
          return { lineage, serial: Number(serial) };
        }
        text = await readFile(this.location, "utf8");
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
      throw new StateIOError(this.location, "read", error);
    }
    const { state } = parseStateJson(this.location, text);
    return state ? { lineage: state.lineage, serial: state.serial } : "unreadable";
  }

  private async writeAtomically(state: StateDocument): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true });
    const temp = `${this.location}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(stateToJson(state), null, 2)}\n`, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, this.location);
  }

  /**
   * Takes the lock, or throws StateLockedError naming the holder (stale when it is a dead process
   * of this host). With a timeout, polls with growing pauses (0.1 s up to 1 s) until it is free,
   * the time is up, or `signal` aborts.
   */
  async lock(operation: string, options: LockOptions = {}): Promise<StateLock> {
    const holder: LockHolder = {
      id: randomUUID(),
      who: safeUsername(),
      host: hostname(),
      pid: process.pid,
      operation,
      since: new Date().toISOString(),
    };
    const timeoutMs = options.timeoutMs ?? 0;
    const started = Date.now();
    let pause = 100;
    for (let attempt = 1; ; attempt++) {
      if (await this.tryCreateLock(holder)) return this.heldLock(holder);
      const current = await readHolder(this.lockPath);
      // Released between our attempt and the read: try again at once (a few times only).
      if (current === "gone" && attempt < 5) continue;
      const waited = Date.now() - started;
      if (waited >= timeoutMs || options.signal?.aborted) {
        // A lock file without a holder is usually one being written this very moment: look once more.
        if (current === "unreadable" && attempt === 1) {
          await delay(50);
          continue;
        }
        throw this.lockedError(typeof current === "string" ? undefined : current, timeoutMs > 0 ? waited : undefined);
      }
      await delay(Math.min(pause, timeoutMs - waited), options.signal);
      pause = Math.min(pause * 2, 1000);
    }
  }

  /**
   * Removes the lock if its ID is `lockId` (as the locked message prints it); returns the holder
   * it removed. Refuses (InvalidInputError) when there is no lock or another ID holds it.
   */
  async forceUnlock(lockId: string): Promise<LockHolder> {
    const current = await readHolder(this.lockPath);
    if (current === "gone") throw new InvalidInputError(`the state at ${this.location} is not locked (no ${this.lockPath})`, []);
    if (current === "unreadable") {
      throw new InvalidInputError(
        `the lock file ${this.lockPath} names no holder, so it has no lock ID; if no apply is running, delete the file`,
        [],
      );
    }
    if (current.id !== lockId) {
      throw new InvalidInputError(
        `lock ID ${JSON.stringify(lockId)} does not match the lock on ${this.location}, which is ${current.id} (held by ${current.who}@${current.host}, pid ${current.pid}, since ${current.since}); nothing was removed`,
        [],
      );
    }
    try {
      await unlink(this.lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new StateIOError(this.lockPath, "lock", error);
    }
    return current;
  }

  /** Who holds the lock now, and whether that is a dead process of this host; undefined when unlocked. */
  async readLock(): Promise<{ holder: LockHolder | undefined; stale: boolean } | undefined> {
    const current = await readHolder(this.lockPath);
    if (current === "gone") return undefined;
    if (current === "unreadable") return { holder: undefined, stale: false };
    return { holder: current, stale: current.host === hostname() && !isProcessAlive(current.pid) };
  }

  /** The stale-or-not verdict and the exact command that clears this lock. */
  private lockedError(holder: LockHolder | undefined, waitedMs: number | undefined): StateLockedError {
    if (!holder) return new StateLockedError(this.lockPath, undefined, waitedMs ? { waitedMs } : {});
    const stateFlag = this.location === DEFAULT_STATE_PATH ? "" : ` --state ${shellQuote(this.location)}`;
    return new StateLockedError(this.lockPath, holder, {
      stale: holder.host === hostname() && !isProcessAlive(holder.pid),
      unlockCommand: `ruangkerja-users force-unlock ${holder.id}${stateFlag}`,
      ...(waitedMs ? { waitedMs } : {}),
    });
  }

  /** Creates the lock file naming `holder`; false when someone else's exists. */
  private async tryCreateLock(holder: LockHolder): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      await mkdir(dirname(this.lockPath), { recursive: true });
      handle = await open(this.lockPath, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw new StateIOError(this.lockPath, "lock", error);
    }
    try {
      await handle.writeFile(`${JSON.stringify(holder, null, 2)}\n`, "utf8");
      await handle.close();
    } catch (error) {
      // A lock without a readable holder would block every later apply: take it back.
      await handle.close().catch(() => undefined);
      await unlink(this.lockPath).catch(() => undefined);
      throw new StateIOError(this.lockPath, "lock", error);
    }
    return true;
  }

  private heldLock(holder: LockHolder): StateLock {
    const lockPath = this.lockPath;
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        // Remove only our own lock: someone may have force-removed it and taken a new one.
        const current = await readHolder(lockPath);
        if (typeof current !== "string" && current.id === holder.id) await unlink(lockPath).catch(() => undefined);
      },
      releaseSync() {
        if (released) return;
        released = true;
        try {
          if (parseHolder(readFileSync(lockPath, "utf8"))?.id === holder.id) unlinkSync(lockPath);
        } catch {
          // Gone: nothing to remove.
        }
      },
    };
  }
}

/** Enough of a state file to hold its formatVersion, lineage and serial, which stateToJson writes first. */
const IDENTITY_HEAD_BYTES = 4096;

/** Resolves after `ms`, or at once when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Whether a process of this host with that pid exists (EPERM: it exists, but is someone else's). */
function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function shellQuote(text: string): string {
  return /^[\w./:@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The lock's holder; "gone" when there is no lock file, "unreadable" when it names none. */
async function readHolder(lockPath: string): Promise<LockHolder | "gone" | "unreadable"> {
  try {
    return parseHolder(await readFile(lockPath, "utf8")) ?? "unreadable";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable";
  }
}

/** The holder a lock file names; undefined when half-written or not ours to read. */
function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.id === "string" && typeof parsed.pid === "number") return parsed as LockHolder;
  } catch {
    // Half-written: reported as a lock without a known holder.
  }
  return undefined;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown user";
  }
}
