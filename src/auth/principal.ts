// An HTTP request's credentials → the Principal it runs as. API keys are looked up by their SHA-256 hash
// (never compared as secrets), from `X-DreamFactory-Api-Key` or, when allowed, `?api_key=`. Messages and
// statuses are DreamFactory's (compat §6.2): missing or unknown credentials are 400, an inactive role 403.
import { createHash } from 'node:crypto';
import { ApiError } from '../errors/index.js';
import type { AppConfig, AuthConfig, Principal, RoleConfig } from './types.js';

const NO_CREDENTIALS =
  'No session token (JWT) or API Key detected in request. Please send in X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use URL query parameters session_token and/or api_key.';
const NO_VALID_SESSION =
  "No session token (JWT) provided. Please provide a valid JWT using X-DreamFactory-Session-Token request header or 'session_token' url query parameter.";
const ROLE_INACTIVE =
  'Access Forbidden. The role assigned to you or your application or the default role of your application is not active.';
const ROLE_MISSING = 'Role not found. A role may not be assigned to you or your application.';

export class Authenticator {
  private readonly apps = new Map<string, AppConfig>();
  private readonly roles = new Map<string, RoleConfig>();

  constructor(private readonly config: AuthConfig) {
    for (const app of config.apps) this.apps.set(app.apiKeyHash, app);
    for (const role of config.roles) this.roles.set(role.name, role);
  }

  /** No apps configured: access control is off and every request is allowed. */
  get open(): boolean {
    return this.config.apps.length === 0;
  }

  resolve(headers: Headers, query: URLSearchParams): Principal {
    if (this.open) return { kind: 'open' };
    const key =
      headers.get('x-dreamfactory-api-key') ?? (this.config.apiKeyInQuery ? query.get('api_key') : null);
    const token =
      headers.get('x-dreamfactory-session-token') ??
      headers.get('authorization') ??
      query.get('session_token');
    if (!key) {
      if (token) {
        throw new ApiError(
          'CREDENTIALS_MISSING',
          "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.",
        );
      }
      throw new ApiError('CREDENTIALS_MISSING', NO_CREDENTIALS);
    }
    const app = this.apps.get(createHash('sha256').update(key).digest('hex'));
    if (!app || !app.active) throw new ApiError('CREDENTIALS_INVALID', NO_VALID_SESSION);
    const role = this.roles.get(app.role);
    if (!role) throw new ApiError('FORBIDDEN', ROLE_MISSING);
    if (!role.active) throw new ApiError('FORBIDDEN', ROLE_INACTIVE);
    return { kind: 'app', app, role };
  }
}

/** How a principal appears in logs: never a key or token. */
export function describePrincipal(principal: Principal): string {
  return principal.kind === 'open' ? 'open' : `app:${principal.app.name} role:${principal.role.name}`;
}
