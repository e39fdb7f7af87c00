import type { createAjv, schemaDigest } from "../src/declarations/schema.js";

/** The generated module's source text; see build-schema-validator.mjs. */
export function validatorModuleCode(
  schema: { readonly createAjv: typeof createAjv; readonly schemaDigest: typeof schemaDigest },
  schemaText: string,
): string;
