/**
 * The apply schedule — pure: which steps a plan takes, in which phase, and how a phase's steps are
 * grouped into requests. No I/O here: the run (apply-run.ts) tallies what each step came to, the
 * sender (send-batch.ts) makes the calls, and apply-plan.ts drives the phases in order.
 *
 * 1. records: updates, renames and deactivations first, so that a create reusing a username or an
 *    id that one of them frees does not collide. An action that also changes the e-mail sends its
 *    record without it here (email-changes.ts).
 * 2. relocations (locate-user.ts): the records refused with USER_NOT_FOUND whose person was found
 *    under another id of their chain (a rename whose reply was lost), sent again from there.
 * 3. e-mails: e-mail-only changes, then the e-mail of each action whose record has landed (after a
 *    rename, under the new id); before the creates, which may reuse an address given up here.
 * 4. creates.
 * 5. adoptions (--adopt, adopt.ts): the creates refused with USER_EMPLOYEE_ID_EXISTS, as updates.
 *
 * In phases 1 to 3 a step refused because another user still held the username or the e-mail is
 * sent once more after the phase's other requests, when that user may have given it up. Records,
 * relocations and adoptions go through update-bulk, or through PUT one by one when they change
 * organizationSerial (update-bulk does not take it).
 */
import type { ApiReplyError } from "../errors.js";
import type { AppliedUser } from "../model.js";
import type { Plan, PlannedAction } from "../plan/plan-types.js";
import { adoptedWithoutEmail } from "./adopt.js";
import { changesEmail, changesRecord, withoutEmailChange } from "./email-changes.js";
import { needsSingleUpdate } from "./payloads.js";

export type Stage = "record" | "relocate" | "email" | "create" | "adopt";

/** One user's part of a phase. */
export interface Step {
  readonly stage: Stage;
  /** The plan's action: what the result counts and a failure names. */
  readonly action: PlannedAction;
  /** What this step sends: the action, or (a record whose e-mail changes too) the action without its e-mail change. */
  readonly sent: PlannedAction;
}

export type BulkKind = "create-bulk" | "update-bulk" | "update-email-bulk";

/** One request's worth of steps. */
export type Task =
  { readonly kind: BulkKind; readonly steps: readonly Step[] } | { readonly kind: "update"; readonly steps: readonly [Step] };

export interface Phase {
  readonly stage: Stage;
  /** The steps the plan gives this phase; the run hands on the others (the e-mails of landed records, the creates to adopt). */
  readonly steps: readonly Step[];
  /** A step refused because another user held the value is sent once more after the phase's other requests. */
  readonly retriesHeld: boolean;
}

/** The phases of a plan, in the order they run. */
export function scheduleApply(plan: Plan): Phase[] {
  const records: Step[] = [];
  const emails: Step[] = [];
  const creates: Step[] = [];
  for (const action of plan.actions) {
    if (action.action === "create") creates.push({ stage: "create", action, sent: action });
    else if (!changesEmail(action)) records.push({ stage: "record", action, sent: action });
    else if (!changesRecord(action)) emails.push(emailStep(action));
    else records.push({ stage: "record", action, sent: withoutEmailChange(action) });
  }
  return [
    { stage: "record", steps: records, retriesHeld: true },
    { stage: "relocate", steps: [], retriesHeld: true },
    { stage: "email", steps: emails, retriesHeld: true },
    { stage: "create", steps: creates, retriesHeld: false },
    { stage: "adopt", steps: [], retriesHeld: false },
  ];
}

/** The requests for a phase's steps, in the order they are started: chunks of `chunkSize`, PUTs after the update-bulk chunks. */
export function tasksFor(stage: Stage, steps: readonly Step[], chunkSize: number): Task[] {
  switch (stage) {
    case "create":
      return chunk(steps, chunkSize).map((batch): Task => ({ kind: "create-bulk", steps: batch }));
    case "email":
      return chunk(steps, chunkSize).map((batch): Task => ({ kind: "update-email-bulk", steps: batch }));
    case "record":
    case "relocate":
    case "adopt":
      return [
        ...chunk(
          steps.filter((s) => !needsSingleUpdate(s.sent)),
          chunkSize,
        ).map((batch): Task => ({ kind: "update-bulk", steps: batch })),
        ...steps.filter((s) => needsSingleUpdate(s.sent)).map((step): Task => ({ kind: "update", steps: [step] })),
      ];
  }
}

/** The step a landed one hands on: the e-mail after the record of an action that changes both. */
export function nextStep(step: Step): Step | undefined {
  return (step.stage === "record" || step.stage === "relocate") && changesEmail(step.action) ? emailStep(step.action) : undefined;
}

/**
 * A record refused with USER_NOT_FOUND whose person is under `foundAt` now (locate-user.ts), sent
 * again from there: renamed from `foundAt` to the declared id, or, found under the declared id
 * itself, updated there.
 */
export function relocateStep(step: Step, foundAt: string): Step {
  const { previousEmployeeID: _refused, ...rest } = step.sent;
  const sent: PlannedAction = foundAt === rest.employeeID ? rest : { ...rest, previousEmployeeID: foundAt };
  return { stage: "relocate", action: step.action, sent };
}

/** A create refused because its employeeID is taken, sent again as an update of that user (--adopt). */
export function adoptStep(step: Step): Step {
  return { stage: "adopt", action: step.action, sent: step.action };
}

/** What state keeps for a step that landed: an adopted user's e-mail is not known until it is read back. */
export function appliedUser(step: Step, serial: string): AppliedUser {
  return step.stage === "adopt" ? adoptedWithoutEmail(step.sent, serial) : { ...step.sent.after, serial };
}

/** The API refused a value that another user holds; in the same plan that user may be giving it up. */
export function isHeldByAnother(error: ApiReplyError): boolean {
  return error.message === "USER_USERNAME_EXISTS" || error.message === "USER_EMAIL_EXISTS";
}

function emailStep(action: PlannedAction): Step {
  return { stage: "email", action, sent: action };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
