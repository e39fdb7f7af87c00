/**
 * Every error the emulator can answer, in one table. The RuangKerja documentation gives only a
 * few codes (its "Error Dictionary" is not available to us); where the emulator needs one the
 * documentation does not give, it picks its own and marks the row `documented: false`, so that
 * nobody mistakes an emulator choice for upstream behaviour. docs/emulator.md mirrors this table.
 */

export interface EmulatorErrorCode {
  /** The `errorCode` field of the reply. */
  readonly code: number;
  /** The `message` field of the reply. */
  readonly message: string;
  /** The `detail` field: fixed text, or (for rows whose detail varies) the default shown when nothing more specific is known. */
  readonly detail: string;
  /** HTTP status of a single-user or whole-request failure (a failed bulk item is always inside an HTTP 200 reply). */
  readonly httpStatus: number;
  /** When the emulator answers it. */
  readonly when: string;
  /** True when the RuangKerja documentation shows this code; false when it is the emulator's own choice. */
  readonly documented: boolean;
}

const TOKEN_TEXT = "rpc error: code = PermissionDenied desc = Token is not valid";

export const EMULATOR_ERROR_CODES = {
  TOKEN_INVALID: {
    code: 123,
    message: TOKEN_TEXT,
    detail: TOKEN_TEXT,
    // The documentation gives the body, not the status; 401 is the brief's choice.
    httpStatus: 401,
    when: "the Authorization header is missing or is neither the token nor `Bearer <token>` (every /ruangkerja route)",
    documented: true,
  },
  BAD_REQUEST: {
    code: 400,
    message: "BAD_REQUEST",
    detail: "Credentials does not match in our records",
    httpStatus: 400,
    when: "POST /oauth/token with a client ID or secret other than the configured ones",
    documented: true,
  },
  USER_EMPLOYEE_ID_EXISTS: {
    code: 10101,
    message: "USER_EMPLOYEE_ID_EXISTS",
    detail: "employee id already been taken",
    httpStatus: 409,
    when: "create with an employeeID another user has, or a rename (newEmployeeID) onto one",
    documented: true,
  },
  USER_EMAIL_EXISTS: {
    code: 10102,
    message: "USER_EMAIL_EXISTS",
    detail: "user email already been taken",
    httpStatus: 409,
    when: "create, or an update-email-bulk item, with an email another user has (compared case-insensitively, inactive users included)",
    documented: true,
  },
  USER_USERNAME_EXISTS: {
    code: 10103,
    message: "USER_USERNAME_EXISTS",
    detail: "username already been taken",
    httpStatus: 409,
    when: "create or update with a username another user has (compared case-insensitively, inactive users included)",
    documented: false,
  },
  USER_NOT_FOUND: {
    code: 10104,
    message: "USER_NOT_FOUND",
    detail: "user not found",
    httpStatus: 404,
    when: "update (PUT, update-bulk or update-email-bulk item) or GET of an employeeID no user has",
    documented: false,
  },
  VALIDATION_ERROR: {
    code: 40001,
    message: "VALIDATION_ERROR",
    detail: "<field>: <rule it breaks>; … (every problem of the item)",
    httpStatus: 400,
    when: "a field breaks its rule: wrong type, bad alphabet, missing required field, neither email nor phone, body employeeID differing from the path, bad page/pageSize/filter",
    documented: false,
  },
  FIELD_NOT_ACCEPTED: {
    code: 40002,
    message: "FIELD_NOT_ACCEPTED",
    detail: "<field>: not accepted by <endpoint>; … (or: not a user field)",
    httpStatus: 400,
    when: "a body or item has a field the endpoint does not accept (e.g. email on update-bulk) or an unknown field; a list call has an unknown query parameter",
    documented: false,
  },
  MALFORMED_JSON: {
    code: 40003,
    message: "MALFORMED_JSON",
    detail: "request body is not valid JSON: <parser message>",
    httpStatus: 400,
    when: "the body of a POST or PUT does not parse as JSON, or is not valid UTF-8",
    documented: false,
  },
  INVALID_BODY: {
    code: 40004,
    message: "INVALID_BODY",
    detail: "<what is wrong with the body's shape>",
    httpStatus: 400,
    when: "the body is not a JSON object, a bulk body has no `items` array or other top-level keys, or a bulk item is not an object",
    documented: false,
  },
  EMPTY_ITEMS: {
    code: 40005,
    message: "EMPTY_ITEMS",
    detail: "items must not be empty",
    httpStatus: 400,
    when: "a bulk call with `items: []`",
    documented: false,
  },
  TOO_MANY_ITEMS: {
    code: 40006,
    message: "TOO_MANY_ITEMS",
    detail: "items has <n> entries; at most <max> are allowed per call",
    // 413 like an oversized body: both say "send less at once", and a client splits on either.
    httpStatus: 413,
    when: "a bulk call with more items than `maxBulkItems` (unlimited unless that fault switch is set)",
    documented: false,
  },
  ROUTE_NOT_FOUND: {
    code: 40401,
    message: "ROUTE_NOT_FOUND",
    detail: "no route <path>",
    httpStatus: 404,
    when: "a path the emulator does not serve",
    documented: false,
  },
  METHOD_NOT_ALLOWED: {
    code: 40501,
    message: "METHOD_NOT_ALLOWED",
    detail: "<method> is not allowed on <path>; allowed: <methods>",
    httpStatus: 405,
    when: "a known path with a method it does not serve (the reply has an Allow header)",
    documented: false,
  },
  PAYLOAD_TOO_LARGE: {
    code: 41301,
    message: "PAYLOAD_TOO_LARGE",
    detail: "request body exceeds <limit> bytes",
    httpStatus: 413,
    when: "a request body over 10 MiB",
    documented: false,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    code: 41501,
    message: "UNSUPPORTED_MEDIA_TYPE",
    detail: "Content-Type must be application/json",
    httpStatus: 415,
    when: "a POST or PUT whose Content-Type is not application/json (the documentation requires that header)",
    documented: false,
  },
  RATE_LIMITED: {
    code: 42901,
    message: "RATE_LIMITED",
    detail: "too many requests; retry after <n> seconds",
    httpStatus: 429,
    when: "an injected fault (`rate429` or a scheduled `429`): the request was not processed; the reply has `Retry-After`",
    documented: false,
  },
  INTERNAL_ERROR: {
    code: 50000,
    message: "INTERNAL_ERROR",
    detail: "<the exception's message>",
    httpStatus: 500,
    when: "a bug in the emulator",
    documented: false,
  },
  DATA_FILE_WRITE_FAILED: {
    code: 50001,
    message: "DATA_FILE_WRITE_FAILED",
    detail: "could not write <dataFile>: <reason>",
    httpStatus: 500,
    when: "the change was applied in memory but the data file could not be rewritten",
    documented: false,
  },
  INJECTED_SERVER_ERROR: {
    code: 50002,
    message: "INJECTED_SERVER_ERROR",
    detail: "an injected fault: the request was not processed",
    httpStatus: 500,
    when: "an injected fault (`rate500` or a scheduled `500`): the request was not processed",
    documented: false,
  },
  SERVICE_UNAVAILABLE: {
    code: 50301,
    message: "SERVICE_UNAVAILABLE",
    detail: "the service is unavailable; retry after <n> seconds",
    httpStatus: 503,
    when: "an injected fault (`rate503` or a scheduled `503`): the request was not processed; the reply has `Retry-After`",
    documented: false,
  },
} as const satisfies Record<string, EmulatorErrorCode>;

export type EmulatorErrorName = keyof typeof EMULATOR_ERROR_CODES;

/** The wire form of an error: the body of a single-user failure and the `error` of a failed bulk item. */
export interface ErrorBody {
  readonly errorCode: number;
  readonly message: string;
  readonly detail: string;
}

/** Builds the wire form of a table row, with a specific detail when the row's detail varies. */
export function errorBody(name: EmulatorErrorName, detail?: string): ErrorBody {
  const row: EmulatorErrorCode = EMULATOR_ERROR_CODES[name];
  return { errorCode: row.code, message: row.message, detail: detail ?? row.detail };
}

const STATUS_BY_CODE = new Map<number, number>(
  (Object.values(EMULATOR_ERROR_CODES) as EmulatorErrorCode[]).map((row) => [row.code, row.httpStatus]),
);

/** The HTTP status that goes with an error body when it is the whole reply. */
export function httpStatusOf(error: ErrorBody): number {
  return STATUS_BY_CODE.get(error.errorCode) ?? 500;
}

/** The message of anything thrown (the emulator keeps its own copy: it shares no code with the client). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
