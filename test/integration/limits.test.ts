/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Request limits end to end (security.md §4.3 D1–D5) on SQLite Chinook: over-limit GraphQL is refused before
// any database access, identical aliased reads run once, REST `related`/`ids`/`limit`/filter/row caps,
// body size and nesting, and the per-principal rate limit with 429 + Retry-After.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleConfig } from '../../src/auth/types.js';
import { DEFAULT_LIMITS } from '../../src/config/limits-schema.js';
import type { JunctionConfig, LimitsConfig } from '../../src/config/types.js';
import { STATEMENTS_HEADER } from '../../src/http/server.js';
import { useChinook } from './support/chinook.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient, type RestResult } from './support/rest.js';

type Data = Record<string, any>;

const chinook = useChinook('sqlite');

function withLimits(limits: Partial<{ [K in keyof LimitsConfig]: Partial<LimitsConfig[K]> }>): LimitsConfig {
  return {
    graphql: { ...DEFAULT_LIMITS.graphql, ...limits.graphql },
    rest: { ...DEFAULT_LIMITS.rest, ...limits.rest },
    rows: { ...DEFAULT_LIMITS.rows, ...limits.rows },
    rateLimit: { ...DEFAULT_LIMITS.rateLimit, ...limits.rateLimit },
    authFailures: { ...DEFAULT_LIMITS.authFailures, ...limits.authFailures },
  };
}

function config(limits: LimitsConfig, extra: Partial<JunctionConfig> = {}): JunctionConfig {
  return { ...testConfig([chinook.service]), limits, ...extra };
}

interface RawResult {
  status: number;
  body: any;
  headers: Headers;
}

async function post(
  server: TestServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResult> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** No statement ran: the counter header is absent (refused before execution) or 0. */
function expectNoStatements(headers: Headers): void {
  expect(Number(headers.get(STATEMENTS_HEADER) ?? 0)).toBe(0);
}

function expectRefused(result: RawResult, code: string): void {
  expect(result.status, JSON.stringify(result.body).slice(0, 300)).toBe(400);
  expect(result.body.data).toBeUndefined();
  expect(result.body.errors[0].extensions.code).toBe(code);
  expectNoStatements(result.headers);
}

function expectDfError(res: RestResult, status: number, message: RegExp): void {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  expect(res.body.error.code).toBe(status);
  expect(res.body.error.status_code).toBe(status);
  expect(res.body.error.message).toMatch(message);
}

/** `{ chinook { albums { artist { albums { … title } } } } }`, exactly `depth` fields deep. */
function deepQuery(depth: number): string {
  const fields = ['chinook', 'albums(limit: 1)'];
  // Odd positions read albums (type Album), even ones their artist (type Artist).
  while (fields.length < depth - 1) fields.push(fields.length % 2 === 0 ? 'artist' : 'albums');
  const leaf = fields.length % 2 === 0 ? 'title' : 'name';
  return `{ ${fields.map((f) => `${f} {`).join(' ')} ${leaf} ${'}'.repeat(fields.length)} }`;
}

describe('GraphQL limits (D1): over-limit requests are refused with 400 before any database access', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(config(DEFAULT_LIMITS));
  });
  afterAll(async () => server?.close());

  it('accepts a query exactly 10 levels deep and refuses one 11 levels deep', async () => {
    const atLimit = await post(server, { query: deepQuery(10) });
    expect(atLimit.status, JSON.stringify(atLimit.body)).toBe(200);
    expect(atLimit.body.errors).toBeUndefined();
    expectRefused(await post(server, { query: deepQuery(11) }), 'DEPTH_LIMIT');
  });

  it('refuses 16 aliases', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: albums(limit: 1) { albumId }`).join(' ');
    const result = await post(server, { query: `{ chinook { ${aliases} } }` });
    expectRefused(result, 'ALIAS_LIMIT');
    expect(result.body.errors[0].message).toBe('Aliases limit of 15 exceeded, found 16.');
  });

  it('refuses 51 directives', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @skip(if: false)').join(' ');
    expectRefused(await post(server, { query: `{ chinook { ${fields} } }` }), 'DIRECTIVE_LIMIT');
  });

  it('refuses a document of 5001 tokens while parsing', async () => {
    // `{ chinook {` + 4996 names + `} }` = 5001 tokens.
    const query = `{ chinook { ${'__typename '.repeat(4997)}} }`;
    expectRefused(await post(server, { query }), 'TOKEN_LIMIT');
  });

  it('refuses a fragment cycle', async () => {
    const query = `{ chinook { albums(limit: 1) { ...A } } }
      fragment A on Album { artist { ...B } }
      fragment B on Artist { albums { ...A } }`;
    const result = await post(server, { query });
    expect(result.status).toBe(400);
    expect(result.body.errors.map((e: Data) => e.message).join('\n')).toMatch(/Cannot spread fragment "A"/);
    expectNoStatements(result.headers);
  });

  it('refuses a query whose cost is over 5000 (3000 repeats of one field)', async () => {
    const query = `{ chinook { albums(limit: 1) { ${'title '.repeat(3000)}} } }`;
    const result = await post(server, { query });
    expectRefused(result, 'COST_LIMIT');
    expect(result.body.errors[0].message).toBe('Query cost limit of 5000 exceeded, found 6755.');
  });

  it('does not count a page size in the cost: a connection page of 1000 with a relation passes', async () => {
    const query = '{ chinook { tracksConnection(first: 1000) { nodes { name album { title } } } } }';
    const result = await post(server, { query });
    expect(result.status).toBe(200);
    expect(result.body.data.chinook.tracksConnection.nodes).toHaveLength(1000);
  });

  it('runs a batch of 10 operations and refuses a batch of 11', async () => {
    const op = { query: '{ chinook { __typename } }' };
    const ten = await post(
      server,
      Array.from({ length: 10 }, () => op),
    );
    expect(ten.status).toBe(200);
    expect(ten.body).toHaveLength(10);
    const eleven = await post(
      server,
      Array.from({ length: 11 }, () => op),
    );
    expect(eleven.status).toBe(400);
    expect(eleven.body.errors[0].extensions.code).toBe('BATCH_LIMIT');
    expectNoStatements(eleven.headers);
  });

  it('hides field suggestions in validation errors', async () => {
    const result = await post(server, { query: '{ chinook { albumz { title } } }' });
    expect(result.body.errors[0].message).toMatch(
      /^Cannot query field "albumz" on type "\w+"\. \[Suggestion hidden\]$/,
    );
  });

  // How fast a refusal is belongs to the benchmark, not to a timed test; here: refused every time, never run.
  it('refuses over-limit requests every time without touching the database', async () => {
    const queries = [deepQuery(11), `{ chinook { ${'__typename '.repeat(5000)}} }`];
    for (let i = 0; i < 10; i++) {
      const answer = await post(server, { query: queries[i % 2] });
      expect(answer.status).toBe(400);
      expectNoStatements(answer.headers);
    }
  });
});

describe('alias amplification (D2): identical aliased reads run once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(config(DEFAULT_LIMITS));
  });
  afterAll(async () => server?.close());

  it('answers 15 aliases of one relational query with one statement per distinct read', async () => {
    const selection = 'albums(limit: 5, orderBy: { albumId: ASC }) { title artist { name } tracks { name } }';
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: ${selection}`).join(' ');
    const result = await server.query(`{ chinook { ${aliases} } }`);
    expect(result.errors).toBeUndefined();
    // One root read, one for the artists, one for the tracks: not 15 of each.
    expect(result.statements).toBe(3);
    const answers = Object.values(result.data.chinook as Data);
    expect(answers).toHaveLength(15);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0][0]).toMatchObject({ title: 'For Those About To Rock We Salute You' });
    expect(answers[0][0].tracks).toHaveLength(10);
  });

  it('still runs reads that differ in their arguments separately', async () => {
    const result = await server.query(
      '{ chinook { a: albums(limit: 2) { title } b: albums(limit: 3) { title } c: albums(limit: 2) { title } } }',
    );
    expect(result.statements).toBe(2);
    expect(result.data.chinook.a).toHaveLength(2);
    expect(result.data.chinook.b).toHaveLength(3);
  });
});

describe('REST caps (D3) and bodies (D4)', () => {
  let server: TestServer;
  let lowered: TestServer;
  let rest: RestClient;
  let low: RestClient;
  const table = (name: string, suffix = '') => `/api/v2/chinook/_table/${name}${suffix}`;

  beforeAll(async () => {
    server = await startTestServer(config(DEFAULT_LIMITS));
    lowered = await startTestServer(
      config(
        withLimits({
          rest: { relatedWidth: 2, maxFilterLength: 1000, maxBodyBytes: 1024 },
          rows: { maxPerResponse: 500 },
        }),
      ),
    );
    rest = restClient(server);
    low = restClient(lowered);
  });
  afterAll(async () => {
    await server?.close();
    await lowered?.close();
  });

  const chain = (levels: string[]) => {
    const params = [`related=${levels[0]}`];
    for (let i = 1; i < levels.length; i++)
      params.push(`${levels.slice(0, i).join('.')}.related=${levels[i]}`);
    return params.join('&');
  };
  const levels = ['Artist_by_ArtistId', 'Album_by_ArtistId', 'Track_by_AlbumId', 'Genre_by_GenreId'];

  it('reads related records 3 levels deep and refuses 4 levels with a 400 before any statement', async () => {
    const three = await rest.get(table('Album', `/1?${chain(levels.slice(0, 3))}`));
    expect(three.status, three.text.slice(0, 300)).toBe(200);
    expect(three.body.Artist_by_ArtistId.Album_by_ArtistId[0].Track_by_AlbumId.length).toBeGreaterThan(0);
    const four = await rest.get(table('Album', `/1?${chain(levels)}`));
    expectDfError(four, 400, /nested at most 3 levels deep/);
    expect(four.statements).toBe(0);
  });

  it('refuses related=* when the table has more relations than relatedWidth allows', async () => {
    expect((await rest.get(table('Track', '/1?related=*'))).status).toBe(200);
    const wide = await low.get(table('Track', '/1?related=*'));
    expectDfError(wide, 400, /at most 2 related tables/);
    expect(wide.statements).toBe(0);
  });

  it('reads 1000 ids and refuses 1001', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(',');
    const thousand = await rest.get(table('Track', `?ids=${ids(1000)}&fields=TrackId`));
    expect(thousand.status).toBe(200);
    expect(thousand.body.resource).toHaveLength(1000);
    const over = await rest.get(table('Track', `?ids=${ids(1001)}&fields=TrackId`));
    expectDfError(over, 400, /Too many ids in one request \(at most 1000\)/);
    expect(over.statements).toBe(0);
  });

  it('caps limit=1000000 at the service maxRecords', async () => {
    const res = await rest.get(table('Track', '?limit=1000000&fields=TrackId'));
    expect(res.status).toBe(200);
    expect(res.body.resource).toHaveLength(1000);
    expect(res.body.meta).toEqual({ count: 3503, next: 1000 });
  });

  it('refuses a filter longer than the configured maxFilterLength', async () => {
    const filter = encodeURIComponent(`Name = '${'x'.repeat(1000)}'`);
    const res = await low.get(table('Genre', `?filter=${filter}`));
    expectDfError(res, 400, /longer than 1000 characters/);
    expect(res.statements).toBe(0);
  });

  it('refuses a response over rows.maxPerResponse with a 400, in both APIs', async () => {
    expect((await low.get(table('Track', '?limit=500&fields=TrackId'))).status).toBe(200);
    expectDfError(await low.get(table('Track', '?limit=501&fields=TrackId')), 400, /more than 500 rows/);
    // 300 tracks plus their invoice lines (global limit 1000) pass 500 rows together.
    const related = await low.get(table('Track', '?limit=300&fields=TrackId&related=InvoiceLine_by_TrackId'));
    expectDfError(related, 400, /more than 500 rows/);
    const graphql = await lowered.query('{ chinook { tracks(limit: 501) { trackId } } }');
    expect(graphql.errors?.[0]?.extensions?.code).toBe('ROW_LIMIT');
  });

  it('answers a body over maxBodyBytes with 413, in both APIs', async () => {
    const big = JSON.stringify({ resource: [{ Name: 'x'.repeat(1100) }] });
    const res = await low.request(table('Genre'), {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expectDfError(res, 413, /too large/);
    expect(res.statements).toBe(0);
    const graphql = await post(lowered, { query: `{ chinook { __typename } } # ${'x'.repeat(1100)}` });
    expect(graphql.status).toBe(413);
  });

  it('answers a body of 10 MiB + 1 byte with 413 under the default limit', async () => {
    const body = `{"resource":[{"Name":"${'x'.repeat(DEFAULT_LIMITS.rest.maxBodyBytes - 25)}"}]}`;
    expect(body.length).toBe(DEFAULT_LIMITS.rest.maxBodyBytes + 1);
    const res = await rest.request(table('Genre'), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expectDfError(res, 413, /too large/);
  });

  it('answers JSON nested 10,000 deep with a 400 in both APIs, and keeps serving', async () => {
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const res = await rest.request(table('Genre'), {
      method: 'POST',
      body: `{"resource":[{"Name":${deep}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expectDfError(res, 400, /nested deeper than 64 levels/);
    expect(res.statements).toBe(0);
    // Without the check, graphql-js overflowed its stack coercing this (an INTERNAL error).
    const where = `${'{"and":['.repeat(10_000)}{}${']}'.repeat(10_000)}`;
    const query = 'query($w: GenreWhere) { chinook { genres(where: $w) { name } } }';
    const graphql = await post(server, `{"query":"${query}","variables":{"w":${where}}}`);
    expectRefused(graphql, 'DEPTH_LIMIT');
    expect((await rest.get(table('Genre', '/1'))).status).toBe(200);
  });

  it('refuses a nested write 5,000 relations deep (a body nested past 64 levels)', async () => {
    let record = '{"Name":"x"}';
    for (let i = 0; i < 5000; i++)
      record =
        i % 2 === 0
          ? `{"Title":"t","Artist_by_ArtistId":${record}}`
          : `{"Name":"a","Album_by_ArtistId":[${record}]}`;
    const res = await rest.request(table('Artist'), {
      method: 'POST',
      body: `{"resource":[${record}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expectDfError(res, 400, /nested deeper than 64 levels/);
    expect(res.statements).toBe(0);
  });
});

describe('rate limit (D5): 429 with Retry-After per principal', () => {
  const keys = { a: 'key-a-0123456789abcdef', b: 'key-b-0123456789abcdef' };
  const hash = (key: string) => createHash('sha256').update(key).digest('hex');
  const role: RoleConfig = {
    name: 'reader',
    description: null,
    active: true,
    access: [
      {
        service: '*',
        component: '*',
        verbs: ['GET', 'POST'],
        filters: [],
        filterOp: 'AND',
        hiddenFields: [],
        writableFields: null,
      },
    ],
  };
  const app = (name: string, key: string) => ({
    name,
    description: null,
    active: true,
    role: 'reader',
    apiKeyHash: hash(key),
  });
  let server: TestServer;
  let rest: RestClient;
  const genre = (key: string) =>
    rest.get('/api/v2/chinook/_table/Genre/1', { 'x-dreamfactory-api-key': key });

  beforeAll(async () => {
    const base = testConfig([chinook.service]);
    server = await startTestServer(
      config(withLimits({ rateLimit: { enabled: true, points: 5, burst: 8, durationSeconds: 10 } }), {
        auth: { ...base.auth, roles: [role], apps: [app('a', keys.a), app('b', keys.b)] },
      }),
    );
    rest = restClient(server);
  });
  afterAll(async () => server?.close());

  it('lets a key make `burst` requests, then answers 429 with Retry-After in the DreamFactory envelope', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await genre(keys.a)).status);
    expect(statuses).toEqual(Array(8).fill(200));
    const refused = await genre(keys.a);
    expectDfError(refused, 429, /Too many requests/);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(10);
  });

  it('answers GraphQL requests of the same key with HTTP 429 too', async () => {
    const result = await post(
      server,
      { query: '{ chinook { __typename } }' },
      { 'x-dreamfactory-api-key': keys.a },
    );
    expect(result.status).toBe(429);
    expect(result.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('leaves another key unaffected', async () => {
    expect((await genre(keys.b)).status).toBe(200);
  });

  it('never limits /health and /ready', async () => {
    const origin = new URL(server.url).origin;
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${origin}/health`)).status).toBe(200);
      expect((await fetch(`${origin}/ready`)).status).toBe(200);
    }
  });

  it('counts requests without a valid key by client address, so made-up keys gain nothing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await genre(`made-up-${i}`)).status);
    expect(statuses.slice(0, 8).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(8)).toEqual([429, 429]);
  });
});
