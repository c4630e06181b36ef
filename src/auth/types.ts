// Access-control configuration (validated by src/config) and the Principal every request runs as.
// Roles follow DreamFactory's role service access (compat §10.3–10.4): per service, a component pattern, a verb
// set, and row filters; Junction adds field rules (hidden and write-allowed columns).

export type AccessVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RowFilterConfig {
  /** Column name (case-insensitive, as in DF). */
  field: string;
  /** `=, !=, >, >=, <, <=, IN, NOT IN, STARTS WITH, ENDS WITH, CONTAINS, IS NULL, IS NOT NULL`. */
  operator: string;
  /** May contain lookups: `{user.id}`, `{user.email}`, `{app.name}`, `{role.name}`. */
  value: string;
}

export interface RoleAccessConfig {
  /** A service name, or `*` for every service. */
  service: string;
  /** `''` (service root), `*`, `_table/*`, `_table/Album/*`, `_table/Album`, `_schema/*`, `_proc/*`, … */
  component: string;
  verbs: AccessVerb[];
  filters: RowFilterConfig[];
  filterOp: 'AND' | 'OR';
  /** Columns of the matched tables the role can neither read nor filter, order or group by. */
  hiddenFields: string[];
  /** When set, the only columns of the matched tables the role may write. */
  writableFields: string[] | null;
}

export interface RoleConfig {
  name: string;
  description: string | null;
  active: boolean;
  access: RoleAccessConfig[];
}

export interface AppConfig {
  name: string;
  description: string | null;
  active: boolean;
  /** The role requests with this app's key run as (when no user is logged in). */
  role: string;
  /** SHA-256 of the key, lower-case hex; keys are looked up by hash and never stored in the clear. */
  apiKeyHash: string;
}

export interface AuthConfig {
  /** Accept the key in `?api_key=` as DreamFactory does (it leaks into logs and referrers; off switches it off). */
  apiKeyInQuery: boolean;
  roles: RoleConfig[];
  apps: AppConfig[];
  /** A session token must come with an API key, as in DreamFactory. Absent: true. */
  requireApiKeyWithSession?: boolean;
  /** Local users and their sessions (`auth.sessionSecret` turns them on). Absent or null: no users. */
  users?: UsersConfig | null;
  /** Tokens of an external identity provider accepted as sessions. Absent or null: none. */
  externalJwt?: ExternalJwtConfig | null;
}

/** Where users and revoked tokens are kept. */
export type SystemDatabaseConfig =
  /** A SQLite file of its own (an absolute path, or `:memory:`). */
  | { filename: string }
  /** Tables `junction_users`, `junction_revoked_tokens` and `junction_system` in this configured SQL service. */
  | { service: string };

export interface UsersConfig {
  /** The system database holding users and revoked tokens. */
  systemDatabase: SystemDatabaseConfig;
  /** HS256 key of the session JWTs (at least 32 bytes; from the environment). */
  sessionSecret: string;
  /** How long a session token lives. */
  sessionTtlSeconds: number;
}

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface ExternalJwtConfig {
  /** Shared secret for the HS* algorithms. */
  secret: string | null;
  /** Absolute path of a JWKS file with the public keys for RS*, PS* and ES* (looked up by `kid`). */
  jwksFile: string | null;
  /** The only algorithms accepted; the token's own `alg` never chooses anything else. */
  algorithms: JwtAlgorithm[];
  issuer: string | null;
  audience: string | null;
  /** Claim holding the provider's role (dots reach into objects: `realm_access.role`). */
  roleClaim: string;
  /** Provider role → Junction role name. A token whose role is not mapped has no role (403). */
  roleMap: Record<string, string>;
  emailClaim: string;
  /** Claim holding the user's id (default `sub`). */
  idClaim: string;
}

/** Who a user-backed principal is; `{user.id}` and `{user.email}` in row filters read it. */
export interface PrincipalUser {
  /** The local user's numeric id, or the provider's subject. */
  id: number | string | null;
  email: string | null;
  name: string | null;
}

/** The session a token stands for: what logout needs. Never the token itself. */
export interface SessionRef {
  jti: string | null;
  /** Unix seconds. */
  expiresAt: number;
}

/** Who a request runs as. `open` = no access control configured (every request allowed; a warning at start). */
export type Principal =
  | { kind: 'open' }
  | { kind: 'app'; app: AppConfig; role: RoleConfig }
  /** A local user logged in with POST /api/v2/user/session; `app` is null when no key was required. */
  | {
      kind: 'user';
      app: AppConfig | null;
      user: PrincipalUser & { id: number; email: string };
      role: RoleConfig;
      session: SessionRef;
    }
  /** A user of an external identity provider, by a token it signed. */
  | { kind: 'external'; app: AppConfig | null; user: PrincipalUser; role: RoleConfig; session: SessionRef };
