// Small helpers to build fetch-API responses; every JSON answer of the non-GraphQL routes goes through here.
import { ApiError } from '../errors/index.js';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** An ApiError as `{ error: { code, message, status_code } }`; anything else is masked as INTERNAL. */
export function errorResponse(error: unknown): Response {
  const known = error instanceof ApiError ? error : new ApiError('INTERNAL', 'Internal server error.');
  return json(
    { error: { code: known.code, message: known.message, status_code: known.status } },
    known.status,
  );
}
