/**
 * Shared by the emulator's tests: start one emulator per file on a free loopback port and call
 * it with global fetch, and the seed pages' examples (the e-mail address on the stored pages was
 * mangled into "[email protected]" by the site's e-mail protection, so a real one stands in).
 */
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";

export interface CallResult {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are inspected field by field in tests.
  readonly body: any;
  readonly headers: Headers;
}

export interface CallOptions {
  /** Authorization header; `null` sends none. @default the emulator's token */
  readonly authorization?: string | null;
  /** Raw body (text, or bytes sent as they are) instead of JSON-encoding `body`. */
  readonly raw?: string | Uint8Array;
  readonly contentType?: string | null;
}

export interface TestEmulator {
  readonly emulator: RunningEmulator;
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<CallResult>;
  reset(): Promise<void>;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ host: "127.0.0.1", port: 0, ...options });
  const call = async (method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    const authorization = opts.authorization === undefined ? emulator.token : opts.authorization;
    if (authorization !== null) headers.Authorization = authorization;
    const text = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const contentType = opts.contentType === undefined ? "application/json" : opts.contentType;
    if (text !== undefined && contentType !== null) headers["Content-Type"] = contentType;
    const response = await fetch(`${emulator.url}${path}`, { method, headers, body: text });
    const replyText = await response.text();
    return { status: response.status, body: replyText === "" ? undefined : JSON.parse(replyText), headers: response.headers };
  };
  const reset = async (): Promise<void> => {
    const response = await fetch(`${emulator.url}/_emulator/reset`, { method: "POST" });
    if (response.status !== 200) throw new Error(`reset failed: HTTP ${response.status}`);
  };
  return { emulator, call, reset };
}

/** The create example of the seed pages 001 and 003. */
export const SEED_CREATE_ITEM = {
  employeeID: "EMPLY001",
  name: "John Doe",
  username: null,
  email: "john.doe@example.com",
  phone: "6281122334455",
  password: null,
  isActive: true,
  tagSerials: ["RUKRTAG-9WHL0JGP"],
  organizationSerial: "COMPFJLYTHWL",
} as const;

/** The update-bulk example of seed page 000. */
export const SEED_UPDATE_BULK_ITEM = {
  employeeID: "EMPLY001",
  name: "John Doe",
  newEmployeeID: null,
  username: null,
  phone: "6281122334455",
  isActive: true,
  tagSerials: ["RUKRTAG-9WHL0JGP"],
} as const;

/** The PUT example of seed page 002. */
export const SEED_PUT_BODY = { ...SEED_UPDATE_BULK_ITEM, organizationSerial: "COMPFJLYTHWL" } as const;

export const SERIAL_PATTERN = /^[A-Z0-9]{16}$/;

/** A valid create item with an employeeID, email and username derived from `id`. */
export function user(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { employeeID: id, name: `User ${id}`, email: `${id.toLowerCase()}@example.com`, isActive: true, ...extra };
}
