/**
 * `force-unlock LOCK_ID`: removes a state lock a killed run left behind, as Terraform's
 * force-unlock does. The ID comes from the "state is locked" message, so a lock is only ever
 * removed by someone who read who holds it; a wrong ID removes nothing.
 */
import { NotApprovedError } from "../../errors.js";
import { confirm } from "../confirm.js";
import { EXIT_OK } from "../exit-codes.js";
import { type CommonFlags, type Environment, openStateFromFlags } from "../options.js";
import type { Output } from "../output.js";

export interface ForceUnlockFlags extends CommonFlags {
  readonly force?: boolean;
}

export interface ForceUnlockIO {
  readonly output: Output;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly prompt: NodeJS.WritableStream;
}

export async function runForceUnlock(lockId: string, flags: ForceUnlockFlags, env: Environment, io: ForceUnlockIO): Promise<number> {
  const store = openStateFromFlags(flags, env);
  if (!flags.force) {
    if (io.stdin.isTTY !== true) {
      throw new NotApprovedError(
        "force-unlock needs confirmation, but standard input is not a terminal: run it in a terminal, or pass --force",
      );
    }
    const lock = await store.readLock();
    const held = lock?.holder
      ? `held by ${lock.holder.who}@${lock.holder.host} (pid ${lock.holder.pid}, ${lock.holder.operation}) since ${lock.holder.since}${
          lock.stale ? "; that process no longer runs" : ""
        }`
      : "not found";
    const yes = await confirm(
      `Remove the lock ${lockId} on ${store.location} (${held})?\n` +
        "  If that run is still alive, two runs could then write state at once.\n" +
        "  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ",
      io.stdin,
      io.prompt,
    );
    if (!yes) throw new NotApprovedError("force-unlock cancelled: the lock was not removed.");
  }
  const holder = await store.forceUnlock(lockId);
  io.output.out(
    `Removed the lock ${holder.id} on ${store.location} (held by ${holder.who}@${holder.host}, pid ${holder.pid}, ${holder.operation}, since ${holder.since}).`,
  );
  return EXIT_OK;
}
