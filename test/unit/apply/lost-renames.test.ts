/**
 * Records whose id state holds is gone (issue 15): a rename whose reply was lost and was not sent
 * again as it was, so the person is under a later id of their chain while state still holds the
 * earlier one; and a state RuangKerja disproves (a user gone, an emptied API). Over real HTTP to
 * the emulator, with the real client; the "lost reply" is set up by renaming in the emulator
 * behind state's back, which is what a rename whose reply never came back leaves.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../../src/api/client.js";
import type { CreateUserBody } from "../../../src/api/types.js";
import { applyPlan } from "../../../src/apply/apply-plan.js";
import type { ApplyOptions } from "../../../src/apply/apply-types.js";
import { chainOf, previousEmployeeIDsOf } from "../../../src/apply/locate-user.js";
import { type Phase, relocateStep, scheduleApply, type Step, tasksFor } from "../../../src/apply/schedule.js";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import type { AppliedUser, DesiredUser } from "../../../src/model.js";
import { planChanges } from "../../../src/plan/plan-changes.js";
import { newStateDocument, type StateDocument } from "../../../src/state/state-document.js";
import { StateSession } from "../../../src/state/state-session.js";
import { desired, MemoryStateStore } from "../../builders.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0 });
});
afterAll(() => emulator.close());

let prefix = 0;
/** Ids unique to each test, since the emulator is shared. */
let id: (name: string) => string;
beforeEach(async () => {
  emulator.setFaults({});
  await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
  const p = `T${prefix++}`;
  id = (name) => `${p}${name}`;
});

function client(api = emulator) {
  return new RuangkerjaClient({ baseUrl: api.url, token: api.token, timeoutMs: 5000, retryTiming: { sleep: async () => undefined } });
}

function lastState(store: MemoryStateStore): ReadonlyMap<string, AppliedUser> {
  return store.writes.at(-1)?.users ?? new Map();
}

async function apply(declared: DesiredUser[], state: StateDocument, options: ApplyOptions = {}, api = emulator) {
  const store = new MemoryStateStore();
  const c = client(api);
  const result = await applyPlan(planChanges(declared, state.users), c, new StateSession(store, state), {
    chunkSize: 10,
    parallelism: 1,
    previousEmployeeIDs: previousEmployeeIDsOf(declared),
    ...options,
  });
  return { result, users: lastState(store), client: c, held: api.users().filter((u) => u.employeeID.startsWith(id(""))) };
}

async function seed(declared: DesiredUser[]): Promise<StateDocument> {
  const { result, users } = await apply(declared, newStateDocument());
  expect(result.failed).toBe(0);
  return { ...newStateDocument(), users: new Map(users) };
}

/** What a rename whose reply was lost leaves: the user renamed in RuangKerja, state not told. */
async function renameBehindState(from: string, to: string): Promise<void> {
  const view = emulator.users().find((u) => u.employeeID === from);
  if (!view) throw new Error(`no ${from}`);
  const result = await client().updateBulk([{ employeeID: from, newEmployeeID: to, name: view.name, isActive: view.isActive }]);
  expect(result.failedItems).toEqual([]);
}

describe("a rename whose reply was lost, then changed before the next apply", () => {
  it("the new id's name changed: B2 is found under the declared id and updated there; state keyed by B2", async () => {
    const state = await seed([desired(id("B1"))]);
    await renameBehindState(id("B1"), id("B2"));
    const declared = [desired(id("B2"), { previousEmployeeIDs: [id("B1")], name: "Budi Baru" })];
    const { result, users, held, client: c } = await apply(declared, state);
    expect(result).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(held.map((u) => [u.employeeID, u.name])).toEqual([[id("B2"), "Budi Baru"]]);
    expect([...users.keys()]).toEqual([id("B2")]);
    expect(users.get(id("B2"))?.serial).toBe(held[0]?.serial);
    // The refused rename, one GET for the declared id, then the update of B2.
    expect(c.counts).toMatchObject({ "update-bulk": 2, get: 1 });
    const again = await apply(declared, { ...newStateDocument(), users: new Map(users) });
    expect(again.result.succeeded + again.result.failed).toBe(0);
  });

  it("renamed again to B3 with previousEmployeeIDs [B1, B2]: found under B2 and renamed from there", async () => {
    const state = await seed([desired(id("B1"))]);
    await renameBehindState(id("B1"), id("B2"));
    const declared = [desired(id("B3"), { previousEmployeeIDs: [id("B1"), id("B2")], phone: "62811" })];
    const { result, users, held } = await apply(declared, state);
    expect(result).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(held.map((u) => [u.employeeID, u.phone])).toEqual([[id("B3"), "62811"]]);
    expect([...users.keys()]).toEqual([id("B3")]);
  });

  it("a chain of three lost renames: B1 in state, B3 in RuangKerja, B4 declared", async () => {
    const state = await seed([desired(id("B1"))]);
    await renameBehindState(id("B1"), id("B2"));
    await renameBehindState(id("B2"), id("B3"));
    const declared = [desired(id("B4"), { previousEmployeeIDs: [id("B1"), id("B2"), id("B3")] })];
    const { result, users, held } = await apply(declared, state);
    expect(result).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(held.map((u) => u.employeeID)).toEqual([id("B4")]);
    expect([...users.keys()]).toEqual([id("B4")]);
  });

  it("through PUT (an organizationSerial change), and with an e-mail change sent to the final id", async () => {
    const state = await seed([desired(id("B1"), { organizationSerial: "ORG1" })]);
    await renameBehindState(id("B1"), id("B2"));
    const declared = [
      desired(id("B3"), { previousEmployeeIDs: [id("B1"), id("B2")], organizationSerial: "ORG2", email: `${id("b3")}@baru.co.id` }),
    ];
    const { result, users, held, client: c } = await apply(declared, state);
    expect(result).toMatchObject({ succeeded: 1, failed: 0, relocated: 1 });
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ employeeID: id("B3"), organizationSerial: "ORG2", email: `${id("b3")}@baru.co.id` });
    expect(users.get(id("B3"))).toMatchObject({ organizationSerial: "ORG2", email: `${id("b3")}@baru.co.id` });
    expect(c.counts).toMatchObject({ update: 2, "update-email-bulk": 1 });
  });

  it("without the declarations' previousEmployeeIDs only the declared id is looked at: B3 is nowhere, state is called out of date", async () => {
    const state = await seed([desired(id("B1"))]);
    await renameBehindState(id("B1"), id("B2"));
    const declared = [desired(id("B3"), { previousEmployeeIDs: [id("B1"), id("B2")] })];
    const { result, held } = await apply(declared, state, { previousEmployeeIDs: new Map() });
    expect(result).toMatchObject({ succeeded: 0, failed: 1 });
    expect(result.failures[0]).toMatchObject({ action: "rename", message: "USER_NOT_FOUND", staleState: true });
    expect(held.map((u) => u.employeeID)).toEqual([id("B2")]);
  });

  it("two ids of the chain both hold a user: not guessed, failed naming both", async () => {
    const state = await seed([desired(id("B1")), desired(id("B3"))]);
    await renameBehindState(id("B1"), id("B2"));
    // B3 also exists (someone else, say); the declaration claims B3 was B1 and B2.
    const claimed = { ...newStateDocument(), users: new Map([...state.users].filter(([k]) => k === id("B1"))) };
    const { result, held } = await apply([desired(id("B3"), { previousEmployeeIDs: [id("B1"), id("B2")] })], claimed);
    expect(result.failed).toBe(1);
    expect(result.failures[0]?.staleState).toBeUndefined();
    expect(result.failures[0]?.detail).toContain(`${id("B3")} and ${id("B2")} all are`);
    expect(held.map((u) => u.employeeID).sort()).toEqual([id("B2"), id("B3")]);
  });
});

describe("a state RuangKerja disproves", () => {
  it("an update, a rename and a deactivation whose users are gone fail as stale state, naming --refresh", async () => {
    const state = await seed([desired(id("U")), desired(id("R")), desired(id("D"))]);
    // A new tenant, a restored backup, a restarted emulator: an API without these users.
    const empty = await startEmulator({ host: "127.0.0.1", port: 0 });
    const declared = [desired(id("U"), { name: "Changed" }), desired(id("R2"), { previousEmployeeIDs: [id("R")] })];
    const { result, client: c } = await apply(declared, state, {}, empty).finally(() => empty.close());
    expect(result.failed).toBe(3);
    const byAction = new Map(result.failures.map((f) => [f.action, f]));
    expect([...byAction.keys()].sort()).toEqual(["deactivate", "rename", "update"]);
    for (const f of result.failures) {
      expect(f).toMatchObject({ message: "USER_NOT_FOUND", staleState: true });
      expect(f.detail).toContain("state is out of date");
      expect(f.detail).toContain("run `plan --refresh` to see what RuangKerja holds, then `apply --refresh` to plan from it");
    }
    expect(byAction.get("rename")?.detail).toContain(
      `state holds this user as ${id("R")}, but RuangKerja has no user under it, and neither does ${id("R2")}`,
    );
    // Only the rename had another id to look under.
    expect(c.counts.get).toBe(1);
  });
});

describe("the relocation step (schedule)", () => {
  const plan = planChanges(
    [desired("B3", { previousEmployeeIDs: ["B1", "B2"], email: "b3@new.co.id" })],
    new Map([["B1", { ...desired("B1"), serial: "S1" }]]),
  );
  const record = (scheduleApply(plan)[0] as Phase).steps[0] as Step;

  it("has its own phase between the records and the e-mails, and sends from where the user was found", () => {
    expect(scheduleApply(plan).map((p) => p.stage)).toEqual(["record", "relocate", "email", "create", "adopt"]);
    const fromB2 = relocateStep(record, "B2");
    expect(fromB2).toMatchObject({ stage: "relocate", action: record.action, sent: { employeeID: "B3", previousEmployeeID: "B2" } });
    // Found under the declared id: an update there, no rename.
    expect("previousEmployeeID" in relocateStep(record, "B3").sent).toBe(false);
    expect(tasksFor("relocate", [fromB2], 10)).toEqual([{ kind: "update-bulk", steps: [fromB2] }]);
  });

  it("looks under the declared id, then the previous ones latest first, never the id just refused", () => {
    expect(chainOf(record.sent, "B1", previousEmployeeIDsOf([desired("B3", { previousEmployeeIDs: ["B1", "B2"] })]))).toEqual(["B3", "B2"]);
    expect(chainOf(record.sent, "B1")).toEqual(["B3"]);
  });
});

describe("passwordEnv of users that were not created by this run", () => {
  const withPassword = (employeeID: string) =>
    desired(employeeID, {
      name: "Declared Name",
      passwordEnv: { name: "PW_NEW", source: { file: "users/team.yaml", line: 9, column: 5 } },
    });

  it("an adopted user keeps its password: the result warns that passwordEnv was not applied", async () => {
    await seed([desired(id("A"))]);
    const { result } = await apply([withPassword(id("A"))], newStateDocument(), {
      adopt: true,
      passwords: new Map([[id("A"), "s3cret!"]]),
    });
    expect(result).toMatchObject({ succeeded: 1, failed: 0 });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        severity: "warning",
        summary: `${id("A")} was adopted, not created: its passwordEnv (PW_NEW) was not applied`,
        field: "passwordEnv",
        location: { file: "users/team.yaml", line: 9, column: 5 },
      }),
    ]);
  });

  it("a create confirmed by read-back was our own, sent with its password: no warning", async () => {
    const c = client();
    const sent: CreateUserBody[] = [];
    const recording = Object.assign(Object.create(c) as RuangkerjaClient, {
      createBulk: (items: CreateUserBody[]) => {
        sent.push(...items);
        return c.createBulk(items);
      },
    });
    emulator.setFaults({ next: [{ fault: "drop", route: "create-bulk" }] });
    const store = new MemoryStateStore();
    const result = await applyPlan(
      planChanges([withPassword(id("C"))], new Map()),
      recording,
      new StateSession(store, newStateDocument()),
      {
        passwords: new Map([[id("C"), "s3cret!"]]),
      },
    );
    expect(result).toMatchObject({ succeeded: 1, failed: 0, confirmedByReadBack: 1 });
    expect(result.warnings).toBeUndefined();
    // One call, sent twice by the client's retry after the dropped reply, with the password both times.
    expect(sent.map((b) => b.password)).toEqual(["s3cret!"]);
    expect(emulator.requestCounts()["create-bulk"]).toBe(2);
  });
});
