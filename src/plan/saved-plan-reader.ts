/**
 * Reads a saved plan's text like declarations are read: strict JSON (a repeated key is refused),
 * then schemas/saved-plan.schema.json compiled with AJV, every problem located at its line. Only
 * the envelope is checked here; the plan inside is compared with a fresh one (saved-plan.ts).
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Diagnostic } from "../diagnostics.js";
import { InvalidInputError } from "../errors.js";
import { formatJsonPath, type JsonPath, lineColumn, offsetOfPath, parseStrictJson } from "../json/strict-json.js";
import { type PlanStateBasis, SAVED_PLAN_FORMAT_VERSION, SAVED_PLAN_KIND, type SavedPlanFile } from "./saved-plan.js";

/** The saved plan's JSON Schema, from the package root (src/plan and dist/plan sit two levels below it). */
export const SAVED_PLAN_SCHEMA = "../../schemas/saved-plan.schema.json";

const require = createRequire(import.meta.url);
let validator: ValidateFunction | undefined;

function savedPlanValidator(): ValidateFunction {
  if (!validator) {
    const { Ajv } = require("ajv") as typeof import("ajv");
    const addFormats = require("ajv-formats") as { default: typeof import("ajv-formats").default };
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv, ["date-time"]);
    const schema: object = require(SAVED_PLAN_SCHEMA) as object;
    validator = ajv.compile(schema);
  }
  return validator;
}

const RUN_PLAN_AGAIN = "The file may be damaged or edited by hand. Run `ruangkerja-users plan --out FILE` again and review the new plan.";

/** Parses and checks a saved plan; anything that is not one, or is damaged, is an InvalidInputError located in `file`. */
export function decodeSavedPlan(file: string, text: string): SavedPlanFile {
  const refuse = (summary: string, diagnostics: Diagnostic[]): never => {
    throw new InvalidInputError(`cannot use the saved plan ${file}: ${summary}; nothing was changed`, diagnostics);
  };
  const at = (offset: number) => ({ file, ...lineColumn(text, offset) });
  const parsed = parseStrictJson(text);
  if (!parsed.ok) {
    return refuse("it is not a valid saved plan", [
      { severity: "error", summary: `the saved plan ${parsed.summary}`, location: at(parsed.offset), detail: RUN_PLAN_AGAIN },
    ]);
  }
  const raw = parsed.value;
  const place = (path: JsonPath) => at(offsetOfPath(text, path) ?? 0);
  const top = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  if (top?.kind !== SAVED_PLAN_KIND) {
    return refuse("it is not a saved plan", [
      {
        severity: "error",
        summary: "this is not a plan saved by `ruangkerja-users plan --out`",
        location: place(top && "kind" in top ? ["kind"] : []),
        detail: "Pass the file that `ruangkerja-users plan --out FILE` wrote.",
      },
    ]);
  }
  if (top.formatVersion !== SAVED_PLAN_FORMAT_VERSION) {
    return refuse("its format version is not one this version reads", [
      {
        severity: "error",
        summary: `the saved plan has format version ${JSON.stringify(top.formatVersion) ?? "(none)"}, which this ruangkerja-users does not read (it reads ${SAVED_PLAN_FORMAT_VERSION})`,
        location: place("formatVersion" in top ? ["formatVersion"] : []),
        detail: "Run plan --out again with this version.",
      },
    ]);
  }
  const validate = savedPlanValidator();
  if (!validate(raw)) {
    const errors = validate.errors ?? [];
    return refuse(
      "it is damaged",
      errors.slice(0, 10).map((error) => ({
        severity: "error",
        summary: `the saved plan is damaged: ${describe(error)}`,
        location: place(pathOf(error)),
        detail: RUN_PLAN_AGAIN,
      })),
    );
  }
  return {
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    toolVersion: top.toolVersion as string,
    createdAt: top.createdAt as string,
    state: top.state as PlanStateBasis | null,
    declarationsDigest: top.declarationsDigest as string,
    declarationsDir: top.declarationsDir as string,
    targets: top.targets as string[],
    planDocument: top.plan,
  };
}

/** The JSON path of an AJV error, with the property an `additionalProperties` or `required` error names. */
function pathOf(error: ErrorObject): JsonPath {
  const path: (string | number)[] = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
  if (error.keyword === "additionalProperties") path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return path;
}

function describe(error: ErrorObject): string {
  const where = formatJsonPath(pathOf(error)) || "the file";
  switch (error.keyword) {
    case "additionalProperties":
      return `${where} is not part of a saved plan`;
    case "required":
      return `${where || "the file"} has no "${(error.params as { missingProperty: string }).missingProperty}"`;
    default:
      return `${where} ${error.message ?? "is not valid"}`;
  }
}
