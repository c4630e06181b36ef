// Driver errors → catalogue codes by SQLSTATE class and MySQL errno (security.md end of §4.4): what a client
// sees never carries the driver's text, and every availability failure is a 503 naming the service.
import { describe, expect, it } from 'vitest';
import { availabilityOf, translateDbError } from '../../../src/adapters/sql/db-errors.js';
import { clientTimeoutError } from '../../../src/adapters/sql/timeouts.js';
import { ApiError } from '../../../src/errors/index.js';

const pg = (code: string, message = `secret detail select * from "hidden" ${code}`) =>
  Object.assign(new Error(message), { code });
const my = (errno: number, code = 'ER_X') =>
  Object.assign(new Error(`mysql said: select secret ${errno}`), { errno, code });

describe('translateDbError', () => {
  it.each([
    ['08006', 'SOURCE_UNAVAILABLE', 503],
    ['08001', 'SOURCE_UNAVAILABLE', 503],
    ['53300', 'SOURCE_UNAVAILABLE', 503],
    ['53200', 'SOURCE_UNAVAILABLE', 503],
    ['57P01', 'SOURCE_UNAVAILABLE', 503],
    ['57P03', 'SOURCE_UNAVAILABLE', 503],
    ['57014', 'STATEMENT_TIMEOUT', 504],
    ['23505', 'UNIQUE_VIOLATION', 409],
    ['23503', 'FOREIGN_KEY_VIOLATION', 409],
    ['40001', 'WRITE_CONFLICT', 409],
    ['40P01', 'WRITE_CONFLICT', 409],
    ['22012', 'INVALID_VALUE', 400],
    ['42P01', 'BAD_REQUEST', 400],
    ['42501', 'FORBIDDEN', 403],
  ])('maps PostgreSQL SQLSTATE %s to %s (%i)', (code, expected, status) => {
    const error = translateDbError(pg(code));
    expect(error.code).toBe(expected);
    expect(error.status).toBe(status);
    expect(error.message).not.toMatch(/secret|select|hidden/);
  });

  it.each([
    [1040, 'SOURCE_UNAVAILABLE'],
    [1226, 'SOURCE_UNAVAILABLE'],
    [2006, 'SOURCE_UNAVAILABLE'],
    [2013, 'SOURCE_UNAVAILABLE'],
    [1053, 'SOURCE_UNAVAILABLE'],
    [1317, 'STATEMENT_TIMEOUT'],
    [1969, 'STATEMENT_TIMEOUT'],
    [3024, 'STATEMENT_TIMEOUT'],
    [1213, 'WRITE_CONFLICT'],
    [1205, 'WRITE_CONFLICT'],
    [1062, 'UNIQUE_VIOLATION'],
    [1452, 'FOREIGN_KEY_VIOLATION'],
    [1142, 'FORBIDDEN'],
  ])('maps MySQL/MariaDB errno %i to %s', (errno, expected) => {
    const error = translateDbError(my(errno));
    expect(error.code).toBe(expected);
    expect(error.message).not.toMatch(/secret|select|mysql said/);
  });

  it('treats refused, reset and lost connections as unavailable with a Retry-After', () => {
    for (const error of [
      Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      new Error('Connection terminated unexpectedly'),
      // knex's query builder (inserts) puts the statement in front of the driver's message.
      new Error('insert into "t" ("a") values ($1) returning "a" - Connection terminated unexpectedly'),
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
    ]) {
      const translated = translateDbError(error);
      expect(translated.code).toBe('SOURCE_UNAVAILABLE');
      expect(translated.details).toMatchObject({ availability: 'unavailable', retryAfter: 1 });
      expect(translated.message).not.toMatch(/10\.1\.2\.3|5432|ECONN/);
    }
  });

  it('says "busy" when no pooled connection became free, and a client-side timeout is a 504', () => {
    const busy = Object.assign(
      new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
      {
        name: 'KnexTimeoutError',
      },
    );
    expect(availabilityOf(busy)).toBe('busy');
    expect(translateDbError(busy).message).toMatch(/busy/);
    expect(translateDbError(clientTimeoutError(new Error('Query read timeout'))).code).toBe(
      'STATEMENT_TIMEOUT',
    );
  });

  it('keeps anything unknown a masked 500 and passes ApiErrors through', () => {
    expect(translateDbError(pg('XX000')).code).toBe('DATABASE_ERROR');
    const own = new ApiError('NOT_FOUND', 'x');
    expect(translateDbError(own)).toBe(own);
    expect(availabilityOf(pg('23505'))).toBeNull();
    expect(availabilityOf(pg('57014'))).toBeNull();
  });
});
