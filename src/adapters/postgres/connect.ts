// ServiceConfig (type postgres) → knex config for the `pg` driver, and the host:port it points at.
import type { Knex } from 'knex';
import pg from 'pg';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import {
  clientTimeoutError,
  clientTimeoutMs,
  connectTimeoutMs,
  poolConfig,
  statementTimeoutMs,
} from '../sql/timeouts.js';
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
    connectionTimeoutMillis: connectTimeoutMs(service),
    // Server side: PostgreSQL cancels the statement (57014) and the connection stays usable.
    statement_timeout: statementTimeoutMs(service),
    // Client side: a frozen or blackholed server never answers; see guardQueries for what happens then.
    query_timeout: clientTimeoutMs(service),
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
    pool: poolConfig(service, (conn, done) => {
      guardQueries(conn as GuardedClient);
      done(null, conn);
    }),
    // Unqualified names resolve in the service's schema first; public stays reachable for extensions.
    ...(schema === 'public' ? {} : { searchPath: [schema, 'public'] }),
  };
}

interface GuardedClient {
  query: (...args: unknown[]) => unknown;
  connection?: { stream?: { destroy(): void } };
  __knex__disposed?: unknown;
}

/**
 * After a client-side timeout pg has given up on the query but the connection still waits for its answer,
 * so the next query on it would queue behind the stuck one. The connection is marked disposed (knex's pool
 * then discards it instead of handing it out) and its socket closed at once.
 */
function guardQueries(conn: GuardedClient): void {
  const query = conn.query;
  const settle = (error: unknown): unknown => {
    if (!(error instanceof Error) || error.message !== 'Query read timeout') return error;
    const timeout = clientTimeoutError(error);
    conn.__knex__disposed = timeout;
    conn.connection?.stream?.destroy();
    return timeout;
  };
  conn.query = (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: unknown, result: unknown) =>
        (callback as (e: unknown, r: unknown) => void)(error ? settle(error) : error, result);
      return query.apply(conn, args);
    }
    const result = query.apply(conn, args);
    if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(settle(error)));
    return result;
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
