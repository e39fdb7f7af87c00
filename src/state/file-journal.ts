/**
 * The journal of a state file: `<state>.journal` beside it (state-journal.ts has the format).
 * Appends are plain writes, not flushed: once write() returns the record is in the kernel, and a
 * killed process loses nothing. `sync()` (every few seconds, and at the end of a run) makes it
 * survive a power loss as well.
 */
import { constants } from "node:fs";
import { type FileHandle, lstat, open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { StateIOError } from "../errors.js";
import {
  type JournalBase,
  type JournalChange,
  journalHeaderLine,
  type JournalReading,
  journalRecordLine,
  parseJournalText,
  type StateJournal,
} from "./state-journal.js";

/** A journal larger than this is refused unread (a state of a million users is about 200 MB). */
export const JOURNAL_MAX_BYTES = 1024 * 1024 * 1024;

export function journalPathOf(statePath: string): string {
  return `${statePath}.journal`;
}

/** The journal beside a state file; none when there is no file. */
export async function readJournalFile(path: string): Promise<JournalReading> {
  const text = await readJournalText(path);
  return text === undefined ? { kind: "none" } : parseJournalText(path, text);
}

/** The journal's text, undefined when there is none; a link or anything but a regular file is refused. */
async function readJournalText(path: string): Promise<string | undefined> {
  try {
    const info = await lstat(path);
    if (!info.isFile()) throw new Error(`${path} is not a regular file (a link, a folder or a device); a journal is only ever a file`);
    if (info.size > JOURNAL_MAX_BYTES) throw new Error(`${path} is larger than ${JOURNAL_MAX_BYTES} bytes`);
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateIOError(path, "read", error);
  }
}

/**
 * Opens the journal for results after `base`. A journal already there that follows the same
 * state (results of an interrupted run, folded into the state this run read) is carried on, a
 * record cut off by a kill trimmed away; any other is replaced: the caller holds the lock and read
 * the state, which refused a journal that does not belong to it.
 */
export async function openFileJournal(path: string, base: JournalBase, replaced: () => Promise<Error>): Promise<StateJournal> {
  try {
    const text = await readJournalText(path);
    const found = text === undefined ? ({ kind: "none" } as const) : parseJournalText(path, text);
    const carriedOn =
      found.kind === "journal" && found.journal.base.lineage === base.lineage && found.journal.base.serial === base.serial
        ? found
        : undefined;
    let handle: FileHandle;
    let seq: number;
    if (carriedOn && text !== undefined) {
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
      // A record cut off by a kill would sit in the middle once more are appended.
      await handle.truncate(Buffer.byteLength(text.slice(0, carriedOn.wholeLength)));
      seq = carriedOn.journal.records.length;
    } else {
      handle = await open(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND | constants.O_NOFOLLOW,
        0o600,
      );
      await handle.write(journalHeaderLine(base));
      seq = 0;
    }
    const { dev, ino } = await handle.stat();
    return new FileJournal(path, handle, seq, { dev, ino }, replaced);
  } catch (error) {
    if (error instanceof StateIOError) throw error;
    throw new StateIOError(path, "write", error);
  }
}

class FileJournal implements StateJournal {
  private dirty = true;
  private dirSynced = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private seq: number,
    private readonly identity: { readonly dev: number; readonly ino: number },
    private readonly replaced: () => Promise<Error>,
  ) {}

  /**
   * Appends a record, unless the journal at `path` is no longer this one: another run wrote the
   * state (which removes the journal) or journals itself, so this run's lock was taken from it.
   * The run is told at its next call rather than at its final write.
   */
  async append(changes: readonly JournalChange[]): Promise<void> {
    if (changes.length === 0) return;
    if (this.closed) throw new StateIOError(this.path, "write", new Error("the journal was closed"));
    const now = await stat(this.path).catch(() => undefined);
    if (now?.dev !== this.identity.dev || now.ino !== this.identity.ino) throw await this.replaced();
    const line = journalRecordLine(this.seq + 1, changes);
    try {
      await this.handle.write(line);
    } catch (error) {
      throw new StateIOError(this.path, "write", error);
    }
    this.seq += 1;
    this.dirty = true;
  }

  async sync(): Promise<void> {
    if (this.closed || !this.dirty) return;
    this.dirty = false;
    try {
      await this.handle.datasync();
      if (!this.dirSynced) {
        // The file's own name must survive a power loss too.
        await syncFolder(dirname(this.path));
        this.dirSynced = true;
      }
    } catch (error) {
      this.dirty = true;
      throw new StateIOError(this.path, "write", error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
    } finally {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
  }
}

/** fsync of a folder, so a file created or renamed in it keeps its name after a power loss. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
