// ApiError → DreamFactory's error envelope `{"error":{"code","context","message","status_code"}}` (compat §6.1).
// Messages are HTML-escaped as DF's htmlentities(ENT_COMPAT) does (clients string-match them); internal and
// database errors are masked, so no SQL or driver text reaches a client.
import { ApiError } from './api-error.js';

export interface DfErrorBody {
  error: { code: number | string; context: unknown; message: string; status_code: number };
}

/** `"` → `&quot;`, `&` → `&amp;`, `<`/`>` → `&lt;`/`&gt;`; single quotes stay (ENT_COMPAT). */
export function htmlEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const MASKED = new Set(['internal', 'config', 'model']);

export function encodeDfError(
  error: unknown,
  log: (message: string) => void,
): { status: number; body: DfErrorBody } {
  const known = error instanceof ApiError ? error : null;
  if (!known || MASKED.has(known.family) || known.code === 'DATABASE_ERROR') {
    log(`rest: unexpected error: ${describe(error)}`);
    const status = known?.code === 'DATABASE_ERROR' ? 500 : 500;
    const message =
      known?.code === 'DATABASE_ERROR' ? 'The database could not run the request.' : 'Internal server error.';
    return { status, body: { error: { code: status, context: null, message, status_code: status } } };
  }
  // DF's code is the status, except batch errors (1000) and driver errors on /{id} (the SQLSTATE text).
  const dfCode = known.details?.dfCode;
  const code = typeof dfCode === 'number' || typeof dfCode === 'string' ? dfCode : known.status;
  return {
    status: known.status,
    body: {
      error: {
        code,
        context: known.details?.context ?? null,
        message: htmlEntities(known.message),
        status_code: known.status,
      },
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof ApiError && error.cause) return `${error.code}: ${describe(error.cause)}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** One failed batch item as DF writes it inside `context.resource` (compat §5.7). */
export function dfItemError(error: unknown): Record<string, unknown> {
  if (error instanceof ApiError && !MASKED.has(error.family) && error.code !== 'DATABASE_ERROR') {
    return {
      code: error.status,
      context: error.details?.context ?? null,
      message: htmlEntities(error.message),
      status_code: error.status,
    };
  }
  return { code: 500, context: null, message: 'The database could not run the request.', status_code: 500 };
}
