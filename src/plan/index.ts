export { planChanges } from "./plan-changes.js";
export {
  ACTION_KINDS,
  type ActionKind,
  type FieldChange,
  type FieldValue,
  hasChanges,
  PLAN_FORMAT_VERSION,
  type Plan,
  type PlannedAction,
  type PlanSummary,
} from "./plan-types.js";
export { type PlanJson, planToJson } from "./render-json.js";
export { type RenderOptions, renderPlanText, summaryLine } from "./render-text.js";
