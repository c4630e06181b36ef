// ServiceConfig (type mysql, also MariaDB) → knex config for the `mysql2` driver, and the host:port it points at.
import type { Knex } from 'knex';
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

const DEFAULT_PORT = 3306;

/**
 * Values must round-trip exactly, so nothing passes through a lossy JS type:
 * - dateStrings: DATE/DATETIME/TIMESTAMP come back as the server's text; a JS Date would shift them by the
 *   process time zone and cut microseconds to milliseconds.
 * - supportBigNumbers + bigNumberStrings: BIGINT (and DECIMAL) always come back as strings, never as a
 *   float that silently rounds above 2^53 (matches pg, which returns int8/numeric as strings).
 * - timezone 'Z': JS Dates sent as parameters are written as UTC, independent of the host's zone.
 */
const EXACT_VALUES = {
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  timezone: 'Z',
  charset: 'utf8mb4',
} as const satisfies Knex.MySql2ConnectionConfig;

export function mysqlKnexConfig(service: ServiceConfig): Knex.Config {
  const conn = service.connection;
  const common: Knex.MySql2ConnectionConfig = { ...EXACT_VALUES, connectTimeout: connectTimeoutMs(service) };
  let connection: Knex.MySql2ConnectionConfig;
  if (conn.kind === 'url') {
    // mysql2 parses the URI itself; explicit options above win over URL parameters.
    connection = { ...common, uri: conn.url };
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
      `Service '${service.name}' (mysql) needs a url or host fields, not a file.`,
    );
  }
  return {
    client: 'mysql2',
    connection,
    pool: poolConfig(service, (conn, done) => {
      const guarded = conn as GuardedConnection;
      limitStatements(guarded, statementTimeoutMs(service)).then(
        () => {
          guardQueries(guarded, clientTimeoutMs(service));
          done(null, conn);
        },
        (error: unknown) => done(error as Error, conn),
      );
    }),
  };
}

type Callback = (error: (Error & { code?: string; errno?: number }) | null, ...rest: unknown[]) => void;

interface GuardedConnection {
  query: (sql: unknown, values?: unknown, callback?: Callback) => unknown;
  destroy(): void;
  __knex__disposed?: unknown;
}

const UNKNOWN_VARIABLE = 1193;

/**
 * Server side: MariaDB's max_statement_time (seconds) cancels any statement, a CALL of a procedure that
 * sleeps included (error 1969). MySQL has no such variable; its max_execution_time (ms) covers SELECTs only,
 * and the client-side timeout covers the rest.
 */
async function limitStatements(conn: GuardedConnection, ms: number): Promise<void> {
  const run = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      conn.query(sql, undefined, (error) => (error ? reject(error) : resolve()));
    });
  try {
    await run(`SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}`);
  } catch (error) {
    if ((error as { errno?: number }).errno !== UNKNOWN_VARIABLE) throw error;
    await run(`SET SESSION max_execution_time = ${Math.ceil(ms)}`).catch(() => undefined);
  }
}

/**
 * Client side: every query gets mysql2's `timeout`. mysql2 then reports the query failed but keeps the
 * connection waiting for its answer, so the connection is marked disposed (knex's pool discards it) and
 * destroyed at once.
 */
function guardQueries(conn: GuardedConnection, ms: number): void {
  const query = conn.query;
  conn.query = (sql, values, callback) => {
    let cb = callback;
    let vals = values;
    if (typeof vals === 'function') {
      cb = vals as Callback;
      vals = undefined;
    }
    const options =
      typeof sql === 'string'
        ? { sql, timeout: ms }
        : sql !== null && typeof sql === 'object' && (sql as object).constructor === Object
          ? { timeout: ms, ...(sql as object) }
          : sql;
    const wrapped: Callback | undefined = cb
      ? (error, ...rest) => {
          if (error?.code !== 'PROTOCOL_SEQUENCE_TIMEOUT') return cb(error, ...rest);
          const timeout = clientTimeoutError(error);
          conn.__knex__disposed = timeout;
          conn.destroy();
          return cb(timeout as Error, ...rest);
        }
      : undefined;
    return query.call(conn, options, vals, wrapped);
  };
}

export function mysqlTarget(service: ServiceConfig): ConnectionTarget {
  const conn = service.connection;
  if (conn.kind === 'fields') {
    return { where: `${conn.host}:${conn.port ?? DEFAULT_PORT}`, user: conn.user, database: conn.database };
  }
  if (conn.kind === 'url') return urlTarget(conn.url, DEFAULT_PORT);
  return { where: conn.filename, user: null, database: null };
}
