import { describe, expect, it } from 'vitest';
import { createLogger, legacyLog, logLevel, textLine } from '../../../src/observability/logger.js';
import { redactedPath } from '../../../src/observability/redact-url.js';
import { runInRequest } from '../../../src/observability/request-scope.js';

function collect(format: 'json' | 'text' = 'json', level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format }, (line) => lines.push(line)) };
}

describe('the JSON logger', () => {
  it('writes one JSON object per line with level, time, message and fields', () => {
    const { lines, logger } = collect();
    logger.info({ requestId: 'r-1', status: 200 }, 'GET / 200 1 ms');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'info',
      name: 'junction',
      requestId: 'r-1',
      status: 200,
      msg: 'GET / 200 1 ms',
    });
    expect(JSON.parse(lines[0] as string).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts credential headers, passwords, keys and bound values wherever a call puts them', () => {
    const { lines, logger } = collect();
    logger.warn(
      {
        req: {
          headers: {
            authorization: 'Basic c2VjcmV0',
            'x-dreamfactory-api-key': 'key-123',
            'x-dreamfactory-session-token': 'tok-456',
            cookie: 'sid=789',
            accept: 'application/json',
          },
        },
        user: { password: 'pw-000' },
        api_key: 'key-abc',
        statement: { sql: 'select 1 where a = $1', bindings: ['value-xyz'] },
      },
      'something',
    );
    const line = lines[0] as string;
    for (const secret of ['c2VjcmV0', 'key-123', 'tok-456', 'sid=789', 'pw-000', 'key-abc', 'value-xyz'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line).req.headers.accept).toBe('application/json');
    expect(JSON.parse(line).statement.sql).toBe('select 1 where a = $1');
  });

  it('leaves out entries below the level, and JUNCTION_LOG_LEVEL overrides the config', () => {
    const { lines, logger } = collect('json', 'info');
    logger.debug('hidden');
    expect(lines).toEqual([]);
    expect(logLevel({ level: 'info', format: 'json' }, { JUNCTION_LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(logLevel({ level: 'warn', format: 'json' }, { JUNCTION_LOG_LEVEL: 'loud' })).toBe('warn');
    expect(logLevel({ level: 'warn', format: 'json' }, {})).toBe('warn');
  });
});

describe('the text format', () => {
  it('renders a refusal as its denied: line alone, as the audit trail always read', () => {
    const { lines, logger } = collect('text');
    logger.warn({ event: 'denied', requestId: 'r-9', status: 403 }, 'denied: request=r-9 client=1.2.3.4 …');
    expect(lines).toEqual(['denied: request=r-9 client=1.2.3.4 …']);
  });

  it('renders other entries as the message followed by statements, service, principal and request id', () => {
    const line = textLine(
      JSON.stringify({
        msg: 'GET /x 200 3 ms',
        statements: 2,
        service: 'db',
        principal: null,
        requestId: 'a',
      }),
    );
    expect(line).toBe('GET /x 200 3 ms statements=2 service=db requestId=a');
    expect(textLine('not json')).toBe('not json');
  });
});

describe('legacyLog', () => {
  it('logs plain messages as warnings, unexpected ones as errors, with the id of the request they ran in', () => {
    const { lines, logger } = collect();
    const log = legacyLog(logger);
    runInRequest({ id: 'req-7' }, () => log('limits: Redis is unreachable'));
    log('graphql: unexpected error: boom');
    const [warning, error] = lines.map((l) => JSON.parse(l));
    expect(warning).toMatchObject({ level: 'warn', requestId: 'req-7', msg: 'limits: Redis is unreachable' });
    expect(error).toMatchObject({ level: 'error', msg: 'graphql: unexpected error: boom' });
    expect(error.requestId).toBeUndefined();
  });
});

describe('redactedPath', () => {
  const path = (url: string) => redactedPath(new URL(url, 'http://localhost'));

  it('replaces api_key and session_token values in the query string, in any case, keeping the rest', () => {
    expect(path('/api/v2/db/_table/t?api_key=abc&limit=5')).toBe(
      '/api/v2/db/_table/t?api_key=[REDACTED]&limit=5',
    );
    expect(path('/graphql?SESSION_TOKEN=x.y.z')).toBe('/graphql?SESSION_TOKEN=[REDACTED]');
    expect(path('/x?api%5Fkey=abc&filter=a%3D1')).toBe('/x?api%5Fkey=[REDACTED]&filter=a%3D1');
    expect(path('/x?password=p&token=t')).toBe('/x?password=[REDACTED]&token=[REDACTED]');
  });

  it('leaves a path without a query alone', () => {
    expect(path('/health')).toBe('/health');
  });
});
