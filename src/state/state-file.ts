/**
 * The file state store: `.ruangkerja/state.json` by default. Writes go to a temporary file in
 * the same folder, are flushed, then renamed over the old one, so a reader (or a crash) only
 * ever sees a whole state. The lock is a file created with O_EXCL beside it, naming its holder;
 * a holder proven dead (lock-holder.ts) is taken over, and a lock is only ever removed after
 * renaming it to a name of our own and finding there the ID we meant to remove.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InvalidInputError, type LockHolder, StateConflictError, StateIOError, StateLockedError } from "../errors.js";
import { readCompactState } from "./compact-state.js";
import { journalPathOf, openFileJournal, readJournalFile, syncFolder } from "./file-journal.js";
import { readHolder, removeLockIf, removeLockIfSync } from "./lock-file.js";
import { judgeHolder, newLockHolder, type RecordedLockHolder } from "./lock-holder.js";
import { parseStateJson, type StateDocument, stateToText } from "./state-document.js";
import { foldJournal, type JournalBase, type StateJournal } from "./state-journal.js";
import type { LockOptions, StateLock, StateStore, TakenOverLock } from "./state-store.js";

export const DEFAULT_STATE_PATH = ".ruangkerja/state.json";

export class FileStateStore implements StateStore {
  readonly lockPath: string;
  /** Results of a run since the state's last full write (state-journal.ts). */
  readonly journalPath: string;

  constructor(readonly location: string) {
    this.lockPath = `${location}.lock`;
    this.journalPath = journalPathOf(location);
  }

  /** The state file with its journal folded in (state-journal.ts). */
  async read(): Promise<StateDocument | undefined> {
    const state = await this.readFile();
    const journal = await readJournalFile(this.journalPath);
    if (journal.kind === "none") return state;
    if (journal.kind === "damaged") throw new InvalidInputError(`cannot use the state journal ${this.journalPath}`, journal.diagnostics);
    const folded = foldJournal(state, journal.journal, { file: this.journalPath });
    if (folded.diagnostics) throw new InvalidInputError(`cannot use the state journal ${this.journalPath}`, folded.diagnostics);
    return folded.state;
  }

  private async readFile(): Promise<StateDocument | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.location);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateIOError(this.location, "read", error);
    }
    // As apply writes it, a line at a time; anything else whole, with every problem located.
    const compact = readCompactState(bytes);
    if (compact) return compact;
    const { state, diagnostics } = parseStateJson(this.location, bytes.toString("utf8"));
    if (!state) throw new InvalidInputError(`cannot use the state file ${this.location}`, diagnostics);
    return state;
  }

  /** The journal for results after `base` (the state as last written); the caller holds the lock. */
  openJournal(base: JournalBase): Promise<StateJournal> {
    return openFileJournal(this.journalPath, base, async () => new StateConflictError(this.location, await this.foundIdentity(), base));
  }

  /**
   * Writes `state` unless the stored one is not its predecessor (same lineage, serial one lower):
   * then another process wrote meanwhile, and StateConflictError keeps its write. No state on
   * disk is fine (a first write, or a state deleted by hand).
   *
   * The check and the rename are two steps, so the new state is first written to a claim file
   * named after its serial, created with O_EXCL: of two writers racing to the same next serial
   * only one creates it, and the other is refused. The claim is checked against the state on
   * disk only once made, and the rename consumes it; so a writer that comes after the winner's
   * rename finds the winner's serial and is refused too. The lock keeps other applies out; this
   * catches writers that ignored it (a force-unlock while the run was alive, a lock deleted by hand).
   */
  async write(state: StateDocument): Promise<void> {
    const expected = { lineage: state.lineage, serial: state.serial - 1 };
    const claim = this.claimPath(state.serial);
    try {
      await mkdir(dirname(this.location), { recursive: true });
      if (!(await writeSynced(claim, state))) throw new StateConflictError(this.location, await this.foundIdentity(), expected);
    } catch (error) {
      if (error instanceof StateConflictError) throw error;
      throw new StateIOError(this.location, "write", error);
    }
    try {
      const found = await this.readIdentity();
      if (found !== "absent" && (found === "unreadable" || found.lineage !== expected.lineage || found.serial !== expected.serial)) {
        throw new StateConflictError(this.location, found === "unreadable" ? undefined : found, expected);
      }
      await rename(claim, this.location).catch((error: unknown) => {
        throw new StateIOError(this.location, "write", error);
      });
    } catch (error) {
      await rm(claim, { force: true });
      throw error;
    }
    await this.afterWrite();
  }

  /**
   * The new state holds what the journal held: the journal goes, and the folder is flushed so
   * the rename survives a power loss. A journal left by a failure here follows the previous
   * serial, and a reader skips it as folded.
   */
  private async afterWrite(): Promise<void> {
    try {
      await rm(this.journalPath, { force: true });
      await syncFolder(dirname(this.location));
    } catch (error) {
      throw new StateIOError(this.location, "write", error);
    }
  }

  /**
   * Writes `state` whatever the file holds now: for `state migrate --force`, which holds the lock
   * and checked what it replaces itself (and set the old file aside). Every other writer uses write().
   */
  async replace(state: StateDocument): Promise<void> {
    try {
      await mkdir(dirname(this.location), { recursive: true });
      const temp = `${this.location}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
      await writeSynced(temp, state);
      await rename(temp, this.location).catch(async (error: unknown) => {
        await rm(temp, { force: true });
        throw error;
      });
    } catch (error) {
      throw new StateIOError(this.location, "write", error);
    }
    await this.afterWrite();
  }

  /** Where the writer of `serial` puts it before the rename (see write()). */
  private claimPath(serial: number): string {
    return `${this.location}.${serial}.next`;
  }

  /**
   * Claim files (`<state>.<serial>.next`) and temporary files (`<state>.<pid>.<id>.tmp`, from
   * replace() or an earlier version's writes) a killed writer left; removed by whoever takes the
   * lock, since no writer that respects it can be mid-write.
   */
  private async removeLeftClaims(): Promise<void> {
    const prefix = `${basename(this.location)}.`;
    const names = await readdir(dirname(this.location)).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith(prefix) && /^(\d+\.next|\d+\.[0-9a-z-]+\.tmp)$/.test(name.slice(prefix.length))) {
        await rm(join(dirname(this.location), name), { force: true });
      }
    }
  }

  private async foundIdentity(): Promise<{ lineage: string; serial: number } | undefined> {
    const found = await this.readIdentity().catch(() => "unreadable" as const);
    return typeof found === "string" ? undefined : found;
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

  /**
   * Takes the lock, or throws StateLockedError naming the holder. A holder proven dead (see
   * lock-holder.ts) is taken over: its lock is removed, and the lock returned says so in
   * `takenOver`. With a timeout, polls with growing pauses (0.1 s up to 1 s) until it is free,
   * the time is up, or `signal` aborts.
   */
  async lock(operation: string, options: LockOptions = {}): Promise<StateLock> {
    const holder = newLockHolder(operation);
    const timeoutMs = options.timeoutMs ?? 0;
    const started = Date.now();
    let pause = 100;
    let takenOver: TakenOverLock | undefined;
    for (let attempt = 1; ; attempt++) {
      if (await this.tryCreateLock(holder)) {
        await this.removeLeftClaims();
        return this.heldLock(holder, takenOver);
      }
      const current = await readHolder(this.lockPath);
      // Released between our attempt and the read: try again at once (a few times only).
      if (current === "gone" && attempt < 5) continue;
      if (typeof current !== "string" && attempt < 10) {
        const verdict = judgeHolder(current);
        if (verdict.kind === "dead" && (await removeLockIf(this.lockPath, current.id))) {
          takenOver = {
            holder: current,
            message: `Took over the lock ${current.id} on ${this.location} from ${current.who}@${current.host} (pid ${current.pid}, ${current.operation}, since ${current.since}): that process ${verdict.reason}.`,
          };
          continue;
        }
      }
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
   * it removed. Refuses (InvalidInputError) when there is no lock or another ID holds it, also
   * when another lock replaced the one read here before it could be removed.
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
    if (current.id !== lockId) throw this.otherLockError(lockId, current);
    let removed: boolean;
    try {
      removed = await removeLockIf(this.lockPath, lockId);
    } catch (error) {
      throw new StateIOError(this.lockPath, "lock", error);
    }
    if (!removed) {
      const now = await readHolder(this.lockPath);
      if (typeof now !== "string") throw this.otherLockError(lockId, now);
    }
    return current;
  }

  /** Who holds the lock now, and whether that is a dead process of this host; undefined when unlocked. */
  async readLock(): Promise<{ holder: LockHolder | undefined; stale: boolean } | undefined> {
    const current = await readHolder(this.lockPath);
    if (current === "gone") return undefined;
    if (current === "unreadable") return { holder: undefined, stale: false };
    const verdict = judgeHolder(current);
    return { holder: current, stale: verdict.kind === "dead" || verdict.kind === "maybe-dead" };
  }

  private otherLockError(lockId: string, current: LockHolder): InvalidInputError {
    return new InvalidInputError(
      `lock ID ${JSON.stringify(lockId)} does not match the lock on ${this.location}, which is ${current.id} (held by ${current.who}@${current.host}, pid ${current.pid}, since ${current.since}); nothing was removed`,
      [],
    );
  }

  /** The stale-or-not verdict and the exact command that clears this lock. */
  private lockedError(holder: RecordedLockHolder | undefined, waitedMs: number | undefined): StateLockedError {
    if (!holder) return new StateLockedError(this.lockPath, undefined, waitedMs ? { waitedMs } : {});
    const stateFlag = this.location === DEFAULT_STATE_PATH ? "" : ` --state ${shellQuote(this.location)}`;
    const verdict = judgeHolder(holder);
    const details = {
      // "stale" as the message words it: no process of that pid runs here. A holder proven dead
      // was taken over instead; this is one that could only be checked by its pid.
      stale: verdict.kind === "maybe-dead" && verdict.pidOnly,
      unlockCommand: `ruangkerja-users force-unlock ${holder.id}${stateFlag}`,
      ...(waitedMs ? { waitedMs } : {}),
    };
    const error = new StateLockedError(this.lockPath, holder, details);
    if (verdict.kind !== "maybe-dead" || verdict.pidOnly) return error;
    const note = `The lock may be stale, but this cannot be proven from here: its holder ${verdict.reason}. If that run no longer runs, clear the lock with the command above.`;
    return new StateLockedError(this.lockPath, holder, details, `${error.message}\n${note}`);
  }

  /** Creates the lock file naming `holder`; false when someone else's exists. */
  private async tryCreateLock(holder: RecordedLockHolder): Promise<boolean> {
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

  private heldLock(holder: LockHolder, takenOver: TakenOverLock | undefined): StateLock {
    const lockPath = this.lockPath;
    let released = false;
    return {
      ...(takenOver && { takenOver }),
      async release() {
        if (released) return;
        released = true;
        // Remove only our own lock: someone may have force-removed it and taken a new one.
        await removeLockIf(lockPath, holder.id).catch(() => undefined);
      },
      releaseSync() {
        if (released) return;
        released = true;
        try {
          removeLockIfSync(lockPath, holder.id);
        } catch {
          // Gone, or not ours: nothing to remove.
        }
      },
    };
  }
}

/** Writes `state` to a new file at `path` (O_EXCL) and flushes it; false when `path` exists. */
async function writeSynced(path: string, state: StateDocument): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(stateToText(state), "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
  return true;
}

/** Enough of a state file to hold its formatVersion, lineage and serial, which stateToText writes first. */
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

function shellQuote(text: string): string {
  return /^[\w./:@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
