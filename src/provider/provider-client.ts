/**
 * The API client of a configured provider, built when a resource or data source first needs it
 * from what ConfigureProvider checked (provider-settings.ts): ConfigureProvider answers without
 * loading ky and the client, which the process that only validates never needs.
 */
import { RuangkerjaClient } from "../api/client.js";
import type { ProviderContext } from "./provider-types.js";
import { providerConfiguration, type ProviderSettings } from "./provider-settings.js";

/** What a configured provider gives its resources. */
export interface ConfiguredProvider {
  readonly settings: ProviderSettings;
  readonly client: RuangkerjaClient;
}

const clients = new WeakMap<ProviderContext, ConfiguredProvider>();

/** The settings and client of a configured provider (one client per configuration). */
export function configuredProvider(context: ProviderContext): ConfiguredProvider {
  const known = clients.get(context);
  if (known) return known;
  const { settings, api } = providerConfiguration(context);
  const made = { settings, client: new RuangkerjaClient(api) };
  clients.set(context, made);
  return made;
}
