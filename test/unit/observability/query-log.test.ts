import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import {
  createQueryLog,
  errorClass,
  queryLogEnabled,
  redactedValues,
  shownValues,
  statementEntry,
} from '../../../src/observability/query-log.js';
import { runInRequest } from '../../../src/observability/request-scope.js';
import { statementHub, type StatementEvent } from '../../../src/observability/statements.js';

const ON = { enabled: true, bindings: 'redacted' } as const;
const OFF = { enabled: false, bindings: 'redacted' } as const;

function statement(overrides: Partial<StatementEvent> = {}): StatementEvent {
  return {
    service: 'chinook',
    dialect: 'postgres',
    sql: 'select "name" from "artist" where "name" like ? and "artist_id" > ? limit ?',
    bindings: ['%Secret Band%', 5, 20],
    startedAt: 0,
    durationMs: 1.234,
    rows: 3,
    error: null,
    request: { id: 'req-1' },
    ...overrides,
  };
}

function collect(format: 'json' | 'text', level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format }, (line) => lines.push(line)) };
}

describe('which values a statement line shows', () => {
  it('replaces each value by its type, runs of one type counted, so the number of values stays visible', () => {
    expect(redactedValues(['a', 'b', 'c', 1, null, true, new Date(0), [1, 2, 3], Buffer.from('x')])).toEqual([
      '<string> ×3',
      '<number>',
      '<null>',
      '<boolean>',
      '<date>',
      '<array(3)>',
      '<bytes>',
    ]);
    expect(redactedValues([])).toEqual([]);
    expect(redactedValues([10n, 11])).toEqual(['<number> ×2']);
  });

  it('shows values JSON-encoded when asked, long ones cut and long lists summed up', () => {
    expect(shownValues(['it\'s "x"', 5, null, [1, 2], 7n])).toEqual([
      '"it\'s \\"x\\""',
      '5',
      'null',
      '[1,2]',
      '7',
    ]);
    const [long] = shownValues(['y'.repeat(500)]);
    expect(long).toBe(`"${'y'.repeat(199)}…(+302 chars)`);
    const many = shownValues(Array.from({ length: 60 }, (_, i) => i));
    expect(many).toHaveLength(51);
    expect(many.at(-1)).toBe('…(+10 more)');
  });

  it("names a failure by the driver error's class and code, never its message", () => {
    class DatabaseError extends Error {
      code = '22P02';
    }
    expect(errorClass(new DatabaseError('invalid input syntax for type integer: "secret"'))).toBe(
      'DatabaseError 22P02',
    );
    expect(errorClass(new TypeError('x'))).toBe('TypeError');
  });
});

describe('a statement entry', () => {
  it('reads as one line: request, service, duration, rows, the statement and its value types', () => {
    const { message, record } = statementEntry(statement(), 'redacted');
    expect(message).toBe(
      'sql request=req-1 service=chinook 1.23 ms rows=3: select "name" from "artist" where "name" like ? and "artist_id" > ? limit ? [<string>, <number> ×2]',
    );
    expect(record).toMatchObject({
      event: 'sql',
      requestId: 'req-1',
      service: 'chinook',
      dialect: 'postgres',
      kind: 'select',
      params: ['<string>', '<number> ×2'],
      paramCount: 3,
      durationMs: 1.23,
      rows: 3,
    });
    expect(JSON.stringify(record)).not.toContain('Secret Band');
  });

  it('says `request=-` for a statement outside any request, and a failure without the driver text', () => {
    const failure = Object.assign(new Error('duplicate key value (name)=(Secret Band)'), { code: '23505' });
    const { message, record } = statementEntry(
      statement({
        request: undefined,
        rows: null,
        error: failure,
        sql: 'insert into\n  "artist" values (?)',
      }),
      'redacted',
    );
    expect(message).toBe(
      'sql request=- service=chinook 1.23 ms failed Error 23505: insert into "artist" values (?) [<string>, <number> ×2]',
    );
    expect(record).not.toHaveProperty('requestId');
    expect(record.error).toBe('Error 23505');
    expect(JSON.stringify(record)).not.toContain('Secret Band');
  });

  it('takes the request id of the scope it runs in when the statement carries none', () => {
    expect(statementEntry(statement({ request: undefined }), 'redacted', 'scope-7').message).toMatch(
      /^sql request=scope-7 /,
    );
  });
});

describe('the query log', () => {
  it('is off by default and logs nothing then', async () => {
    const { lines, logger } = collect('text');
    const log = createQueryLog(OFF, logger, {});
    expect(log.enabled).toBe(false);
    expect(statementHub.active).toBe(false);
    log.hook({ event: 'chinook._table.album.get.pre_process', script: 'a.ts', durationMs: 1, outcome: 'ok' });
    log.close();
    expect(lines).toEqual([]);
  });

  it('writes each statement the hub reports at level info, as text or JSON, until it is closed', () => {
    const { lines, logger } = collect('text');
    const log = createQueryLog(ON, logger, {});
    statementHub.onStatement(statement());
    log.close();
    statementHub.onStatement(statement());
    expect(lines).toEqual([
      expect.stringMatching(/^sql request=req-1 service=chinook 1\.23 ms rows=3: select /),
    ]);

    const json = collect('json');
    const shown = createQueryLog({ enabled: true, bindings: 'shown' }, json.logger, {});
    statementHub.onStatement(statement());
    shown.close();
    const [warning, record] = json.lines.map((line) => JSON.parse(line));
    expect(warning).toMatchObject({ level: 'warn', msg: expect.stringContaining('shows bound values') });
    expect(record).toMatchObject({ level: 'info', event: 'sql', requestId: 'req-1' });
    // `bindings` is censored by the logger everywhere; `shown` logs the values under `params`.
    expect(record.params).toEqual(['"%Secret Band%"', '5', '20']);
  });

  it('logs hook runs with the request they ran in: ok at info, anything else as a warning', () => {
    const { lines, logger } = collect('json');
    const log = createQueryLog(ON, logger, {});
    runInRequest({ id: 'req-9' }, () =>
      log.hook({
        event: 'chinook._table.album.get.pre_process',
        script: 'album.ts',
        durationMs: 2.5,
        outcome: 'ok',
      }),
    );
    log.hook({
      event: 'chinook._table.album.post.post_process',
      script: 'album.ts',
      durationMs: 1000,
      outcome: 'timeout',
      requestId: 'req-10',
      detail: 'SCRIPT_TIMEOUT',
    });
    log.close();
    const records = lines.map((line) => JSON.parse(line));
    expect(records).toMatchObject([
      {
        level: 'info',
        event: 'hook',
        requestId: 'req-9',
        hook: 'chinook._table.album.get.pre_process',
        script: 'album.ts',
        outcome: 'ok',
        durationMs: 2.5,
        msg: 'hook request=req-9 chinook._table.album.get.pre_process album.ts 2.5 ms ok',
      },
      {
        level: 'warn',
        requestId: 'req-10',
        outcome: 'timeout',
        msg: 'hook request=req-10 chinook._table.album.post.post_process album.ts 1000 ms timeout (SCRIPT_TIMEOUT)',
      },
    ]);
  });

  it('warns when the log level would hide its lines', () => {
    const { lines, logger } = collect('text', 'warn');
    createQueryLog(ON, logger, {}).close();
    expect(lines).toEqual(['the query log is on, but the log level hides its info lines']);
  });
});

describe('switching the query log by environment', () => {
  it('lets JUNCTION_QUERY_LOG or DreamFactory’s DB_QUERY_LOG_ENABLED override the config', () => {
    expect(queryLogEnabled(OFF, {}).enabled).toBe(false);
    expect(queryLogEnabled(ON, {}).enabled).toBe(true);
    expect(queryLogEnabled(OFF, { JUNCTION_QUERY_LOG: 'true' }).enabled).toBe(true);
    expect(queryLogEnabled(OFF, { DB_QUERY_LOG_ENABLED: 'TRUE' }).enabled).toBe(true);
    expect(queryLogEnabled(ON, { DB_QUERY_LOG_ENABLED: 'false' }).enabled).toBe(false);
    expect(queryLogEnabled(ON, { JUNCTION_QUERY_LOG: '0' }).enabled).toBe(false);
  });

  it('prefers JUNCTION_QUERY_LOG when both are set, and ignores values that are not true or false', () => {
    expect(queryLogEnabled(OFF, { JUNCTION_QUERY_LOG: 'false', DB_QUERY_LOG_ENABLED: 'true' }).enabled).toBe(
      false,
    );
    expect(queryLogEnabled(OFF, { JUNCTION_QUERY_LOG: 'maybe', DB_QUERY_LOG_ENABLED: 'true' })).toEqual({
      enabled: true,
      ignored: ['JUNCTION_QUERY_LOG'],
    });
    expect(queryLogEnabled(ON, { JUNCTION_QUERY_LOG: ' ' })).toEqual({ enabled: true, ignored: [] });
  });

  it('says so in the log when it ignores a value', () => {
    const { lines, logger } = collect('text');
    createQueryLog(OFF, logger, { DB_QUERY_LOG_ENABLED: 'sometimes' }).close();
    expect(lines).toEqual(['DB_QUERY_LOG_ENABLED is not true or false; ignored']);
  });
});
