export {
  type ClientOptions,
  checkBaseUrl,
  DEFAULT_API_URL,
  isLoopbackUrl,
  type RequestKind,
  RuangkerjaClient,
  type SingleResult,
} from "./client.js";
export type * from "./types.js";
