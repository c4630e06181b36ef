// The one catalogue of error codes: every error a client or operator can see has a stable code here.
// Each entry fixes the HTTP status and the family; messages are written where the error is raised.

export type ErrorFamily =
  'request' | 'config' | 'model' | 'auth' | 'database' | 'script' | 'not_supported' | 'internal';

interface CodeSpec {
  readonly status: number;
  readonly family: ErrorFamily;
}

export const ERROR_CODES = {
  // request: the caller sent something we cannot act on
  BAD_REQUEST: { status: 400, family: 'request' },
  NOT_FOUND: { status: 404, family: 'request' },
  PAYLOAD_TOO_LARGE: { status: 413, family: 'request' },
  // limits (src/config/limits-schema.ts): GraphQL ones are validation errors, rejected before any DB access
  DEPTH_LIMIT: { status: 400, family: 'request' },
  ALIAS_LIMIT: { status: 400, family: 'request' },
  TOKEN_LIMIT: { status: 400, family: 'request' },
  DIRECTIVE_LIMIT: { status: 400, family: 'request' },
  COST_LIMIT: { status: 400, family: 'request' },
  BATCH_LIMIT: { status: 400, family: 'request' },
  /** A request would read more rows than limits.rows.maxPerResponse. */
  ROW_LIMIT: { status: 400, family: 'request' },
  RATE_LIMITED: { status: 429, family: 'request' },
  // config and model: the operator's files or databases do not make a valid model
  CONFIG_NOT_FOUND: { status: 500, family: 'config' },
  CONFIG_INVALID: { status: 500, family: 'config' },
  MODEL_INVALID: { status: 500, family: 'model' },
  CACHE_CORRUPT: { status: 500, family: 'model' },
  CACHE_STALE: { status: 500, family: 'model' },
  // auth (DreamFactory answers missing or unknown credentials with 400, compat §6.2)
  CREDENTIALS_MISSING: { status: 400, family: 'auth' },
  CREDENTIALS_INVALID: { status: 400, family: 'auth' },
  UNAUTHORIZED: { status: 401, family: 'auth' },
  FORBIDDEN: { status: 403, family: 'auth' },
  VALIDATION_FAILED: { status: 400, family: 'request' },
  /** A DreamFactory batch with failed items (compat §5.7): the items are in the error's context. */
  BATCH_ERROR: { status: 400, family: 'request' },
  /** A request DreamFactory answers with 500 and a message of its own (e.g. an unknown id_field). */
  REQUEST_FAILED: { status: 500, family: 'request' },
  METHOD_NOT_ALLOWED: { status: 405, family: 'request' },
  /** A `_schema` write names something that exists already, or drops what another table or key still uses. */
  SCHEMA_CONFLICT: { status: 409, family: 'request' },
  /** The database refused a checked `_schema` change (its own text goes to the log, never to the client). */
  SCHEMA_REJECTED: { status: 400, family: 'request' },
  // database: what a write or read ran into, in words a client can act on (never the SQL)
  SOURCE_UNAVAILABLE: { status: 503, family: 'database' },
  INTROSPECTION_FAILED: { status: 500, family: 'database' },
  UNIQUE_VIOLATION: { status: 409, family: 'database' },
  FOREIGN_KEY_VIOLATION: { status: 409, family: 'database' },
  /** A deadlock or serialization failure: the change was not made; sending it again may succeed. */
  WRITE_CONFLICT: { status: 409, family: 'database' },
  NOT_NULL_VIOLATION: { status: 400, family: 'database' },
  CHECK_VIOLATION: { status: 400, family: 'database' },
  VALUE_TOO_LONG: { status: 400, family: 'database' },
  INVALID_VALUE: { status: 400, family: 'database' },
  STATEMENT_TIMEOUT: { status: 504, family: 'database' },
  DATABASE_ERROR: { status: 500, family: 'database' },
  // scripts (src/scripts): an event script or scripted service stopped the request, failed or ran too long
  /** `platform.reject(400 | 422 | 409, …)`: the script's own message goes to the client. */
  SCRIPT_REJECTED: { status: 400, family: 'script' },
  SCRIPT_UNPROCESSABLE: { status: 422, family: 'script' },
  SCRIPT_CONFLICT: { status: 409, family: 'script' },
  /** The script threw: the client learns which event, the log gets the module, message and stack. */
  SCRIPT_FAILED: { status: 500, family: 'script' },
  SCRIPT_TIMEOUT: { status: 504, family: 'script' },
  // everything else
  NOT_SUPPORTED: { status: 501, family: 'not_supported' },
  INTERNAL: { status: 500, family: 'internal' },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
