/** The provisioners' work for one shard, against the emulator on 127.0.0.1: exact plans, upserts after a failure, deactivations. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { RuangkerjaClient } from "../../../src/api/client.js";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import type { ShardEntry, SyncRecord } from "../../../src/tf-sync/records.js";
import { syncShardCreate, syncShardDestroy } from "../../../src/tf-sync/sync-shard.js";

const TOKEN = "sync-test-token";
let emulator: RunningEmulator;
let client: RuangkerjaClient;

beforeEach(async () => {
  emulator = await startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
  client = new RuangkerjaClient({ baseUrl: emulator.url, token: TOKEN, maxAttempts: 1 });
});
afterEach(async () => {
  await emulator.close();
});

function record(id: string, overrides: Partial<SyncRecord> = {}): SyncRecord {
  return { employeeID: id, name: `Name ${id}`, email: `${id.toLowerCase()}@contoh.co.id`, isActive: true, ...overrides };
}

function mapOf(...entries: ([string, ShardEntry] | SyncRecord)[]): Record<string, ShardEntry> {
  return Object.fromEntries(entries.map((e) => (Array.isArray(e) ? e : [e.employeeID, e])));
}

const user = (id: string) => emulator.users().find((u) => u.employeeID === id);

describe("syncShardCreate", () => {
  it("without an old map, creates through create-bulk, and running it again converges without a second user", async () => {
    const users = mapOf(record("E1", { organizationSerial: "ORG1", tagSerials: ["T2", "T1"] }), record("E2"));
    const first = await syncShardCreate(client, users, undefined);
    expect(first).toMatchObject({ mode: "upsert", failures: [], done: { create: 2, update: 0 } });
    expect(emulator.requestCounts()["create-bulk"]).toBe(1);
    // A retry after a failed apply (Terraform reruns only the create): the creates meet existing IDs and become full updates.
    const again = await syncShardCreate(client, users, undefined);
    expect(again.failures).toEqual([]);
    // Each either read back as already there (counted as created) or updated in full.
    expect(again.done.create + again.done.update).toBe(2);
    expect(emulator.users()).toHaveLength(2);
    expect(user("E1")).toMatchObject({ organizationSerial: "ORG1", isActive: true });
  });

  it("with the old map, sends only what changed: one update-bulk for an edit, a create-bulk for a newcomer", async () => {
    const before = mapOf(record("E1"), record("E2"));
    await syncShardCreate(client, before, undefined);
    const start = emulator.requestCounts();
    const after = mapOf(record("E1", { name: "Edited" }), record("E2"), record("E3"));
    const result = await syncShardCreate(client, after, before);
    expect(result).toMatchObject({ mode: "exact", failures: [], done: { create: 1, update: 1 } });
    const counts = emulator.requestCounts();
    expect((counts["update-bulk"] ?? 0) - (start["update-bulk"] ?? 0)).toBe(1);
    expect((counts["create-bulk"] ?? 0) - (start["create-bulk"] ?? 0)).toBe(1);
    expect((counts.update ?? 0) - (start.update ?? 0)).toBe(0);
    expect(user("E1")?.name).toBe("Edited");
  });

  it("carries out an e-mail change through update-email-bulk, as the CLI does", async () => {
    const before = mapOf(record("E1"), record("E2"));
    await syncShardCreate(client, before, undefined);
    const start = emulator.requestCounts();
    const after = mapOf(record("E1", { email: "baru.e1@contoh.co.id" }), record("E2"));
    const result = await syncShardCreate(client, after, before);
    expect(result.failures).toEqual([]);
    expect((emulator.requestCounts()["update-email-bulk"] ?? 0) - (start["update-email-bulk"] ?? 0)).toBe(1);
    expect(user("E1")?.email).toBe("baru.e1@contoh.co.id");
  });

  it("renames a user whose old ID is in the old map, keeping one user", async () => {
    const before = mapOf(record("OLD1"));
    await syncShardCreate(client, before, undefined);
    const serial = user("OLD1")?.serial;
    const after = mapOf(record("NEW1", { email: "old1@contoh.co.id", previousEmployeeIDs: ["OLD1"] }));
    const result = await syncShardCreate(client, after, before);
    expect(result).toMatchObject({ failures: [], done: { rename: 1 } });
    expect(emulator.users()).toHaveLength(1);
    expect(user("NEW1")?.serial).toBe(serial);
  });

  it("renames a user whose old ID lives in another shard (not in this old map), and again converges on a retry", async () => {
    await syncShardCreate(client, mapOf(record("OLD1")), undefined);
    const after = mapOf(record("NEW1", { email: "old1@contoh.co.id", previousEmployeeIDs: ["GONE", "OLD1"] }));
    const result = await syncShardCreate(client, after, mapOf(record("X9")));
    expect(result).toMatchObject({ failures: [], done: { rename: 1 } });
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["NEW1"]);
    const retry = await syncShardCreate(client, after, undefined);
    expect(retry.failures).toEqual([]);
    expect(retry.done.rename + retry.done.create + retry.done.update).toBe(1);
    expect(emulator.users()).toHaveLength(1);
  });

  it("on a retry, brings a user that differs from the declaration back to it (create refused, then a full update)", async () => {
    await syncShardCreate(client, mapOf(record("E1")), undefined);
    const result = await syncShardCreate(client, mapOf(record("E1", { name: "Changed", organizationSerial: "ORG9" })), undefined);
    expect(result).toMatchObject({ failures: [], done: { create: 0, update: 1 } });
    expect(user("E1")).toMatchObject({ name: "Changed", organizationSerial: "ORG9" });
    expect(emulator.users()).toHaveLength(1);
  });

  it("treats the same map before and after (a taint or a forced replace) as unknown and upserts", async () => {
    const users = mapOf(record("E1"));
    expect(await syncShardCreate(client, users, users)).toMatchObject({ mode: "upsert", done: { create: 1 } });
  });

  it("reports each user the API refuses, by employeeID and error", async () => {
    const result = await syncShardCreate(client, mapOf(record("E1"), record("E2", { email: "e1@contoh.co.id" })), undefined);
    expect(result.done.create).toBe(1);
    expect(result.failures).toEqual([expect.objectContaining({ action: "create", employeeID: "E2", message: "USER_EMAIL_EXISTS" })]);
  });

  it("throws when the token is refused, rather than reporting every user", async () => {
    const bad = new RuangkerjaClient({ baseUrl: emulator.url, token: "wrong", maxAttempts: 1 });
    await expect(syncShardCreate(bad, mapOf(record("E1")), undefined)).rejects.toThrow(/Token is not valid|401/);
  });
});

describe("syncShardDestroy", () => {
  it("deactivates the old users not kept, leaves the kept and the renamed alone, and ignores users RuangKerja never had", async () => {
    await syncShardCreate(client, mapOf(record("E1"), record("E2"), record("E3")), undefined);
    const old = mapOf(record("E1"), record("E2"), record("E3"), record("NEVER"), ["R1", { renamedTo: "R2" }]);
    const result = await syncShardDestroy(client, old, new Set(["E1", "E3"]));
    expect(result).toMatchObject({ failures: [], done: { deactivate: 1 } });
    expect(user("E2")?.isActive).toBe(false);
    expect(user("E1")?.isActive).toBe(true);
    expect(user("E3")?.isActive).toBe(true);
    // Twice is harmless.
    expect(await syncShardDestroy(client, old, new Set(["E1", "E3"]))).toMatchObject({ failures: [] });
  });

  it("does nothing for users already inactive", async () => {
    const result = await syncShardDestroy(client, mapOf(record("E1", { isActive: false })), new Set());
    expect(result.done.deactivate).toBe(0);
    expect(emulator.requestCounts()["update-bulk"] ?? 0).toBe(0);
  });
});

describe("initial passwords (passwordEnv), from terraform apply's environment", () => {
  const PASSWORD = "Awal-Sandi-7f3c";
  const environment = (values: Record<string, string>) => (name: string) => values[name];
  /** The create bodies sent, password included: the emulator keeps none to look at. */
  const createsSent = () => {
    const spy = vi.spyOn(client, "createBulk");
    return () => spy.mock.calls.flatMap(([items]) => items);
  };

  it("sends the named variable's value with the create, in an upsert and in an exact plan", async () => {
    const sent = createsSent();
    const first = mapOf(record("E1", { passwordEnv: "RUANGKERJA_PASSWORD_E1" }));
    const options = { environment: environment({ RUANGKERJA_PASSWORD_E1: PASSWORD, RUANGKERJA_PASSWORD_E2: `${PASSWORD}-2` }) };
    expect(await syncShardCreate(client, first, undefined, options)).toMatchObject({ mode: "upsert", failures: [], done: { create: 1 } });
    const second = mapOf(record("E1", { passwordEnv: "RUANGKERJA_PASSWORD_E1" }), record("E2", { passwordEnv: "RUANGKERJA_PASSWORD_E2" }));
    expect(await syncShardCreate(client, second, first, options)).toMatchObject({ mode: "exact", failures: [], done: { create: 1 } });
    expect(sent().map((b) => [b.employeeID, b.password])).toEqual([
      ["E1", PASSWORD],
      ["E2", `${PASSWORD}-2`],
    ]);
    expect(emulator.users().map((u) => u.employeeID)).toEqual(["E1", "E2"]);
  });

  it("stops before any call when the variable of a user that may be created is missing or empty, naming it and never a value", async () => {
    const users = mapOf(record("E1", { passwordEnv: "RUANGKERJA_PASSWORD_E1" }), record("E2", { passwordEnv: "RUANGKERJA_PASSWORD_E2" }));
    const attempt = syncShardCreate(client, users, undefined, { environment: environment({ RUANGKERJA_PASSWORD_E1: "" }) });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      /2 environment variables holding initial passwords are not set or empty where terraform apply runs: RUANGKERJA_PASSWORD_E1 \(passwordEnv of E1\), RUANGKERJA_PASSWORD_E2 \(passwordEnv of E2\)\. Nothing was changed/,
    );
    expect(Object.values(emulator.requestCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("needs no variable for a user the old map knew: it is updated, and passwordEnv means nothing to an update", async () => {
    const before = mapOf(record("E1", { passwordEnv: "RUANGKERJA_PASSWORD_E1" }));
    await syncShardCreate(client, before, undefined, { environment: environment({ RUANGKERJA_PASSWORD_E1: PASSWORD }) });
    const after = mapOf(record("E1", { name: "Edited", passwordEnv: "RUANGKERJA_PASSWORD_E1" }));
    const result = await syncShardCreate(client, after, before, { environment: environment({}) });
    expect(result).toMatchObject({ mode: "exact", failures: [], done: { update: 1 } });
    expect(user("E1")?.name).toBe("Edited");
  });

  it("does not create a user the old map knew but RuangKerja lost without the password it names: it is reported", async () => {
    const before = mapOf(record("E1", { passwordEnv: "RUANGKERJA_PASSWORD_E1" }));
    const after = mapOf(record("E1", { name: "Edited", passwordEnv: "RUANGKERJA_PASSWORD_E1" }));
    const sent = createsSent();
    const result = await syncShardCreate(client, after, before, { environment: environment({}) });
    expect(result.failures).toEqual([expect.objectContaining({ action: "create", employeeID: "E1", message: "PASSWORD_ENV_NOT_SET" })]);
    expect(sent()).toEqual([]);
    expect(emulator.users()).toEqual([]);
  });
});
