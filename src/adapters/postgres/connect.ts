// ServiceConfig (type postgres) → knex config for the `pg` driver, and the host:port it points at.
import type { Knex } from 'knex';
import pg from 'pg';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import { ACQUIRE_TIMEOUT_MS, CONNECT_TIMEOUT_MS, POOL } from '../sql/timeouts.js';
import { urlTarget, type ConnectionTarget } from '../sql/target.js';

const DEFAULT_PORT = 5432;

// date, timestamp, timestamptz, time, timetz: kept as the server's text. A JS Date would shift values into
// the process's time zone and drop microseconds; the API layers format the text instead.
const TEXT_TYPES = new Set([1082, 1114, 1184, 1083, 1266]);
const keepText = (value: string) => value;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES.has(oid) ? keepText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function postgresKnexConfig(service: ServiceConfig): Knex.Config {
  const conn = service.connection;
  const common: Knex.PgConnectionConfig = {
    application_name: 'junction',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    types,
  } as Knex.PgConnectionConfig;
  let connection: Knex.PgConnectionConfig;
  if (conn.kind === 'url') {
    connection = { ...common, connectionString: conn.url };
  } else if (conn.kind === 'fields') {
    connection = {
      ...common,
      host: conn.host,
      port: conn.port ?? DEFAULT_PORT,
      database: conn.database,
      ...(conn.user === null ? {} : { user: conn.user }),
      ...(conn.password === null ? {} : { password: conn.password }),
    };
  } else {
    throw new ApiError(
      'CONFIG_INVALID',
      `Service '${service.name}' (postgres) needs a url or host fields, not a file.`,
    );
  }
  const schema = service.schema ?? 'public';
  return {
    client: 'pg',
    connection,
    pool: { ...POOL },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    // Unqualified names resolve in the service's schema first; public stays reachable for extensions.
    ...(schema === 'public' ? {} : { searchPath: [schema, 'public'] }),
  };
}

export function postgresTarget(service: ServiceConfig): ConnectionTarget {
  const conn = service.connection;
  if (conn.kind === 'fields') {
    return { where: `${conn.host}:${conn.port ?? DEFAULT_PORT}`, user: conn.user, database: conn.database };
  }
  if (conn.kind === 'url') return urlTarget(conn.url, DEFAULT_PORT);
  return { where: conn.filename, user: null, database: null };
}
