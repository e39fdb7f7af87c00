/**
 * The state of one apply: the document in memory, changed user by user as results arrive. After
 * every bulk call `record()` appends what the call changed to the store's journal (cheap: the
 * call's users, not the state); `save()` writes the whole state with the next serial, which the
 * journal's results then belong to. Every write is queued, so two never interleave.
 */
import type { AppliedUser } from "../model.js";
import type { StateDocument } from "./state-document.js";
import type { JournalChange, StateJournal } from "./state-journal.js";
import type { StateStore } from "./state-store.js";

export class StateSession {
  private users: Map<string, AppliedUser>;
  private serial: number;
  private readonly lineage: string;
  private readonly formatVersion: number;
  private readonly apiOrigin: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Changes since the last record() or save(). */
  private pending: JournalChange[] = [];
  private journal: StateJournal | undefined;
  /** Changes recorded (or pending) since the state's last full write, the journal's of an interrupted run included. */
  private unsaved: boolean;

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
    this.unsaved = (initial.journaled ?? 0) > 0;
  }

  /** Records a user as applied (under its current employeeID). */
  put(user: AppliedUser): void {
    this.users.set(user.employeeID, user);
    this.pending.push({ user });
    this.unsaved = true;
  }

  /** Records a rename: the entry under `from` now lives under the new record's employeeID. */
  move(from: string, user: AppliedUser): void {
    this.users.delete(from);
    this.users.set(user.employeeID, user);
    this.pending.push({ from, user });
    this.unsaved = true;
  }

  /** True when the state in the store lacks changes this session (or an interrupted run's journal) holds. */
  get hasUnsaved(): boolean {
    return this.unsaved;
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

  /**
   * Appends the changes since the last record to the journal; resolves once they would survive
   * the process being killed. A store without a journal writes the whole state instead.
   */
  record(): Promise<void> {
    if (!this.store.openJournal) return this.save();
    return this.enqueue(async () => {
      if (this.pending.length === 0) return;
      this.journal ??= await this.store.openJournal?.({
        lineage: this.lineage,
        serial: this.serial,
        ...(this.apiOrigin !== undefined && { apiOrigin: this.apiOrigin }),
      });
      const changes = this.pending;
      this.pending = [];
      try {
        await this.journal?.append(changes);
      } catch (error) {
        this.pending = [...changes, ...this.pending];
        throw error;
      }
    });
  }

  /** Makes the journal survive a power loss too. */
  sync(): Promise<void> {
    return this.enqueue(async () => {
      await this.journal?.sync();
    });
  }

  /** Writes the current users with the next serial; resolves when this write (and those before it) is stored. */
  save(): Promise<void> {
    return this.enqueue(async () => {
      // The journal follows the state about to be replaced: flushed, so a failed write loses nothing.
      const journal = this.journal;
      this.journal = undefined;
      await journal?.close();
      this.serial += 1;
      try {
        await this.store.write(this.snapshot());
      } catch (error) {
        // Not written: the next write still follows the state in the store (and its journal).
        this.serial -= 1;
        throw error;
      }
      this.pending = [];
      this.unsaved = false;
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    // A failed write must fail its caller, but not poison the queue for the writes after it.
    this.queue = next.catch(() => undefined);
    return next;
  }
}
