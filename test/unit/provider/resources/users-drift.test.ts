/** ruangkerja_users read (drift), import and convergence after an interrupted apply, against the emulator on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../../src/emulator/index.js";
import type { ProviderContext, TfObject, TfValue } from "../../../../src/provider/provider-types.js";
import { usersResource } from "../../../../src/provider/resources/users-resource.js";
import { byId, configure, outsideClient, startTestEmulator, userText } from "./emulator-provider.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function planAndApply(provider: ProviderContext, prior: TfObject | null, users: Record<string, TfValue>) {
  const config = { id: null, users };
  const planned = await usersResource.plan({ prior, proposed: config, config, provider });
  expect(planned.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return usersResource.apply({ prior, planned: planned.planned, config, provider });
}

async function read(provider: ProviderContext, current: TfObject) {
  if (!usersResource.read) throw new Error("no read");
  return usersResource.read({ current, provider });
}

async function importId(provider: ProviderContext, id: string) {
  if (!usersResource.importState) throw new Error("no importState");
  return usersResource.importState({ id, provider });
}

const usersOf = (value: TfObject | null | undefined) => (value?.users ?? {}) as Record<string, string>;
const fieldsOf = (text: string | undefined) => (text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>));

describe("ruangkerja_users read: drift", () => {
  it("shows a change made outside Terraform under the person and field, keeping what RuangKerja does not return and the text of who did not change", async () => {
    const provider = await configure(emulator);
    const users = {
      DRF001: userText("DRF001", { password_env: "RUANGKERJA_PASSWORD_X", tag_serials: ["RUKRTAG-B", "RUKRTAG-A"] }),
      DRF002: userText("DRF002"),
      DRF003: userText("DRF003"),
      // As written, not canonical: a person who did not change keeps the very text.
      DRF004: '{ "email": "drf004@contoh.co.id", "name": "Person DRF004", "phone": null }',
    };
    const applied = await planAndApply(await configure(emulator, {}, { RUANGKERJA_PASSWORD_X: "Secret-Value-1" }), null, users);
    expect(applied.diagnostics).toEqual([]);
    const state = applied.newState as TfObject;

    const unchanged = await read(provider, state);
    expect(unchanged.diagnostics).toEqual([]);
    expect(unchanged.newState).toEqual(state);

    const outside = outsideClient(emulator);
    const result = await outside.updateBulk([
      { employeeID: "DRF001", name: "Person DRF001", phone: "6281234500001", isActive: true, tagSerials: ["RUKRTAG-A", "RUKRTAG-B"] },
      { employeeID: "DRF002", name: "Person DRF002", isActive: false },
      { employeeID: "DRF003", name: "Person DRF003", newEmployeeID: "DRF003X", isActive: true },
    ]);
    expect(result.failedItems).toEqual([]);
    // Renamed and given another address outside Terraform: DRF003 is gone, and may be created again.
    expect((await outside.updateEmailBulk([{ employeeID: "DRF003X", email: "drf003x@contoh.co.id" }])).failedItems).toEqual([]);
    const before = emulator.requestCounts();
    const refreshed = await read(provider, state);
    const after = emulator.requestCounts();
    // The list pages (one here), not a GET per person.
    expect([(after.list ?? 0) - (before.list ?? 0), (after.get ?? 0) - (before.get ?? 0)]).toEqual([1, 0]);
    const now = usersOf(refreshed.newState);
    // A changed person is written as canonical JSON, tags in the order the state had them.
    expect(now.DRF001).toBe(
      '{"name":"Person DRF001","email":"drf001@contoh.co.id","phone":"6281234500001","tag_serials":["RUKRTAG-B","RUKRTAG-A"],"password_env":"RUANGKERJA_PASSWORD_X"}',
    );
    expect(fieldsOf(now.DRF002)).toEqual({ ...fieldsOf(users.DRF002), is_active: false });
    expect(now.DRF003).toBeUndefined();
    expect(now.DRF004).toBe(users.DRF004);
    const warning = refreshed.diagnostics.find((d) => d.severity === "warning");
    expect(warning?.summary).toBe(
      "3 of the people in ruangkerja_users changed outside Terraform: DRF001 (phone), DRF002 (is_active), DRF003 (gone from RuangKerja)",
    );

    // The plan from the refreshed state sets everything back; then a read shows no drift.
    const fixed = await planAndApply(provider, refreshed.newState, users);
    expect(fixed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(byId(emulator).get("DRF001")?.phone).toBeNull();
    expect(byId(emulator).get("DRF002")?.isActive).toBe(true);
    expect(byId(emulator).get("DRF003")?.isActive).toBe(true);
    expect(byId(emulator).get("DRF003X")?.isActive).toBe(true);
    const again = await read(provider, fixed.newState as TfObject);
    expect(again.diagnostics).toEqual([]);
    expect(usersOf(again.newState)).toEqual(users);
  });
});

describe("ruangkerja_users import", () => {
  it("imports a list of employeeIDs as RuangKerja holds them, and refuses an unknown one by name", async () => {
    const provider = await configure(emulator);
    const users = { IMP001: userText("IMP001", { phone: "6281200000001" }), IMP002: userText("IMP002", { username: "imp002" }) };
    expect((await planAndApply(provider, null, users)).diagnostics).toEqual([]);
    const imported = await importId(provider, "IMP001, IMP002");
    expect(imported.diagnostics).toEqual([]);
    expect(imported.state?.id).toBe("ruangkerja_users");
    // Canonical JSON: the fields RuangKerja holds, in the declarations' order, those not set left out.
    expect(usersOf(imported.state)).toEqual({
      IMP001: '{"name":"Person IMP001","email":"imp001@contoh.co.id","phone":"6281200000001","is_active":true}',
      IMP002: '{"name":"Person IMP002","username":"imp002","email":"imp002@contoh.co.id","is_active":true}',
    });
    // Terraform reads the imported state, then plans against the configuration: no call is needed.
    const refreshed = await read(provider, imported.state as TfObject);
    expect(refreshed.diagnostics).toEqual([]);
    const plan = await usersResource.plan({
      prior: refreshed.newState,
      proposed: { id: null, users },
      config: { id: null, users },
      provider,
    });
    expect(plan.diagnostics).toEqual([]);

    const unknown = await importId(provider, "IMP001,NOPE404");
    expect(unknown.state).toBeNull();
    expect(unknown.diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: expect.stringContaining('"NOPE404"') })]);
    const malformed = await importId(provider, "IMP001,bad-id");
    expect(malformed.state).toBeNull();
    expect(malformed.diagnostics[0]?.summary).toContain('"bad-id" is not an employee ID');
  });

  it('imports every active user for "*"', async () => {
    const provider = await configure(emulator);
    await outsideClient(emulator).updateBulk([{ employeeID: "IMP002", name: "Person IMP002", isActive: false }]);
    const imported = await importId(provider, "*");
    expect(imported.diagnostics).toEqual([]);
    const active = emulator.users().filter((u) => u.isActive);
    expect(Object.keys(usersOf(imported.state)).sort()).toEqual(active.map((u) => u.employeeID).sort());
    expect(Object.keys(usersOf(imported.state))).not.toContain("IMP002");
    expect(fieldsOf(usersOf(imported.state).IMP001)?.is_active).toBe(true);
  });
});

describe("ruangkerja_users after an interrupted apply", () => {
  it("converges from the old prior state: creates that landed are adopted, deactivations repeat harmlessly", async () => {
    const provider = await configure(emulator);
    const old = { CNV001: userText("CNV001"), CNV002: userText("CNV002"), CNV003: userText("CNV003") };
    const first = await planAndApply(provider, null, old);
    expect(first.diagnostics).toEqual([]);
    const prior = first.newState as TfObject;
    const next: Record<string, TfValue> = {
      CNV001: userText("CNV001", { phone: "6281299990001" }),
      CNV003: userText("CNV003"),
      CNV004: userText("CNV004"),
      CNV005: userText("CNV005", { name: "Declared Name" }),
      CNV006: userText("CNV006"),
    };
    // The killed run had landed: CNV004 as declared, CNV005 as an earlier configuration had it, CNV002's deactivation; Terraform's state recorded none.
    const outside = outsideClient(emulator);
    const created = await outside.createBulk([
      { employeeID: "CNV004", name: "Person CNV004", email: "cnv004@contoh.co.id", isActive: true },
      { employeeID: "CNV005", name: "Older Name", email: "cnv005@contoh.co.id", isActive: true },
    ]);
    expect(created.failedItems).toEqual([]);
    expect((await outside.updateBulk([{ employeeID: "CNV002", name: "Person CNV002", isActive: false }])).failedItems).toEqual([]);
    const count = emulator.users().length;

    // Without a refresh (terraform apply -refresh=false): the old prior state as it is.
    const applied = await planAndApply(provider, prior, next);
    expect(applied.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(usersOf(applied.newState)).toEqual(next);
    const now = byId(emulator);
    expect(emulator.users().length).toBe(count + 1);
    expect(now.get("CNV005")?.name).toBe("Declared Name");
    expect(now.get("CNV001")?.phone).toBe("6281299990001");
    expect(now.get("CNV002")?.isActive).toBe(false);
    expect(now.get("CNV006")?.isActive).toBe(true);
    const again = await read(provider, applied.newState as TfObject);
    expect(again.diagnostics).toEqual([]);
  });

  it("converges after a refresh too, and a deactivation of a person RuangKerja no longer has is done", async () => {
    const provider = await configure(emulator);
    const first = await planAndApply(provider, null, { CNV101: userText("CNV101"), CNV102: userText("CNV102") });
    const prior = first.newState as TfObject;
    // Landed before the kill: CNV103 created, CNV102 deactivated.
    const outside = outsideClient(emulator);
    await outside.createBulk([{ employeeID: "CNV103", name: "Person CNV103", email: "cnv103@contoh.co.id", isActive: true }]);
    await outside.updateBulk([{ employeeID: "CNV102", name: "Person CNV102", isActive: false }]);
    const next = { CNV101: userText("CNV101"), CNV103: userText("CNV103") };
    const refreshed = await read(provider, prior);
    expect(fieldsOf(usersOf(refreshed.newState).CNV102)?.is_active).toBe(false);
    const applied = await planAndApply(provider, refreshed.newState, next);
    expect(applied.diagnostics).toEqual([]);
    expect(usersOf(applied.newState)).toEqual(next);
    expect(emulator.users().filter((u) => u.employeeID === "CNV103")).toHaveLength(1);

    // A prior state naming someone RuangKerja never had: deactivating them is nothing to do.
    const ghost = { id: "ruangkerja_users", users: { ...next, GHOST9: userText("GHOST9") } };
    const cleared = await planAndApply(provider, ghost, next);
    expect(cleared.diagnostics).toEqual([]);
    expect(usersOf(cleared.newState)).toEqual(next);
  });
});
