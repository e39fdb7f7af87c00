/**
 * The RuangKerja API emulator: a node:http server that follows the API pages in
 * the RuangKerja API pages (the four seed endpoints plus the two GETs), an in-memory store with an
 * optional data file, and /_emulator admin routes for tests. It is the other side of the wire:
 * it imports nothing from the client (src/api), so a misreading of the API in one cannot hide
 * in the other. The CLI command that runs it lives in src/cli.
 */
export { EMULATOR_ERROR_CODES, type EmulatorErrorCode, type EmulatorErrorName, type ErrorBody } from "./error-codes.js";
export {
  BODY_LIMIT_BYTES,
  DEFAULT_TOKEN,
  type EmulatorOptions,
  EmulatorStartError,
  type RunningEmulator,
  startEmulator,
} from "./server.js";
export type { EmulatedUser } from "./store.js";
export { FAULT_KINDS, type FaultKind, type FaultSettings, parseFaultSettings, type ScheduledFault } from "./faults.js";
