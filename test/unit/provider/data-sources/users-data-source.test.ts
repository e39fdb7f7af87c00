/** The ruangkerja_users data source read directly (no Terraform), against the emulator on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../../../src/emulator/index.js";
import { usersDataSource } from "../../../../src/provider/data-sources/users-data-source.js";
import { type ProviderContext, type TfObject, UNKNOWN } from "../../../../src/provider/provider-types.js";
import { configure, outsideClient, record, startTestEmulator } from "../resources/emulator-provider.js";

let emulator: RunningEmulator;
let provider: ProviderContext;
beforeAll(async () => {
  emulator = await startTestEmulator();
  provider = await configure(emulator);
  const outside = outsideClient(emulator);
  const created = await outside.createBulk([
    { employeeID: "DS001", name: "Person DS001", email: "ds001@contoh.co.id", isActive: true, organizationSerial: "COMPAAAA" },
    { employeeID: "DS002", name: "Person DS002", email: "ds002@contoh.co.id", isActive: true, organizationSerial: "COMPBBBB" },
    { employeeID: "DS003", name: "Person DS003", email: "ds003@contoh.co.id", isActive: false, organizationSerial: "COMPAAAA" },
    ...Array.from({ length: 150 }, (_, i) => ({
      employeeID: `DSX${String(i).padStart(3, "0")}`,
      name: `Person ${i}`,
      phone: `62812000${String(i).padStart(5, "0")}`,
      isActive: true,
    })),
  ]);
  expect(created.failedItems).toEqual([]);
});
afterAll(async () => {
  await emulator.close();
});

const config = (extra: Partial<Record<"employee_ids" | "organization_serial", TfObject[string]>> = {}): TfObject => ({
  employee_ids: null,
  organization_serial: null,
  users: null,
  ...extra,
});

describe("ruangkerja_users data source", () => {
  it("reads every user, inactive ones included, from the list pages", async () => {
    const before = emulator.requestCounts();
    const { state, diagnostics } = await usersDataSource.read({ config: config(), provider });
    expect(diagnostics).toEqual([]);
    const users = state?.users as Record<string, TfObject>;
    expect(Object.keys(users)).toHaveLength(153);
    expect(users.DS003).toEqual(record("DS003", { is_active: false, organization_serial: "COMPAAAA" }));
    expect(users.DSX007).toEqual(record("DSX007", { name: "Person 7", email: null, phone: "6281200000007", is_active: true }));
    expect((emulator.requestCounts().list ?? 0) - (before.list ?? 0)).toBe(2);
  });

  it("filters by employee_ids and by organization_serial", async () => {
    const byIds = await usersDataSource.read({ config: config({ employee_ids: ["DS002", "DSX001"] }), provider });
    expect(Object.keys(byIds.state?.users as object).sort()).toEqual(["DS002", "DSX001"]);
    expect(byIds.state?.employee_ids).toEqual(["DS002", "DSX001"]);
    const byOrganization = await usersDataSource.read({ config: config({ organization_serial: "COMPAAAA" }), provider });
    expect(Object.keys(byOrganization.state?.users as object).sort()).toEqual(["DS001", "DS003"]);
    const both = await usersDataSource.read({
      config: config({ employee_ids: ["DS001", "DS002"], organization_serial: "COMPBBBB" }),
      provider,
    });
    expect(Object.keys(both.state?.users as object)).toEqual(["DS002"]);
  });

  it("refuses an unknown employeeID by name, and a malformed one at validate", async () => {
    const unknown = await usersDataSource.read({ config: config({ employee_ids: ["DS001", "NOPE42"] }), provider });
    expect(unknown.state).toBeNull();
    expect(unknown.diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: expect.stringContaining('"NOPE42"') })]);
    const malformed = usersDataSource.validate?.(config({ employee_ids: ["DS001", "not an id"] })) ?? [];
    expect(malformed[0]?.attribute).toEqual([{ attribute: "employee_ids" }, { index: 1 }]);
    expect(usersDataSource.validate?.(config({ employee_ids: [UNKNOWN] }))).toEqual([]);
  });
});
