/** ruangkerja_users planned and applied directly (no Terraform), over real HTTP against the emulator on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../../src/emulator/index.js";
import type { ProviderContext, TfObject, TfValue } from "../../../../src/provider/provider-types.js";
import { usersResource } from "../../../../src/provider/resources/users-resource.js";
import { ruangkerjaProvider } from "../../../../src/provider/ruangkerja-provider.js";
import { byId as usersById, configure as configureFor, outsideClient, startTestEmulator, userText } from "./emulator-provider.js";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function planAndApply(provider: ProviderContext, prior: TfObject | null, users: Record<string, TfValue> | null) {
  const config = users === null ? null : { id: null, users };
  const planned = await usersResource.plan({ prior, proposed: config, config, provider });
  if (planned.diagnostics.some((d) => d.severity === "error")) return { planned, applied: undefined };
  const applied = await usersResource.apply({ prior, planned: planned.planned, config, provider });
  return { planned, applied };
}

const byId = () => usersById(emulator);
const validate = async (users: Record<string, TfValue>) => (await usersResource.validate?.({ id: null, users })) ?? [];
const configure = (config: TfObject = {}, env: Record<string, string> = {}) => configureFor(emulator, config, env);

describe("ruangkerja_users against the emulator", () => {
  const ids = Array.from({ length: 200 }, (_, i) => `EMP${String(i).padStart(4, "0")}`);
  const users = Object.fromEntries(ids.map((id) => [id, userText(id)]));
  let state: TfObject | null = null;

  it("creates 200 users; an unchanged plan plans the prior state", async () => {
    const provider = await configure();
    const { applied } = await planAndApply(provider, null, users);
    expect(applied?.diagnostics).toEqual([]);
    state = applied?.newState ?? null;
    expect(Object.keys((state?.users ?? {}) as object)).toHaveLength(200);
    expect(byId().get("EMP0007")?.isActive).toBe(true);
    const again = await usersResource.plan({ prior: state, proposed: { id: null, users }, config: { id: null, users }, provider });
    expect(again.diagnostics).toEqual([]);
    expect(again.planned).toEqual(state);
  });

  it("changes one field, renames through previous_employee_ids, and deactivates a removed person", async () => {
    const provider = await configure();
    const next: Record<string, TfValue> = { ...users, EMP0001: userText("EMP0001", { phone: "6281199998888" }) };
    delete next.EMP0002;
    next.NEW0002 = userText("EMP0002", { previous_employee_ids: ["EMP0002"] });
    delete next.EMP0003;
    const { planned, applied } = await planAndApply(provider, state, next);
    expect(planned.planned?.users).toEqual(next);
    expect(applied?.diagnostics).toEqual([]);
    state = applied?.newState ?? null;
    const now = byId();
    expect(now.get("EMP0001")?.phone).toBe("6281199998888");
    expect(now.has("EMP0002")).toBe(false);
    expect(now.get("NEW0002")?.isActive).toBe(true);
    expect(now.get("EMP0003")?.isActive).toBe(false);
    expect(Object.keys((state?.users ?? {}) as object)).not.toContain("EMP0003");
  });

  it("refuses destroy through the guard, naming the setting, and deactivates everyone when it is allowed", async () => {
    const refused = await planAndApply(await configure(), state, null);
    const error = refused.planned.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/deactivates 199 of the 199 users in state/);
    expect(error?.detail).toContain("allow_mass_deactivation = true");
    expect(byId().get("EMP0010")?.isActive).toBe(true);
    const allowed = await planAndApply(await configure({ allow_mass_deactivation: true }), state, null);
    expect(allowed.applied?.diagnostics).toEqual([]);
    expect(allowed.applied?.newState).toBeNull();
    expect(byId().get("EMP0010")?.isActive).toBe(false);
  });

  it("on a partial failure returns what was applied, naming the employeeID and error code", async () => {
    const provider = await configure();
    // GHOST01 is in the prior state but not in RuangKerja: its rename fails, the create beside it lands.
    const prior = { id: "ruangkerja_users", users: { GHOST01: userText("GHOST01") } };
    const next = { NEWGHOST: userText("GHOST01", { previous_employee_ids: ["GHOST01"] }), OK0001: userText("OK0001") };
    const { applied } = await planAndApply(provider, prior, next);
    const error = applied?.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/rename NEWGHOST \(from GHOST01\) failed: \S+ USER_NOT_FOUND/);
    expect(applied?.newState?.users).toEqual({ GHOST01: userText("GHOST01"), OK0001: userText("OK0001") });
    expect(byId().get("OK0001")?.isActive).toBe(true);
  });

  it("a create that fails in part returns no state (Terraform would taint it and plan a replace that deactivates everyone); the next create adopts what landed", async () => {
    const provider = await configure();
    await outsideClient(emulator).createBulk([{ employeeID: "TAKEN01", name: "Taken", email: "taken@contoh.co.id", isActive: true }]);
    const next = { TNC0001: userText("TNC0001"), TNC0002: userText("TNC0002", { email: "taken@contoh.co.id" }) };
    const first = await planAndApply(provider, null, next);
    expect(first.applied?.diagnostics.find((d) => d.severity === "error")?.summary).toMatch(/TNC0002/);
    expect(first.applied?.newState).toBeNull();
    expect(byId().get("TNC0001")?.isActive).toBe(true);
    const fixed = { ...next, TNC0002: userText("TNC0002") };
    const second = await planAndApply(provider, null, fixed);
    expect(second.applied?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(second.applied?.newState?.users).toEqual(fixed);
    expect(emulator.users().filter((u) => u.employeeID.startsWith("TNC"))).toHaveLength(2);
    expect(byId().get("TNC0001")?.isActive).toBe(true);
  });

  it("refuses an invalid record with a diagnostic naming the employeeID and the field, at the person's entry, before any call", async () => {
    const provider = await configure();
    const before = emulator.requestCounts();
    const bad = { BAD0001: userText("BAD0001", { phone: "0812 3456" }) };
    const { planned, applied } = await planAndApply(provider, null, bad);
    expect(applied).toBeUndefined();
    const error = planned.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/^users\["BAD0001"\]\.phone: /);
    // The record is one string: Terraform can point at the entry, not inside it.
    expect(error?.attribute).toEqual([{ attribute: "users" }, { key: "BAD0001" }]);
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("refuses text that is not a record: invalid JSON, a non-object, an unknown key, a wrong type, another employee_id; every one named", async () => {
    const provider = await configure();
    const before = emulator.requestCounts();
    const bad = {
      JSN0001: '{"name": "Person JSN0001",',
      JSN0002: '["Person JSN0002"]',
      JSN0003: userText("JSN0003", { nmae: "typo" }),
      JSN0004: userText("JSN0004", { is_active: "yes" }),
      JSN0005: userText("JSN0005", { employee_id: "OTHER01" }),
      JSN0006: userText("JSN0006", { tag_serials: "RUKRTAG-A" }),
      JSN0007: userText("JSN0007", { phone: 6281234500007 }),
    };
    const { planned, applied } = await planAndApply(provider, null, bad);
    expect(applied).toBeUndefined();
    const errors = planned.diagnostics.filter((d) => d.severity === "error");
    const summaries = errors.map((d) => d.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^users\["JSN0001"\]: is not JSON: /),
        'users["JSN0002"]: must be a JSON object of the person\'s fields, got a list',
        'users["JSN0003"].nmae: is not a field of a user',
        'users["JSN0004"].is_active: must be true or false, got the string "yes"',
        'users["JSN0005"].employee_id: is "OTHER01", not the map key "JSN0005"',
        'users["JSN0006"].tag_serials: must be a list of strings, got the string "RUKRTAG-A"',
        'users["JSN0007"].phone: must be a string, got the number 6281234500007',
      ]),
    );
    expect(errors.find((d) => d.summary.includes("JSN0003"))?.detail).toContain("name, username, email, phone, is_active");
    for (const error of errors) expect(error.attribute).toEqual([{ attribute: "users" }, { key: /"(JSN\d+)"/.exec(error.summary)?.[1] }]);
    expect((await validate(bad)).map((d) => d.summary)).toEqual(summaries);
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("takes a record as HCL's jsonencode writes it: keys in any order, spaces, null for not set, employee_id equal to the key; plans the texts as written", async () => {
    const provider = await configure();
    const users = {
      HCL0001:
        '{ "phone": null, "email": "hcl0001@contoh.co.id", "name": "Person HCL0001", "employee_id": "HCL0001", "tag_serials": null }',
      HCL0002: JSON.stringify({ employee_id: "HCL0002", name: "Person HCL0002", phone: "6281200000002", is_active: false }),
    };
    expect(await validate(users)).toEqual([]);
    const { planned, applied } = await planAndApply(provider, null, users);
    expect(planned.diagnostics).toEqual([]);
    expect(planned.planned).toEqual({ id: "ruangkerja_users", users });
    expect(applied?.diagnostics).toEqual([]);
    expect(applied?.newState?.users).toEqual(users);
    expect(byId().get("HCL0001")).toMatchObject({ email: "hcl0001@contoh.co.id", phone: null, isActive: true });
    expect(byId().get("HCL0002")).toMatchObject({ phone: "6281200000002", isActive: false });
  });

  it("creates with the password its password_env names, and never puts the value in state", async () => {
    const provider = await configure({}, { RUANGKERJA_PASSWORD_PW0001: "s3cret-Value-42" });
    const { applied } = await planAndApply(provider, null, { PW0001: userText("PW0001", { password_env: "RUANGKERJA_PASSWORD_PW0001" }) });
    expect(applied?.diagnostics).toEqual([]);
    expect(JSON.stringify(applied?.newState)).not.toContain("s3cret-Value-42");
    expect(byId().get("PW0001")?.isActive).toBe(true);
  });

  it("warns at each person created with the same initial password variable, pointing at their entry", async () => {
    const provider = await configure();
    const shared = { password_env: "RUANGKERJA_PASSWORD_BATCH" };
    const config = { id: null, users: { SH0001: userText("SH0001", shared), SH0002: userText("SH0002", shared) } };
    const planned = await usersResource.plan({ prior: null, proposed: config, config, provider });
    const warnings = planned.diagnostics.filter((d) => d.summary.includes("same initial password"));
    expect(warnings.map((d) => [d.severity, d.summary, d.attribute])).toEqual([
      [
        "warning",
        "SH0001 is created with the same initial password as SH0002 (RUANGKERJA_PASSWORD_BATCH)",
        [{ attribute: "users" }, { key: "SH0001" }],
      ],
      [
        "warning",
        "SH0002 is created with the same initial password as SH0001 (RUANGKERJA_PASSWORD_BATCH)",
        [{ attribute: "users" }, { key: "SH0002" }],
      ],
    ]);
  });

  it("points the e-mail change's password-reset warning at the person's entry", async () => {
    const provider = await configure();
    const { applied } = await planAndApply(provider, null, { EM0001: userText("EM0001") });
    const changed = { id: null, users: { EM0001: userText("EM0001", { email: "baru.em0001@contoh.co.id" }) } };
    const planned = await usersResource.plan({ prior: applied?.newState ?? null, proposed: changed, config: changed, provider });
    const reset = planned.diagnostics.find((d) => d.summary.startsWith("the e-mail of EM0001 changes"));
    expect(reset?.severity).toBe("warning");
    expect(reset?.attribute).toEqual([{ attribute: "users" }, { key: "EM0001" }]);
  });

  it("stops before any call when a password_env variable is not set", async () => {
    const provider = await configure();
    const before = emulator.requestCounts();
    const { applied } = await planAndApply(provider, null, { PW0002: userText("PW0002", { password_env: "RUANGKERJA_PASSWORD_PW0002" }) });
    expect(applied?.diagnostics[0]?.summary).toMatch(
      /RUANGKERJA_PASSWORD_PW0002 \(passwordEnv of PW0002\) is not set; nothing was changed/,
    );
    expect(applied?.newState).toBeNull(); // a create: nothing landed, no state
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("without credentials plans from state, and refuses what needs the API (read, import, apply) with what to export; nothing is sent", async () => {
    const withToken = await configure();
    const { applied } = await planAndApply(withToken, null, { NT0001: userText("NT0001") });
    const prior = applied?.newState;
    if (!prior) throw new Error("the first apply recorded no state");
    const before = emulator.requestCounts();
    const env = (name: string) => (name === "RUANGKERJA_API_URL" ? emulator.url : undefined);
    const configured = await ruangkerjaProvider.configure({}, env);
    expect(configured.diagnostics).toEqual([]);
    const provider = configured.context as ProviderContext;
    const changed = { NT0001: userText("NT0001", { name: "Renamed Person" }) };
    const planned = await usersResource.plan({
      prior,
      proposed: { id: null, users: changed },
      config: { id: null, users: changed },
      provider,
    });
    expect(planned.diagnostics).toEqual([]);
    expect(planned.planned?.users).toEqual(changed);
    const read = await usersResource.read?.({ current: prior, provider });
    expect(read?.diagnostics[0]?.summary).toMatch(
      /^cannot read the users from RuangKerja: no access token: export RUANGKERJA_TOKEN .*terraform plan -refresh=false/,
    );
    const imported = await usersResource.importState?.({ id: "NT0001", provider });
    expect(imported?.diagnostics[0]?.summary).toMatch(/no access token: export RUANGKERJA_TOKEN/);
    const apply = await usersResource.apply({ prior, planned: planned.planned, config: { id: null, users: changed }, provider });
    expect(apply.diagnostics.map((d) => d.summary)).toEqual([
      expect.stringMatching(/^cannot apply: no access token: .*; nothing was changed$/),
    ]);
    expect(apply.newState).toEqual(prior);
    expect(emulator.requestCounts()).toEqual(before);
    // Half a pair of client credentials is a mistake, refused at configure.
    const half = await ruangkerjaProvider.configure({}, (name) => ({ RUANGKERJA_API_URL: emulator.url, RUANGKERJA_CLIENT_ID: "x" })[name]);
    expect(half.context).toBeUndefined();
    expect(half.diagnostics[0]?.summary).toMatch(/RUANGKERJA_CLIENT_SECRET is not set/);
  });
});
