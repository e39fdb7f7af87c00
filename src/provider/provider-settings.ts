/**
 * The provider block's settings, normalised once (STYLE.md lesson 6), and the API client built from
 * them and the provider process's environment. The token or client credentials are read from the
 * environment exactly as the CLI reads them (src/cli/api-settings.ts): never from configuration,
 * so they are in neither the Terraform files nor the state.
 */
import { RuangkerjaClient } from "../api/client.js";
import { apiSettings, type Environment } from "../cli/api-settings.js";
import { type DeactivationLimit, DEFAULT_DEACTIVATION_LIMIT, parseDeactivationLimit } from "../plan/safety-guard.js";
import { PROVIDER_ATTRIBUTES } from "./provider-schema.js";
import type { ProviderContext, TfDiagnostic, TfObject } from "./provider-types.js";

export interface ProviderSettings {
  /** Users per bulk call. @default 100 */
  readonly chunkSize: number;
  /** Requests in flight at once. @default 4 */
  readonly parallelism: number;
  /** Lets a plan (a destroy included) deactivate more users than the safety limit. @default false */
  readonly allowMassDeactivation: boolean;
  /** @default 10% of the users in state */
  readonly maxDeactivate: DeactivationLimit;
}

const LIMITS = { chunkSize: [1, 10_000], parallelism: [1, 64] } as const;

/** The settings of a provider block, or the diagnostics naming each bad attribute. */
export function parseProviderSettings(config: TfObject): { settings?: ProviderSettings; diagnostics: TfDiagnostic[] } {
  const diagnostics: TfDiagnostic[] = [];
  const bad = (name: string, summary: string) => diagnostics.push({ severity: "error", summary, attribute: [{ attribute: name }] });
  const whole = (key: keyof typeof LIMITS, fallback: number): number => {
    const name = PROVIDER_ATTRIBUTES[key];
    const value = config[name];
    if (value === null || value === undefined) return fallback;
    const [min, max] = LIMITS[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      bad(name, `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return typeof value === "number" ? value : fallback;
  };
  const chunkSize = whole("chunkSize", 100);
  const parallelism = whole("parallelism", 4);
  const allow = config[PROVIDER_ATTRIBUTES.allowMassDeactivation];
  const limitText = config[PROVIDER_ATTRIBUTES.maxDeactivate];
  let maxDeactivate = DEFAULT_DEACTIVATION_LIMIT;
  if (typeof limitText === "string") {
    const parsed = parseDeactivationLimit(limitText);
    if (parsed) maxDeactivate = parsed;
    else
      bad(
        PROVIDER_ATTRIBUTES.maxDeactivate,
        `${PROVIDER_ATTRIBUTES.maxDeactivate} must be a count ("25") or a percentage ("10%"), got ${JSON.stringify(limitText)}`,
      );
  }
  if (diagnostics.length > 0) return { diagnostics };
  return {
    settings: {
      chunkSize,
      parallelism,
      allowMassDeactivation: allow === true,
      maxDeactivate,
    },
    diagnostics,
  };
}

/** The environment as the CLI's apiSettings reads it (by property), over the provider's lookup function. */
function environmentObject(lookup: (name: string) => string | undefined): Environment {
  return new Proxy({}, { get: (_target, name) => (typeof name === "string" ? lookup(name) : undefined) });
}

/**
 * The client, configured as the CLI's, from the environment only: the API a token is sent to is
 * RUANGKERJA_API_URL (else https://api.ruangkerja.id), never a value of the configuration, so a
 * configuration cannot point terraform's credentials at a server of its own. Throws ConfigError
 * when the environment holds no token or client credentials.
 */
export function createProviderClient(_settings: ProviderSettings, environment: (name: string) => string | undefined): RuangkerjaClient {
  const api = apiSettings(
    environmentObject(environment),
    "export RUANGKERJA_TOKEN (or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET) in the environment of terraform; the provider reads it there, never from configuration",
  );
  return new RuangkerjaClient(api);
}

/** What a configured provider gives its resources. */
export interface ConfiguredProvider {
  readonly settings: ProviderSettings;
  readonly client: RuangkerjaClient;
}

const configured = new WeakMap<ProviderContext, ConfiguredProvider>();

/** The settings and client of a context configure() made; built again (same result) for one made elsewhere. */
export function configuredProvider(context: ProviderContext): ConfiguredProvider {
  const known = configured.get(context);
  if (known) return known;
  const { settings, diagnostics } = parseProviderSettings(context.config);
  if (!settings) throw new Error(diagnostics.map((d) => d.summary).join("; "));
  const made = { settings, client: createProviderClient(settings, context.environment) };
  configured.set(context, made);
  return made;
}

/** Remembers what configure() built for `context`. */
export function rememberConfigured(context: ProviderContext, provider: ConfiguredProvider): void {
  configured.set(context, provider);
}
