// Config document (parsed YAML/JSON, env substituted) → ConfigFile (zod) → normalised JunctionConfig.
// The zod schema is the one description of the file format: validation, defaults, and the editor JSON Schema.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../errors/index.js';
import { authSchema, normaliseAuth } from './auth-schema.js';
import { cacheSchema, normaliseCache, serviceCacheSchema } from './cache-schema.js';
import { limitsSchema, normaliseLimits } from './limits-schema.js';
import { normaliseObservability, observabilitySchema } from './observability-schema.js';
import { normaliseScripts, scriptsSchema } from './scripts-schema.js';
import { breakerSchema, poolSchema, timeoutsSchema } from './resilience-schema.js';
import type { ConnectionConfig, FieldRef, JunctionConfig, ServiceConfig } from './types.js';

export { formatPath, problem } from './problem.js';

export const SERVICE_TYPES = ['postgres', 'mysql', 'sqlite', 'mongodb'] as const;

/** `[a-z][a-z0-9_-]*`: DreamFactory lower-cases service names in URLs, so only lowercase names round-trip. */
const SERVICE_NAME = /^[a-z][a-z0-9_-]*$/;
/** A GraphQL Name that is not reserved for introspection (`__…`). */
const GRAPHQL_NAME = /^(?!__)[_A-Za-z][_0-9A-Za-z]*$/;
/** `service.table.field`, split at the first and the last dot so the table name may contain dots. */
const FIELD_PATH = /^([^.]+)\.(.+)\.([^.]+)$/;

/** An integer, or a string of digits: `${PORT}` substitutions arrive as strings. */
function integer(min: number, max?: number) {
  const int = max === undefined ? z.int().min(min) : z.int().min(min).max(max);
  const digits = z
    .string()
    .regex(/^[0-9]+$/, 'expected an integer')
    // Editors see the file before substitution, so their schema also allows a ${VAR} reference here.
    .meta({ pattern: '^([0-9]+|.*\\$\\{.*)$' });
  const input = z.union([int, digits], { error: 'expected an integer' });
  return {
    optional: () => input.transform(Number).pipe(int).optional(),
    // On the input side of the pipe, where the editor JSON Schema (io 'input') can show the default.
    default: (value: number) => input.default(value).transform(Number).pipe(int),
  };
}

const graphqlName = z
  .string()
  .regex(
    GRAPHQL_NAME,
    'must be a GraphQL name: a letter or _, then letters, digits or _ (not starting with __)',
  );

const serverSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Interface to listen on.'),
    port: integer(1, 65535).default(8080).describe('TCP port to listen on.'),
    adminToken: z
      .string()
      .optional()
      .describe('Enables POST /_admin/reload, sent as X-Junction-Admin-Token. Empty or absent: disabled.'),
    workers: integer(1, 1024)
      .optional()
      .describe(
        'Worker processes sharing the port (node:cluster); 1 serves in one process. Default: the number of CPU cores (os.availableParallelism()). --workers overrides it.',
      ),
    shutdownTimeoutMs: integer(0, 3_600_000)
      .optional()
      .describe(
        'On SIGTERM/SIGINT: how long requests in flight may take to finish before their connections are closed. Default 30000.',
      ),
  })
  .describe('HTTP server settings.');

const schemaCacheSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default('./schema-cache')
      .describe("Directory for model snapshots, relative to this file's directory."),
    mode: z
      .enum(['auto', 'frozen', 'off'])
      .default('auto')
      .describe('auto: use a matching snapshot, else introspect. frozen: never introspect at start. off.'),
  })
  .describe('Model snapshots that let a restart skip introspection.');

/** Documents sampled per MongoDB collection when the config does not say. */
export const DEFAULT_SAMPLE_SIZE = 1000;

const connectionSchema = z
  .strictObject({
    host: z.string().min(1),
    port: integer(1, 65535).optional(),
    user: z.string().optional(),
    password: z.string().optional().describe('Use ${VAR} to keep it out of the file.'),
    database: z.string().min(1).optional(),
  })
  .describe('Connection fields, instead of url (postgres, mysql, mongodb).');

const tableOverrideSchema = z
  .strictObject({
    graphqlType: graphqlName.optional().describe('GraphQL object type name.'),
    graphqlList: graphqlName.optional().describe('GraphQL list field name.'),
    fields: z
      .record(z.string(), graphqlName)
      .optional()
      .describe('GraphQL field names, keyed by column name.'),
    relations: z
      .record(z.string(), graphqlName)
      .optional()
      .describe(
        'GraphQL relation field names, keyed by DreamFactory relation name (e.g. Artist_by_ArtistId).',
      ),
  })
  .describe('GraphQL naming overrides for one table.');

const serviceSchema = z
  .strictObject({
    name: z
      .string()
      .max(64, 'must be at most 64 characters')
      .regex(
        SERVICE_NAME,
        'must be lowercase: a letter, then letters, digits, _ or - (DreamFactory lower-cases names)',
      )
      .describe('REST path segment (/api/v2/{name}) and GraphQL namespace.'),
    type: z.enum(SERVICE_TYPES).describe('Database kind.'),
    label: z.string().optional().describe('Human-readable name.'),
    description: z.string().optional(),
    url: z
      .string()
      .min(1)
      .optional()
      .describe('Connection URL, e.g. postgres://user:${PG_PASSWORD}@host:5432/db or sqlite:./data.db.'),
    connection: connectionSchema.optional(),
    filename: z.string().min(1).optional().describe("SQLite file, relative to this file's directory."),
    schema: z.string().min(1).optional().describe('PostgreSQL schema to expose (default public).'),
    database: z.string().min(1).optional().describe('MongoDB database, when the url has none.'),
    sampleSize: integer(1, 100_000)
      .optional()
      .describe('MongoDB: documents sampled per collection to infer its fields (default 1000).'),
    maxRecords: integer(1)
      .default(1000)
      .describe('Most records one read returns (DreamFactory max_records).'),
    tables: z
      .record(z.string(), tableOverrideSchema)
      .default({})
      .describe('GraphQL naming overrides, keyed by table name.'),
    pool: poolSchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    breaker: breakerSchema.prefault({}),
    cache: serviceCacheSchema.prefault({}),
  })
  .describe('One database. Give exactly one of url, connection (not sqlite) or filename (sqlite only).');

const fieldRefSchema = z
  .union(
    [
      z
        .string()
        .regex(FIELD_PATH, 'expected "service.table.field" or an object { service, table, fields }')
        .describe('service.table.field, split at the first and last dot.'),
      z.strictObject({
        service: z.string().min(1),
        table: z.string().min(1),
        fields: z.array(z.string().min(1)).min(1).describe('Several for a composite key.'),
      }),
    ],
    { error: 'expected "service.table.field" or an object { service, table, fields }' },
  )
  .describe('One end of a virtual foreign key.');

const virtualForeignKeySchema = z
  .strictObject({ from: fieldRefSchema, to: fieldRefSchema })
  .describe('A relation the databases do not declare; may join two services.');

export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema for editors; ignored by Junction.'),
    server: serverSchema.prefault({}),
    schemaCache: schemaCacheSchema.prefault({}),
    services: z.array(serviceSchema).min(1, 'needs at least one service').describe('The databases to serve.'),
    virtualForeignKeys: z.array(virtualForeignKeySchema).default([]),
    relationsFile: z
      .string()
      .min(1)
      .default('./junction.relations.json')
      .describe(
        "Where virtual foreign keys added over the API (`_schema/{table}/_related`) are kept, relative to this file's directory.",
      ),
    auth: authSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    observability: observabilitySchema.prefault({}),
    cache: cacheSchema.prefault({}),
    scripts: scriptsSchema.prefault({}),
  })
  .meta({
    title: 'Junction configuration',
    description:
      'Databases served as one GraphQL and DreamFactory-compatible REST API. ${VAR} reads the environment.',
  });

/** The file after zod: shapes checked and simple defaults applied, paths still relative. */
export type ConfigFile = z.output<typeof configFileSchema>;
type ServiceFile = ConfigFile['services'][number];

/** The editor schema: what a user may write (io 'input'), so defaults are optional and ports may be strings. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', target: 'draft-2020-12' });
}

/** The string form split into its three parts; the object form copied. */
export function toFieldRef(ref: z.output<typeof fieldRefSchema>): FieldRef {
  if (typeof ref !== 'string') return { service: ref.service, table: ref.table, fields: [...ref.fields] };
  const [, service = '', table = '', field = ''] = FIELD_PATH.exec(ref) ?? [];
  return { service, table, fields: [field] };
}

/** A virtual key end in either form, or null when it is malformed (zod reports why). */
export function parseFieldRef(value: unknown): FieldRef | null {
  const parsed = fieldRefSchema.safeParse(value);
  return parsed.success ? toFieldRef(parsed.data) : null;
}

/** Defaults that depend on the file's location or the service type. Input has passed validation. */
export function normaliseConfig(
  file: ConfigFile,
  options: { baseDir: string; source: string | null },
): JunctionConfig {
  const { baseDir } = options;
  return {
    source: options.source,
    server: {
      host: file.server.host,
      port: file.server.port,
      adminToken: file.server.adminToken || null,
      // Left out when unset: the defaults depend on the machine (workers) or live in serverDefaults.
      ...(file.server.workers !== undefined && { workers: file.server.workers }),
      ...(file.server.shutdownTimeoutMs !== undefined && {
        shutdownTimeoutMs: file.server.shutdownTimeoutMs,
      }),
    },
    schemaCache: { dir: resolve(baseDir, file.schemaCache.dir), mode: file.schemaCache.mode },
    services: file.services.map((service) => normaliseService(service, baseDir)),
    virtualForeignKeys: file.virtualForeignKeys.map((key) => ({
      from: toFieldRef(key.from),
      to: toFieldRef(key.to),
    })),
    relationsFile: resolve(baseDir, file.relationsFile),
    auth: normaliseAuth(file.auth, { baseDir }),
    limits: normaliseLimits(file.limits),
    observability: normaliseObservability(file.observability),
    cache: normaliseCache(file.cache),
    scripts: normaliseScripts(file.scripts, baseDir),
  };
}

function normaliseService(service: ServiceFile, baseDir: string): ServiceConfig {
  const connection = normaliseConnection(service, baseDir);
  const fieldsDatabase = connection.kind === 'fields' ? connection.database : null;
  return {
    name: service.name,
    type: service.type,
    label: service.label ?? null,
    description: service.description ?? null,
    connection,
    schema: service.type === 'postgres' ? (service.schema ?? 'public') : null,
    database: service.type === 'mongodb' ? (service.database ?? fieldsDatabase) : null,
    sampleSize: service.sampleSize ?? DEFAULT_SAMPLE_SIZE,
    maxRecords: service.maxRecords,
    tables: service.tables,
    pool: { ...service.pool },
    timeouts: { ...service.timeouts },
    breaker: { ...service.breaker },
    cache: { ...service.cache },
  };
}

function normaliseConnection(service: ServiceFile, baseDir: string): ConnectionConfig {
  // SQLite URLs become files so adapters see one form and relative paths follow the config file.
  if (service.filename !== undefined)
    return { kind: 'file', filename: sqlitePath(baseDir, service.filename) };
  if (service.url !== undefined && service.type === 'sqlite') {
    return { kind: 'file', filename: sqlitePath(baseDir, sqliteUrlPath(service.url)) };
  }
  if (service.url !== undefined) return { kind: 'url', url: service.url };
  const fields = service.connection;
  const database = fields?.database ?? service.database;
  if (fields === undefined || database === undefined) {
    throw new ApiError('INTERNAL', `service ${service.name} reached normalisation without a connection`);
  }
  return {
    kind: 'fields',
    host: fields.host,
    port: fields.port ?? null,
    user: fields.user ?? null,
    password: fields.password ?? null,
    database,
  };
}

/** `sqlite:./a.db`, `sqlite:///abs/a.db`, `file:a.db` → the path part (a leading `//` is an empty authority). */
export function sqliteUrlPath(url: string): string {
  const rest = url.replace(/^(sqlite|file):/i, '');
  return rest.startsWith('//') ? rest.slice(2) : rest;
}

function sqlitePath(baseDir: string, filename: string): string {
  return filename === ':memory:' || isAbsolute(filename) ? filename : resolve(baseDir, filename);
}
