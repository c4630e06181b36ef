// `/api/v2/user/session`, DreamFactory's login endpoint: POST email + password (with the app's key) → a session
// JWT and the user; GET → the current session's user; DELETE → logout (the token's `jti` is revoked until it
// expires). Answered before any service lookup; the router passes what it parsed of the path.
import { hostname } from 'node:os';
import { ApiError } from '../errors/index.js';
import { parseRestBody } from '../rest/formats/body.js';
import type { RestResponse, Verb } from '../rest/types.js';
import { NO_API_KEY, sessionToken, type Authenticator } from './principal.js';
import type { Principal } from './types.js';

const MAX_LOGIN_BYTES = 64 * 1024;
const NO_SESSION = 'There is no valid session for the current request.';

/** `user/session` (any case) when users or an identity provider are configured; other paths go on. */
export function isUserSessionPath(auth: Authenticator, segments: string[]): boolean {
  return (
    auth.acceptsTokens &&
    segments.length === 2 &&
    segments[0]?.toLowerCase() === 'user' &&
    segments[1]?.toLowerCase() === 'session'
  );
}

/** `principal` resolves the request's credentials (the server resolves them once per request). */
export async function handleUserSession(
  auth: Authenticator,
  verb: Verb,
  request: Request,
  query: URLSearchParams,
  principal: () => Promise<Principal> = () => auth.resolve(request.headers, query),
): Promise<RestResponse> {
  switch (verb) {
    case 'POST':
      return login(auth, request, query);
    case 'GET':
      return {
        status: 200,
        body: await sessionBody(auth, await current(principal), sessionToken(request.headers, query)),
      };
    case 'DELETE': {
      if (!(await auth.revoke(await current(principal)))) {
        throw new ApiError(
          'BAD_REQUEST',
          'This session cannot be ended here; the token stays valid until it expires.',
        );
      }
      return { status: 200, body: { success: true } };
    }
    default:
      throw new ApiError('METHOD_NOT_ALLOWED', `The ${verb} method is not supported.`);
  }
}

async function login(auth: Authenticator, request: Request, query: URLSearchParams): Promise<RestResponse> {
  const users = auth.users;
  if (!users)
    throw new ApiError('NOT_FOUND', 'There are no local users: log in with your identity provider.');
  // The app's key identifies the app, as in DreamFactory; unknown keys are refused before any password work.
  const key = auth.apiKey(request.headers, query);
  if (key === null && auth.requiresApiKey) throw new ApiError('CREDENTIALS_MISSING', NO_API_KEY);
  if (key !== null) auth.appFor(key);
  const body = await parseRestBody(request, MAX_LOGIN_BYTES);
  const fields =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const { user, session } = await users.login(fields.email, fields.password);
  // A user whose role is gone or switched off is told so now rather than on every request.
  const role = auth.roleNamed(user.role);
  return {
    status: 200,
    body: {
      session_token: session.token,
      session_id: session.token,
      id: user.id,
      name: user.name,
      email: user.email,
      role: role.name,
      last_login_date: dfDate(user.lastLoginAt),
      host: hostname(),
    },
  };
}

/** The request's session principal; API-key-only requests have none. */
async function current(
  resolve: () => Promise<Principal>,
): Promise<Extract<Principal, { kind: 'user' | 'external' }>> {
  const principal = await resolve();
  if (principal.kind !== 'user' && principal.kind !== 'external')
    throw new ApiError('UNAUTHORIZED', NO_SESSION);
  return principal;
}

async function sessionBody(
  auth: Authenticator,
  principal: Extract<Principal, { kind: 'user' | 'external' }>,
  token: string | null,
) {
  const stored = principal.kind === 'user' ? await auth.users?.store.userById(principal.user.id) : null;
  return {
    session_token: token,
    session_id: token,
    id: principal.user.id,
    name: principal.user.name,
    email: principal.user.email,
    role: principal.role.name,
    last_login_date: dfDate(stored?.lastLoginAt ?? null),
    host: hostname(),
  };
}

/** DreamFactory's date form: `2026-11-21 16:57:07` (UTC). */
function dfDate(iso: string | null): string | null {
  return iso === null ? null : iso.replace('T', ' ').replace(/\.\d+Z$/, '');
}
