export {
  newStateDocument,
  parseStateJson,
  STATE_FORMAT_VERSION,
  type StateDocument,
  type StateJson,
  stateToJson,
} from "./state-document.js";
export { DEFAULT_STATE_PATH, FileStateStore } from "./state-file.js";
export { StateSession } from "./state-session.js";
export type { LockOptions, StateLock, StateStore } from "./state-store.js";
export { DEFAULT_WORKSPACE, type OpenStateStoreOptions, openStateStore } from "./open-state-store.js";
export { POSTGRES_SCHEMA_SQL, PostgresStateStore, type PostgresStateStoreOptions } from "./postgres-store.js";
