export {
  type ClientOptions,
  checkBaseUrl,
  DEFAULT_API_URL,
  isLoopbackUrl,
  type RequestKind,
  RuangkerjaClient,
  type SingleResult,
} from "./client.js";
export { type ClientCredentials, ClientCredentialsTokenSource, StaticTokenSource, type TokenSource } from "./token-source.js";
export type * from "./types.js";
