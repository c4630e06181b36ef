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
  /** Absolute path of the file holding virtual foreign keys added over the API (`_schema`); absent (a config
   * built in code): such keys cannot be added. */
  relationsFile?: string;
  /** Apps, API keys and roles; with no apps configured the API is open (and `serve` warns). */
  auth: AuthConfig;
  /** Request limits (security.md T13–T15). normaliseConfig always sets them; a config built in code may leave
   * them out and gets DEFAULT_LIMITS (src/config/limits-schema.ts). */
  limits?: LimitsConfig;
  /** Logs, metrics, tracing (src/config/observability-schema.ts); absent in a config built in code, which
   * then gets DEFAULT_OBSERVABILITY (read it through observabilityOf). */
  observability?: ObservabilityConfig;
  /** Where cached read results live (src/config/cache-schema.ts); absent in a config built in code, which
   * then gets DEFAULT_CACHE (read it through cacheOf). */
  cache?: CacheConfig;
  /** Event scripts and scripted services (src/config/scripts-schema.ts); absent in a config built in code
   * (none: read it through scriptsOf). */
  scripts?: ScriptsConfig;
}

/** Event scripts and scripted services: modules in `dir`, trusted operator code. */
export interface ScriptsConfig {
  /** Absolute folder of the modules. */
  dir: string;
  /** Default time limit of one script run. */
  timeoutMs: number;
  /** What scripts read as `platform.config`. */
  settings: Record<string, unknown>;
  events: EventScriptConfig[];
  services: ScriptedServiceConfig[];
}

export interface EventScriptConfig {
  /** DreamFactory event name (`chinook._table.Album.get.post_process`), `*`/`{…}` segments match any one. */
  event: string;
  /** Module path relative to `dir`. */
  module: string;
  timeoutMs: number;
  /** Role its platform.api calls run as; null: the caller's. */
  role: string | null;
}

export interface ScriptedServiceConfig {
  name: string;
  module: string;
  label: string | null;
  description: string | null;
  timeoutMs: number;
  role: string | null;
}

/** The result cache's store; caching itself is switched on per service (ServiceConfig.cache). */
export interface CacheConfig {
  /** `memory`: an LRU per process. `redis`: one Redis shared by replicas, invalidated everywhere by a write. */
  store: 'memory' | 'redis';
  /** Required for `redis`; ignored by `memory`. */
  redisUrl: string | null;
  /** Redis keys are `<keyPrefix>:cache:<service>:…`. */
  keyPrefix: string;
  /** Memory store bounds: entries and bytes (serialised results plus keys). */
  maxEntries: number;
  maxBytes: number;
  /** Results that serialise larger are never cached (either store). */
  maxEntryBytes: number;
}

/** DreamFactory's cache_enabled/cache_ttl of one service. */
export interface ServiceCacheConfig {
  /** Seconds a read result is reused; 0: off. */
  ttlSeconds: number;
}

export interface ObservabilityConfig {
  logs: {
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** json for collectors, text for a terminal. */
    format: 'json' | 'text';
  };
  /** GET /metrics (Prometheus); with a token only `Authorization: Bearer <token>` may read it. */
  metrics: { enabled: boolean; token: string | null };
  /** OTLP/HTTP span export; endpoint null means the OTEL_* environment or the collector's default. */
  tracing: { enabled: boolean; endpoint: string | null; serviceName: string };
  /** One info line per statement and per hook run; JUNCTION_QUERY_LOG / DB_QUERY_LOG_ENABLED override `enabled`. */
  queryLog: { enabled: boolean; bindings: 'redacted' | 'shown' };
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
  /** Worker processes (node:cluster); absent: one per CPU core. 1 serves in-process without forking. */
  workers?: number;
  /** Graceful stop: how long requests in flight may run before their connections are closed; absent: 30000. */
  shutdownTimeoutMs?: number;
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
  /** Resilience (src/config/resilience-schema.ts): normaliseConfig always sets them; a service built in code
   * may leave them out and gets DEFAULT_RESILIENCE (read them through resilienceOf). */
  pool?: PoolConfig;
  timeouts?: TimeoutsConfig;
  breaker?: BreakerConfig;
  /** Data retrieval caching; absent (a service built in code) means off (read it through serviceCacheOf). */
  cache?: ServiceCacheConfig;
}

export interface PoolConfig {
  /** Most connections the service opens. */
  max: number;
  /** Wait for a free connection before 503 SOURCE_UNAVAILABLE. */
  acquireTimeoutMs: number;
  /** Requests waiting for a connection at once; past it, 503 "busy" without waiting. Optional in code. */
  maxWaiting?: number;
}

export interface TimeoutsConfig {
  /** Opening one connection (TCP + login). */
  connectMs: number;
  /** One statement or routine call (504 STATEMENT_TIMEOUT past it). */
  statementMs: number;
}

export interface BreakerConfig {
  /** Consecutive availability failures that open the breaker. */
  failures: number;
  /** How long it stays open before a trial call. */
  openMs: number;
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
