/** ruangkerja_users planned and applied directly (no Terraform), over real HTTP against the emulator on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../../../src/emulator/index.js";
import type { ProviderContext, TfObject, TfValue } from "../../../../src/provider/provider-types.js";
import { usersResource } from "../../../../src/provider/resources/users-resource.js";
import { ruangkerjaProvider } from "../../../../src/provider/ruangkerja-provider.js";

const TOKEN = "provider-test-token";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
});
afterAll(async () => {
  await emulator.close();
});

function record(id: string, extra: Record<string, TfValue> = {}): TfObject {
  return {
    name: `Person ${id}`,
    username: null,
    email: `${id.toLowerCase()}@contoh.co.id`,
    phone: null,
    is_active: null,
    tag_serials: null,
    organization_serial: null,
    previous_employee_ids: null,
    password_env: null,
    ...extra,
  };
}

async function configure(config: TfObject = {}, env: Record<string, string> = {}): Promise<ProviderContext> {
  const environment = { RUANGKERJA_TOKEN: TOKEN, ...env };
  const { context, diagnostics } = await ruangkerjaProvider.configure(
    { api_url: emulator.url, chunk_size: null, parallelism: null, allow_mass_deactivation: null, max_deactivate: null, ...config },
    (name) => environment[name as keyof typeof environment],
  );
  expect(diagnostics).toEqual([]);
  if (!context) throw new Error("not configured");
  return context;
}

async function planAndApply(provider: ProviderContext, prior: TfObject | null, users: Record<string, TfValue> | null) {
  const config = users === null ? null : { id: null, users };
  const planned = await usersResource.plan({ prior, proposed: config, config, provider });
  if (planned.diagnostics.some((d) => d.severity === "error")) return { planned, applied: undefined };
  const applied = await usersResource.apply({ prior, planned: planned.planned, config, provider });
  return { planned, applied };
}

const byId = () => new Map(emulator.users().map((u) => [u.employeeID, u]));

describe("ruangkerja_users against the emulator", () => {
  const ids = Array.from({ length: 200 }, (_, i) => `EMP${String(i).padStart(4, "0")}`);
  const users = Object.fromEntries(ids.map((id) => [id, record(id)]));
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
    const next: Record<string, TfValue> = { ...users, EMP0001: record("EMP0001", { phone: "6281199998888" }) };
    delete next.EMP0002;
    next.NEW0002 = record("EMP0002", { previous_employee_ids: ["EMP0002"] });
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
    const prior = { id: "ruangkerja_users", users: { GHOST01: record("GHOST01") } };
    const next = { NEWGHOST: record("GHOST01", { previous_employee_ids: ["GHOST01"] }), OK0001: record("OK0001") };
    const { applied } = await planAndApply(provider, prior, next);
    const error = applied?.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/rename NEWGHOST \(from GHOST01\) failed: \S+ USER_NOT_FOUND/);
    expect(applied?.newState?.users).toEqual({ GHOST01: record("GHOST01"), OK0001: record("OK0001") });
    expect(byId().get("OK0001")?.isActive).toBe(true);
  });

  it("refuses an invalid record with a diagnostic naming the employeeID and the field, before any call", async () => {
    const provider = await configure();
    const before = emulator.requestCounts();
    const bad = { BAD0001: record("BAD0001", { phone: "0812 3456" }) };
    const { planned, applied } = await planAndApply(provider, null, bad);
    expect(applied).toBeUndefined();
    const error = planned.diagnostics.find((d) => d.severity === "error");
    expect(error?.summary).toMatch(/^users\["BAD0001"\]\.phone: /);
    expect(error?.attribute).toEqual([{ attribute: "users" }, { key: "BAD0001" }, { attribute: "phone" }]);
    expect(emulator.requestCounts()).toEqual(before);
  });

  it("creates with the password its password_env names, and never puts the value in state", async () => {
    const provider = await configure({}, { RUANGKERJA_PASSWORD_PW0001: "s3cret-Value-42" });
    const { applied } = await planAndApply(provider, null, { PW0001: record("PW0001", { password_env: "RUANGKERJA_PASSWORD_PW0001" }) });
    expect(applied?.diagnostics).toEqual([]);
    expect(JSON.stringify(applied?.newState)).not.toContain("s3cret-Value-42");
    expect(byId().get("PW0001")?.isActive).toBe(true);
  });

  it("stops before any call when a password_env variable is not set, and refuses a provider without a token", async () => {
    const provider = await configure();
    const before = emulator.requestCounts();
    const { applied } = await planAndApply(provider, null, { PW0002: record("PW0002", { password_env: "RUANGKERJA_PASSWORD_PW0002" }) });
    expect(applied?.diagnostics[0]?.summary).toMatch(
      /RUANGKERJA_PASSWORD_PW0002 \(passwordEnv of PW0002\) is not set; nothing was changed/,
    );
    expect(applied?.newState?.users).toEqual({});
    expect(emulator.requestCounts()).toEqual(before);
    const noToken = await ruangkerjaProvider.configure({ api_url: emulator.url }, () => undefined);
    expect(noToken.context).toBeUndefined();
    expect(noToken.diagnostics[0]?.summary).toMatch(/no access token: export RUANGKERJA_TOKEN/);
  });
});
