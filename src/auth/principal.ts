// An HTTP request's credentials → the Principal it runs as. API keys are looked up by their SHA-256 hash
// (never compared as secrets), from `X-DreamFactory-Api-Key` or, when allowed, `?api_key=`. A session token
// (`Authorization: Bearer`, `X-DreamFactory-Session-Token` or `?session_token=`) is a local user's session
// (users.ts) or an external identity provider's token (jwt.ts); `Authorization: Basic` with a local user's
// email and password authenticates that user for the one request. The user's role replaces the app's.
// Messages and statuses are DreamFactory's (compat §6.2): missing or unknown credentials are 400, a bad token
// or wrong Basic credentials 401, a revoked token or an inactive or missing role 403. Refused credentials are
// marked (failures.ts) for the brute-force guard.
import { createHash } from 'node:crypto';
import { openUserStore } from '../adapters/sql/user-store.js';
import type { ServiceConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import { credentialsRefused } from './failures.js';
import { ExternalTokenVerifier, LOCAL_ISSUER, peekIssuer, tokenRevoked } from './jwt.js';
import type { AppConfig, AuthConfig, Principal, RoleConfig } from './types.js';
import { BASIC_REFUSED, UserSessions } from './users.js';

const NO_CREDENTIALS =
  'No session token (JWT) or API Key detected in request. Please send in X-DreamFactory-Session-Token and/or X-DreamFactory-API-Key request header. You can also use URL query parameters session_token and/or api_key.';
const NO_VALID_SESSION =
  "No session token (JWT) provided. Please provide a valid JWT using X-DreamFactory-Session-Token request header or 'session_token' url query parameter.";
export const NO_API_KEY =
  "No API Key provided. Please provide a valid API Key using X-DreamFactory-API-Key request header or 'api_key' url query parameter.";
const KEY_NOT_VALID = 'The API Key provided is not valid.';
const ROLE_INACTIVE =
  'Access Forbidden. The role assigned to you or your application or the default role of your application is not active.';
const ROLE_MISSING = 'Role not found. A role may not be assigned to you or your application.';

export interface AuthenticatorOptions {
  /** Local users' sessions; by default opened on `config.users.systemDatabase`. */
  users?: UserSessions;
  /** The configured services, where `auth.systemDatabase.service` is looked up. */
  services?: readonly ServiceConfig[];
  /** By default built from `config.externalJwt` (reading its JWKS file). */
  external?: ExternalTokenVerifier;
}

type TokenPrincipal = Extract<Principal, { kind: 'user' | 'external' }>;
type Identity =
  | Omit<Extract<Principal, { kind: 'user' }>, 'app' | 'role'>
  | Omit<Extract<Principal, { kind: 'external' }>, 'app' | 'role'>;

export class Authenticator {
  private readonly apps = new Map<string, AppConfig>();
  private readonly roles = new Map<string, RoleConfig>();
  /** Local users and their sessions; null when `auth.sessionSecret` is not set. */
  readonly users: UserSessions | null;
  private readonly external: ExternalTokenVerifier | null;

  constructor(
    private readonly config: AuthConfig,
    options: AuthenticatorOptions = {},
  ) {
    for (const app of config.apps) this.apps.set(app.apiKeyHash, app);
    for (const role of config.roles) this.roles.set(role.name, role);
    this.users =
      options.users ??
      (config.users
        ? new UserSessions(config.users, openUserStore(config.users.systemDatabase, options.services ?? []))
        : null);
    this.external =
      options.external ?? (config.externalJwt ? new ExternalTokenVerifier(config.externalJwt) : null);
  }

  /** No apps, users or identity provider configured: access control is off and every request is allowed. */
  get open(): boolean {
    return this.config.apps.length === 0 && !this.acceptsTokens;
  }

  /** `?api_key=` is accepted (auth.apiKeyInQuery). */
  get apiKeyInQuery(): boolean {
    return this.config.apiKeyInQuery;
  }

  /** Session tokens mean something: local users or an external identity provider are configured. */
  get acceptsTokens(): boolean {
    return this.users !== null || this.external !== null;
  }

  /** DreamFactory's rule: a session token alone is not enough, the app's key must come too. */
  get requiresApiKey(): boolean {
    return this.config.requireApiKeyWithSession ?? true;
  }

  /** The principal of a request's credentials; throws the refusal (ApiError) otherwise. */
  async resolve(headers: Headers, query: URLSearchParams): Promise<Principal> {
    if (this.open) return { kind: 'open' };
    const key = this.apiKey(headers, query);
    const token = sessionToken(headers, query);
    const basic = token === null && this.users !== null ? basicCredentials(headers) : null;
    if ((token !== null && this.acceptsTokens) || basic !== null) {
      // A bad token (or bad Basic credentials) is answered first, whatever the key (compat §10.2).
      const { identity, roleName } =
        basic !== null ? await this.identifyBasic(basic) : await this.identify(token as string);
      if (key === null && this.requiresApiKey) throw new ApiError('CREDENTIALS_MISSING', NO_API_KEY);
      const app = key === null ? null : this.appFor(key, KEY_NOT_VALID);
      return { ...identity, app, role: this.roleNamed(roleName) } as TokenPrincipal;
    }
    if (key === null) throw new ApiError('CREDENTIALS_MISSING', token !== null ? NO_API_KEY : NO_CREDENTIALS);
    const app = this.appFor(key, NO_VALID_SESSION);
    return { kind: 'app', app, role: this.roleNamed(app.role) };
  }

  /**
   * Whether the request carries any credential: a key, a session token, or Basic credentials (which mean
   * something only when there are local users; otherwise they may be a proxy's and are ignored).
   */
  hasCredentials(headers: Headers, query: URLSearchParams): boolean {
    return (
      this.apiKey(headers, query) !== null ||
      sessionToken(headers, query) !== null ||
      (this.users !== null && /^Basic\s/i.test(headers.get('authorization') ?? ''))
    );
  }

  /** The key a request carries, or null. */
  apiKey(headers: Headers, query: URLSearchParams): string | null {
    const key =
      headers.get('x-dreamfactory-api-key') ?? (this.config.apiKeyInQuery ? query.get('api_key') : null);
    return key === null || key === '' ? null : key;
  }

  /** The active app a key belongs to; an unknown key or an inactive app is a 400 with `message`. */
  appFor(key: string, message = KEY_NOT_VALID): AppConfig {
    const app = this.apps.get(createHash('sha256').update(key).digest('hex'));
    if (!app || !app.active) throw credentialsRefused(new ApiError('CREDENTIALS_INVALID', message));
    return app;
  }

  /** An active role by name; 403 when it is missing or inactive. */
  roleNamed(name: string | null): RoleConfig {
    const role = name === null ? undefined : this.roles.get(name);
    if (!role) throw new ApiError('FORBIDDEN', ROLE_MISSING);
    if (!role.active) throw new ApiError('FORBIDDEN', ROLE_INACTIVE);
    return role;
  }

  /** Stops the principal's token from working (logout); false when it cannot be revoked. */
  async revoke(principal: Principal): Promise<boolean> {
    if (principal.kind !== 'user' && principal.kind !== 'external') return false;
    if (!this.users || principal.session.jti === null) return false;
    await this.users.logout(principal.session.jti, principal.session.expiresAt);
    return true;
  }

  async close(): Promise<void> {
    await this.users?.close();
  }

  /** Throws 401 for an expired or invalid token (marked as a failed authentication), 403 for a revoked one. */
  private async identify(token: string): Promise<{ identity: Identity; roleName: string | null }> {
    try {
      return await this.verifyToken(token);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHORIZED') throw credentialsRefused(error);
      throw error;
    }
  }

  /** A local user by `Authorization: Basic`: a principal without a session (nothing to log out). */
  private async identifyBasic({
    email,
    password,
  }: {
    email: string;
    password: string;
  }): Promise<{ identity: Identity; roleName: string | null }> {
    const user = await (this.users as UserSessions).authenticateBasic(email, password);
    return {
      identity: {
        kind: 'user',
        user: { id: user.id, email: user.email, name: user.name },
        session: { jti: null, expiresAt: 0 },
      },
      roleName: user.role,
    };
  }

  private async verifyToken(token: string): Promise<{ identity: Identity; roleName: string | null }> {
    if (this.users && (this.external === null || peekIssuer(token) === LOCAL_ISSUER)) {
      const { user, jti, expiresAt } = await this.users.verify(token);
      return {
        identity: {
          kind: 'user',
          user: { id: user.id, email: user.email, name: user.name },
          session: { jti, expiresAt },
        },
        roleName: user.role,
      };
    }
    const external = (this.external as ExternalTokenVerifier).verify(token);
    // Logged-out provider tokens are refused too, when there is a system database to remember them in.
    if (external.jti !== null && (await this.users?.isRevoked(external.jti))) throw tokenRevoked();
    return {
      identity: {
        kind: 'external',
        user: { id: external.id, email: external.email, name: external.name },
        session: { jti: external.jti, expiresAt: external.exp },
      },
      roleName: external.role,
    };
  }
}

/** `Authorization: Bearer …`, then `X-DreamFactory-Session-Token`, then `?session_token=` (compat §10.1). */
export function sessionToken(headers: Headers, query: URLSearchParams): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
  const token = bearer ?? headers.get('x-dreamfactory-session-token') ?? query.get('session_token');
  return token === null || token.trim() === '' ? null : token.trim();
}

/**
 * `Authorization: Basic base64(email:password)` → its parts; null for any other header. Credentials that do
 * not decode to `email:password` are refused like wrong ones.
 */
export function basicCredentials(headers: Headers): { email: string; password: string } | null {
  const encoded = /^Basic\s+(\S*)\s*$/i.exec(headers.get('authorization') ?? '')?.[1];
  if (encoded === undefined) return null;
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(encoded)
    ? Buffer.from(encoded, 'base64').toString('utf8')
    : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw credentialsRefused(new ApiError('UNAUTHORIZED', BASIC_REFUSED));
  return { email: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** How a principal appears in logs: never a key, a token or an email. */
export function describePrincipal(principal: Principal): string {
  switch (principal.kind) {
    case 'open':
      return 'open';
    case 'app':
      return `app:${principal.app.name} role:${principal.role.name}`;
    default:
      return `${principal.kind}:${principal.user.id ?? '?'} app:${principal.app?.name ?? '-'} role:${principal.role.name}`;
  }
}
