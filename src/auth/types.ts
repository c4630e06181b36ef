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
}

/** Who a request runs as. `open` = no access control configured (every request allowed; a warning at start). */
export type Principal = { kind: 'open' } | { kind: 'app'; app: AppConfig; role: RoleConfig };
