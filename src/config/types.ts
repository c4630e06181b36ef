// The validated, normalised configuration (all defaults applied, env vars substituted, paths absolute).
// src/config/schema.ts parses user files into this shape; every other stage reads only this shape.
import type { AuthConfig } from '../auth/types.js';
import type { Dialect } from '../introspect/catalog.js';

export interface JunctionConfig {
  /** Absolute path of the file this came from; null for the built-in demo before it is written out. */
  source: string | null;
  server: ServerConfig;
  schemaCache: SchemaCacheConfig;
  services: ServiceConfig[];
  virtualForeignKeys: VirtualForeignKeyConfig[];
  /** Apps, API keys and roles; with no apps configured the API is open (and `serve` warns). */
  auth: AuthConfig;
  /** Request limits (security.md T13–T15). normaliseConfig always sets them; a config built in code may leave
   * them out and gets DEFAULT_LIMITS (src/config/limits-schema.ts). */
  limits?: LimitsConfig;
}

/** Limits, on by default; each rejection is a 400 (413 for bodies, 429 for rate limits) with a stable code. */
export interface LimitsConfig {
  graphql: GraphqlLimits;
  rest: RestLimits;
  rows: RowLimits;
  rateLimit: RateLimitConfig;
  /** Failed authentications per client address (security.md A9), counted in the rate limit's store. */
  authFailures: AuthFailuresConfig;
}

/** Checked before any database access (parse and validation). */
export interface GraphqlLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  /** Operations in one batched request (a JSON array body). */
  maxBatch: number;
  /** Hide "Did you mean …?" in validation errors. */
  blockSuggestions: boolean;
}

export interface RestLimits {
  /** Levels of `related` (`related=A` is one, `A.related=B` two). */
  relatedDepth: number;
  /** Relations one request may read, all levels together (`related=*` counts each relation). */
  relatedWidth: number;
  /** Identifiers in `ids` (URL or body) of one read. */
  maxIds: number;
  /** Characters of one `filter`; the filter grammar's own ceiling (MAX_FILTER_LENGTH) is the maximum. */
  maxFilterLength: number;
  /** Request body bytes (REST and GraphQL), 413 past it. */
  maxBodyBytes: number;
  /** Nesting of a REST body or of GraphQL variables (arrays and objects), 400 past it. */
  maxJsonDepth: number;
}

export interface RowLimits {
  /** Rows one request may read from the databases, root and every relation level together. */
  maxPerResponse: number;
}

export interface RateLimitConfig {
  enabled: boolean;
  /** Sustained requests per `durationSeconds` for one principal (API key, user, else client IP). */
  points: number;
  durationSeconds: number;
  /** Requests allowed in a burst (at least `points`); the extra `burst - points` refill over 30 windows. */
  burst: number;
  /** Redis holding the rate-limit and auth-failure counters, shared by replicas; null: each process counts in
   * memory. */
  redisUrl: string | null;
  /** Prefix of every Redis key Junction writes (`<prefix>:rate:…`), so deployments can share one Redis. */
  redisKeyPrefix: string;
}

/**
 * Brute-force guard: after `maxFailures` refused credentials (unknown API key, bad session token, wrong login
 * or Basic password) from one client address within `durationSeconds`, that address's requests carrying
 * credentials get 429 for `blockSeconds`. Successes never reset the count.
 */
export interface AuthFailuresConfig {
  enabled: boolean;
  maxFailures: number;
  durationSeconds: number;
  blockSeconds: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Enables POST /_admin/reload when set; sent as the X-Junction-Admin-Token header. */
  adminToken: string | null;
}

export interface SchemaCacheConfig {
  /** Absolute directory for `<service>.json` model snapshots. */
  dir: string;
  /** `auto`: use a matching cache, introspect otherwise. `frozen`: never introspect at start (fail instead). `off`. */
  mode: 'auto' | 'frozen' | 'off';
}

export type ConnectionConfig =
  | { kind: 'url'; url: string }
  | {
      kind: 'fields';
      host: string;
      port: number | null;
      user: string | null;
      password: string | null;
      database: string;
    }
  | { kind: 'file'; filename: string };

export interface ServiceConfig {
  /** Lowercase, `[a-z][a-z0-9_-]*`: the REST path segment and the GraphQL namespace. */
  name: string;
  type: Dialect;
  label: string | null;
  description: string | null;
  connection: ConnectionConfig;
  /** PostgreSQL schema to expose (default `public`); null elsewhere. */
  schema: string | null;
  /** MongoDB database name when the URL has none. */
  database: string | null;
  /** MongoDB: documents sampled per collection to infer its fields. */
  sampleSize: number;
  /** Cap on records a single read returns (DreamFactory's max_records), default 1000. */
  maxRecords: number;
  /** Per-table naming overrides, keyed by the database table name. */
  tables: Record<string, TableOverride>;
}

export interface TableOverride {
  /** GraphQL object type name. */
  graphqlType?: string;
  /** GraphQL list field name (the single-row field is derived from the type name). */
  graphqlList?: string;
  /** GraphQL field names, keyed by column name. */
  fields?: Record<string, string>;
  /** GraphQL relation field names, keyed by the DreamFactory relation name (e.g. `Artist_by_ArtistId`). */
  relations?: Record<string, string>;
}

export interface FieldRef {
  service: string;
  table: string;
  /** One column, or several for a composite key (same count on both ends). */
  fields: string[];
}

export interface VirtualForeignKeyConfig {
  from: FieldRef;
  to: FieldRef;
}
