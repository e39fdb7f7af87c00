/**
 * Who takes a state lock: recorded with the lock, so whoever finds it taken can say who holds it,
 * and, on the same machine, prove that the holder is gone.
 *
 * A pid alone proves nothing: pids are reused, and containers that share a host name (Docker's
 * `--network host`, a pod's sidecars, CI job containers) each number their processes from 1.
 * So the holder also records where its pid means something and which process it was: the boot
 * id (one per running kernel: every container on a machine shares it, another machine or a
 * reboot has another), the inode of its pid namespace (/proc/self/ns/pid: the same only for
 * processes that see the same pids), and its start time (field 22 of /proc/<pid>/stat, in clock
 * ticks since boot). When all three match ours, /proc/<pid>/stat answers for the holder: absent,
 * or started at another time, means it is dead. Anything else (another host, another boot or
 * namespace, no /proc, a lock written by an older version) cannot be proven, and force-unlock
 * stays the way.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import type { LockHolder } from "../errors.js";

/** Where a holder's pid means something, and which process it names there. */
export interface ProcessIdentity {
  /** /proc/sys/kernel/random/boot_id: one per boot of one kernel. */
  readonly bootId: string;
  /** The target of /proc/self/ns/pid, e.g. `pid:[4026531836]`. */
  readonly pidNamespace: string;
  /** Field 22 of /proc/<pid>/stat: the process's start, in clock ticks after boot. */
  readonly startTime: string;
}

/** A lock holder as this version records it in a lock file. */
export interface RecordedLockHolder extends LockHolder {
  /** Absent where there is no /proc (macOS, Windows) and in locks of older versions. */
  readonly process?: ProcessIdentity;
}

/** What can be said about a lock's holder from here. */
export type HolderVerdict =
  | { readonly kind: "alive" }
  /** Proven gone: the lock may be taken over. `reason` completes "process N …". */
  | { readonly kind: "dead"; readonly reason: string }
  /**
   * Looks gone, or cannot be seen, but is not proven gone: force-unlock decides. `pidOnly`: all
   * that was checked is that no process of this pid runs here (a lock without a process record).
   */
  | { readonly kind: "maybe-dead"; readonly reason: string; readonly pidOnly: boolean }
  /** Cannot be checked from here: another host. */
  | { readonly kind: "unknown" };

export function newLockHolder(operation: string): RecordedLockHolder {
  const identity = ownProcessIdentity();
  return {
    id: randomUUID(),
    who: safeUsername(),
    host: hostname(),
    pid: process.pid,
    operation,
    since: new Date().toISOString(),
    ...(identity && { process: identity }),
  };
}

/** The identity of this process, or undefined without a readable /proc. */
export function ownProcessIdentity(): ProcessIdentity | undefined {
  try {
    const startTime = startTimeOf("self");
    if (startTime === undefined) return undefined;
    return {
      bootId: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
      pidNamespace: readlinkSync("/proc/self/ns/pid"),
      startTime,
    };
  } catch {
    return undefined;
  }
}

/** Whether `holder` (read from a lock file) still runs, as far as this process can tell. */
export function judgeHolder(holder: RecordedLockHolder, own: ProcessIdentity | undefined = ownProcessIdentity()): HolderVerdict {
  if (holder.host !== hostname()) return { kind: "unknown" };
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return { kind: "maybe-dead", reason: "is not a process id", pidOnly: true };
  const recorded = holder.process;
  if (recorded && own && recorded.bootId === own.bootId && recorded.pidNamespace === own.pidNamespace) {
    const now = startTimeOf(String(holder.pid));
    if (now === undefined) return { kind: "dead", reason: "no longer runs on this host" };
    if (now !== recorded.startTime) return { kind: "dead", reason: "no longer runs on this host (its pid now belongs to another process)" };
    return { kind: "alive" };
  }
  if (recorded && own) {
    // Its pid names a process we cannot see (or one of another boot): whatever kill(pid, 0) says here is about someone else.
    const reason =
      recorded.bootId !== own.bootId
        ? `ran under another boot id (${recorded.bootId}): another machine with the same host name, or this one before a reboot`
        : `ran in another pid namespace (${recorded.pidNamespace}; this process is in ${own.pidNamespace}): another container with the same host name`;
    return { kind: "maybe-dead", reason, pidOnly: false };
  }
  // A lock of an older version, or no /proc: the pid is all there is, and it may have been reused.
  if (isProcessAlive(holder.pid)) return { kind: "alive" };
  return { kind: "maybe-dead", reason: "no longer runs on this host", pidOnly: true };
}

/** Field 22 (starttime) of /proc/<pid>/stat; undefined when there is no such process. */
function startTimeOf(pid: string): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/** Whether a process with that pid exists here (EPERM: it exists, but is someone else's). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown user";
  }
}
