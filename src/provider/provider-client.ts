/**
 * The API client of a configured provider, built when a resource or data source first needs it
 * from what ConfigureProvider checked (provider-settings.ts): ConfigureProvider answers without
 * loading ky and the client, which the process that only validates never needs. With no
 * credentials in terraform's environment there is no client: what needs the API (refresh,
 * import, the data source, apply) fails with what to export, and a plan from state still works.
 */
import { RuangkerjaClient } from "../api/client.js";
import { ConfigError } from "../errors.js";
import type { ProviderContext, TfDiagnostic } from "./provider-types.js";
import { NO_CREDENTIALS, providerConfiguration, type ProviderSettings } from "./provider-settings.js";

/** What a configured provider gives its resources. */
export interface ConfiguredProvider {
  readonly settings: ProviderSettings;
  readonly client: RuangkerjaClient;
}

const clients = new WeakMap<ProviderContext, ConfiguredProvider>();

/** The settings and client of a configured provider (one client per configuration); throws ConfigError without credentials. */
export function configuredProvider(context: ProviderContext): ConfiguredProvider {
  const known = clients.get(context);
  if (known) return known;
  const { settings, api } = providerConfiguration(context);
  if (api === undefined) throw new ConfigError(NO_CREDENTIALS);
  const made = { settings, client: new RuangkerjaClient(api) };
  clients.set(context, made);
  return made;
}

/** The configured provider, or the error an apply answers without credentials (nothing is sent). */
export function configuredOrDiagnostic(context: ProviderContext): ConfiguredProvider | { diagnostic: TfDiagnostic } {
  try {
    return configuredProvider(context);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { diagnostic: { severity: "error", summary: `cannot apply: ${error.message}; nothing was changed` } };
  }
}
