/**
 * ruangkerja-users as a library: the same stages the CLI runs, for the CDKTF construct and for
 * programs of your own. Named exports only; nothing internal.
 */
export { type ClientOptions, checkBaseUrl, DEFAULT_API_URL, RuangkerjaClient } from "./api/client.js";
export type { ClientCredentials, TokenSource } from "./api/token-source.js";
export type { BulkResult, CreateUserBody, UpdateBulkItem, UpdateEmailItem, UpdateUserBody, UserView } from "./api/types.js";
export { userFieldsFromView, type ViewReading } from "./api/user-view.js";
export type { ApplyClient } from "./apply/apply-client.js";
export { type ApplyFailure, type ApplyOptions, type ApplyResult, applyPlan } from "./apply/apply-plan.js";
export {
  DECLARATIONS_SCHEMA_PATH,
  type LoadOptions,
  type LoadResult,
  loadDeclarations,
  validateDeclarationText,
} from "./declarations/index.js";
export { type Diagnostic, formatDiagnostics, hasErrors, type Severity, type SourceLocation } from "./diagnostics.js";
export { ApiError, ConfigError, InvalidInputError, NotApprovedError, RuangkerjaError, StateLockedError } from "./errors.js";
export type { AppliedUser, DesiredUser, UserFields } from "./model.js";
export { type Plan, type PlannedAction, planChanges, planToJson, renderPlanText } from "./plan/index.js";
export {
  type Drift,
  type DriftedUser,
  type DriftKind,
  detectDrift,
  readAllUsers,
  readUsersById,
  type Refresh,
  refreshState,
  type UserReader,
} from "./refresh/index.js";
export { FileStateStore, newStateDocument, type StateDocument, StateSession, type StateStore } from "./state/index.js";
export { openStateStore, PostgresStateStore, type PostgresStateStoreOptions } from "./state/index.js";
export { StateConflictError } from "./errors.js";
