/**
 * The declarations stage: reads users/**\/*.yaml with positions, applies per-file defaults,
 * validates against schemas/users.schema.json and checks the rules across files. It turns
 * text into desired users and diagnostics; planning and the API are other stages' business.
 */
export { type LoadOptions, type LoadResult, loadDeclarations } from "./load-declarations.js";
export { validateDeclarationText } from "./parse-file.js";
export { DECLARATIONS_SCHEMA_PATH } from "./schema.js";
