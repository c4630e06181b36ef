// The audit trail of refusals (security.md T17, A7): one `denied:` line per refused request, REST and GraphQL
// alike, with the request id the client also gets in `X-Request-Id`, the client address, the principal (app,
// user id and role; never a key, token, password or email), what was asked and why it was refused.
import { randomUUID } from 'node:crypto';
import type { ApiError } from '../errors/index.js';
import { describePrincipal } from './principal.js';
import type { Principal } from './types.js';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A client's own request id is kept when it is a short token of safe characters; otherwise one is made. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,64}$/;

/** The client's `X-Request-Id` when it is safe to log and echo, else a new UUID. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER)?.trim();
  return given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

export interface DeniedRequest {
  requestId: string;
  client: string;
  /** Null when the credentials themselves were refused. */
  principal: Principal | null;
  method: string;
  /** The URL path only: query strings may hold `api_key` or `session_token`. */
  path: string;
  /** What the client was told: status, catalogue code and message. */
  status: number;
  code: string;
  message: string;
}

export function deniedLine(denied: DeniedRequest): string {
  const who = denied.principal === null ? 'none' : `(${describePrincipal(denied.principal)})`;
  return (
    `denied: request=${denied.requestId} client=${denied.client} principal=${who} ` +
    `${denied.method} ${denied.path} ${denied.status} ${denied.code}: ${denied.message}`
  );
}

/** The same refusal as structured log fields (the JSON log's `denied` event); `deniedLine` is its message. */
export function deniedRecord(denied: DeniedRequest): Record<string, unknown> {
  return {
    event: 'denied',
    requestId: denied.requestId,
    client: denied.client,
    principal: denied.principal === null ? null : describePrincipal(denied.principal),
    method: denied.method,
    path: denied.path,
    status: denied.status,
    code: denied.code,
    reason: denied.message,
  };
}

/** The fields of a denied line that come from the error. */
export function refusal(error: ApiError): Pick<DeniedRequest, 'status' | 'code' | 'message'> {
  return { status: error.status, code: error.code, message: error.message };
}
