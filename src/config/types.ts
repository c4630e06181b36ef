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
