import type { compilableSchema, createAjv, schemaDigest, ValidatorPurpose } from "../src/declarations/schema.js";

/** The generated module's source text; see build-schema-validator.mjs. */
export function validatorModuleCode(
  schema: {
    readonly createAjv: typeof createAjv;
    readonly compilableSchema: typeof compilableSchema;
    readonly schemaDigest: typeof schemaDigest;
  },
  schemaText: string,
  purpose?: ValidatorPurpose,
): string;
