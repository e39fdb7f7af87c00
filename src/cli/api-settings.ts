/**
 * The API URL and how to authenticate, from the environment only. Its own module, loading
 * nothing but the API's defaults, so the lean tf-sync entry shares it instead of keeping a copy.
 */
import { DEFAULT_API_URL } from "../api/defaults.js";
import type { ClientCredentials } from "../api/token-source.js";
import { ConfigError } from "../errors.js";

/** The process environment, or a test's. */
export interface Environment {
  readonly [name: string]: string | undefined;
}

export interface ApiSettings {
  readonly baseUrl: string;
  /** Set when RUANGKERJA_TOKEN is; otherwise `clientCredentials` is. */
  readonly token?: string;
  readonly clientCredentials?: ClientCredentials;
}

/**
 * The API URL and how to authenticate, from the environment only: a token, or a client ID and
 * secret to exchange for one. Neither is ever taken from a flag (flags end up in shell history
 * and process lists). A token wins over client credentials.
 */
export function apiSettings(
  env: Environment,
  /** What to do when there is no token; tf-sync's says where Terraform runs. */
  missing = 'set the RUANGKERJA_TOKEN environment variable, or RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET (see README, "Environment variables")',
): ApiSettings {
  const baseUrl = env.RUANGKERJA_API_URL || DEFAULT_API_URL;
  const token = env.RUANGKERJA_TOKEN ?? "";
  if (token !== "") return { baseUrl, token };
  const clientID = env.RUANGKERJA_CLIENT_ID ?? "";
  const clientSecret = env.RUANGKERJA_CLIENT_SECRET ?? "";
  if (clientID !== "" && clientSecret !== "") return { baseUrl, clientCredentials: { clientID, clientSecret } };
  if (clientID !== "" || clientSecret !== "") {
    const missing = clientID === "" ? "RUANGKERJA_CLIENT_ID" : "RUANGKERJA_CLIENT_SECRET";
    throw new ConfigError(`${missing} is not set: client credentials need both RUANGKERJA_CLIENT_ID and RUANGKERJA_CLIENT_SECRET`);
  }
  throw new ConfigError(`no access token: ${missing}`);
}
