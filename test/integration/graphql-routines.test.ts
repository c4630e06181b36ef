/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers and driver rows are read dynamically */
// Stored procedures and functions through GraphQL on real databases: Chinook plus the routines fixture
// (test/fixtures/routines), one fresh database per dialect. Read-only functions are query fields of the
// service namespace, procedures and volatile functions root mutations; answers are checked against plain SQL,
// and a second server with roles checks that a role's schema holds only the routines it may call.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { entry, role, startAccessServer, type AccessServer } from './support/access.js';
import { useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type GraphqlResult, type TestServer } from './support/graphql.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/routines/', import.meta.url));
const fixture = (dialect: TestDialect) => readFileSync(`${FIXTURES}${dialect}.sql`, 'utf8');

const DIALECTS = [
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'mysql', label: 'MariaDB' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

/** What a client must never see in an error: SQL text, driver internals or a stack trace. */
const LEAKS =
  /select |call |insert into|character varying|varchar|data too long|sqlstate|\bat \S+ \(|\.[jt]s:\d+/i;

function expectData(result: GraphqlResult): any {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data;
}

function expectError(result: GraphqlResult, code: string) {
  expect(result.errors, JSON.stringify(result.errors)).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  expect(error.message).not.toMatch(LEAKS);
  return error;
}

const KEYS = {
  reader: 'routines-reader-key-0123456789abcdef',
  caller: 'routines-caller-key-0123456789abcdef',
  getter: 'routines-getter-key-0123456789abcdef',
};

describe.each(DIALECTS)('GraphQL stored routines on $label', ({ dialect }) => {
  const chinook = useChinook(dialect, fixture(dialect));
  let server: TestServer;
  let secured: AccessServer;
  const pg = dialect === 'postgres';
  /** Registers a test only on the dialect it concerns: the other dialect has no such routine (no skips). */
  const on = (yes: boolean): typeof it => (yes ? it : ((() => undefined) as unknown as typeof it));

  beforeAll(async () => {
    server = await startTestServer(testConfig([chinook.service]));
    secured = await startAccessServer({
      ...testConfig([chinook.service]),
      auth: {
        apiKeyInQuery: true,
        roles: [
          // Tables, and customer_invoices (PostgreSQL: a function; MySQL: a procedure), but not album_count.
          role('reader', [
            entry('_table/*', ['GET']),
            entry(pg ? '_func/customer_invoices' : '_proc/customer_invoices', ['GET', 'POST']),
          ]),
          // Routines only: album_count to read, bump and add_genre to call.
          role('caller', [
            entry('_func/album_count', ['GET']),
            entry('_proc/bump', ['POST']),
            entry('_func/add_genre', ['POST']),
          ]),
          // GET alone does not give a mutation.
          role('getter', [entry('_proc/*', ['GET']), entry('_func/add_genre', ['GET'])]),
        ],
        apps: Object.entries(KEYS).map(([name, key]) => ({
          name: `app-${name}`,
          description: null,
          active: true,
          role: name,
          apiKeyHash: hashApiKey(key),
        })),
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await secured?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>) => server.query(query, variables);

  async function sql(text: string, bindings: unknown[] = []): Promise<Record<string, any>[]> {
    const result = await chinook.knex.raw(text, bindings as never[]);
    return pg ? result.rows : result[0];
  }

  describe('read-only functions are query fields', () => {
    it('album_count: a scalar field typed from the return type, one statement', async () => {
      const result = await gql('{ chinook { one: albumCount(artist: 1) } }');
      expect(expectData(result)).toEqual({ chinook: { one: 2 } });
      expect(result.statements).toBe(1);
      // A left-out argument is NULL (no default): no artist matches.
      expect(expectData(await gql('{ chinook { albumCount } }'))).toEqual({ chinook: { albumCount: 0 } });
      const vars = await gql('query($a: Int) { chinook { albumCount(artist: $a) } }', { a: 22 });
      const [row] = await sql(
        pg
          ? 'select count(*)::int as n from album where artist_id = ?'
          : 'select count(*) as n from Album where ArtistId = ?',
        [22],
      );
      expect(expectData(vars).chinook.albumCount).toBe(Number(row!.n));
    });

    it('is typed in the schema: Int argument, Int result', async () => {
      const result = await gql(
        '{ __type(name: "ChinookQuery") { fields { name type { name kind } args { name type { name kind } } } } }',
      );
      const field = expectData(result).__type.fields.find((f: any) => f.name === 'albumCount');
      expect(field).toEqual({
        name: 'albumCount',
        type: { name: 'Int', kind: 'SCALAR' },
        args: [{ name: 'artist', type: { name: 'Int', kind: 'SCALAR' } }],
      });
    });

    on(pg)('customer_invoices: a set-returning function gives typed rows', async () => {
      const result = await gql('{ chinook { customerInvoices(cust: 2) { invoiceId total } } }');
      const rows = await sql(
        'select invoice_id, total::text as total from invoice where customer_id = ? order by invoice_id',
        [2],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(expectData(result).chinook.customerInvoices).toEqual(
        rows.map((r) => ({ invoiceId: r.invoice_id, total: r.total })),
      );
      expect(result.statements).toBe(1);
      const type = await gql(
        '{ __type(name: "ChinookCustomerInvoicesRow") { fields { name type { name } } } }',
      );
      expect(expectData(type).__type.fields).toEqual([
        { name: 'invoiceId', type: { name: 'Int' } },
        { name: 'total', type: { name: 'Decimal' } },
      ]);
    });

    on(pg)('albums_of: SETOF a table type gives rows of its columns', async () => {
      const result = await gql('{ chinook { albumsOf(a: 1) { albumId title artistId } } }');
      const rows = await sql(
        'select album_id, title, artist_id from album where artist_id = 1 order by album_id',
      );
      expect(expectData(result).chinook.albumsOf).toEqual(
        rows.map((r) => ({ albumId: r.album_id, title: r.title, artistId: r.artist_id })),
      );
    });

    it('refuses arguments of the wrong type before anything runs', async () => {
      for (const query of [
        '{ chinook { albumCount(artist: "abc") } }',
        '{ chinook { albumCount(artist: 1.5) } }',
        '{ chinook { albumCount(nope: 1) } }',
        'mutation { chinook_bump(n: "x", step: 1) { n } }',
      ]) {
        const result = await gql(query);
        expectError(result, 'GRAPHQL_VALIDATION_FAILED');
        expect(result.statements ?? 0).toBe(0);
      }
      const variable = await gql('query($a: Int) { chinook { albumCount(artist: $a) } }', { a: 'abc' });
      expect(variable.errors?.[0]?.message).toMatch(/Int cannot represent/);
      expect(variable.data ?? null).toBeNull();
    });
  });

  describe('procedures and volatile functions are mutations', () => {
    it('invoice_total: the OUT value, typed', async () => {
      const result = await gql('mutation { chinook_invoiceTotal(cust: 2) { total resultSets } }');
      const [row] = await sql(
        pg
          ? 'select sum(total)::text as total from invoice where customer_id = ?'
          : 'select cast(sum(Total) as char) as total from Invoice where CustomerId = ?',
        [2],
      );
      expect(expectData(result).chinook_invoiceTotal).toEqual({ total: row!.total, resultSets: [] });
      // MySQL: CALL, then SELECT of the OUT variable.
      expect(result.statements).toBe(pg ? 1 : 2);
    });

    it('bump: an INOUT parameter is an argument and a result field', async () => {
      const result = await gql('mutation { chinook_bump(n: 5, step: 3) { n } }');
      expect(expectData(result)).toEqual({ chinook_bump: { n: 8 } });
      expect(result.statements).toBe(pg ? 1 : 3);
      const nulls = await gql('mutation { chinook_bump(step: 3) { n } }');
      expect(expectData(nulls)).toEqual({ chinook_bump: { n: null } });
    });

    it('add_genre: a volatile function is a mutation with its value; the row is there', async () => {
      const result = await gql(
        'mutation($name: String) { chinook_addGenre(genreName: $name) { value resultSets } }',
        { name: 'Synthwave' },
      );
      const { value, resultSets } = expectData(result).chinook_addGenre;
      expect(resultSets).toEqual([]);
      expect(typeof value).toBe('number');
      const rows = await sql(
        pg ? 'select name from genre where genre_id = ?' : 'select Name as name from Genre where GenreId = ?',
        [value],
      );
      expect(rows).toEqual([{ name: 'Synthwave' }]);
    });

    it('stores injection-looking strings literally (every value is bound)', async () => {
      const evil = [
        "x'); drop table genre; --",
        pg ? "'; select pg_sleep(5); --" : "' OR 1=1; -- ",
        '"),(1); delete from genre where (1=1',
        "\\'; drop table album; #",
      ];
      const before = await sql(
        pg ? 'select count(*)::int as n from genre' : 'select count(*) as n from Genre',
      );
      for (const name of evil) {
        const result = await gql(
          `mutation { chinook_addGenre(genreName: ${JSON.stringify(name)}) { value } }`,
        );
        const { value } = expectData(result).chinook_addGenre;
        const rows = await sql(
          pg
            ? 'select name from genre where genre_id = ?'
            : 'select Name as name from Genre where GenreId = ?',
          [value],
        );
        expect(rows).toEqual([{ name }]);
      }
      const after = await sql(
        pg ? 'select count(*)::int as n from genre' : 'select count(*) as n from Genre',
      );
      expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + evil.length);
      const albums = await sql(
        pg ? 'select count(*)::int as n from album' : 'select count(*) as n from Album',
      );
      expect(Number(albums[0]!.n)).toBe(347);
    });

    it('touch: a procedure without parameters', async () => {
      const result = await gql('mutation { chinook_touch { resultSets } }');
      expect(expectData(result)).toEqual({ chinook_touch: { resultSets: [] } });
      expect(result.statements).toBe(1);
      const type = await gql('{ __type(name: "ChinookTouchResult") { fields { name } } }');
      expect(expectData(type).__type.fields.map((f: any) => f.name)).toEqual(['resultSets']);
    });

    on(!pg)('customer_invoices: a procedure’s result set comes back as JSON rows', async () => {
      const result = await gql('mutation { chinook_customerInvoices(cust: 2) { resultSets } }');
      const rows = await sql(
        'select InvoiceId, cast(Total as char) as Total from Invoice where CustomerId = ? order by InvoiceId',
        [2],
      );
      expect(expectData(result).chinook_customerInvoices.resultSets).toEqual([rows]);
    });

    on(!pg)('artist_and_albums: two result sets, in order', async () => {
      const result = await gql('mutation { chinook_artistAndAlbums(a: 1) { resultSets } }');
      const albums = await sql('select AlbumId, Title from Album where ArtistId = 1 order by AlbumId');
      expect(expectData(result).chinook_artistAndAlbums.resultSets).toEqual([
        [{ ArtistId: 1, Name: 'AC/DC' }],
        albums,
      ]);
    });

    it('a database error surfaces with its catalogue code, not the driver text', async () => {
      const result = await gql(
        `mutation { chinook_addGenre(genreName: ${JSON.stringify('x'.repeat(200))}) { value } }`,
      );
      expectError(result, 'VALUE_TOO_LONG');
    });

    it('runs mutations in the order written, each call counted', async () => {
      const result = await gql(
        'mutation { a: chinook_bump(n: 1, step: 1) { n } b: chinook_bump(n: 10, step: 5) { n } t: chinook_touch { resultSets } }',
      );
      expect(expectData(result)).toEqual({ a: { n: 2 }, b: { n: 15 }, t: { resultSets: [] } });
      expect(result.statements).toBe(pg ? 3 : 7);
    });
  });

  describe('roles', () => {
    async function schemaOf(key: string) {
      const answer = await secured.graphql(key, getIntrospectionQuery());
      expect(answer.status).toBe(200);
      const types: any[] = answer.body.data.__schema.types;
      const fieldsOf = (name: string): string[] =>
        (types.find((t) => t.name === name)?.fields ?? []).map((f: any) => f.name);
      return {
        query: fieldsOf('ChinookQuery'),
        mutation: fieldsOf('Mutation'),
        types: types.map((t) => t.name),
      };
    }

    it('a role without _func/album_count does not see the field and cannot call it', async () => {
      const { query, mutation } = await schemaOf(KEYS.reader);
      expect(query).toContain('albums');
      expect(query).not.toContain('albumCount');
      if (pg) expect(query).toContain('customerInvoices');
      else expect(mutation).toEqual(['chinook_customerInvoices']);
      const answer = await secured.graphql(KEYS.reader, '{ chinook { albumCount(artist: 1) } }');
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.data ?? null).toBeNull();
    });

    it('a role with routines only sees those routines, and can call them', async () => {
      const { query, mutation, types } = await schemaOf(KEYS.caller);
      expect(query).toEqual(['albumCount']);
      expect(mutation.sort()).toEqual(['chinook_addGenre', 'chinook_bump']);
      expect(types).not.toContain('Album');
      const answer = await secured.graphql(KEYS.caller, 'mutation { chinook_bump(n: 1, step: 2) { n } } ');
      expect(answer.body).toEqual({ data: { chinook_bump: { n: 3 } } });
      const read = await secured.graphql(KEYS.caller, '{ chinook { albumCount(artist: 1) } }');
      expect(read.body).toEqual({ data: { chinook: { albumCount: 2 } } });
    });

    it('GET on a procedure or volatile function does not give its mutation', async () => {
      const answer = await secured.graphql(KEYS.getter, getIntrospectionQuery());
      const names = JSON.stringify(answer.body);
      expect(answer.body.data.__schema.mutationType).toBeNull();
      expect(names).not.toMatch(/chinook_(bump|touch|addGenre|invoiceTotal)/);
    });
  });
});
