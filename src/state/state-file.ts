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
import { InvalidInputError, type LockHolder, StateIOError, StateLockedError } from "../errors.js";
import { parseStateJson, type StateDocument, stateToJson } from "./state-document.js";
import type { StateLock, StateStore } from "./state-store.js";

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

  async write(state: StateDocument): Promise<void> {
    try {
      await this.writeAtomically(state);
    } catch (error) {
      throw new StateIOError(this.location, "write", error);
    }
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

  async lock(operation: string): Promise<StateLock> {
    const holder: LockHolder = {
      id: randomUUID(),
      who: safeUsername(),
      host: hostname(),
      pid: process.pid,
      operation,
      since: new Date().toISOString(),
    };
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      await mkdir(dirname(this.lockPath), { recursive: true });
      handle = await open(this.lockPath, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new StateLockedError(this.lockPath, await readHolder(this.lockPath));
      }
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
    const lockPath = this.lockPath;
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        // Remove only our own lock: someone may have force-removed it and taken a new one.
        const current = await readHolder(lockPath);
        if (current?.id === holder.id) await unlink(lockPath).catch(() => undefined);
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

async function readHolder(lockPath: string): Promise<LockHolder | undefined> {
  try {
    return parseHolder(await readFile(lockPath, "utf8"));
  } catch {
    return undefined; // gone or unreadable
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
