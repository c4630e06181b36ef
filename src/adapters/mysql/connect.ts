// ServiceConfig (type mysql, also MariaDB) → knex config for the `mysql2` driver, and the host:port it points at.
import type { Knex } from 'knex';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import { ACQUIRE_TIMEOUT_MS, CONNECT_TIMEOUT_MS, POOL } from '../sql/timeouts.js';
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
  const common: Knex.MySql2ConnectionConfig = { ...EXACT_VALUES, connectTimeout: CONNECT_TIMEOUT_MS };
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
    pool: { ...POOL },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
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
