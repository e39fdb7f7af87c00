/**
 * The optional data file that keeps the emulator's users across restarts: read once at start,
 * rewritten atomically (temp file in the same folder, fsync, rename) after every change, so a
 * crash leaves either the old file or the new one, never half of one.
 *
 * Writes are grouped: changes that arrive while a write is running share the next write, and
 * each request is answered only after a write that includes its change has finished. That keeps
 * "the file holds what was acknowledged" true without one disk write per request.
 */
import { messageOf } from "./error-codes.js";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type EmulatedUser, randomSerial } from "./store.js";
import { checkCreate, isPlainObject } from "./validation.js";

export const DATA_FILE_FORMAT_VERSION = 1;

export interface DataFileContent {
  readonly formatVersion: typeof DATA_FILE_FORMAT_VERSION;
  readonly users: readonly EmulatedUser[];
}

// Stored users are replaced, never mutated, so each one's JSON can be kept: a rewrite then costs a join, not a full serialization.
const userJsonCache = new WeakMap<EmulatedUser, string>();

function userJson(user: EmulatedUser): string {
  let json = userJsonCache.get(user);
  if (json === undefined) {
    json = JSON.stringify(user);
    userJsonCache.set(user, json);
  }
  return json;
}

/** The file's text: a `DataFileContent`, one user per line so that it diffs and greps well. */
export function serializeUsers(users: readonly EmulatedUser[]): string {
  const lines = users.map(userJson).join(",\n    ");
  const body = users.length === 0 ? "[]" : `[\n    ${lines}\n  ]`;
  return `{\n  "formatVersion": ${DATA_FILE_FORMAT_VERSION},\n  "users": ${body}\n}\n`;
}

/**
 * Users from a data file's text. Hand-written files are welcome: a user follows the create rules
 * (with no password field), and a missing serial is drawn at random. Throws an Error naming the file
 * and the first bad user.
 */
export function parseDataFile(text: string, path: string): EmulatedUser[] {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new Error(`emulator data file ${path} is not valid JSON: ${messageOf(error)}`);
  }
  if (!isPlainObject(content) || content.formatVersion !== DATA_FILE_FORMAT_VERSION || !Array.isArray(content.users)) {
    throw new Error(
      `emulator data file ${path} must be {"formatVersion": ${DATA_FILE_FORMAT_VERSION}, "users": [...]} (as the emulator writes it)`,
    );
  }
  return content.users.map((raw: unknown, index) => {
    const { serial, ...fields } = isPlainObject(raw) ? raw : { serial: undefined };
    if (serial !== undefined && (typeof serial !== "string" || serial === "")) {
      throw new Error(`emulator data file ${path}: users[${index}].serial must be a non-empty string`);
    }
    if ("password" in fields) {
      // The emulator never keeps passwords; one in the file is a mistake worth stopping for.
      throw new Error(`emulator data file ${path}: users[${index}].password: passwords do not belong in the data file`);
    }
    const checked = checkCreate(isPlainObject(raw) ? fields : raw);
    if (!checked.ok) throw new Error(`emulator data file ${path}: users[${index}]: ${checked.error.detail}`);
    const user = checked.value;
    return {
      ...user,
      tagSerials: user.tagSerials ?? [],
      serial: serial ?? randomSerial(),
    };
  });
}

/** The users in `path`, or undefined when the file does not exist yet. */
export async function readDataFile(path: string): Promise<EmulatedUser[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read emulator data file ${path}: ${messageOf(error)}`, { cause: error });
  }
  return parseDataFile(text, path);
}

let temporaryCounter = 0;

/** Writes `text` to `path` so that readers see the old content or the new one, never a mix. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${++temporaryCounter}.tmp`);
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Group-commit writer: `save()` resolves once a write that started after the call has finished. */
export class DataFileWriter {
  private requested = 0;
  private waiters: Waiter[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly snapshot: () => string,
  ) {}

  save(): Promise<void> {
    const revision = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ revision, resolve, reject }));
    this.draining ??= this.drain();
    return done;
  }

  /** Resolves when no write is pending; never rejects (failures went to the savers). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    let written = 0;
    try {
      while (written < this.requested) {
        const revision = this.requested;
        let failure: Error | undefined;
        try {
          // Snapshot synchronously: everything changed up to now is in this write.
          await writeFileAtomically(this.path, this.snapshot());
        } catch (error) {
          failure = new Error(`could not write ${this.path}: ${messageOf(error)}`, { cause: error });
        }
        written = revision;
        const settled = this.waiters.filter((w) => w.revision <= revision);
        this.waiters = this.waiters.filter((w) => w.revision > revision);
        for (const waiter of settled) {
          if (failure) waiter.reject(failure);
          else waiter.resolve();
        }
      }
    } finally {
      // Same tick as the last loop test, so a save() can never find a finished drain still marked as running.
      this.draining = undefined;
    }
  }
}
