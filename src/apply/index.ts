export type { ApplyClient } from "./apply-client.js";
export { type ApplyFailure, type ApplyOptions, type ApplyResult, applyPlan, NOT_ATTEMPTED } from "./apply-plan.js";
export { applyResultToJson, renderApplyResult } from "./render-result.js";
