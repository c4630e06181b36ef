/* eslint-disable @typescript-eslint/no-explicit-any -- log lines and responses are read dynamically */
// Observability against a real PostgreSQL Chinook: the JSON access log (request id, status, duration, statements,
// no credential in any form), denial lines, the Prometheus counters increasing by exactly what was asked and run,
// the pool and breaker gauges, and tracing through an in-memory exporter: one span per SQL statement under the
// request's span, without bound values.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import type { JunctionConfig } from '../../src/config/types.js';
import { createJunctionServer, STATEMENTS_HEADER, type JunctionServer } from '../../src/http/server.js';
import { createLogger } from '../../src/observability/logger.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { entry, role } from './support/access.js';
import { useChinook } from './support/chinook.js';
import { testConfig } from './support/graphql.js';

const KEY = 'obs-key-7f3a9c2e5b1d4068a9e7';
const WRONG_KEY = 'obs-wrong-key-0c4d8e2f6a1b3579';
const TITLE = 'For Those About To Rock We Salute You';

// Reading the view obs_fail raises an exception in PostgreSQL: a database error (logged, counted, traced).
const chinook = useChinook(
  'postgres',
  `create function obs_boom() returns int language plpgsql as $$ begin raise exception 'obs boom'; end $$;
   create view obs_fail as select obs_boom() as id;`,
);
let runtime: Runtime;
let server: JunctionServer;
let origin = '';
const lines: string[] = [];
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  const base = testConfig([chinook.service]);
  const config: JunctionConfig = {
    ...base,
    auth: {
      apiKeyInQuery: true,
      roles: [role('reader', [entry('*', ['GET'])])],
      apps: [{ name: 'web', description: null, active: true, role: 'reader', apiKeyHash: hashApiKey(KEY) }],
    },
  };
  ({ runtime } = await Runtime.start(config, { cacheMode: 'off' }));
  const logger = createLogger({ level: 'info', format: 'json' }, (line) => lines.push(line));
  server = createJunctionServer(runtime, { logger, spanExporter: exporter });
  const address = await server.listen(0, '127.0.0.1');
  origin = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await runtime?.close();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${origin}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    text,
    id: response.headers.get('x-request-id') ?? '',
    statements: Number(response.headers.get(STATEMENTS_HEADER) ?? 'NaN'),
  };
}

function graphql(query: string, headers: Record<string, string> = {}, search = '') {
  return call(`/graphql${search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
}

const records = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
const accessOf = (id: string) => records().filter((r) => r.event === 'access' && r.requestId === id);

/** Prometheus text → the sum of the samples of `name` whose labels include all of `labels`. */
async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const res = await fetch(`${origin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  return (name, labels = {}) => {
    let sum = 0;
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const have = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
    }
    return sum;
  };
}

describe('the access log', () => {
  it('writes one JSON line per request with its id, status, duration, statements, service and principal', async () => {
    const rest = await call('/api/v2/chinook/_table/album?limit=3&related=artist_by_artist_id', {
      headers: { 'x-dreamfactory-api-key': KEY, 'x-request-id': 'obs-rest-1' },
    });
    expect(rest.status, rest.text).toBe(200);
    expect(rest.statements).toBeGreaterThanOrEqual(2);
    const [line, ...more] = accessOf('obs-rest-1');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/api/v2/chinook/_table/album?limit=3&related=artist_by_artist_id',
      status: 200,
      route: 'rest',
      service: 'chinook',
      statements: rest.statements,
      principal: 'app:web role:reader',
      role: 'reader',
      client: '127.0.0.1',
    });
    expect(line?.durationMs).toBeGreaterThan(0);
    expect(typeof line?.time).toBe('string');
  });

  it('redacts ?api_key= in the logged path and names the service a GraphQL request used', async () => {
    const gql = await graphql(
      '{ chinook { albums(limit: 2) { title } } }',
      { 'x-request-id': 'obs-gql-1' },
      `?api_key=${KEY}`,
    );
    expect(gql.status, gql.text).toBe(200);
    const [line] = accessOf('obs-gql-1');
    expect(line).toMatchObject({
      method: 'POST',
      path: '/graphql?api_key=[REDACTED]',
      status: 200,
      route: 'graphql',
      service: 'chinook',
      statements: gql.statements,
    });
  });

  it('writes a structured denial line for a wrong key, also sent as ?api_key=', async () => {
    const denied = await call(`/api/v2/chinook/_table/album?api_key=${WRONG_KEY}`, {
      headers: { 'x-request-id': 'obs-denied-1' },
    });
    expect(denied.status).toBe(400);
    const denial = records().filter((r) => r.event === 'denied' && r.requestId === 'obs-denied-1');
    expect(denial).toEqual([
      expect.objectContaining({
        level: 'warn',
        client: '127.0.0.1',
        principal: null,
        method: 'GET',
        path: '/api/v2/chinook/_table/album',
        status: 400,
        code: 'CREDENTIALS_INVALID',
      }),
    ]);
    expect(accessOf('obs-denied-1')).toEqual([
      expect.objectContaining({ status: 400, path: '/api/v2/chinook/_table/album?api_key=[REDACTED]' }),
    ]);
  });

  it('never contains a key, whether sent in a header or in the query string', () => {
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(WRONG_KEY);
  });
});

describe('/metrics', () => {
  it('counts exactly the requests made and the SQL statements they ran', async () => {
    const before = await scrape();
    const apiRequests = (m: typeof before) =>
      m('junction_http_requests_total', { route: 'rest', service: 'chinook', status: '200' }) +
      m('junction_http_requests_total', { route: 'graphql', service: 'chinook', status: '200' });
    let statements = 0;
    const made = [
      await call('/api/v2/chinook/_table/track?limit=5&related=album_by_album_id', {
        headers: { 'x-dreamfactory-api-key': KEY },
      }),
      await call('/api/v2/chinook/_table/artist/1', { headers: { 'x-dreamfactory-api-key': KEY } }),
      await graphql('{ chinook { artists(limit: 3) { name albums { title } } } }', {
        'x-dreamfactory-api-key': KEY,
      }),
      await graphql('{ chinook { genres { name } } }', { 'x-dreamfactory-api-key': KEY }),
    ];
    for (const res of made) {
      expect(res.status, res.text).toBe(200);
      statements += res.statements;
    }
    const after = await scrape();
    expect(apiRequests(after) - apiRequests(before)).toBe(made.length);
    expect(statements).toBeGreaterThanOrEqual(6);
    const ran = (m: typeof before) => m('junction_sql_statements_total', { service: 'chinook' });
    expect(ran(after) - ran(before)).toBe(statements);
    expect(
      after('junction_http_request_duration_seconds_count', { route: 'rest', service: 'chinook' }) -
        before('junction_http_request_duration_seconds_count', { route: 'rest', service: 'chinook' }),
    ).toBe(2);
  });

  it('shows the pool and the circuit breaker of each source, and process metrics', async () => {
    const m = await scrape();
    expect(m('junction_source_pool_connections', { service: 'chinook', state: 'max' })).toBe(
      runtime.sources.get('chinook').status().pool?.max,
    );
    expect(m('junction_source_pool_connections', { service: 'chinook', state: 'max' })).toBeGreaterThan(0);
    // Nothing runs between two requests: every connection the pool holds is free.
    expect(m('junction_source_pool_connections', { service: 'chinook', state: 'used' })).toBe(0);
    expect(m('junction_source_pool_connections', { service: 'chinook', state: 'free' })).toBeGreaterThan(0);
    expect(m('junction_source_breaker_state', { service: 'chinook', state: 'closed' })).toBe(1);
    expect(m('junction_source_breaker_state', { service: 'chinook', state: 'open' })).toBe(0);
    expect(m('junction_source_breaker_state', { service: 'chinook', state: 'half-open' })).toBe(0);
    expect(m('junction_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('is neither rate-limited nor behind the API key', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`${origin}/metrics`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await Promise.all(answers.map((a) => a.text()));
  });
});

describe('tracing', () => {
  it('records one span per SQL statement, children of the request span, without bound values', async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await graphql(
      `{ chinook { albums(where: { title: { eq: "${TITLE}" } }) { title artist { name } tracks { name } } } }`,
      {
        'x-dreamfactory-api-key': KEY,
        'x-request-id': 'obs-trace-1',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.statements).toBe(3);
    const spans = exporter.getFinishedSpans();
    const requests = spans.filter((s) => s.attributes['junction.request_id'] === 'obs-trace-1');
    expect(requests).toHaveLength(1);
    const request = requests[0] as ReadableSpan;
    expect(request.spanContext().traceId).toBe(traceId);
    expect(request.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(request.attributes['http.response.status_code']).toBe(200);
    const statements = spans.filter(
      (s) => s.parentSpanContext?.spanId === request.spanContext().spanId && s.attributes['db.system'],
    );
    expect(statements).toHaveLength(res.statements);
    for (const span of statements) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.attributes).toMatchObject({
        'db.system': 'postgresql',
        'db.namespace': 'chinook',
        'db.operation.name': 'select',
      });
      expect(span.duration[0] * 1e9 + span.duration[1]).toBeGreaterThan(0);
      expect(JSON.stringify(span.attributes)).not.toContain(TITLE);
      expect(JSON.stringify(span.attributes)).not.toContain(KEY);
    }
    // The title was bound, not written into the SQL text.
    expect(statements.some((s) => String(s.attributes['db.query.text']).includes('"title"'))).toBe(true);
  });
});

describe('a database error', () => {
  it('is logged with the request id, counted, and its span marked with the SQLSTATE only', async () => {
    exporter.reset();
    const before = await scrape();
    const res = await call('/api/v2/chinook/_table/obs_fail', {
      headers: { 'x-dreamfactory-api-key': KEY, 'x-request-id': 'obs-db-error' },
    });
    expect(res.status, res.text).toBe(500);
    expect(res.text).not.toContain('obs boom');
    const mine = records().filter((r) => r.requestId === 'obs-db-error');
    expect(mine.map((r) => [r.level, r.event ?? null])).toEqual([
      ['error', null],
      ['error', 'access'],
    ]);
    expect(mine[0]?.msg).toMatch(/^rest: unexpected error: .*obs boom/s);
    const after = await scrape();
    const errors = (m: typeof before) => m('junction_sql_statement_errors_total', { service: 'chinook' });
    expect(errors(after) - errors(before)).toBe(1);
    expect(
      after('junction_http_requests_total', { route: 'rest', status: '500', service: 'chinook' }) -
        before('junction_http_requests_total', { route: 'rest', status: '500', service: 'chinook' }),
    ).toBe(1);
    const failed = exporter.getFinishedSpans().filter((s) => s.attributes['error.type']);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.attributes['error.type']).toBe('P0001');
    expect(failed[0]?.status).toEqual({ code: 2 });
  });
});
