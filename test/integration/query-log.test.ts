// The SQL query log against real databases: for the benchmark's query (b), over GraphQL and REST on PostgreSQL
// Chinook, the lines carrying a request's id are exactly the statements its x-junction-sql-statements header
// counts; bound values stay out unless `bindings: shown`; nothing is logged when it is off, and DreamFactory's
// DB_QUERY_LOG_ENABLED turns it on. On MariaDB a REST read logs its statements too. The statement hub is
// process-wide, so each test runs one server and closes it before the next starts.
import { afterEach, describe, expect, it } from 'vitest';
import { QUERIES } from '../../bench/workload/queries.js';
import { DEFAULT_OBSERVABILITY } from '../../src/config/observability-schema.js';
import type { JunctionConfig, ObservabilityConfig, ServiceConfig } from '../../src/config/types.js';
import { STATEMENTS_HEADER } from '../../src/http/server.js';
import { useChinook } from './support/chinook.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';

const postgres = useChinook('postgres');
const mariadb = useChinook('mysql');

/** A value no Chinook row holds, to look for in the log. */
const MARKER = 'Zq-Marker-7731';
const QUERY_B = QUERIES.find((query) => query.id === 'b')!;

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  service: ServiceConfig,
  queryLog?: Partial<ObservabilityConfig['queryLog']>,
): Promise<TestServer> {
  const observability = queryLog
    ? { ...DEFAULT_OBSERVABILITY, queryLog: { ...DEFAULT_OBSERVABILITY.queryLog, ...queryLog } }
    : undefined;
  const config: JunctionConfig = { ...testConfig([service]), ...(observability ? { observability } : {}) };
  server = await startTestServer(config);
  return server;
}

/** One request; its id and statement count from the response headers. */
async function send(target: TestServer, path: string, init: RequestInit = {}) {
  const response = await fetch(new URL(path, target.url), init);
  const body = await response.text();
  expect(response.status, body).toBe(200);
  const id = response.headers.get('x-request-id') ?? '';
  expect(id).not.toBe('');
  return { id, statements: Number(response.headers.get(STATEMENTS_HEADER)), body };
}

function graphql(target: TestServer, body: object) {
  return send(target, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function restPath(service: string, resource: string, params: [string, string][]): string {
  return `/api/v2/${service}/_table/${resource}?${new URLSearchParams(params).toString()}`;
}

const sqlLinesOf = (target: TestServer, id: string) =>
  target.log.filter((line) => line.startsWith(`sql request=${id} `));

/** Every line names the service and a duration, reports rows and shows a statement. */
function expectStatementLines(lines: string[], service: string) {
  for (const line of lines) {
    expect(line).toMatch(
      new RegExp(`^sql request=\\S+ service=${service} \\d+(\\.\\d+)? ms rows=\\d+: select `, 'i'),
    );
  }
}

describe('the query log on PostgreSQL', () => {
  it("logs exactly the statements the N+1 guard counts for the benchmark's query (b) over GraphQL", async () => {
    const target = await start(postgres.service, { enabled: true });
    const { id, statements, body } = await graphql(target, QUERY_B.junction);
    expect(JSON.parse(body).errors).toBeUndefined();
    // artists, their albums, the albums' tracks: one statement per relation level.
    expect(statements).toBe(3);
    const lines = sqlLinesOf(target, id);
    expect(lines, target.log.join('\n')).toHaveLength(statements);
    expectStatementLines(lines, 'chinook');
    expect(lines.map((line) => /: select .* from "(\w+)"/i.exec(line)?.[1])).toEqual([
      'artist',
      'album',
      'track',
    ]);
  });

  it("logs exactly the statements the N+1 guard counts for the benchmark's query (b) over REST", async () => {
    const target = await start(postgres.service, { enabled: true });
    const { id, statements } = await send(
      target,
      restPath('chinook', QUERY_B.rest.resource, QUERY_B.rest.params),
    );
    expect(statements).toBeGreaterThan(0);
    const lines = sqlLinesOf(target, id);
    expect(lines, target.log.join('\n')).toHaveLength(statements);
    expectStatementLines(lines, 'chinook');
  });

  it('keeps bound values out of the log by default, showing only their types', async () => {
    const target = await start(postgres.service, { enabled: true });
    const filter = `name like '%${MARKER}%'`;
    const { id, statements } = await send(target, restPath('chinook', 'artist', [['filter', filter]]));
    const lines = sqlLinesOf(target, id);
    expect(lines).toHaveLength(statements);
    expect(lines.join('\n')).toContain('<string>');
    // (The access line shows the request's URL, filter included: that is the access log's business.)
    expect(target.log.filter((line) => line.startsWith('sql ')).join('\n')).not.toContain(MARKER);
  });

  it('shows bound values when the config asks for them', async () => {
    const target = await start(postgres.service, { enabled: true, bindings: 'shown' });
    const filter = `name like '%${MARKER}%'`;
    const { id } = await send(target, restPath('chinook', 'artist', [['filter', filter]]));
    expect(sqlLinesOf(target, id).join('\n')).toContain(`"%${MARKER}%"`);
  });

  it('logs no statement when it is off, as it is by default', async () => {
    const target = await start(postgres.service);
    const { statements } = await graphql(target, QUERY_B.junction);
    expect(statements).toBe(3);
    expect(target.log.filter((line) => line.startsWith('sql '))).toEqual([]);
    // The access line is still there: the query log adds lines, it does not replace the log.
    expect(target.log.some((line) => line.startsWith('POST /graphql 200'))).toBe(true);
  });

  it("is turned on by DreamFactory's DB_QUERY_LOG_ENABLED over a config that leaves it off", async () => {
    const saved = process.env.DB_QUERY_LOG_ENABLED;
    process.env.DB_QUERY_LOG_ENABLED = 'true';
    try {
      const target = await start(postgres.service, { enabled: false });
      const { id, statements } = await graphql(target, QUERY_B.junction);
      expect(sqlLinesOf(target, id)).toHaveLength(statements);
    } finally {
      if (saved === undefined) delete process.env.DB_QUERY_LOG_ENABLED;
      else process.env.DB_QUERY_LOG_ENABLED = saved;
    }
  });
});

describe('the query log on MariaDB', () => {
  it('logs the statements of a REST read with their service', async () => {
    const target = await start({ ...mariadb.service, name: 'music' }, { enabled: true });
    const params: [string, string][] = [
      ['filter', `(Title like '%${MARKER}%') or (AlbumId <= 3)`],
      ['related', 'Track_by_AlbumId'],
    ];
    const { id, statements, body } = await send(target, restPath('music', 'Album', params));
    expect(JSON.parse(body).resource, body).toHaveLength(3);
    // The rows (after DreamFactory's count, when the filter matches) and the related tracks.
    expect(statements).toBeGreaterThanOrEqual(2);
    const lines = sqlLinesOf(target, id);
    expect(lines, target.log.join('\n')).toHaveLength(statements);
    expectStatementLines(lines, 'music');
    expect(lines[0]).toMatch(/\[<string>, <number>(, <number>)*\]$/);
    expect(lines.join('\n')).not.toContain(MARKER);
  });
});
