/**
 * The protocol messages built from the provider's data: schemas, diagnostics with attribute
 * paths, and the error diagnostic a failed call answers with (its message, never a stack: the
 * error text of our code names what went wrong and carries no secret).
 */
import type { TfDiagnostic, TfPathStep, TfSchema } from "../provider-types.js";

export interface AttributePathMessage {
  steps: ({ attribute_name: string } | { element_key_string: string } | { element_key_int: number })[];
}

export interface DiagnosticMessage {
  severity: "ERROR" | "WARNING";
  summary: string;
  detail: string;
  attribute?: AttributePathMessage;
}

export function attributePath(steps: readonly TfPathStep[]): AttributePathMessage {
  return {
    steps: steps.map((step) =>
      "attribute" in step
        ? { attribute_name: step.attribute }
        : "key" in step
          ? { element_key_string: step.key }
          : { element_key_int: step.index },
    ),
  };
}

export function diagnosticMessages(diagnostics: readonly TfDiagnostic[]): DiagnosticMessage[] {
  return diagnostics.map((d) => ({
    severity: d.severity === "error" ? "ERROR" : "WARNING",
    summary: d.summary,
    detail: d.detail ?? "",
    ...(d.attribute && d.attribute.length > 0 ? { attribute: attributePath(d.attribute) } : {}),
  }));
}

export const hasErrors = (diagnostics: readonly TfDiagnostic[]) => diagnostics.some((d) => d.severity === "error");

export function errorDiagnostic(summary: string, detail = ""): DiagnosticMessage {
  return { severity: "ERROR", summary, detail };
}

/** A thrown value as one error diagnostic: its name and message only. */
export function thrownDiagnostic(call: string, error: unknown): DiagnosticMessage {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return errorDiagnostic(`The ruangkerja provider failed in ${call}`, message);
}

export function schemaMessage(schema: TfSchema) {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      description: schema.description,
      description_kind: "PLAIN",
      attributes: schema.attributes.map((a) => ({
        name: a.name,
        type: Buffer.from(JSON.stringify(a.type)),
        description: a.description,
        description_kind: "PLAIN",
        required: a.required === true,
        optional: a.optional === true,
        computed: a.computed === true,
        sensitive: a.sensitive === true,
        deprecated: a.deprecated === true,
        write_only: a.writeOnly === true,
      })),
      block_types: [],
    },
  };
}
