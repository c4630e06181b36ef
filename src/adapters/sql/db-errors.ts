// Driver errors (pg SQLSTATE, MySQL errno, SQLite result codes) → the catalogue's stable codes with a message
// a client can act on. The driver's own text, which may quote SQL, stays in `cause` for the log only.
import { ApiError, type ErrorCode } from '../../errors/index.js';
import { CLIENT_TIMEOUT_CODE } from './timeouts.js';

interface DriverError {
  code?: string;
  errno?: number;
  constraint?: string;
  column?: string;
  table?: string;
  message?: string;
}

const PG: Record<string, ErrorCode> = {
  '23505': 'UNIQUE_VIOLATION',
  '23503': 'FOREIGN_KEY_VIOLATION',
  '23502': 'NOT_NULL_VIOLATION',
  '23514': 'CHECK_VIOLATION',
  '22001': 'VALUE_TOO_LONG',
  '22P02': 'INVALID_VALUE',
  '22003': 'INVALID_VALUE',
  '22007': 'INVALID_VALUE',
  '22008': 'INVALID_VALUE',
  // A NUL byte or a character the encoding cannot hold.
  '22021': 'INVALID_VALUE',
  // No operator for these types (e.g. LIKE on a uuid): only a value can cause it, the SQL is always ours.
  '42883': 'INVALID_VALUE',
  '57014': 'STATEMENT_TIMEOUT',
};

const MYSQL: Record<number, ErrorCode> = {
  1062: 'UNIQUE_VIOLATION',
  1451: 'FOREIGN_KEY_VIOLATION',
  1452: 'FOREIGN_KEY_VIOLATION',
  1048: 'NOT_NULL_VIOLATION',
  1364: 'NOT_NULL_VIOLATION',
  3819: 'CHECK_VIOLATION',
  4025: 'CHECK_VIOLATION',
  1406: 'VALUE_TOO_LONG',
  1366: 'INVALID_VALUE',
  1264: 'INVALID_VALUE',
  1292: 'INVALID_VALUE',
  // Illegal mix of collations: a 4-byte character compared with a 3-byte (utf8mb3) column.
  1267: 'INVALID_VALUE',
  1270: 'INVALID_VALUE',
  1271: 'INVALID_VALUE',
  3024: 'STATEMENT_TIMEOUT',
  1969: 'STATEMENT_TIMEOUT',
};

const SQLITE: Record<string, ErrorCode> = {
  SQLITE_CONSTRAINT_UNIQUE: 'UNIQUE_VIOLATION',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'UNIQUE_VIOLATION',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'FOREIGN_KEY_VIOLATION',
  SQLITE_CONSTRAINT_NOTNULL: 'NOT_NULL_VIOLATION',
  SQLITE_CONSTRAINT_CHECK: 'CHECK_VIOLATION',
  SQLITE_MISMATCH: 'INVALID_VALUE',
};

// MySQL/MariaDB errnos that mean the server cannot serve us now (too many connections, shutting down, the
// connection is gone), the ones that cancel a statement, and lock conflicts.
const MYSQL_UNAVAILABLE = new Set([
  1040, 1053, 1077, 1079, 1152, 1158, 1159, 1160, 1161, 1203, 1226, 1927, 2002, 2003, 2006, 2013, 2055,
]);
const MYSQL_CANCELLED = new Set([1317, 1969, 3024]);
const MYSQL_CONFLICT = new Set([1205, 1213]);
const MYSQL_FORBIDDEN = new Set([1044, 1142, 1143, 1370]);

/** Socket and driver codes for a connection that failed or went away. */
const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
]);

/**
 * node-postgres reports a lost or unusable connection by message only. Not anchored: knex's query builder
 * (inserts, upserts) prefixes the message with the statement, `insert into … - Connection terminated…`.
 */
const PG_LOST = /Connection terminated|not queryable|timeout expired|Client was closed/i;

export type Availability = 'unavailable' | 'busy' | null;

/**
 * Whether a driver error means the source cannot serve requests now: `unavailable` (connection refused,
 * lost or timed out; server shutting down or out of connections), `busy` (no pooled connection became free
 * in time), else null (the statement's own fault, or a timeout of that statement).
 */
export function availabilityOf(error: unknown): Availability {
  const e = (error ?? {}) as DriverError & { name?: string; fatal?: boolean; sqlState?: string };
  if (e.name === 'KnexTimeoutError' || /Knex: Timeout acquiring a connection/.test(e.message ?? ''))
    return 'busy';
  const code = typeof e.code === 'string' ? e.code : '';
  if (CONNECTION.has(code)) return 'unavailable';
  // SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P01-03 (shutdown, crash,
  // cannot connect now).
  if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code)) return 'unavailable';
  if (typeof e.errno === 'number' && MYSQL_UNAVAILABLE.has(e.errno)) return 'unavailable';
  if (code === '' && e.fatal === true) return 'unavailable';
  if (code === '' && PG_LOST.test(e.message ?? '')) return 'unavailable';
  return null;
}

/** The cause of an `unavailable` error in a few words a client can read (no host, no driver text). */
export function unavailableReason(error: unknown): string {
  const e = (error ?? {}) as DriverError;
  if (
    e.code === '53300' ||
    e.errno === 1040 ||
    e.errno === 1203 ||
    e.errno === 1226 ||
    e.code === 'ER_CON_COUNT_ERROR'
  )
    return 'the database has no free connections';
  if (e.code === 'ECONNREFUSED' || e.errno === 2002 || e.errno === 2003)
    return 'the database refused the connection';
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? ''))
    return 'connecting to the database timed out';
  if (/^57P0[1-3]$/.test(e.code ?? '') || e.errno === 1053)
    return 'the database is shutting down or starting up';
  return 'the connection to the database was lost';
}

const MESSAGES: Partial<Record<ErrorCode, (e: DriverError) => string>> = {
  UNIQUE_VIOLATION: (e) => `A record with the same ${detail(e, 'unique key')} already exists.`,
  FOREIGN_KEY_VIOLATION: (e) =>
    `The change would break a relation (${detail(e, 'foreign key')}): the referenced record is missing, or other records still refer to this one.`,
  NOT_NULL_VIOLATION: (e) =>
    `A value is required for ${e.column ? `field '${e.column}'` : 'a field that cannot be null'}.`,
  CHECK_VIOLATION: (e) => `A value breaks the rule ${detail(e, 'check constraint')}.`,
  VALUE_TOO_LONG: () => 'A value is too long for its field.',
  INVALID_VALUE: () => 'A value does not fit the type of its field.',
  STATEMENT_TIMEOUT: () => 'The database took too long to answer and the statement was cancelled.',
  WRITE_CONFLICT: () => 'The change collided with a concurrent one and was not made; send it again.',
  FORBIDDEN: () => 'The database refused access to an object this request needs.',
  BAD_REQUEST: () => 'The database rejected the request as invalid.',
};

function detail(e: DriverError, what: string): string {
  if (e.constraint) return `${what} '${e.constraint}'`;
  const mysqlKey = /for key '([^']+)'/.exec(e.message ?? '');
  if (mysqlKey) return `${what} '${mysqlKey[1]}'`;
  const sqliteCols = /constraint failed: (.+)$/.exec(e.message ?? '');
  if (sqliteCols) return `values of ${sqliteCols[1]}`;
  return what;
}

export function translateDbError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = (error ?? {}) as DriverError;
  if (e.code === '428C9') {
    // PostgreSQL GENERATED ALWAYS (identity or computed) columns refuse any value but DEFAULT.
    const column = e.column ?? /column "([^"]+)"/.exec(e.message ?? '')?.[1];
    return new ApiError(
      'INVALID_VALUE',
      `Field ${column ? `'${column}' ` : ''}is always generated by the database; leave it out.`,
      { cause: error },
    );
  }
  const code = codeOf(e);
  if (code)
    return new ApiError(code, MESSAGES[code]?.(e) ?? 'The database rejected the request.', { cause: error });
  const availability = availabilityOf(error);
  if (availability === 'unavailable') {
    return new ApiError(
      'SOURCE_UNAVAILABLE',
      `The database is unavailable: ${unavailableReason(error)}; try again shortly.`,
      {
        cause: error,
        details: { availability, retryAfter: 1 },
      },
    );
  }
  if (availability === 'busy') {
    return new ApiError(
      'SOURCE_UNAVAILABLE',
      'The database is busy: no connection became free in time; try again shortly.',
      {
        cause: error,
        details: { availability, retryAfter: 1 },
      },
    );
  }
  return new ApiError('DATABASE_ERROR', 'The database could not run the request.', { cause: error });
}

function codeOf(e: DriverError): ErrorCode | undefined {
  const specific =
    (e.code && PG[e.code]) ||
    (typeof e.errno === 'number' && MYSQL[e.errno]) ||
    (e.code && SQLITE[e.code]) ||
    (e.code?.startsWith('SQLITE_CONSTRAINT') ? 'CHECK_VIOLATION' : undefined);
  if (specific) return specific;
  if (e.code === CLIENT_TIMEOUT_CODE) return 'STATEMENT_TIMEOUT';
  if (typeof e.errno === 'number') {
    if (MYSQL_CANCELLED.has(e.errno)) return 'STATEMENT_TIMEOUT';
    if (MYSQL_CONFLICT.has(e.errno)) return 'WRITE_CONFLICT';
    if (MYSQL_FORBIDDEN.has(e.errno)) return 'FORBIDDEN';
  }
  // PostgreSQL by SQLSTATE class (security.md §4.4): the SQL is always ours, so a data exception (22) or a
  // syntax/access problem (42) can only come from a value or from drift between model and database.
  const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : '';
  if (sqlstate === '40001' || sqlstate === '40P01') return 'WRITE_CONFLICT';
  if (sqlstate === '42501') return 'FORBIDDEN';
  if (sqlstate.startsWith('22')) return 'INVALID_VALUE';
  if (sqlstate.startsWith('42')) return 'BAD_REQUEST';
  return undefined;
}
