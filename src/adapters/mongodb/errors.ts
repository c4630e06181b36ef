// MongoDB driver errors → the catalogue's codes, with the same client messages the SQL adapters give. The
// server's own text (which can quote documents and index names) stays in `cause` for the log.
import { ApiError, type ErrorCode } from '../../errors/index.js';

interface DriverError {
  name?: string;
  code?: unknown;
  codeName?: string;
  message?: string;
}

const CODES: Record<number, ErrorCode> = {
  11000: 'UNIQUE_VIOLATION',
  11001: 'UNIQUE_VIOLATION',
  121: 'CHECK_VIOLATION',
  50: 'STATEMENT_TIMEOUT',
  20: 'NOT_SUPPORTED',
  2: 'INVALID_VALUE',
  14: 'INVALID_VALUE',
};

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  UNIQUE_VIOLATION: 'A record with the same unique key already exists.',
  CHECK_VIOLATION: "A value breaks the collection's validation rules.",
  STATEMENT_TIMEOUT: 'The database took too long to answer; narrow the request down.',
  NOT_SUPPORTED: 'This MongoDB server does not support transactions (it is not a replica set member).',
  INVALID_VALUE: 'A value does not fit the operation (wrong type or format).',
  DATABASE_ERROR: 'The database could not run the request.',
};

const UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'PoolClearedError',
]);

export function translateMongoError(error: unknown, service: string): ApiError {
  if (error instanceof ApiError) return error;
  const e = (error ?? {}) as DriverError;
  if (e.name !== undefined && UNAVAILABLE.has(e.name)) {
    return new ApiError(
      'SOURCE_UNAVAILABLE',
      `The database of service '${service}' is unavailable; try again shortly.`,
      { cause: error, details: { service } },
    );
  }
  const code: ErrorCode = (typeof e.code === 'number' ? CODES[e.code] : undefined) ?? 'DATABASE_ERROR';
  return new ApiError(code, MESSAGES[code] ?? 'The database could not run the request.', { cause: error });
}
