/**
 * RuangKerja as it is now: reading users through the GET endpoints (every user page by page, or
 * some by employeeID), and `--refresh`: the live state users against state → a refreshed state
 * for the planner and a drift report. The view → fields mapping lives in src/api/user-view.ts;
 * the planner stays pure and never reads the API.
 */
export { type Drift, type DriftedUser, type DriftKind, type DriftResult, detectDrift } from "./detect-drift.js";
export {
  adoptedUser,
  LIST_PAGE_SIZE,
  type LiveUser,
  MAX_PAGES,
  readAllUsers,
  readPage,
  readUsersById,
  type UserReader,
} from "./read-users.js";
export { type Refresh, refreshState } from "./refresh-state.js";
export { type DriftJson, driftSummary, driftToJson, renderDriftText } from "./render-drift.js";
