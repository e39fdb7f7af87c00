/** What the provider's resource and data source tests share: the emulator on 127.0.0.1, a configured provider, records (as objects and as JSON texts), and a client for changes made outside Terraform. */
import { expect } from "vitest";
import { RuangkerjaClient } from "../../../../src/api/client.js";
import { type RunningEmulator, startEmulator } from "../../../../src/emulator/index.js";
import type { ProviderContext, TfObject, TfValue } from "../../../../src/provider/provider-types.js";
import { ruangkerjaProvider } from "../../../../src/provider/ruangkerja-provider.js";

export const TOKEN = "provider-test-token";

export function startTestEmulator(): Promise<RunningEmulator> {
  return startEmulator({ host: "127.0.0.1", port: 0, token: TOKEN });
}

/** A record of the bulk map as JSON text (what jsonencode writes): name and e-mail, plus `extra` (null: not set). */
export function userText(id: string, extra: Record<string, TfValue> = {}): string {
  return JSON.stringify({ name: `Person ${id}`, email: `${id.toLowerCase()}@contoh.co.id`, ...extra });
}

/** A record as the per-person resource and the data source hold it, every attribute given. */
export function record(id: string, extra: Record<string, TfValue> = {}): TfObject {
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

export async function configure(
  emulator: RunningEmulator,
  config: TfObject = {},
  env: Record<string, string> = {},
): Promise<ProviderContext> {
  const environment: Record<string, string> = { RUANGKERJA_API_URL: emulator.url, RUANGKERJA_TOKEN: TOKEN, ...env };
  const { context, diagnostics } = await ruangkerjaProvider.configure(
    { chunk_size: null, parallelism: null, allow_mass_deactivation: null, max_deactivate: null, ...config },
    (name) => environment[name],
  );
  expect(diagnostics).toEqual([]);
  if (!context) throw new Error("not configured");
  return context;
}

/** A client of our own, for what someone does in RuangKerja outside Terraform. */
export function outsideClient(emulator: RunningEmulator): RuangkerjaClient {
  return new RuangkerjaClient({ baseUrl: emulator.url, token: TOKEN });
}

export const byId = (emulator: RunningEmulator) => new Map(emulator.users().map((u) => [u.employeeID, u]));
