/**
 * The state of one apply: the document in memory, changed user by user as results arrive, and
 * written to the store after every bulk call. Saves are queued so concurrent chunks never
 * interleave two writes, and each write gets the next serial.
 */
import type { AppliedUser } from "../model.js";
import type { StateDocument } from "./state-document.js";
import type { StateStore } from "./state-store.js";

export class StateSession {
  private users: Map<string, AppliedUser>;
  private serial: number;
  private readonly lineage: string;
  private readonly formatVersion: number;
  private readonly apiOrigin: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  /** `apiOrigin`: the API this session applies to, recorded in every write (the initial state's when absent). */
  constructor(
    private readonly store: StateStore,
    initial: StateDocument,
    apiOrigin?: string,
  ) {
    this.users = new Map(initial.users);
    this.serial = initial.serial;
    this.lineage = initial.lineage;
    this.formatVersion = initial.formatVersion;
    this.apiOrigin = apiOrigin ?? initial.apiOrigin;
  }

  /** Records a user as applied (under its current employeeID). */
  put(user: AppliedUser): void {
    this.users.set(user.employeeID, user);
  }

  /** Records a rename: the entry under `from` now lives under the new record's employeeID. */
  move(from: string, user: AppliedUser): void {
    this.users.delete(from);
    this.users.set(user.employeeID, user);
  }

  snapshot(): StateDocument {
    return {
      formatVersion: this.formatVersion,
      lineage: this.lineage,
      serial: this.serial,
      ...(this.apiOrigin !== undefined && { apiOrigin: this.apiOrigin }),
      users: new Map(this.users),
    };
  }

  /** Writes the current users with the next serial; resolves when this write (and those before it) is on disk. */
  save(): Promise<void> {
    const next = this.queue.then(async () => {
      this.serial += 1;
      try {
        await this.store.write(this.snapshot());
      } catch (error) {
        // Not written: the next write still follows the state on disk.
        this.serial -= 1;
        throw error;
      }
    });
    // A failed write must fail its caller, but not poison the queue for the writes after it.
    this.queue = next.catch(() => undefined);
    return next;
  }
}
