/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// Security plan S4 (security.md §4.1): DreamFactory's historical SQL-injection classes (df-sqldb
// `SqlInjectionTest` and the 2019–2026 fixes listed in security.md §1) re-expressed against Junction's REST
// API and GraphQL, on PostgreSQL, MariaDB and SQLite with Chinook: tautologies, UNION, stacked statements,
// blind time delays (`pg_sleep(5)`, `SLEEP(5)`, parenthesised `(SELECT …)` values), field-name injection
// through `fields`, `order`, `group`, `id_field`, `related`, `ids`, `limit`/`offset`, `{"expression": …}` and
// subqueries in write bodies, value injection on create/update, and path ids. Every case must be answered
// 400/404 or treated as a literal (no rows, the same answer as without the payload, or the text stored as
// written); no answer may take 2 s or show internals; and afterwards every table has its row count and the
// Track table its checksum from before the run.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINOOK_TABLES, chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, type TestServer } from './support/graphql.js';
import { leakIn } from '../security/payloads.js';
import { securityConfig } from '../security/server.js';

const SLOW_MS = 2_000;

/**
 * DreamFactory answers an unknown `id_field` with 500 and this fixed text (dreamfactory-compat.md §1.2), and
 * Junction copies it: no statement runs and nothing of the payload is echoed. It is the one non-4xx answer
 * the corpus accepts, listed in the run's output and in SECURITY.md as an open decision (400 would satisfy
 * the security plan; 500 is DreamFactory's contract).
 */
const DF_UNKNOWN_ID_FIELD =
  /^Failed to retrieve records from '[^']+'\.\nIdentifying field\(s\) could not be determined\.$/;

const DIALECTS: { dialect: TestDialect; label: string }[] = [
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'mysql', label: 'MariaDB' },
  { dialect: 'sqlite', label: 'SQLite' },
];

interface Answer {
  status: number;
  text: string;
  body: any;
  ms: number;
}

/**
 * How a 200 must look for the payload to count as a literal: `empty` no rows; `same` the answer of the
 * baseline request (the payload ignored); `stored` checked by the case itself.
 */
type Literal = 'empty' | 'same' | 'stored';

interface RestCase {
  name: string;
  method?: string;
  /** Under /api/v2/chinook/, names spelled for the dialect by `n`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  literal: Literal;
  /** For `same`: the request without the payload. */
  baseline?: { path: string; query?: Record<string, string> };
  /** For `stored`: checks a 200 (gets the answer), e.g. reads the row back and deletes it. */
  stored?: (answer: Answer) => Promise<void>;
}

/** The classes of df-sqldb SqlInjectionTest, with the values DreamFactory's fixes were about. */
const TAUTOLOGIES = [
  "Name = 'x' OR '1'='1'",
  "Name = 'x' OR 1=1",
  "Name = 'x' OR 1=1 --",
  "Name = 'x' OR 1=1 #",
  "Name = 'x' /* */ OR /* */ '1'='1'",
  "Name = '' OR ''=''",
  "Name = 'x'' OR ''1''=''1'",
  "Name = 'x\\' OR 1=1 --",
  "Name = x' OR 'a'='a",
  "Name LIKE '%' OR '1'='1'",
  "Name LIKE 'x%' OR 1=1",
  "Name IN ('x') OR 1=1",
  "Name IN ('x') OR ('1'='1')",
  "(Name = 'x') OR (1=1)",
  "(Name = 'x') OR ('a' = 'a')",
  'TrackId = 1 OR 1=1',
  'TrackId = 1) OR (1=1',
  'TrackId > 0 OR 1=1',
  'TrackId IN (1) OR 1=1',
  "Name = 'x' OR TrackId > 0 --",
  "Name = 'x' || '1'='1'",
  "Name = 'x' OR 'x' LIKE '%'",
  'NOT (1=0)',
  '1=1',
  "'1'='1'",
];

const UNIONS = [
  "Name = 'x' UNION SELECT 1",
  "Name = 'x' UNION SELECT Name FROM Artist --",
  "Name = 'x' UNION ALL SELECT NULL, version() --",
  "Name = 'x') UNION SELECT * FROM Track --",
  'TrackId = 1 UNION SELECT 1',
  "Name IN ('x') UNION SELECT 1",
  "Name = 'x' UNION SELECT table_name FROM information_schema.tables --",
  "Name = 'x' UNION SELECT name FROM sqlite_master --",
];

const STACKED = [
  "Name = 'x'; DROP TABLE Track; --",
  "Name = 'x'; DROP TABLE Track",
  "Name = 'x'); DROP TABLE Track; --",
  'TrackId = 1; DROP TABLE Track',
  "Name = 'x'; DELETE FROM Track; --",
  "Name = 'x'; UPDATE Track SET Name = 'pwned'; --",
  "Name = 'x'; INSERT INTO Artist (Name) VALUES ('pwned'); --",
  'TrackId = 1; SELECT pg_sleep(5)',
];

const BLIND_TIME = [
  'Name = (pg_sleep(5))',
  'Name = (SLEEP(5))',
  'Name = (SELECT pg_sleep(5))',
  'Name = (SELECT SLEEP(5))',
  'TrackId = (SELECT 1 FROM pg_sleep(5))',
  'TrackId = (SELECT 1 FROM (SELECT SLEEP(5)) x)',
  'Name = (SELECT Name FROM Artist LIMIT 1)',
  'Name = (select 1)',
  'Name = pg_sleep(5)',
  'Name = SLEEP(5)',
  "Name = 'x' AND pg_sleep(5)",
  "Name = 'x' OR SLEEP(5)",
  "Name = 'x' AND 1=(SELECT 1 FROM pg_sleep(5))",
  "Name = 'x' AND (SELECT 1 FROM (SELECT SLEEP(5))a)",
  "Name = 'x' || pg_sleep(5)",
  "Name = 'x' AND BENCHMARK(50000000, MD5(1))",
  "Name = 'x' AND randomblob(500000000)",
  "Name = 'x' AND 1=(SELECT COUNT(*) FROM Track a, Track b, Track c)",
  'pg_sleep(5) = 1',
  'SLEEP(5) = 0',
  '(SELECT pg_sleep(5)) IS NULL',
  'Name = NOW()',
  "Name IN ((SELECT pg_sleep(5)), 'x')",
  'Name CONTAINS (SELECT SLEEP(5))',
  'TrackId = (CASE WHEN 1=1 THEN pg_sleep(5) ELSE 1 END)',
];

/** Field-name and clause injection through the identifier parameters, the DF 2019–2026 ORDER/GROUP BY bugs. */
const IDENTIFIER_PAYLOADS = [
  '(SELECT 1)',
  'pg_sleep(5)',
  'SLEEP(5)',
  '1',
  'TrackId; DROP TABLE Track',
  'TrackId; DROP TABLE Track --',
  'TrackId DESC; SELECT pg_sleep(5)',
  'TrackId, (SELECT pg_sleep(5))',
  'TrackId, SLEEP(5)',
  'TrackId ASC LIMIT 1',
  'TrackId DESC, (CASE WHEN 1=1 THEN TrackId ELSE Name END)',
  'IF(1=1,TrackId,Name)',
  'TrackId" FROM Track; --',
  'TrackId` FROM Track; --',
  '"TrackId"',
  'Track.TrackId',
  't0.TrackId',
  'TrackId UNION SELECT 1',
  'TrackId HAVING 1=1',
  'Name COLLATE "C"',
  'TrackId DESC NULLS FIRST; --',
  'TrackId/**/DESC',
  'TrackId -- ',
  '*, version()',
  'COUNT(*), version()',
  'SUM(TrackId); DROP TABLE Track',
  'COUNT(pg_sleep(5))',
  'MAX(Name||version())',
];

const ID_PAYLOADS = [
  '1 OR 1=1',
  '1) OR (1=1',
  "1' OR '1'='1",
  '1; DROP TABLE Track',
  '(SELECT 1)',
  '1 UNION SELECT 1',
  'pg_sleep(5)',
  'SLEEP(5)',
  '1/**/OR/**/1=1',
  '0x31',
  '1e0',
  '-0',
];

const LIMIT_PAYLOADS = [
  '1; DROP TABLE Track',
  '1 UNION SELECT 1',
  '(SELECT 1)',
  '1)',
  'pg_sleep(5)',
  '1 OR 1=1',
  '1e999',
  'NaN',
  '0x10',
  '1; SELECT SLEEP(5)',
  "1'",
];

const WRITE_VALUES = [
  "x'); DROP TABLE Track; --",
  "x' OR '1'='1",
  '(SELECT Name FROM Artist LIMIT 1)',
  '(SELECT pg_sleep(5))',
  'SLEEP(5)',
  'NOW()',
  "'; SELECT pg_sleep(5); --",
  "\\'; DROP TABLE Track; --",
  '" OR ""="',
  'x` = 1; --',
  '/* */ UNION SELECT 1 --',
  '{user.id}',
  ':p',
];

const EXPRESSIONS = [
  { expression: 'NOW()' },
  { expression: '(SELECT Name FROM Artist LIMIT 1)' },
  { expression: 'pg_sleep(5)' },
  { expression: "'x'); DROP TABLE Track; --" },
];

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A Chinook column or table inside a filter or list, respelled for the dialect (snake_case on PostgreSQL). */
function respell(dialect: TestDialect, text: string): string {
  return text.replace(/\b(TrackId|AlbumId|ArtistId|Name|Title|Track|Artist|Album)\b/g, (word) =>
    chinookName(dialect, word),
  );
}

describe.each(DIALECTS)('S4: DreamFactory injection corpus on $label', ({ dialect }) => {
  const chinook = useChinook(dialect);
  let server: TestServer;
  let origin: string;
  const n = (name: string) => chinookName(dialect, name);
  const r = (text: string) => respell(dialect, text);
  let before: { counts: Record<string, number>; checksum: string };
  const slow: string[] = [];
  let requests = 0;
  /** Cases answered with DreamFactory's own 500 for an unknown id_field (see DF_UNKNOWN_ID_FIELD). */
  const compat500 = new Set<string>();

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of CHINOOK_TABLES) {
      const [row] = await chinook.knex(n(table)).count({ c: '*' });
      out[table] = Number((row as { c: unknown }).c);
    }
    return out;
  }

  async function checksum(): Promise<string> {
    const rows = await chinook.knex(n('Track')).select('*').orderBy(n('TrackId'));
    return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
  }

  async function send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const started = performance.now();
    const response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    requests++;
    if (ms > SLOW_MS) slow.push(`${method} ${url} took ${Math.round(ms)} ms`);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, text, body: parsed as any, ms };
  }

  /** `_table/…` under the chinook service; a path starting with `/` is under /api/v2 itself. */
  function restUrl(path: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    const full = path.startsWith('/') ? `/api/v2${path}` : `/api/v2/chinook/${path}`;
    return `${origin}${full}${search ? `?${search}` : ''}`;
  }

  const rest = (c: Pick<RestCase, 'method' | 'path' | 'query' | 'body' | 'headers'>) =>
    send(c.method ?? 'GET', restUrl(c.path, c.query), c.body, c.headers);

  async function gql(query: string, variables?: Record<string, unknown>) {
    return send('POST', `${origin}/graphql`, { query, ...(variables ? { variables } : {}) });
  }

  /** Every string a case sends, so error messages that quote one are not taken for leaks. */
  const sentText = (c: RestCase) => [
    decodeURIComponent(c.path),
    ...Object.values(c.query ?? {}),
    ...stringsIn(c.body),
  ];

  /** 400/404, or a 200 that shows the payload was a literal. Returns what is wrong, or null. */
  async function judge(c: RestCase, answer: Answer): Promise<string | null> {
    if (answer.status >= 500) {
      if (c.query?.id_field !== undefined && DF_UNKNOWN_ID_FIELD.test(answer.body?.error?.message ?? '')) {
        compat500.add(c.name);
        return null;
      }
      return `status ${answer.status}: ${answer.text.slice(0, 200)}`;
    }
    const leak = leakIn(answer.text, sentText(c));
    if (leak) return `body shows ${leak[0]}: ${answer.text.slice(0, 200)}`;
    if (answer.status === 400 || answer.status === 404) return null;
    if (answer.status !== 200 && answer.status !== 201)
      return `status ${answer.status}: ${answer.text.slice(0, 200)}`;
    switch (c.literal) {
      case 'empty': {
        const rows = answer.body?.resource;
        return Array.isArray(rows) && rows.length === 0
          ? null
          : `200 with rows: ${answer.text.slice(0, 200)}`;
      }
      case 'same': {
        const base = await rest({ path: c.baseline?.path ?? c.path, query: c.baseline?.query });
        expect(base.status, base.text.slice(0, 200)).toBe(200);
        return base.text === answer.text ? null : `200 unlike the baseline: ${answer.text.slice(0, 200)}`;
      }
      case 'stored':
        await c.stored?.(answer);
        return null;
    }
  }

  beforeAll(async () => {
    server = await startTestServer(securityConfig([chinook.service]));
    origin = new URL(server.url).origin;
    before = { counts: await counts(), checksum: await checksum() };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function runAll(cases: RestCase[]): Promise<void> {
    const problems: string[] = [];
    for (const c of cases) {
      const answer = await rest(c);
      const problem = await judge(c, answer);
      if (problem) problems.push(`${c.name}: ${problem}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  }

  const filterCases = (label: string, filters: string[]): RestCase[] =>
    filters.map((filter) => ({
      name: `${label} filter=${filter}`,
      path: `_table/${n('Track')}`,
      query: { filter: r(filter), fields: n('TrackId') },
      literal: 'empty' as const,
    }));

  it('tautologies in filter: 400 or no rows', async () => {
    await runAll(filterCases('tautology', TAUTOLOGIES));
  });

  it('UNION in filter: 400 or no rows', async () => {
    await runAll(filterCases('union', UNIONS));
  });

  it('stacked statements in filter: 400 or no rows, on GET, PATCH and DELETE by filter', async () => {
    const cases = filterCases('stacked', STACKED);
    for (const filter of STACKED) {
      cases.push({
        name: `stacked DELETE filter=${filter}`,
        method: 'DELETE',
        path: `_table/${n('Track')}`,
        query: { filter: r(filter) },
        literal: 'empty',
      });
      cases.push({
        name: `stacked PATCH filter=${filter}`,
        method: 'PATCH',
        path: `_table/${n('Artist')}`,
        query: { filter: r(filter.replace(/\bTrackId\b/, 'ArtistId')) },
        body: { [n('Name')]: 'pwned' },
        literal: 'empty',
      });
    }
    await runAll(cases);
  });

  it('blind time delays in filter (pg_sleep, SLEEP, parenthesised subqueries): 400 or no rows, fast', async () => {
    await runAll(filterCases('blind', BLIND_TIME));
  });

  it('the same payloads as :param values (tunnelled GET with a params body) stay literals', async () => {
    const values = [...TAUTOLOGIES, ...UNIONS, ...STACKED, ...BLIND_TIME, ...WRITE_VALUES];
    await runAll(
      values.map((value) => ({
        name: `params :p=${value}`,
        method: 'POST',
        headers: { 'X-HTTP-Method': 'GET' },
        path: `_table/${n('Track')}`,
        body: { filter: `${n('Name')} = :p`, params: { ':p': value }, fields: n('TrackId') },
        literal: 'empty' as const,
      })),
    );
  });

  it('field-name injection through fields, order, group, related and id_field: 400 or ignored', async () => {
    const cases: RestCase[] = [];
    const base = { path: `_table/${n('Track')}`, query: { limit: '3', fields: n('TrackId') } };
    for (const payload of IDENTIFIER_PAYLOADS) {
      const p = r(payload);
      cases.push(
        {
          name: `fields=${p}`,
          ...base,
          query: { limit: '3', fields: p },
          literal: 'same',
          baseline: { path: base.path, query: { limit: '3', fields: '*' } },
        },
        { name: `order=${p}`, ...base, query: { ...base.query, order: p }, literal: 'same', baseline: base },
        {
          name: `group=${p}`,
          ...base,
          query: { group: p, fields: `${n('AlbumId')},COUNT(*)`, limit: '3' },
          literal: 'empty',
        },
        {
          name: `group fields=${p}`,
          ...base,
          query: { group: n('AlbumId'), fields: p, limit: '3' },
          literal: 'empty',
        },
        {
          name: `related=${p}`,
          ...base,
          query: { ...base.query, related: p },
          literal: 'same',
          baseline: base,
        },
        {
          name: `related options ${p}`,
          ...base,
          query: { ...base.query, related: n('Album_by_AlbumId'), [`${n('Album_by_AlbumId')}.fields`]: p },
          literal: 'same',
          baseline: {
            path: base.path,
            query: {
              ...base.query,
              related: n('Album_by_AlbumId'),
              [`${n('Album_by_AlbumId')}.fields`]: '*',
            },
          },
        },
        {
          name: `related order ${p}`,
          ...base,
          query: { ...base.query, related: n('Album_by_AlbumId'), [`${n('Album_by_AlbumId')}.order`]: p },
          literal: 'empty',
        },
        {
          name: `id_field=${p}`,
          ...base,
          query: { ids: '1,2', id_field: p },
          literal: 'empty',
        },
        {
          name: `id_field=${p} by path`,
          path: `_table/${n('Track')}/1`,
          query: { id_field: p },
          literal: 'empty',
        },
      );
    }
    await runAll(cases);
  });

  it('ids, limit, offset and path ids with SQL: 400/404', async () => {
    const cases: RestCase[] = [];
    for (const payload of ID_PAYLOADS) {
      cases.push(
        { name: `ids=${payload}`, path: `_table/${n('Track')}`, query: { ids: payload }, literal: 'empty' },
        {
          name: `ids=1,${payload}`,
          path: `_table/${n('Track')}`,
          query: { ids: `1,${payload}` },
          literal: 'empty',
        },
        {
          name: `body ids ${payload}`,
          method: 'POST',
          headers: { 'X-HTTP-Method': 'GET' },
          path: `_table/${n('Track')}`,
          body: { ids: [1, payload] },
          literal: 'empty',
        },
        {
          name: `path id ${payload}`,
          path: `_table/${n('Track')}/${encodeURIComponent(payload)}`,
          literal: 'empty',
        },
        {
          name: `DELETE path id ${payload}`,
          method: 'DELETE',
          path: `_table/${n('Track')}/${encodeURIComponent(payload)}`,
          literal: 'empty',
        },
        {
          name: `PATCH path id ${payload}`,
          method: 'PATCH',
          path: `_table/${n('Artist')}/${encodeURIComponent(payload)}`,
          body: { [n('Name')]: 'pwned' },
          literal: 'empty',
        },
        {
          name: `DELETE ids=${payload}`,
          method: 'DELETE',
          path: `_table/${n('Track')}`,
          query: { ids: payload },
          literal: 'empty',
        },
      );
    }
    const limited = { path: `_table/${n('Track')}`, query: { fields: n('TrackId'), limit: '3' } };
    for (const payload of LIMIT_PAYLOADS) {
      // JavaScript's Number() reads `0x10` as 16: a number, bound as one, so the same answer as 16.
      const asNumber = payload === '0x10' ? '16' : null;
      cases.push(
        {
          name: `limit=${payload}`,
          path: limited.path,
          query: { fields: n('TrackId'), limit: payload },
          literal: asNumber ? 'same' : 'empty',
          baseline: { path: limited.path, query: { fields: n('TrackId'), limit: asNumber ?? '' } },
        },
        {
          name: `offset=${payload}`,
          path: limited.path,
          query: { ...limited.query, offset: payload },
          literal: asNumber ? 'same' : 'empty',
          baseline: { path: limited.path, query: { ...limited.query, offset: asNumber ?? '' } },
        },
      );
    }
    for (const table of [
      'Track; DROP TABLE Track',
      'Track"; DROP TABLE "Track',
      "Track' OR '1'='1",
      'Track--',
      '(SELECT 1)',
      'pg_sleep(5)',
      'sqlite_master',
      'information_schema.tables',
      'pg_catalog.pg_user',
      '../_schema',
    ]) {
      cases.push({ name: `table ${table}`, path: `_table/${encodeURIComponent(table)}`, literal: 'empty' });
      cases.push({ name: `schema ${table}`, path: `_schema/${encodeURIComponent(table)}`, literal: 'empty' });
    }
    for (const service of ["chinook'; DROP TABLE Track; --", 'chinook;', 'pg_sleep(5)']) {
      cases.push({
        name: `service ${service}`,
        path: `/${encodeURIComponent(service)}/_table/${n('Track')}`,
        literal: 'empty',
      });
    }
    await runAll(cases);
  });

  it('{"expression": …} and subqueries in write bodies: 400, nothing written', async () => {
    const cases: RestCase[] = [];
    for (const expression of EXPRESSIONS) {
      const label = JSON.stringify(expression);
      cases.push(
        {
          name: `create expression ${label}`,
          method: 'POST',
          path: `_table/${n('Artist')}`,
          query: { rollback: 'true' },
          body: { resource: [{ [n('Name')]: expression }] },
          literal: 'empty',
        },
        {
          name: `update expression ${label}`,
          method: 'PATCH',
          path: `_table/${n('Artist')}/1`,
          body: { [n('Name')]: expression },
          literal: 'empty',
        },
        {
          name: `update by filter expression ${label}`,
          method: 'PATCH',
          path: `_table/${n('Artist')}`,
          query: { filter: `${n('ArtistId')} = 1` },
          body: { [n('Name')]: expression },
          literal: 'empty',
        },
        {
          name: `nested create expression ${label}`,
          method: 'POST',
          path: `_table/${n('Artist')}`,
          query: { rollback: 'true' },
          body: {
            resource: [{ [n('Name')]: 'Nested', [n('Album_by_ArtistId')]: [{ [n('Title')]: expression }] }],
          },
          literal: 'empty',
        },
        {
          name: `integer expression ${label}`,
          method: 'PATCH',
          path: `_table/${n('Album')}/1`,
          body: { [n('ArtistId')]: expression },
          literal: 'empty',
        },
      );
    }
    for (const value of ['(SELECT 1)', '1 OR 1=1', '1; DROP TABLE Track', 'pg_sleep(5)']) {
      cases.push({
        name: `subquery into an integer column ${value}`,
        method: 'POST',
        path: `_table/${n('Album')}`,
        query: { rollback: 'true' },
        body: { resource: [{ [n('Title')]: 'x', [n('ArtistId')]: value }] },
        literal: 'empty',
      });
    }
    await runAll(cases);
  });

  it('value injection on create and update is stored exactly as written (also nested), then removed', async () => {
    const cases: RestCase[] = [];
    const name = n('Name');
    const title = n('Title');
    for (const value of WRITE_VALUES) {
      cases.push({
        name: `create ${value}`,
        method: 'POST',
        path: `_table/${n('Artist')}`,
        query: { fields: '*', related: n('Album_by_ArtistId') },
        body: { resource: [{ [name]: value, [n('Album_by_ArtistId')]: [{ [title]: value }] }] },
        literal: 'stored',
        stored: async (answer) => {
          const artist = answer.body.resource[0];
          expect(artist[name]).toBe(value);
          const id = artist[n('ArtistId')];
          const [row] = await chinook.knex(n('Artist')).where(n('ArtistId'), id).select(name);
          expect(row[name]).toBe(value);
          const albums = await chinook.knex(n('Album')).where(n('ArtistId'), id).select(title);
          expect(albums.map((a: any) => a[title])).toEqual([value]);
          // Update the scratch row with the same value reversed, then remove it with its album.
          const reversed = [...value].reverse().join('');
          const patched = await rest({
            method: 'PATCH',
            path: `_table/${n('Artist')}/${id}`,
            body: { [name]: reversed },
          });
          expect(patched.status, patched.text).toBe(200);
          const [again] = await chinook.knex(n('Artist')).where(n('ArtistId'), id).select(name);
          expect(again[name]).toBe(reversed);
          await chinook.knex(n('Album')).where(n('ArtistId'), id).delete();
          const deleted = await rest({ method: 'DELETE', path: `_table/${n('Artist')}/${id}` });
          expect(deleted.status, deleted.text).toBe(200);
        },
      });
    }
    await runAll(cases);
  });

  it('GraphQL: the same payloads as arguments and variables are literals or validation errors', async () => {
    const problems: string[] = [];
    const check = (label: string, answer: Answer, rowsAt: (data: any) => unknown) => {
      if (answer.status >= 500)
        return problems.push(`${label}: status ${answer.status} ${answer.text.slice(0, 200)}`);
      const errors = answer.body?.errors as { message: string }[] | undefined;
      if (errors && errors.length > 0) {
        const leak = leakIn(JSON.stringify(errors), label);
        if (leak) problems.push(`${label}: error shows ${leak[0]}: ${answer.text.slice(0, 200)}`);
        return;
      }
      const rows = rowsAt(answer.body?.data);
      if (!Array.isArray(rows) || rows.length > 0)
        problems.push(`${label}: rows ${answer.text.slice(0, 200)}`);
    };
    const values = [...TAUTOLOGIES, ...UNIONS, ...STACKED, ...BLIND_TIME, ...WRITE_VALUES];
    const q = 'query ($v: String) { chinook { tracks(where: { name: { OP: $v } }, limit: 5) { trackId } } }';
    for (const value of values) {
      for (const op of ['eq', 'like', 'contains', 'ilike']) {
        const answer = await gql(q.replace('OP', op), { v: value });
        check(`variables ${op} ${value}`, answer, (d) => d?.chinook?.tracks);
      }
      const inList = await gql(
        'query ($v: [String!]) { chinook { tracks(where: { name: { in: $v } }) { trackId } } }',
        {
          v: [value, 'x'],
        },
      );
      check(`variables in ${value}`, inList, (d) => d?.chinook?.tracks);
      const inline = await gql(
        `{ chinook { tracks(where: { name: { eq: ${JSON.stringify(value)} } }) { trackId } } }`,
      );
      check(`inline eq ${value}`, inline, (d) => d?.chinook?.tracks);
    }
    // Injection into names and clauses: GraphQL validation refuses all of these (errors, no data).
    const invalid = [
      '{ chinook { tracks(orderBy: { name: "ASC; DROP TABLE track" }) { trackId } } }',
      '{ chinook { tracks(orderBy: { name: ASC_pg_sleep }) { trackId } } }',
      '{ chinook { tracks(limit: "1; DROP TABLE track") { trackId } } }',
      '{ chinook { tracks(offset: "(SELECT 1)") { trackId } } }',
      '{ chinook { tracks(where: { trackId: { eq: "1 OR 1=1" } }) { trackId } } }',
      '{ chinook { tracks(where: { name_pg_sleep: { eq: "x" } }) { trackId } } }',
      '{ chinook { track(trackId: "1 OR 1=1") { trackId } } }',
      '{ chinook { tracks(where: { trackId: { in: ["1) OR (1=1"] } }) { trackId } } }',
    ];
    for (const query of invalid) {
      const answer = await gql(query);
      if (answer.status >= 500 || !(answer.body?.errors?.length > 0) || answer.body?.data?.chinook)
        problems.push(`invalid ${query}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    // Mutations: values stored as written, then removed.
    for (const value of WRITE_VALUES) {
      const created = await gql(
        'mutation ($v: String) { chinook_insertArtist(object: { name: $v }) { artistId name } }',
        { v: value },
      );
      const artist = created.body?.data?.chinook_insertArtist;
      if (!artist || artist.name !== value) {
        problems.push(`insert ${value}: ${created.text.slice(0, 200)}`);
        continue;
      }
      const [row] = await chinook.knex(n('Artist')).where(n('ArtistId'), artist.artistId).select(n('Name'));
      if (row?.[n('Name')] !== value) problems.push(`insert ${value} stored ${JSON.stringify(row)}`);
      const updated = await gql(
        'mutation ($id: Int!, $v: String) { chinook_updateArtist(artistId: $id, set: { name: $v }) { name } }',
        { id: artist.artistId, v: `${value}${value}` },
      );
      if (updated.body?.data?.chinook_updateArtist?.name !== `${value}${value}`)
        problems.push(`update ${value}: ${updated.text.slice(0, 200)}`);
      const deleted = await gql('mutation ($id: Int!) { chinook_deleteArtist(artistId: $id) { artistId } }', {
        id: artist.artistId,
      });
      if (deleted.body?.data?.chinook_deleteArtist?.artistId !== artist.artistId)
        problems.push(`delete ${value}: ${deleted.text.slice(0, 200)}`);
    }
    const expressionWrite = await gql(
      'mutation { chinook_insertArtist(object: { name: { expression: "NOW()" } }) { artistId } }',
    );
    if (!(expressionWrite.body?.errors?.length > 0))
      problems.push(`expression insert: ${expressionWrite.text.slice(0, 200)}`);
    const updateAll = await gql(
      'mutation ($v: String) { chinook_updateArtists(where: { name: { eq: $v } }, set: { name: "pwned" }) { affectedRows } }',
      { v: "x' OR '1'='1" },
    );
    if (updateAll.body?.data?.chinook_updateArtists?.affectedRows !== 0)
      problems.push(`update by where: ${updateAll.text.slice(0, 200)}`);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('after the whole run: row counts and the Track checksum unchanged, no answer took 2 s', async () => {
    expect(await counts()).toEqual(before.counts);
    expect(await checksum()).toBe(before.checksum);
    expect(slow).toEqual([]);
    expect(requests).toBeGreaterThan(500);
    console.log(
      `S4 ${dialect}: ${requests} requests, row counts and Track checksum unchanged; ` +
        `${compat500.size} unknown-id_field cases answered with DreamFactory's 500`,
    );
  });
});
