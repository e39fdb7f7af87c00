/**
 * Property-based tests of the planner (fast-check). For any desired set and any state:
 * - the plan never deactivates a user that is still declared (under its id or as a previous id);
 * - applying the plan to the emulator over loopback and planning again gives an empty plan, and
 *   RuangKerja then holds each person exactly once, as declared.
 *
 * Generated people have an identity k; their e-mail address is fixed per identity (an e-mail
 * change is not an update the planner applies), everything else varies between state and YAML.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuangkerjaClient } from "../../src/api/client.js";
import { applyPlan } from "../../src/apply/apply-plan.js";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import type { AppliedUser, DesiredUser } from "../../src/model.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import { newStateDocument, type StateDocument } from "../../src/state/state-document.js";
import { StateSession } from "../../src/state/state-session.js";
import { MemoryStateStore } from "../builders.js";

const TOKEN = "property-token";
const TAGS = ["RUKRTAG-AAAA1111", "RUKRTAG-BBBB2222", "RUKRTAG-CCCC3333"];
const ORGS = ["COMPAAAA1111", "COMPBBBB2222"];

/** The fields of one person that may differ between state and YAML. */
const recordArb = fc.record({
  name: fc.constantFrom("Budi Santoso", "Sari Dewi", "Agus Prasetyo", "Rina K."),
  username: fc.option(fc.constantFrom("u", "v"), { nil: undefined }),
  phone: fc.option(fc.constantFrom("6281100000000", "+6281299999999"), { nil: undefined }),
  hasEmail: fc.boolean(),
  isActive: fc.boolean(),
  tagSerials: fc.option(fc.subarray(TAGS), { nil: undefined }),
  organizationSerial: fc.option(fc.constantFrom(...ORGS), { nil: undefined }),
});
type RecordSpec = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;

/** Where a person is: only in state, only in YAML, in both under one id, or renamed in YAML. */
const personArb = fc.record({
  where: fc.constantFrom("state", "yaml", "both", "renamed"),
  before: recordArb,
  after: recordArb,
});

const scenarioArb = fc.array(personArb, { minLength: 0, maxLength: 8 });

function fields(k: number, id: string, spec: RecordSpec) {
  // Every person needs e-mail or phone; the address is the identity's own, never another's.
  const email = spec.hasEmail || spec.phone === undefined ? `p${k}@contoh.co.id` : undefined;
  return {
    employeeID: id,
    name: spec.name,
    ...(spec.username ? { username: `${spec.username}${k}` } : {}),
    ...(email ? { email } : {}),
    ...(spec.phone ? { phone: spec.phone } : {}),
    isActive: spec.isActive,
    ...(spec.tagSerials ? { tagSerials: [...spec.tagSerials].sort() } : {}),
    ...(spec.organizationSerial ? { organizationSerial: spec.organizationSerial } : {}),
  };
}

interface Scenario {
  readonly desired: DesiredUser[];
  /** What RuangKerja and the state hold before the apply (the state is built from the emulator's replies). */
  readonly existing: ReturnType<typeof fields>[];
}

type Person = typeof personArb extends fc.Arbitrary<infer T> ? T : never;

function build(people: readonly Person[]): Scenario {
  const desired: DesiredUser[] = [];
  const existing: ReturnType<typeof fields>[] = [];
  people.forEach((person, k) => {
    const source = { file: "users/team.yaml", line: 2 + k * 4, column: 5 };
    const before = fields(k, `E${k}`, person.before);
    // The e-mail address cannot change through an update: keep the state's one when both hold the person.
    // Without an e-mail address the person keeps a phone number (RuangKerja needs one of them).
    const kept: RecordSpec = { ...person.after, hasEmail: before.email !== undefined };
    if (before.email === undefined && kept.phone === undefined) kept.phone = person.before.phone;
    const afterSpec = person.where === "state" || person.where === "yaml" ? person.after : kept;
    if (person.where !== "yaml") existing.push(before);
    if (person.where === "yaml" || person.where === "both") desired.push({ ...fields(k, `E${k}`, afterSpec), source });
    if (person.where === "renamed") desired.push({ ...fields(k, `R${k}`, afterSpec), previousEmployeeIDs: [`E${k}`], source });
  });
  return { desired, existing };
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
});

async function post(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${emulator.url}${path}`, {
    method: "POST",
    headers: { Authorization: TOKEN, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.ok).toBe(true);
  return res.json();
}

/** Puts the existing people into the emulator and returns the state that records them. */
async function seed(existing: Scenario["existing"]): Promise<StateDocument> {
  await post("/_emulator/reset", {});
  const state = newStateDocument();
  if (existing.length === 0) return state;
  const reply = (await post("/ruangkerja/users/create-bulk", { items: existing })) as {
    data: { successItems: { payload: { employeeID: string }; response: { serial: string } }[]; failedItems: unknown[] };
  };
  expect(reply.data.failedItems).toEqual([]);
  const users = new Map<string, AppliedUser>();
  for (const item of reply.data.successItems) {
    const record = existing.find((u) => u.employeeID === item.payload.employeeID);
    if (record) users.set(record.employeeID, { ...record, serial: item.response.serial });
  }
  return { ...state, users };
}

describe("planner properties", () => {
  it("never deactivates a user that is still declared", () => {
    fc.assert(
      fc.property(scenarioArb, (people) => {
        const { desired, existing } = build(people);
        const state = new Map(existing.map((u) => [u.employeeID, { ...u, serial: `S${u.employeeID}` }]));
        const plan = planChanges(desired, state);
        const declared = new Set(desired.flatMap((u) => [u.employeeID, ...(u.previousEmployeeIDs ?? [])]));
        for (const action of plan.actions) {
          if (action.action === "deactivate") expect(declared.has(action.employeeID)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("converges: apply to the emulator, then plan again, gives no changes and one RuangKerja user per person", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        async (people, chunkSize, parallelism) => {
          const { desired, existing } = build(people);
          const initial = await seed(existing);
          const store = new MemoryStateStore();
          const session = new StateSession(store, initial);
          const client = new RuangkerjaClient({ baseUrl: emulator.url, token: TOKEN, timeoutMs: 10_000 });
          const plan = planChanges(desired, initial.users);
          const result = await applyPlan(plan, client, session, { chunkSize, parallelism });
          expect(result.failures).toEqual([]);

          const after = session.snapshot();
          expect(planChanges(desired, after.users).actions).toEqual([]);

          const held = emulator.users();
          const ids = held.map((u) => u.employeeID);
          expect(new Set(ids).size).toBe(ids.length);
          for (const user of desired) {
            const there = held.find((u) => u.employeeID === user.employeeID);
            expect(there, user.employeeID).toBeDefined();
            expect(there?.name).toBe(user.name);
            expect(there?.isActive).toBe(user.isActive);
          }
          // People in state but no longer declared end inactive; renamed people are not left behind under the old id.
          for (const user of existing) {
            const declared = desired.some((d) => d.employeeID === user.employeeID || d.previousEmployeeIDs?.includes(user.employeeID));
            const there = held.find((u) => u.employeeID === user.employeeID);
            if (!declared) expect(there?.isActive).toBe(false);
          }
          expect(held.length).toBe(
            new Set([...existing.map((u) => u.employeeID.slice(1)), ...desired.map((u) => u.employeeID.slice(1))]).size,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
