/** ruangkerja_user (one person per resource) planned, applied, read and imported directly (no Terraform), against the emulator on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../../src/emulator/index.js";
import type { ProviderContext, TfObject, TfValue } from "../../../../src/provider/provider-types.js";
import { userResource } from "../../../../src/provider/resources/user-resource.js";
import { byId, configure, outsideClient, record, startTestEmulator } from "./emulator-provider.js";

let emulator: RunningEmulator;
let provider: ProviderContext;
beforeAll(async () => {
  emulator = await startTestEmulator();
  provider = await configure(emulator);
});
afterAll(async () => {
  await emulator.close();
});

function person(id: string, extra: Record<string, TfValue> = {}): TfObject {
  return { id: null, employee_id: id, ...record(id), ...extra };
}

async function planAndApply(prior: TfObject | null, config: TfObject | null) {
  const planned = await userResource.plan({ prior, proposed: config, config, provider });
  if (planned.diagnostics.some((d) => d.severity === "error") || planned.requiresReplace) return { planned, applied: undefined };
  const applied = await userResource.apply({ prior, planned: planned.planned, config, provider });
  return { planned, applied };
}

async function read(current: TfObject) {
  if (!userResource.read) throw new Error("no read");
  return userResource.read({ current, provider });
}

describe("ruangkerja_user against the emulator", () => {
  let state: TfObject | null = null;

  it("creates a person, then an unchanged plan plans the same state", async () => {
    const { planned, applied } = await planAndApply(null, person("ONE001"));
    expect(planned.diagnostics).toEqual([]);
    expect(planned.planned?.id).toBe("ONE001");
    expect(applied?.diagnostics).toEqual([]);
    state = applied?.newState ?? null;
    expect(state).toEqual({ ...person("ONE001"), id: "ONE001" });
    expect(byId(emulator).get("ONE001")?.isActive).toBe(true);
    const again = await userResource.plan({ prior: state, proposed: person("ONE001"), config: person("ONE001"), provider });
    expect(again).toEqual({ planned: state, diagnostics: [] });
  });

  it("updates a field in place, and shows a change made outside Terraform on read", async () => {
    const { applied } = await planAndApply(state, person("ONE001", { phone: "6281200000011" }));
    expect(applied?.diagnostics).toEqual([]);
    state = applied?.newState ?? null;
    expect(byId(emulator).get("ONE001")?.phone).toBe("6281200000011");
    expect((await read(state as TfObject)).newState).toEqual(state);
    await outsideClient(emulator).updateBulk([{ employeeID: "ONE001", name: "Changed Outside", phone: "6281200000011", isActive: true }]);
    const refreshed = await read(state as TfObject);
    expect(refreshed.newState).toEqual({ ...state, name: "Changed Outside" });
    // The plan from it sets the name back.
    const fixed = await planAndApply(refreshed.newState, person("ONE001", { phone: "6281200000011" }));
    expect(fixed.applied?.diagnostics).toEqual([]);
    expect(byId(emulator).get("ONE001")?.name).toBe("Person ONE001");
  });

  it("renames through previous_employee_ids in place; another employee_id change forces replacement", async () => {
    const renamed = person("ONE002", { ...record("ONE001"), phone: "6281200000011", previous_employee_ids: ["ONE001"] });
    const { planned, applied } = await planAndApply(state, renamed);
    expect(planned.requiresReplace).toBeUndefined();
    expect(applied?.diagnostics).toEqual([]);
    state = applied?.newState ?? null;
    expect(state?.id).toBe("ONE002");
    expect(byId(emulator).has("ONE001")).toBe(false);
    expect(byId(emulator).get("ONE002")?.isActive).toBe(true);
    const replaced = await planAndApply(state, person("ONE003"));
    expect(replaced.planned.requiresReplace).toEqual([[{ attribute: "employee_id" }]]);
    const sameEmail = await planAndApply(state, person("ONE003", { email: "one001@contoh.co.id" }));
    expect(sameEmail.planned.diagnostics).toEqual([
      expect.objectContaining({
        severity: "warning",
        summary: expect.stringMatching(/^employee_id changes from ONE002 to ONE003 with the same email/),
      }),
    ]);
  });

  it("destroy deactivates the person; a person gone from RuangKerja reads as gone", async () => {
    const { planned, applied } = await planAndApply(state, null);
    expect(planned).toEqual({ planned: null, diagnostics: [] });
    expect(applied).toEqual({ newState: null, diagnostics: [] });
    expect(byId(emulator).get("ONE002")?.isActive).toBe(false);
    const inactive = await read(state as TfObject);
    expect(inactive.newState?.is_active).toBe(false);
    expect((await read({ ...person("NEVER1"), id: "NEVER1" })).newState).toBeNull();
  });

  it("imports one person by employeeID, refusing an unknown one and a list", async () => {
    if (!userResource.importState) throw new Error("no importState");
    await planAndApply(null, person("ONE010", { username: "one010", tag_serials: ["RUKRTAG-B", "RUKRTAG-A"] }));
    const imported = await userResource.importState({ id: "ONE010", provider });
    expect(imported.diagnostics).toEqual([]);
    expect(imported.state).toEqual({
      ...person("ONE010", { username: "one010", tag_serials: ["RUKRTAG-A", "RUKRTAG-B"], is_active: true }),
      id: "ONE010",
    });
    const unknown = await userResource.importState({ id: "NOPE01", provider });
    expect(unknown.state).toBeNull();
    expect(unknown.diagnostics[0]?.summary).toContain('no user with employeeID "NOPE01"');
    const list = await userResource.importState({ id: "ONE010,ONE001", provider });
    expect(list.diagnostics[0]?.summary).toMatch(/imports one person/);
  });

  it("after an interrupted apply, a create whose person already landed becomes an update, and destroy repeats harmlessly", async () => {
    const outside = outsideClient(emulator);
    await outside.createBulk([{ employeeID: "ONE020", name: "Earlier Name", email: "one020@contoh.co.id", isActive: true }]);
    const { applied } = await planAndApply(null, person("ONE020"));
    expect(applied?.diagnostics).toEqual([]);
    expect(applied?.newState).toEqual({ ...person("ONE020"), id: "ONE020" });
    expect(
      emulator
        .users()
        .filter((u) => u.employeeID === "ONE020")
        .map((u) => u.name),
    ).toEqual(["Person ONE020"]);
    await outside.updateBulk([{ employeeID: "ONE020", name: "Person ONE020", isActive: false }]);
    const destroyed = await planAndApply(applied?.newState ?? null, null);
    expect(destroyed.applied).toEqual({ newState: null, diagnostics: [] });
    expect(byId(emulator).get("ONE020")?.isActive).toBe(false);
  });

  it("refuses an invalid record naming the attribute, before any call", async () => {
    const before = emulator.requestCounts();
    const { planned } = await planAndApply(null, person("BAD001", { phone: "0812 3456" }));
    const error = planned.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/^phone: /);
    expect(error?.attribute).toEqual([{ attribute: "phone" }]);
    expect((await userResource.validate?.(person("BAD001", { phone: "0812 3456" })))?.[0]?.attribute).toEqual([{ attribute: "phone" }]);
    expect(emulator.requestCounts()).toEqual(before);
  });
});
