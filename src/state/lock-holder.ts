/** Who takes a state lock: recorded with the lock, so whoever finds it taken can say who holds it. */
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import type { LockHolder } from "../errors.js";

export function newLockHolder(operation: string): LockHolder {
  return { id: randomUUID(), who: safeUsername(), host: hostname(), pid: process.pid, operation, since: new Date().toISOString() };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown user";
  }
}
