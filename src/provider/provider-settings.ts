/**
 * The provider block's settings, normalised once (STYLE.md lesson 6), and the API settings from
 * the provider process's environment, which ConfigureProvider checks. The token or client
 * credentials are read from the environment exactly as the CLI reads them
 * (src/cli/api-settings.ts): never from configuration, so they are in neither the Terraform files
 * nor the state. Light: the API client itself is built by provider-client.ts.
 */
import { checkBaseUrl } from "../api/base-url.js";
import { DEFAULT_API_URL } from "../api/defaults.js";
import { type ApiSettings, apiSettings, type Environment } from "../cli/api-settings.js";
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

/** What to do when terraform's environment holds no credentials, and what works without them. */
export const NO_CREDENTIALS =
  "no access token: export RUANGKERJA_TOKEN (or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET) in the environment of terraform; the provider reads it there, never from configuration. Without credentials, `terraform plan -refresh=false` plans from Terraform's state alone";

/**
 * The API and its credentials, from the environment only: the API a token is sent to is
 * RUANGKERJA_API_URL (else https://api.ruangkerja.id), never a value of the configuration, so a
 * configuration cannot point terraform's credentials at a server of its own. Undefined when the
 * environment holds no credentials at all: as the CLI's plan, a plan from Terraform's state
 * (`-refresh=false`) needs none, and what does need the API says so (provider-client.ts). Throws
 * ConfigError for half of a pair of client credentials, or a URL the client would refuse
 * (checkBaseUrl): so ConfigureProvider reports both without loading the client.
 */
export function providerApiSettings(environment: (name: string) => string | undefined): ApiSettings | undefined {
  const env = environmentObject(environment);
  checkBaseUrl(env.RUANGKERJA_API_URL || DEFAULT_API_URL);
  if (!env.RUANGKERJA_TOKEN && !env.RUANGKERJA_CLIENT_ID && !env.RUANGKERJA_CLIENT_SECRET) return undefined;
  return apiSettings(env, NO_CREDENTIALS);
}

/** What configure() found: the block's settings and the API to call (absent: no credentials in the environment). */
export interface ProviderConfiguration {
  readonly settings: ProviderSettings;
  readonly api: ApiSettings | undefined;
}

const configurations = new WeakMap<ProviderContext, ProviderConfiguration>();

/** Remembers what configure() found for `context`. */
export function rememberConfiguration(context: ProviderContext, configuration: ProviderConfiguration): void {
  configurations.set(context, configuration);
}

/** The configuration of a context configure() made; found again (same result) for one made elsewhere. */
export function providerConfiguration(context: ProviderContext): ProviderConfiguration {
  const known = configurations.get(context);
  if (known) return known;
  const { settings, diagnostics } = parseProviderSettings(context.config);
  if (!settings) throw new Error(diagnostics.map((d) => d.summary).join("; "));
  const made = { settings, api: providerApiSettings(context.environment) };
  configurations.set(context, made);
  return made;
}
