// Driver errors (pg SQLSTATE, MySQL errno, SQLite result codes) → the catalogue's stable codes with a message
// a client can act on. The driver's own text, which may quote SQL, stays in `cause` for the log only.
import { ApiError, type ErrorCode } from '../../errors/index.js';

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

const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

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
  const code =
    (e.code && PG[e.code]) ||
    (typeof e.errno === 'number' && MYSQL[e.errno]) ||
    (e.code && SQLITE[e.code]) ||
    (e.code?.startsWith('SQLITE_CONSTRAINT') ? 'CHECK_VIOLATION' : undefined);
  if (code)
    return new ApiError(code, MESSAGES[code]?.(e) ?? 'The database rejected the request.', { cause: error });
  if (e.code && CONNECTION.has(e.code)) {
    return new ApiError('SOURCE_UNAVAILABLE', 'The database is not reachable right now; try again shortly.', {
      cause: error,
    });
  }
  if (/Knex: Timeout acquiring a connection/.test(e.message ?? '')) {
    return new ApiError('SOURCE_UNAVAILABLE', 'The database is busy: no connection became free in time.', {
      cause: error,
    });
  }
  return new ApiError('DATABASE_ERROR', 'The database could not run the request.', { cause: error });
}
