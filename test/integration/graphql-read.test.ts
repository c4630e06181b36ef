// GraphQL reads end to end: a real server per dialect over Chinook (PostgreSQL, MariaDB, SQLite), queried
// over HTTP. Expected values are Chinook's known answers or come from a plain SQL query through the driver
// against the same database. The x-junction-sql-statements header checks that every relation level is one
// statement (no N+1), also across databases.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex, destroyKnex } from '../../src/adapters/sql/connect.js';
import { parseConfig } from '../../src/config/index.js';
import { ensureDemoDatabases } from '../../src/demo/ensure-demo.js';
import { chinookName, useChinook, type ChinookHandle } from './support/chinook.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './support/databases.js';
import {
  startTestServer,
  tempDir,
  testConfig,
  type GraphqlResult,
  type TestServer,
} from './support/graphql.js';

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;
const DIALECT_NAMES: Record<TestDialect, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
  sqlite: 'SQLite',
};

/**
 * A small table next to Chinook for what Chinook lacks: a Boolean column, and text with `%`, `_` and `!`
 * (the compiler's LIKE escape character). GraphQL: `notes { noteId body done }` on every dialect.
 */
const NOTE_ROWS = `(1, '100% cotton', true), (2, '1000 cotton', false), (3, 'snake_case', null),
  (4, 'snakeXcase', true), (5, 'only 50%', false), (6, 'a!b', null), (7, 'snake_CASE', true)`;
const NOTE_SQL: Record<TestDialect, string> = {
  postgres: `create table note (note_id integer primary key, body varchar(40) not null, done boolean);
    insert into note values ${NOTE_ROWS};`,
  mysql: `create table Note (NoteId int primary key, Body varchar(40) not null, Done boolean);
    insert into Note values ${NOTE_ROWS};`,
  sqlite: `create table Note (NoteId integer primary key, Body nvarchar(40) not null, Done boolean);
    insert into Note values ${NOTE_ROWS};`,
};

const chinook: Record<TestDialect, ChinookHandle> = {
  postgres: useChinook('postgres', NOTE_SQL.postgres),
  mysql: useChinook('mysql', NOTE_SQL.mysql),
  sqlite: useChinook('sqlite', NOTE_SQL.sqlite),
};

/** The data of a response that must have no errors (the errors are shown when it has). */
function dataOf(result: GraphqlResult): Data {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as Data;
}

async function ok(pending: Promise<GraphqlResult>): Promise<Data> {
  return dataOf(await pending);
}

/** No error message may carry SQL or a stack trace. */
function expectNoInternals(result: GraphqlResult): void {
  for (const error of result.errors ?? []) {
    const text = error.message.toLowerCase();
    expect(text).not.toContain('select ');
    expect(text).not.toContain(' from ');
    // A stack frame (`    at fn (file:1:2)`), not the word "at" in a message such as `invalid value at "w.x"`.
    expect(text).not.toMatch(/\n\s*at |\bat \S+ \(|\bat \S+:\d+:\d+/);
    expect(JSON.stringify(error)).not.toMatch(/stack|\.ts:\d+|node_modules/);
  }
}

function expectBadRequest(result: GraphqlResult, message: RegExp): void {
  expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
  expect(result.errors?.[0]?.message).toMatch(message);
  expectNoInternals(result);
}

/** Order of two company names, NULLs where asked (Chinook's have distinct ASCII initials: every collation agrees). */
function byNullableText(a: string | null, b: string | null, nulls: 'first' | 'last', desc = false): number {
  if (a === b) return 0;
  if (a === null) return nulls === 'first' ? -1 : 1;
  if (b === null) return nulls === 'first' ? 1 : -1;
  return (a < b ? -1 : 1) * (desc ? -1 : 1);
}

describe.each(DIALECTS.map((d) => [DIALECT_NAMES[d], d] as const))(
  'GraphQL reads on %s',
  (_name, dialect) => {
    let server: TestServer;
    const n = (name: string) => chinookName(dialect, name);
    const sql = (): Knex => chinook[dialect].knex;

    beforeAll(async () => {
      server = await startTestServer(testConfig([chinook[dialect].service]));
    });
    afterAll(async () => {
      await server?.close();
    });

    /** Keys of `list` rows matching `where`, ordered by that key. */
    async function keysOf(list: string, type: string, key: string, where: unknown): Promise<unknown[]> {
      const data = await ok(
        server.query(
          `query ($where: ${type}Where) { chinook { ${list}(where: $where, orderBy: [{ ${key}: ASC }]) { ${key} } } }`,
          { where },
        ),
      );
      return (data.chinook[list] as Data[]).map((row) => row[key]);
    }

    /** The same through SQL: `table`'s `key` (PascalCase names, spelled per dialect) for rows `build` keeps. */
    async function sqlKeys(
      table: string,
      key: string,
      build: (qb: Knex.QueryBuilder) => unknown = () => {},
    ): Promise<number[]> {
      const qb = sql()(n(table)).select(n(key)).orderBy(n(key));
      build(qb);
      return ((await qb) as Data[]).map((row) => Number(row[n(key)]));
    }

    describe('where', () => {
      it('filters an Int field with eq, neq, gt, gte, lt and lte', async () => {
        const cases: [unknown, (qb: Knex.QueryBuilder) => unknown][] = [
          [{ albumId: { eq: 4 } }, (q) => q.where(n('AlbumId'), 4)],
          [{ albumId: { lte: 3, neq: 2 } }, (q) => q.where(n('AlbumId'), '<=', 3).whereNot(n('AlbumId'), 2)],
          [
            { milliseconds: { gt: 1_000_000, lt: 1_500_000 } },
            (q) => q.where(n('Milliseconds'), '>', 1_000_000).where(n('Milliseconds'), '<', 1_500_000),
          ],
          [{ trackId: { gte: 3500 } }, (q) => q.where(n('TrackId'), '>=', 3500)],
        ];
        for (const [where, build] of cases) {
          const expected = await sqlKeys('Track', 'TrackId', build);
          expect(expected.length).toBeGreaterThan(0);
          expect(await keysOf('tracks', 'Track', 'trackId', where)).toEqual(expected);
        }
        expect(await keysOf('tracks', 'Track', 'trackId', { albumId: { eq: 4 } })).toHaveLength(8);
      });

      it('filters a String field with eq, neq, gt and lt, in the database’s own collation', async () => {
        expect(await keysOf('artists', 'Artist', 'artistId', { name: { eq: 'AC/DC' } })).toEqual([1]);
        const cases: [unknown, (qb: Knex.QueryBuilder) => unknown][] = [
          [{ name: { neq: 'Rock' } }, (q) => q.whereNot(n('Name'), 'Rock')],
          [
            { name: { gt: 'M', lte: 'Rock' } },
            (q) => q.where(n('Name'), '>', 'M').where(n('Name'), '<=', 'Rock'),
          ],
          [{ name: { lt: 'B' } }, (q) => q.where(n('Name'), '<', 'B')],
        ];
        for (const [where, build] of cases) {
          expect(await keysOf('genres', 'Genre', 'genreId', where)).toEqual(
            await sqlKeys('Genre', 'GenreId', build),
          );
        }
        expect(await keysOf('genres', 'Genre', 'genreId', { name: { neq: 'Rock' } })).toHaveLength(24);
      });

      it('filters a Decimal field given as a string or as a number literal', async () => {
        const expensive = await sqlKeys('Track', 'TrackId', (q) => q.where(n('UnitPrice'), '>', 0.99));
        expect(expensive).toHaveLength(213);
        expect(await keysOf('tracks', 'Track', 'trackId', { unitPrice: { gt: '0.99' } })).toEqual(expensive);
        expect(await keysOf('tracks', 'Track', 'trackId', { unitPrice: { eq: '1.99' } })).toEqual(expensive);
        const data = await ok(
          server.query(
            '{ chinook { invoices(where: { total: { gte: 23.86 } }, orderBy: { invoiceId: ASC }) { invoiceId total } } }',
          ),
        );
        const big = await sqlKeys('Invoice', 'InvoiceId', (q) => q.where(n('Total'), '>=', 23.86));
        expect(data.chinook.invoices.map((i: Data) => i.invoiceId)).toEqual(big);
        expect(data.chinook.invoices.map((i: Data) => i.total).sort()).toEqual(['23.86', '25.86']);
      });

      it('filters a DateTime field with ISO text, with or without T, seconds and Z', async () => {
        const january = await sqlKeys('Invoice', 'InvoiceId', (q) =>
          q
            .where(n('InvoiceDate'), '>=', '2021-01-01 00:00:00')
            .where(n('InvoiceDate'), '<', '2021-02-01 00:00:00'),
        );
        expect(january.length).toBeGreaterThan(0);
        for (const where of [
          { invoiceDate: { gte: '2021-01-01T00:00:00', lt: '2021-02-01T00:00:00' } },
          { invoiceDate: { gte: '2021-01-01 00:00:00', lt: '2021-02-01 00:00:00' } },
          { invoiceDate: { gte: '2021-01-01T00:00:00Z', lt: '2021-02-01T00:00Z' } },
        ]) {
          expect(await keysOf('invoices', 'Invoice', 'invoiceId', where)).toEqual(january);
        }
        expect(
          await keysOf('invoices', 'Invoice', 'invoiceId', { invoiceDate: { eq: '2021-01-01T00:00:00' } }),
        ).toEqual(
          await sqlKeys('Invoice', 'InvoiceId', (q) => q.where(n('InvoiceDate'), '2021-01-01 00:00:00')),
        );
      });

      it('filters a Boolean field with eq and neq, NULLs matching neither', async () => {
        expect(await keysOf('notes', 'Note', 'noteId', { done: { eq: true } })).toEqual([1, 4, 7]);
        expect(await keysOf('notes', 'Note', 'noteId', { done: { eq: false } })).toEqual([2, 5]);
        expect(await keysOf('notes', 'Note', 'noteId', { done: { neq: true } })).toEqual([2, 5]);
        expect(await keysOf('notes', 'Note', 'noteId', { done: { isNull: true } })).toEqual([3, 6]);
        const data = await ok(
          server.query('{ chinook { note(noteId: 1) { done } other: note(noteId: 2) { done } } }'),
        );
        expect(data.chinook).toEqual({ note: { done: true }, other: { done: false } });
      });

      it('reads eq: null as IS NULL and neq: null as IS NOT NULL, like isNull', async () => {
        const nulls = await sqlKeys('Track', 'TrackId', (q) => q.whereNull(n('Composer')));
        const set = await sqlKeys('Track', 'TrackId', (q) => q.whereNotNull(n('Composer')));
        expect(nulls).toHaveLength(977);
        expect(await keysOf('tracks', 'Track', 'trackId', { composer: { eq: null } })).toEqual(nulls);
        expect(await keysOf('tracks', 'Track', 'trackId', { composer: { isNull: true } })).toEqual(nulls);
        expect(await keysOf('tracks', 'Track', 'trackId', { composer: { neq: null } })).toEqual(set);
        expect(await keysOf('tracks', 'Track', 'trackId', { composer: { isNull: false } })).toEqual(set);
        expect(await keysOf('notes', 'Note', 'noteId', { done: { eq: null } })).toEqual([3, 6]);
        expect(await keysOf('notes', 'Note', 'noteId', { done: { neq: null } })).toEqual([1, 2, 4, 5, 7]);
      });

      it('nests and, or and not as written', async () => {
        const where = {
          genreId: { eq: 1 },
          or: [
            { name: { startsWith: 'A' } },
            { and: [{ milliseconds: { lt: 200_000 } }, { not: { composer: { isNull: true } } }] },
          ],
          not: { albumId: { in: [1, 2, 3] } },
        };
        const expected = await sqlKeys('Track', 'TrackId', (q) =>
          q
            .where(n('GenreId'), 1)
            .where((b) =>
              b
                .where(n('Name'), 'like', 'A%')
                .orWhere((bb) => bb.where(n('Milliseconds'), '<', 200_000).whereNotNull(n('Composer'))),
            )
            .whereNotIn(n('AlbumId'), [1, 2, 3]),
        );
        expect(expected.length).toBeGreaterThan(10);
        expect(await keysOf('tracks', 'Track', 'trackId', where)).toEqual(expected);
        const notOr = { not: { or: [{ genreId: { neq: 1 } }, { milliseconds: { gte: 100_000 } }] } };
        expect(await keysOf('tracks', 'Track', 'trackId', notOr)).toEqual(
          await sqlKeys('Track', 'TrackId', (q) =>
            q.where(n('GenreId'), 1).where(n('Milliseconds'), '<', 100_000),
          ),
        );
      });

      it('matches nothing for in: [] and everything for nin: []', async () => {
        expect(await keysOf('genres', 'Genre', 'genreId', { genreId: { in: [] } })).toEqual([]);
        expect(await keysOf('genres', 'Genre', 'genreId', { genreId: { nin: [] } })).toHaveLength(25);
        expect(await keysOf('genres', 'Genre', 'genreId', { genreId: { in: [3, 1, 999] } })).toEqual([1, 3]);
        expect(await keysOf('genres', 'Genre', 'genreId', { genreId: { nin: [1, 2] } })).toEqual(
          Array.from({ length: 23 }, (_, i) => i + 3),
        );
        expect(await keysOf('notes', 'Note', 'noteId', { body: { in: ['a!b', '100% cotton'] } })).toEqual([
          1, 6,
        ]);
      });

      it('includes both ends of between for Int, Decimal and DateTime fields', async () => {
        expect(
          await keysOf('tracks', 'Track', 'trackId', { trackId: { between: { from: 5, to: 8 } } }),
        ).toEqual([5, 6, 7, 8]);
        expect(
          await keysOf('invoices', 'Invoice', 'invoiceId', {
            total: { between: { from: '21.86', to: '25.86' } },
          }),
        ).toEqual(await sqlKeys('Invoice', 'InvoiceId', (q) => q.whereBetween(n('Total'), [21.86, 25.86])));
        expect(
          await keysOf('invoices', 'Invoice', 'invoiceId', {
            invoiceDate: { between: { from: '2021-01-01T00:00:00', to: '2021-01-11T00:00:00' } },
          }),
        ).toEqual(
          await sqlKeys('Invoice', 'InvoiceId', (q) =>
            q.whereBetween(n('InvoiceDate'), ['2021-01-01 00:00:00', '2021-01-11 00:00:00']),
          ),
        );
      });

      it('matches % _ and ! literally in contains, startsWith and endsWith', async () => {
        const notes = (where: unknown) => keysOf('notes', 'Note', 'noteId', where);
        expect(await notes({ body: { contains: '0%' } })).toEqual([1, 5]);
        expect(await notes({ body: { contains: '_' } })).toEqual([3, 7]);
        expect(await notes({ body: { startsWith: '100%' } })).toEqual([1]);
        expect(await notes({ body: { startsWith: 'snake_' } })).toEqual([3, 7]);
        expect(await notes({ body: { endsWith: '%' } })).toEqual([5]);
        expect(await notes({ body: { contains: '!' } })).toEqual([6]);
        expect(await notes({ body: { endsWith: 'cotton' } })).toEqual([1, 2]);
        // like and notLike take a pattern: there `%` and `_` are wildcards.
        expect(await notes({ body: { like: '100%' } })).toEqual([1, 2]);
        expect(await notes({ body: { like: 'snake_case', notLike: '%X%' } })).toEqual(
          dialect === 'postgres' ? [3] : [3, 7],
        );
        expect(await notes({ body: { notLike: '%o%' } })).toEqual([3, 4, 6, 7]);
      });

      it('matches ilike without regard to case', async () => {
        expect(await keysOf('notes', 'Note', 'noteId', { body: { ilike: 'Snake_case' } })).toEqual([3, 4, 7]);
        expect(await keysOf('notes', 'Note', 'noteId', { body: { ilike: '%COTTON' } })).toEqual([1, 2]);
        const love = await sqlKeys('Track', 'TrackId', (q) =>
          q.whereRaw('lower(??) like ?', [n('Name'), '%love%']),
        );
        expect(love.length).toBeGreaterThan(100);
        expect(await keysOf('tracks', 'Track', 'trackId', { name: { ilike: '%LoVe%' } })).toEqual(love);
      });
    });

    describe('order, limit and offset', () => {
      const genreThenLongest = () =>
        sqlKeys('Track', 'TrackId', (q) =>
          q
            .where(n('AlbumId'), '<=', 10)
            .clearOrder()
            .orderBy([
              { column: n('GenreId'), order: 'asc' },
              { column: n('Milliseconds'), order: 'desc' },
              { column: n('TrackId'), order: 'asc' },
            ]),
        );

      it('orders by several keys given as a list, each ascending or descending', async () => {
        const data = await ok(
          server.query(`{ chinook {
          tracks(where: { albumId: { lte: 10 } }, orderBy: [{ genreId: ASC }, { milliseconds: DESC }, { trackId: ASC }]) { trackId }
        } }`),
        );
        expect(data.chinook.tracks.map((t: Data) => t.trackId)).toEqual(await genreThenLongest());
      });

      // The schema documents "within one object the fields apply in the order written", but GraphQL coerces an
      // input object into the order its type declares (trackId, name, albumId, …, genreId, milliseconds).
      it('applies several keys of one orderBy object in the order written', async () => {
        const data = await ok(
          server.query(`{ chinook {
          tracks(where: { albumId: { lte: 10 } }, orderBy: { genreId: ASC, milliseconds: DESC, trackId: ASC }) { trackId }
        } }`),
        );
        expect(data.chinook.tracks.map((t: Data) => t.trackId)).toEqual(await genreThenLongest());
      });

      it('puts NULLs first or last as asked, in the same order on every database', async () => {
        const rows = (await sql()(n('Customer')).select(n('CustomerId'), n('Company'))) as Data[];
        const customers = rows.map((r) => ({
          id: Number(r[n('CustomerId')]),
          company: r[n('Company')] as string | null,
        }));
        const expected = (nulls: 'first' | 'last', desc: boolean) =>
          [...customers]
            .sort((a, b) => byNullableText(a.company, b.company, nulls, desc) || a.id - b.id)
            .map((c) => c.id);
        const data = await ok(
          server.query(`{ chinook {
          af: customers(orderBy: [{ company: ASC_NULLS_FIRST }, { customerId: ASC }]) { customerId company }
          al: customers(orderBy: [{ company: ASC_NULLS_LAST }, { customerId: ASC }]) { customerId }
          df: customers(orderBy: [{ company: DESC_NULLS_FIRST }, { customerId: ASC }]) { customerId }
          dl: customers(orderBy: [{ company: DESC_NULLS_LAST }, { customerId: ASC }]) { customerId }
        } }`),
        );
        const ids = (key: string) => data.chinook[key].map((c: Data) => c.customerId);
        expect(data.chinook.af.filter((c: Data) => c.company === null)).toHaveLength(49);
        expect(data.chinook.af[49].company).toBe('Apple Inc.');
        expect(ids('af')).toEqual(expected('first', false));
        expect(ids('al')).toEqual(expected('last', false));
        expect(ids('df')).toEqual(expected('first', true));
        expect(ids('dl')).toEqual(expected('last', true));
      });

      it('pages a filtered, ordered list with limit and offset (bench query d)', async () => {
        const data = await ok(
          server.query(
            `query ($price: Decimal!, $prefix: String!) { chinook {
            tracks(where: { unitPrice: { gte: $price }, name: { like: $prefix } }, orderBy: [{ name: ASC }, { trackId: ASC }], limit: 25, offset: 25) {
              trackId name unitPrice composer } } }`,
            { price: '0.99', prefix: 'A%' },
          ),
        );
        const rows = (await sql()(n('Track'))
          .select(n('TrackId'), n('Name'))
          .where(n('UnitPrice'), '>=', 0.99)
          .where(n('Name'), 'like', 'A%')
          .orderBy([n('Name'), n('TrackId')])
          .limit(25)
          .offset(25)) as Data[];
        expect(rows).toHaveLength(25);
        expect(data.chinook.tracks.map((t: Data) => [t.trackId, t.name])).toEqual(
          rows.map((r) => [Number(r[n('TrackId')]), r[n('Name')]]),
        );
      });

      it('returns nothing for limit: 0 and for an offset past the end', async () => {
        const data = await ok(
          server.query(
            '{ chinook { a: genres(limit: 0) { genreId } b: genres(offset: 25) { genreId } c: genres(offset: 24) { genreId } } }',
          ),
        );
        expect(data.chinook).toEqual({ a: [], b: [], c: [{ genreId: 25 }] });
      });

      it('limits relation rows per parent: the first 2 tracks of each of 5 albums, not 2 in total', async () => {
        const data = await ok(
          server.query(`{ chinook { albums(where: { albumId: { lte: 5 } }, orderBy: { albumId: ASC }) {
          albumId
          first2: tracks(limit: 2, orderBy: { trackId: ASC }) { trackId }
          next2: tracks(limit: 2, offset: 1, orderBy: { trackId: ASC }) { trackId }
        } } }`),
        );
        for (const album of data.chinook.albums as Data[]) {
          const all = await sqlKeys('Track', 'TrackId', (q) => q.where(n('AlbumId'), album.albumId));
          expect(album.first2.map((t: Data) => t.trackId)).toEqual(all.slice(0, 2));
          expect(album.next2.map((t: Data) => t.trackId)).toEqual(all.slice(1, 3));
        }
        // Album 2 has one track: 2 + 1 + 2 + 2 + 2.
        expect(data.chinook.albums.flatMap((a: Data) => a.first2)).toHaveLength(9);
      });

      it('applies where and orderBy of a relation field to each parent’s rows', async () => {
        const data = await ok(
          server.query(`{ chinook { genres(where: { genreId: { in: [1, 2, 3, 25] } }, orderBy: { genreId: ASC }) {
          genreId
          tracks(where: { milliseconds: { gt: 400000 } }, orderBy: [{ milliseconds: DESC }, { trackId: ASC }], limit: 3) { trackId milliseconds }
        } } }`),
        );
        for (const genre of data.chinook.genres as Data[]) {
          const expected = await sqlKeys('Track', 'TrackId', (q) =>
            q
              .where(n('GenreId'), genre.genreId)
              .where(n('Milliseconds'), '>', 400_000)
              .clearOrder()
              .orderBy([
                { column: n('Milliseconds'), order: 'desc' },
                { column: n('TrackId'), order: 'asc' },
              ])
              .limit(3),
          );
          expect(
            genre.tracks.map((t: Data) => t.trackId),
            `genre ${genre.genreId}`,
          ).toEqual(expected);
        }
        expect(data.chinook.genres.map((g: Data) => g.tracks.length)).toEqual([3, 3, 3, 0]);
      });

      it('reads many-to-many through the junction table with a per-parent limit (bench query e)', async () => {
        const data = await ok(
          server.query(`{ chinook { playlists(limit: 5, orderBy: { playlistId: ASC }) {
          playlistId name tracks(limit: 10, orderBy: { trackId: ASC }) { trackId name } } } }`),
        );
        const playlists = data.chinook.playlists as Data[];
        expect(playlists.map((p) => p.playlistId)).toEqual([1, 2, 3, 4, 5]);
        expect(playlists.flatMap((p) => p.tracks)).toHaveLength(30);
        expect(playlists.filter((p) => p.tracks.length === 0)).toHaveLength(2);
        for (const playlist of playlists) {
          const rows = (await sql()(n('PlaylistTrack'))
            .select(n('TrackId'))
            .where(n('PlaylistId'), playlist.playlistId)
            .orderBy(n('TrackId'))
            .limit(10)) as Data[];
          expect(playlist.tracks.map((t: Data) => t.trackId)).toEqual(
            rows.map((r) => Number(r[n('TrackId')])),
          );
        }
      });

      it('reads 20 artists with their albums and tracks (bench query b): 30 albums, 367 tracks', async () => {
        const result = await server.query(`{ chinook { artists(limit: 20, orderBy: { artistId: ASC }) {
        artistId name albums(orderBy: { albumId: ASC }) { albumId title tracks(orderBy: { trackId: ASC }) { trackId name milliseconds } } } } }`);
        const artists = dataOf(result).chinook.artists as Data[];
        const albums = artists.flatMap((a) => a.albums as Data[]);
        expect(artists).toHaveLength(20);
        expect(albums).toHaveLength(30);
        expect(albums.flatMap((a) => a.tracks)).toHaveLength(367);
        expect(artists[0]).toMatchObject({ artistId: 1, name: 'AC/DC' });
        expect(artists[0]?.albums.map((a: Data) => a.title)).toEqual([
          'For Those About To Rock We Salute You',
          'Let There Be Rock',
        ]);
        expect(result.statements).toBe(3);
      });

      it('combines a per-parent limit with a condition on related records inside a many-to-many', async () => {
        const data = await ok(
          server.query(`{ chinook { playlists(orderBy: { playlistId: ASC }, where: { playlistId: { lte: 10 } }) {
          playlistId
          tracks(where: { album: { artist: { name: { eq: "AC/DC" } } } }, orderBy: { trackId: DESC }, limit: 3, offset: 1) {
            trackId album { artistId } playlists(limit: 1, orderBy: { playlistId: ASC }) { playlistId } }
        } } }`),
        );
        for (const playlist of data.chinook.playlists as Data[]) {
          const rows = (await sql()(n('PlaylistTrack'))
            .join(n('Track'), `${n('Track')}.${n('TrackId')}`, `${n('PlaylistTrack')}.${n('TrackId')}`)
            .where(n('PlaylistId'), playlist.playlistId)
            .whereIn(`${n('Track')}.${n('AlbumId')}`, [1, 4])
            .orderBy(`${n('Track')}.${n('TrackId')}`, 'desc')
            .limit(3)
            .offset(1)
            .select(`${n('Track')}.${n('TrackId')} as id`)) as Data[];
          expect(
            playlist.tracks.map((t: Data) => t.trackId),
            `playlist ${playlist.playlistId}`,
          ).toEqual(rows.map((r) => Number(r.id)));
          for (const track of playlist.tracks as Data[]) {
            expect(track.album.artistId).toBe(1);
            expect(track.playlists).toHaveLength(1);
          }
        }
        expect(data.chinook.playlists.some((p: Data) => p.tracks.length === 3)).toBe(true);
      });

      it('reads customer 1 by key with invoices and their lines (bench query c): 7 invoices, 38 lines', async () => {
        const data = await ok(
          server.query(`{ chinook { customer(customerId: 1) { firstName lastName
          invoices(orderBy: { invoiceId: ASC }) { invoiceId invoiceDate total invoiceLines(orderBy: { invoiceLineId: ASC }) { unitPrice quantity } } } } }`),
        );
        const customer = data.chinook.customer as Data;
        expect(customer.invoices).toHaveLength(7);
        expect(customer.invoices.flatMap((i: Data) => i.invoiceLines)).toHaveLength(38);
        const totals = await sql()(n('Invoice'))
          .where(n('CustomerId'), 1)
          .sum({ s: n('Total') });
        const sum = customer.invoices.reduce((s: number, i: Data) => s + Number(i.total), 0);
        expect(sum).toBeCloseTo(Number(totals[0]?.s), 2);
      });
    });

    describe('conditions on related records', () => {
      it('filters by a belongs-to relation, also two levels deep', async () => {
        expect(
          await keysOf('tracks', 'Track', 'trackId', { album: { title: { eq: 'Let There Be Rock' } } }),
        ).toEqual(await sqlKeys('Track', 'TrackId', (q) => q.where(n('AlbumId'), 4)));
        const acdc = await keysOf('tracks', 'Track', 'trackId', {
          album: { artist: { name: { eq: 'AC/DC' } } },
        });
        expect(acdc).toEqual(await sqlKeys('Track', 'TrackId', (q) => q.whereIn(n('AlbumId'), [1, 4])));
        expect(acdc).toHaveLength(18);
      });

      it('filters by a has-many relation with some, none and every', async () => {
        expect(
          await keysOf('artists', 'Artist', 'artistId', {
            albums: { some: { title: { startsWith: 'Let There' } } },
          }),
        ).toEqual([1]);
        const withAlbums = sql()(n('Album')).select(n('ArtistId'));
        expect(await keysOf('artists', 'Artist', 'artistId', { albums: { none: {} } })).toEqual(
          await sqlKeys('Artist', 'ArtistId', (q) => q.whereNotIn(n('ArtistId'), withAlbums)),
        );
        // Albums whose every track is longer than 5 minutes (no album of Chinook is empty).
        const short = sql()(n('Track')).select(n('AlbumId')).where(n('Milliseconds'), '<=', 300_000);
        const every = await sqlKeys('Album', 'AlbumId', (q) => q.whereNotIn(n('AlbumId'), short));
        expect(every.length).toBeGreaterThan(5);
        expect(
          await keysOf('albums', 'Album', 'albumId', { tracks: { every: { milliseconds: { gt: 300000 } } } }),
        ).toEqual(every);
        expect(
          await keysOf('albums', 'Album', 'albumId', { tracks: { none: { milliseconds: { lte: 300000 } } } }),
        ).toEqual(every);
      });

      it('filters through two has-many levels and a belongs-to at the end', async () => {
        const jazzArtists = sql()(n('Album'))
          .join(n('Track'), `${n('Track')}.${n('AlbumId')}`, `${n('Album')}.${n('AlbumId')}`)
          .join(n('Genre'), `${n('Genre')}.${n('GenreId')}`, `${n('Track')}.${n('GenreId')}`)
          .where(`${n('Genre')}.${n('Name')}`, 'Jazz')
          .select(`${n('Album')}.${n('ArtistId')}`);
        const expected = await sqlKeys('Artist', 'ArtistId', (q) => q.whereIn(n('ArtistId'), jazzArtists));
        expect(expected.length).toBeGreaterThan(5);
        expect(
          await keysOf('artists', 'Artist', 'artistId', {
            albums: { some: { tracks: { some: { genre: { name: { eq: 'Jazz' } } } } } },
          }),
        ).toEqual(expected);
      });

      it('filters by a many-to-many relation through the junction table', async () => {
        const withTrack1 = await sqlKeys('PlaylistTrack', 'PlaylistId', (q) => q.where(n('TrackId'), 1));
        expect(withTrack1.length).toBeGreaterThan(0);
        expect(
          await keysOf('playlists', 'Playlist', 'playlistId', { tracks: { some: { trackId: { eq: 1 } } } }),
        ).toEqual(withTrack1);
        expect(await keysOf('playlists', 'Playlist', 'playlistId', { tracks: { none: {} } })).toEqual(
          await sqlKeys('Playlist', 'PlaylistId', (q) =>
            q.whereNotIn(n('PlaylistId'), sql()(n('PlaylistTrack')).select(n('PlaylistId'))),
          ),
        );
      });
    });

    describe('by-key fields', () => {
      it('finds a row by its primary key, and null for a missing key', async () => {
        const data = await ok(
          server.query(
            '{ chinook { track(trackId: 1) { trackId name album { title } } missing: track(trackId: 999999) { name } } }',
          ),
        );
        expect(data.chinook).toEqual({
          track: {
            trackId: 1,
            name: 'For Those About To Rock (We Salute You)',
            album: { title: 'For Those About To Rock We Salute You' },
          },
          missing: null,
        });
      });

      it('finds a PlaylistTrack by its composite key, and null when the pair does not exist', async () => {
        const data = await ok(
          server.query(`{ chinook {
          hit: playlistTrack(playlistId: 1, trackId: 3402) { playlistId trackId playlist { name } track { trackId } }
          miss: playlistTrack(playlistId: 2, trackId: 3402) { playlistId }
          swapped: playlistTrack(playlistId: 3402, trackId: 1) { playlistId }
        } }`),
        );
        expect(data.chinook).toEqual({
          hit: { playlistId: 1, trackId: 3402, playlist: { name: 'Music' }, track: { trackId: 3402 } },
          miss: null,
          swapped: null,
        });
      });
    });

    describe('connections', () => {
      const PAGE = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount`;

      interface Walk {
        ids: number[];
        pages: Data[];
      }

      /** Follows after/endCursor (or before/startCursor when backwards) until the last page. */
      async function walk(
        list: string,
        type: string,
        key: string,
        args: { where?: unknown; orderBy?: unknown },
        size: number,
        backwards = false,
      ): Promise<Walk> {
        const ids: number[] = [];
        const pages: Data[] = [];
        let cursor: string | null = null;
        for (let guard = 0; guard < 1000; guard += 1) {
          const data = await ok(
            server.query(
              `query ($where: ${type}Where, $orderBy: [${type}OrderBy!], $cursor: String) { chinook {
              ${list}Connection(where: $where, orderBy: $orderBy, ${backwards ? 'last' : 'first'}: ${size}, ${backwards ? 'before' : 'after'}: $cursor) {
                edges { cursor node { ${key} } } ${PAGE} } } }`,
              { ...args, cursor },
            ),
          );
          const page = data.chinook[`${list}Connection`] as Data;
          pages.push(page);
          const keys = page.edges.map((e: Data) => e.node[key] as number);
          if (backwards) ids.unshift(...keys);
          else ids.push(...keys);
          const more = backwards ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage;
          if (!more) return { ids, pages };
          cursor = backwards ? page.pageInfo.startCursor : page.pageInfo.endCursor;
        }
        throw new Error('paging did not end');
      }

      it('visits every track of genre 1 once, in order, paging forwards 7 at a time by name DESC', async () => {
        const expected = await sqlKeys('Track', 'TrackId', (q) =>
          q
            .where(n('GenreId'), 1)
            .clearOrder()
            .orderBy([
              { column: n('Name'), order: 'desc' },
              { column: n('TrackId'), order: 'asc' },
            ]),
        );
        expect(expected).toHaveLength(1297);
        const { ids, pages } = await walk(
          'tracks',
          'Track',
          'trackId',
          { where: { genreId: { eq: 1 } }, orderBy: [{ name: 'DESC' }] },
          7,
        );
        expect(ids).toEqual(expected);
        expect(pages).toHaveLength(Math.ceil(1297 / 7));
        expect(pages.every((p) => p.totalCount === 1297)).toBe(true);
        expect(pages[0]?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
        expect(pages[1]?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
        expect(pages.at(-1)?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
        expect(pages.at(-1)?.edges).toHaveLength(1297 % 7);
      });

      it('visits every Jazz track once going backwards with last/before', async () => {
        const args = { where: { genreId: { eq: 2 } }, orderBy: [{ milliseconds: 'ASC' }] };
        const expected = await sqlKeys('Track', 'TrackId', (q) =>
          q
            .where(n('GenreId'), 2)
            .clearOrder()
            .orderBy([n('Milliseconds'), n('TrackId')]),
        );
        const { ids, pages } = await walk('tracks', 'Track', 'trackId', args, 9, true);
        expect(ids).toEqual(expected);
        expect(pages[0]?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
        expect(pages[1]?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
        expect(pages.at(-1)?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
        // The last page (backwards) holds the first rows, in forward order.
        expect(pages[0]?.edges.map((e: Data) => e.node.trackId)).toEqual(expected.slice(-9));
      });

      it('pages by a nullable column with cursors, NULLs first or last, visiting every row once', async () => {
        const rows = (await sql()(n('Customer')).select(n('CustomerId'), n('Company'))) as Data[];
        const customers = rows.map((r) => ({
          id: Number(r[n('CustomerId')]),
          company: r[n('Company')] as string | null,
        }));
        const order = (nulls: 'first' | 'last', desc: boolean) =>
          [...customers]
            .sort((a, b) => byNullableText(a.company, b.company, nulls, desc) || a.id - b.id)
            .map((c) => c.id);
        // Without a NULLS choice: ascending puts NULLs last, descending first, on every database.
        const cases: [unknown, number[]][] = [
          [[{ company: 'ASC' }], order('last', false)],
          [[{ company: 'DESC' }], order('first', true)],
          [[{ company: 'ASC_NULLS_FIRST' }], order('first', false)],
          [[{ company: 'DESC_NULLS_LAST' }], order('last', true)],
        ];
        for (const [orderBy, expected] of cases) {
          const forward = await walk('customers', 'Customer', 'customerId', { orderBy }, 4);
          expect(forward.ids, JSON.stringify(orderBy)).toEqual(expected);
          const backward = await walk('customers', 'Customer', 'customerId', { orderBy }, 6, true);
          expect(backward.ids, `${JSON.stringify(orderBy)} backwards`).toEqual(expected);
        }
      });

      it('pages by a Decimal and a DateTime key, visiting every invoice once', async () => {
        const expected = await sqlKeys('Invoice', 'InvoiceId', (q) =>
          q.clearOrder().orderBy([
            { column: n('Total'), order: 'desc' },
            { column: n('InvoiceDate'), order: 'asc' },
            { column: n('InvoiceId'), order: 'asc' },
          ]),
        );
        const orderBy = [{ total: 'DESC' }, { invoiceDate: 'ASC' }];
        const forward = await walk('invoices', 'Invoice', 'invoiceId', { orderBy }, 50);
        expect(forward.ids).toEqual(expected);
        expect(forward.pages).toHaveLength(9);
        const backward = await walk('invoices', 'Invoice', 'invoiceId', { orderBy }, 100, true);
        expect(backward.ids).toEqual(expected);
      });

      it('gives nodes and edges the same rows, and totalCount ignores the page', async () => {
        const data = await ok(
          server.query(`{ chinook { tracksConnection(where: { albumId: { eq: 1 } }, orderBy: { trackId: DESC }, first: 3) {
          nodes { trackId } edges { node { trackId name } } ${PAGE} } } }`),
        );
        const conn = data.chinook.tracksConnection as Data;
        expect(conn.nodes.map((t: Data) => t.trackId)).toEqual([14, 13, 12]);
        expect(conn.edges.map((e: Data) => e.node.trackId)).toEqual([14, 13, 12]);
        expect(conn.totalCount).toBe(10);
        expect(conn.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      });

      it('refuses an invalid cursor with BAD_REQUEST', async () => {
        for (const cursor of ['not-a-cursor', Buffer.from('[1,2,3]').toString('base64url'), '']) {
          const result = await server.query(
            'query ($c: String) { chinook { tracksConnection(first: 2, after: $c) { nodes { trackId } } } }',
            { c: cursor },
          );
          expectBadRequest(result, /cursor/i);
          expect(result.statements).toBe(0);
        }
        const both = await server.query('{ chinook { tracksConnection(first: 2, last: 2) { totalCount } } }');
        expectBadRequest(both, /first|last/);
      });
    });

    describe('aggregates', () => {
      it('computes count, sum, avg, min and max like SQL, Decimal sums as exact strings', async () => {
        const data = await ok(
          server.query(
            `{ chinook { invoicesAggregate { count sum { total } avg { total } min { total invoiceDate } max { total invoiceDate } } } }`,
          ),
        );
        expect(data.chinook.invoicesAggregate).toMatchObject({
          count: 412,
          sum: { total: '2328.60' },
          min: { total: '0.99', invoiceDate: '2021-01-01T00:00:00' },
          max: { total: '25.86', invoiceDate: '2025-12-22T00:00:00' },
        });
        expect(Number(data.chinook.invoicesAggregate.avg.total)).toBeCloseTo(2328.6 / 412, 5);
      });

      it('aggregates Int and Decimal fields over a where like SQL', async () => {
        const data = await ok(
          server.query(`{ chinook { tracksAggregate(where: { genreId: { eq: 1 } }) {
          count sum { milliseconds unitPrice } avg { milliseconds } min { milliseconds name } max { milliseconds name } } } }`),
        );
        const [row] = (await sql()(n('Track'))
          .where(n('GenreId'), 1)
          .count({ c: '*' })
          .sum({ s: n('Milliseconds'), p: n('UnitPrice') })
          .avg({ a: n('Milliseconds') })
          .min({ lo: n('Milliseconds'), first: n('Name') })
          .max({ hi: n('Milliseconds'), last: n('Name') })) as Data[];
        const agg = data.chinook.tracksAggregate as Data;
        expect(agg.count).toBe(Number(row?.c));
        expect(agg.count).toBe(1297);
        expect(agg.sum.milliseconds).toBe(Number(row?.s));
        expect(agg.sum.unitPrice).toBe(Number(row?.p).toFixed(2));
        expect(agg.avg.milliseconds).toBeCloseTo(Number(row?.a), 6);
        expect(agg.min).toEqual({ milliseconds: Number(row?.lo), name: row?.first });
        expect(agg.max).toEqual({ milliseconds: Number(row?.hi), name: row?.last });
      });

      it('returns count 0 and null sums over no rows', async () => {
        const data = await ok(
          server.query(
            '{ chinook { invoicesAggregate(where: { total: { lt: 0 } }) { count sum { total } max { invoiceDate } } } }',
          ),
        );
        expect(data.chinook.invoicesAggregate).toEqual({
          count: 0,
          sum: { total: null },
          max: { invoiceDate: null },
        });
      });

      it('groups by columns with limit and offset, ordered by the group key', async () => {
        const data = await ok(
          server.query(`{ chinook {
          byGenre: tracksGroupBy(by: [GENRE_ID], where: { albumId: { lte: 10 } }) { key { genreId albumId } count sum { milliseconds } }
          byCountry: invoicesGroupBy(by: [BILLING_COUNTRY], limit: 5, offset: 1) { key { billingCountry } count sum { total } }
        } }`),
        );
        const genres = (await sql()(n('Track'))
          .where(n('AlbumId'), '<=', 10)
          .groupBy(n('GenreId'))
          .orderBy(n('GenreId'))
          .select(n('GenreId'))
          .count({ c: '*' })
          .sum({ s: n('Milliseconds') })) as Data[];
        expect(data.chinook.byGenre).toEqual(
          genres.map((g) => ({
            key: { genreId: Number(g[n('GenreId')]), albumId: null },
            count: Number(g.c),
            sum: { milliseconds: Number(g.s) },
          })),
        );
        const countries = (await sql()(n('Invoice'))
          .groupBy(n('BillingCountry'))
          .orderBy(n('BillingCountry'))
          .select(n('BillingCountry'))
          .count({ c: '*' })
          .sum({ s: n('Total') })
          .limit(5)
          .offset(1)) as Data[];
        expect(data.chinook.byCountry).toEqual(
          countries.map((g) => ({
            key: { billingCountry: g[n('BillingCountry')] },
            count: Number(g.c),
            sum: { total: Number(g.s).toFixed(2) },
          })),
        );
        expect(data.chinook.byCountry[0].key.billingCountry).toBe('Australia');
      });

      it('aggregates a has-many relation per parent, with its own where', async () => {
        const data = await ok(
          server.query(`{ chinook { albums(where: { albumId: { lte: 6 } }, orderBy: { albumId: ASC }) {
          albumId
          tracksAggregate { count sum { milliseconds } max { unitPrice } }
          long: tracksAggregate(where: { milliseconds: { gt: 350000 } }) { count }
        } } }`),
        );
        const albums = data.chinook.albums as Data[];
        expect(albums.map((a) => a.tracksAggregate.count)).toEqual([10, 1, 3, 8, 15, 13]);
        for (const album of albums) {
          const [row] = (await sql()(n('Track'))
            .where(n('AlbumId'), album.albumId)
            .sum({ s: n('Milliseconds') })
            .max({ p: n('UnitPrice') })) as Data[];
          const long = await sqlKeys('Track', 'TrackId', (q) =>
            q.where(n('AlbumId'), album.albumId).where(n('Milliseconds'), '>', 350_000),
          );
          expect(album.tracksAggregate.sum.milliseconds).toBe(Number(row?.s));
          expect(album.tracksAggregate.max.unitPrice).toBe(Number(row?.p).toFixed(2));
          expect(album.long.count, `album ${album.albumId}`).toBe(long.length);
        }
        expect(albums.map((a) => a.long.count > 0)).toEqual([false, false, true, true, true, true]);
      });

      it('aggregates a many-to-many relation per parent', async () => {
        const data = await ok(
          server.query(
            '{ chinook { playlists(orderBy: { playlistId: ASC }) { playlistId tracksAggregate { count } } } }',
          ),
        );
        const rows = (await sql()(n('PlaylistTrack'))
          .select(n('PlaylistId'))
          .count({ c: '*' })
          .groupBy(n('PlaylistId'))) as Data[];
        const counts = new Map(rows.map((r) => [Number(r[n('PlaylistId')]), Number(r.c)]));
        expect(data.chinook.playlists).toHaveLength(18);
        for (const p of data.chinook.playlists as Data[]) {
          expect(p.tracksAggregate.count).toBe(counts.get(p.playlistId) ?? 0);
        }
      });
    });

    describe('scalars', () => {
      it('returns Decimal as a string and DateTime as ISO 8601, the same on every database', async () => {
        const data = await ok(
          server.query(`{ chinook {
          invoice(invoiceId: 1) { invoiceDate total customer { firstName } }
          track(trackId: 1) { unitPrice milliseconds }
          video: track(trackId: 2820) { unitPrice }
          employee(employeeId: 1) { birthDate hireDate }
        } }`),
        );
        const employee = (await sql()(n('Employee'))
          .where(n('EmployeeId'), 1)
          .select(n('BirthDate'), n('HireDate'))) as Data[];
        const iso = (value: unknown) => {
          const text = value instanceof Date ? value.toISOString() : String(value);
          return text.replace(' ', 'T').replace(/\.000Z$|Z$/, '');
        };
        expect(data.chinook).toEqual({
          invoice: { invoiceDate: '2021-01-01T00:00:00', total: '1.98', customer: { firstName: 'Leonie' } },
          track: { unitPrice: '0.99', milliseconds: 343719 },
          video: { unitPrice: '1.99' },
          employee: {
            birthDate: iso(employee[0]?.[n('BirthDate')]),
            hireDate: iso(employee[0]?.[n('HireDate')]),
          },
        });
        expect(data.chinook.employee.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
      });
    });

    describe('the N+1 guard', () => {
      it('runs 1 + one statement per relation level, for 1 parent and for 500 parents', async () => {
        const deep = `albums { tracks { genre { name } } }`;
        const one = await server.query(
          `{ chinook { artists(where: { artistId: { eq: 1 } }) { name ${deep} } } }`,
        );
        expect(dataOf(one).chinook.artists[0].albums).toHaveLength(2);
        expect(one.statements).toBe(4);
        const all = await server.query(`{ chinook { artists { name ${deep} } } }`);
        expect(dataOf(all).chinook.artists).toHaveLength(275);
        expect(all.statements).toBe(4);
        const tracks = await server.query(
          '{ chinook { tracks(limit: 500) { album { artist { name } } genre { name } } } }',
        );
        const rows = dataOf(tracks).chinook.tracks as Data[];
        expect(rows).toHaveLength(500);
        expect(
          rows.every((t) => typeof t.album.artist.name === 'string' && typeof t.genre.name === 'string'),
        ).toBe(true);
        expect(tracks.statements).toBe(4);
        const m2m = await server.query(
          '{ chinook { playlists { tracks(limit: 3) { album { title } } tracksAggregate { count } } } }',
        );
        expect(dataOf(m2m).chinook.playlists).toHaveLength(18);
        expect(m2m.statements).toBe(4);
      });

      it('runs one statement for a by-key field and its relations per level', async () => {
        const result = await server.query(
          '{ chinook { customer(customerId: 1) { invoices { invoiceLines { track { name } } } supportRep { lastName } } } }',
        );
        dataOf(result);
        expect(result.statements).toBe(5);
      });

      it('adds exactly one statement for a connection’s totalCount', async () => {
        const query = (total: string) =>
          `{ chinook { tracksConnection(first: 500, where: { genreId: { eq: 1 } }) { nodes { album { title } } ${total} } } }`;
        const without = await server.query(query(''));
        dataOf(without);
        expect(without.statements).toBe(2);
        const withTotal = await server.query(query('totalCount'));
        expect(dataOf(withTotal).chinook.tracksConnection.totalCount).toBe(1297);
        expect(withTotal.statements).toBe(3);
      });

      it('runs no statement at all when the request fails validation', async () => {
        const negative = await server.query('{ chinook { tracks(limit: -1) { album { title } } } }');
        expect(negative.errors).toBeDefined();
        expect(negative.statements).toBe(0);
        const unknown = await server.query('{ chinook { tracks { nope } } }');
        expect(unknown.errors).toBeDefined();
        expect(unknown.statements ?? 0).toBe(0);
      });
    });

    describe('errors', () => {
      it('answers a negative limit or offset with BAD_REQUEST, also on a relation field', async () => {
        expectBadRequest(await server.query('{ chinook { tracks(limit: -1) { trackId } } }'), /limit/);
        expectBadRequest(await server.query('{ chinook { tracks(offset: -5) { trackId } } }'), /offset/);
        expectBadRequest(
          await server.query('{ chinook { albums(limit: 1) { tracks(limit: -2) { trackId } } } }'),
          /limit/,
        );
        expectBadRequest(
          await server.query('{ chinook { tracksConnection(first: -1) { totalCount } } }'),
          /first/,
        );
        expectBadRequest(
          await server.query('{ chinook { tracksGroupBy(by: [GENRE_ID], limit: -1) { count } } }'),
          /limit/,
        );
      });

      it('answers an unknown field or argument with a GraphQL validation error', async () => {
        for (const query of [
          '{ chinook { tracks { nope } } }',
          '{ chinook { tracks(where: { nope: { eq: 1 } }) { trackId } } }',
          '{ chinook { tracks(where: { name: { gt: 1 } }) { trackId } } }',
          '{ chinook { tracks(sortBy: { name: ASC }) { trackId } } }',
          '{ chinook { notes(where: { done: { gt: true } }) { noteId } } }',
        ]) {
          const result = await server.query(query);
          expect(result.data, query).toBeUndefined();
          expect(result.errors?.[0]?.extensions?.code, query).toBe('GRAPHQL_VALIDATION_FAILED');
          expectNoInternals(result);
        }
      });

      it('refuses malformed scalar values without reaching the database', async () => {
        for (const where of [{ unitPrice: { eq: 'cheap' } }, { invoiceDate: { gt: 'yesterday' } }]) {
          const list = 'unitPrice' in where ? 'tracks' : 'invoices';
          const type = 'unitPrice' in where ? 'Track' : 'Invoice';
          const result = await server.query(
            `query ($w: ${type}Where) { chinook { ${list}(where: $w) { __typename } } }`,
            {
              w: where,
            },
          );
          expect(result.errors?.length).toBe(1);
          expect(result.statements ?? 0).toBe(0);
          expectNoInternals(result);
          // A client mistake, said as such: not masked as an internal error.
          expect(result.errors?.[0]?.extensions?.code).not.toBe('INTERNAL');
          expect(result.errors?.[0]?.message).toMatch(/cannot represent/);
        }
        const int = await server.query('query ($l: Int) { chinook { tracks(limit: $l) { trackId } } }', {
          l: 1.5,
        });
        expect(int.errors?.[0]?.extensions?.code).not.toBe('INTERNAL');
        expect(int.errors?.[0]?.message).toMatch(/Int cannot represent/);
      });

      it('never shows SQL or a stack when the database rejects a value', async () => {
        // A date that matches the DateTime format but no calendar: PostgreSQL rejects it, the others compare text.
        const result = await server.query(
          '{ chinook { invoices(where: { invoiceDate: { eq: "2021-13-45T00:00:00" } }) { invoiceId } } }',
        );
        if (dialect === 'postgres') {
          expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_VALUE']);
          expect(result.errors?.[0]?.message).toBe('A value does not fit the type of its field.');
        } else {
          expect(result.errors).toBeUndefined();
        }
        expectNoInternals(result);
      });
    });
  },
);

describe('cross-database relations between PostgreSQL and MariaDB', () => {
  // reviews on MariaDB: review.track_id → chinook.track.track_id on PostgreSQL (a virtual key).
  const REVIEWS_SQL = `create table review (review_id int primary key, track_id int, rating int not null);
    insert into review values (1, 1, 5), (2, 1, 3), (3, 2, 4), (4, 3402, 1), (5, null, 2), (6, 999999, 5);`;
  let reviews: TestDatabase | undefined;
  let server: TestServer;

  beforeAll(async () => {
    reviews = await createTestDatabase('mysql');
    await reviews.exec(REVIEWS_SQL);
    server = await startTestServer(
      testConfig(
        [chinook.postgres.service, reviews.service({ name: 'reviews' })],
        [
          {
            from: { service: 'reviews', table: 'review', fields: ['track_id'] },
            to: { service: 'chinook', table: 'track', fields: ['track_id'] },
          },
        ],
      ),
    );
  });
  afterAll(async () => {
    await server?.close();
    await reviews?.drop();
  });

  it('navigates from a MariaDB review to its PostgreSQL track and on to the album and artist', async () => {
    const result = await server.query(`{ reviews { reviews(orderBy: { reviewId: ASC }) {
      reviewId track { name album { artist { name } } } } } }`);
    const data = dataOf(result);
    expect(data.reviews.reviews).toEqual([
      {
        reviewId: 1,
        track: { name: 'For Those About To Rock (We Salute You)', album: { artist: { name: 'AC/DC' } } },
      },
      {
        reviewId: 2,
        track: { name: 'For Those About To Rock (We Salute You)', album: { artist: { name: 'AC/DC' } } },
      },
      { reviewId: 3, track: { name: 'Balls to the Wall', album: { artist: { name: 'Accept' } } } },
      { reviewId: 4, track: expect.objectContaining({ name: expect.any(String) }) },
      { reviewId: 5, track: null },
      { reviewId: 6, track: null },
    ]);
    expect(result.statements).toBe(4);
  });

  it('navigates from PostgreSQL tracks to their MariaDB reviews with per-parent order and limit', async () => {
    const result =
      await server.query(`{ chinook { tracks(where: { trackId: { in: [1, 2, 3] } }, orderBy: { trackId: ASC }) {
      trackId
      reviews(orderBy: { rating: DESC }) { rating }
      best: reviews(orderBy: { rating: DESC }, limit: 1) { reviewId }
      reviewsAggregate { count avg { rating } }
    } } }`);
    const data = dataOf(result);
    expect(data.chinook.tracks).toEqual([
      {
        trackId: 1,
        reviews: [{ rating: 5 }, { rating: 3 }],
        best: [{ reviewId: 1 }],
        reviewsAggregate: { count: 2, avg: { rating: 4 } },
      },
      {
        trackId: 2,
        reviews: [{ rating: 4 }],
        best: [{ reviewId: 3 }],
        reviewsAggregate: { count: 1, avg: { rating: 4 } },
      },
      { trackId: 3, reviews: [], best: [], reviewsAggregate: { count: 0, avg: { rating: null } } },
    ]);
    expect(result.statements).toBe(4);
  });

  it('filters PostgreSQL tracks by their MariaDB reviews with some, none and every', async () => {
    const ids = async (where: unknown) => {
      const data = await ok(
        server.query(
          'query ($w: TrackWhere) { chinook { tracks(where: $w, orderBy: { trackId: ASC }) { trackId } } }',
          {
            w: where,
          },
        ),
      );
      return data.chinook.tracks.map((t: Data) => t.trackId);
    };
    expect(await ids({ reviews: { some: { rating: { gte: 4 } } } })).toEqual([1, 2]);
    expect(await ids({ reviews: { some: {} } })).toEqual([1, 2, 3402]);
    expect(await ids({ trackId: { lte: 3 }, reviews: { every: { rating: { gte: 4 } } } })).toEqual([2, 3]);
    expect(await ids({ trackId: { lte: 3 }, reviews: { none: { rating: { lt: 4 } } } })).toEqual([2, 3]);
    const count = await ok(
      server.query('{ chinook { tracksAggregate(where: { reviews: { none: {} } }) { count } } }'),
    );
    expect(count.chinook.tracksAggregate.count).toBe(3503 - 3);
  });

  it('filters MariaDB reviews by their PostgreSQL track, two levels deep', async () => {
    const result = await server.query(`{ reviews {
      reviews(where: { track: { album: { title: { eq: "For Those About To Rock We Salute You" } } } }, orderBy: { reviewId: ASC }) { reviewId track { albumId } }
    } }`);
    const data = dataOf(result);
    expect(data.reviews.reviews).toEqual([
      { reviewId: 1, track: { albumId: 1 } },
      { reviewId: 2, track: { albumId: 1 } },
    ]);
    // One statement resolves the condition on PostgreSQL, one reads the reviews, one their tracks.
    expect(result.statements).toBe(3);
  });

  it('applies a condition on MariaDB rows inside a PostgreSQL relation field', async () => {
    const result =
      await server.query(`{ chinook { albums(where: { albumId: { lte: 3 } }, orderBy: { albumId: ASC }) {
      albumId tracks(where: { reviews: { some: {} } }) { trackId } } } }`);
    const data = dataOf(result);
    expect(data.chinook.albums).toEqual([
      { albumId: 1, tracks: [{ trackId: 1 }] },
      { albumId: 2, tracks: [{ trackId: 2 }] },
      { albumId: 3, tracks: [] },
    ]);
    expect(result.statements).toBe(3);
  });

  it('keeps one statement per relation level across databases for 500 parents', async () => {
    const result = await server.query(
      '{ chinook { tracks(limit: 500, orderBy: { trackId: ASC }) { reviews { track { genre { name } } } } } }',
    );
    const tracks = dataOf(result).chinook.tracks as Data[];
    expect(tracks.flatMap((t) => t.reviews)).toHaveLength(3);
    expect(tracks[0]?.reviews[0]?.track.genre.name).toBe('Rock');
    expect(result.statements).toBe(4);
  });
});

describe('the demo’s virtual keys between its two SQLite databases', () => {
  const DEMO = fileURLToPath(new URL('../../demo/', import.meta.url));
  const temp = tempDir('junction-demo-');
  let server: TestServer;
  let chinookDb: Knex;
  let reviewsDb: Knex;

  beforeAll(async () => {
    cpSync(join(DEMO, 'data'), join(temp.dir, 'data'), { recursive: true });
    await ensureDemoDatabases(temp.dir);
    const document = parseYaml(readFileSync(join(DEMO, 'junction.demo.yaml'), 'utf8')) as unknown;
    const config = parseConfig(document, { baseDir: temp.dir, source: null, env: {} });
    expect(config.services.map((s) => s.connection)).toEqual([
      { kind: 'file', filename: join(temp.dir, '.data/chinook.sqlite') },
      { kind: 'file', filename: join(temp.dir, '.data/reviews.sqlite') },
    ]);
    server = await startTestServer(config);
    const [chinookService, reviewsService] = config.services;
    chinookDb = createKnex(chinookService as (typeof config.services)[number]);
    reviewsDb = createKnex(reviewsService as (typeof config.services)[number]);
  });
  afterAll(async () => {
    await server?.close();
    if (chinookDb) await destroyKnex(chinookDb);
    if (reviewsDb) await destroyKnex(reviewsDb);
    temp.remove();
  });

  it('shows each Chinook track’s reviews from the other database', async () => {
    const [busiest] = (await reviewsDb('review')
      .select('track_id')
      .count({ c: '*' })
      .groupBy('track_id')
      .orderBy([{ column: 'c', order: 'desc' }, 'track_id'])
      .limit(1)) as Data[];
    const trackId = Number(busiest?.track_id);
    const expected = (await reviewsDb('review')
      .join('reviewer', 'reviewer.reviewer_id', 'review.reviewer_id')
      .where('track_id', trackId)
      .orderBy('review_id')
      .select('review_id', 'rating', 'display_name')) as Data[];
    const result = await server.query(
      `{ chinook { track(trackId: ${trackId}) { name reviews(orderBy: { reviewId: ASC }) { reviewId rating reviewer { displayName } } } } }`,
    );
    const data = dataOf(result);
    expect(data.chinook.track.reviews).toEqual(
      expected.map((r) => ({
        reviewId: r.review_id,
        rating: r.rating,
        reviewer: { displayName: r.display_name },
      })),
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(result.statements).toBe(3);
  });

  it('shows each review’s Chinook track, and filters reviews by the track’s genre', async () => {
    const reviews = (await reviewsDb('review')
      .select('review_id', 'track_id')
      .orderBy('review_id')
      .limit(5)) as Data[];
    const names = new Map(
      (
        (await chinookDb('Track')
          .whereIn(
            'TrackId',
            reviews.map((r) => r.track_id),
          )
          .select('TrackId', 'Name')) as Data[]
      ).map((t) => [t.TrackId, t.Name]),
    );
    const data = await ok(
      server.query(
        '{ reviews { reviews(limit: 5, orderBy: { reviewId: ASC }) { reviewId track { trackId name } } } }',
      ),
    );
    expect(data.reviews.reviews).toEqual(
      reviews.map((r) => ({
        reviewId: r.review_id,
        track: { trackId: r.track_id, name: names.get(r.track_id) },
      })),
    );
    const jazzTracks = (await chinookDb('Track').where('GenreId', 2).pluck('TrackId')) as number[];
    const jazzReviews = (await reviewsDb('review')
      .whereIn('track_id', jazzTracks)
      .orderBy('review_id')
      .pluck('review_id')) as number[];
    expect(jazzReviews.length).toBeGreaterThan(0);
    const filtered = await server.query(
      '{ reviews { reviews(where: { track: { genre: { name: { eq: "Jazz" } } } }, orderBy: { reviewId: ASC }) { reviewId } } }',
    );
    expect(dataOf(filtered).reviews.reviews.map((r: Data) => r.reviewId)).toEqual(jazzReviews);
    expect(filtered.statements).toBe(2);
  });

  it('filters Chinook tracks by their reviews in the other database', async () => {
    const fives = (await reviewsDb('review')
      .where('rating', 5)
      .distinct('track_id')
      .orderBy('track_id')
      .pluck('track_id')) as number[];
    const result = await server.query(
      '{ chinook { tracks(where: { reviews: { some: { rating: { eq: 5 } } } }, orderBy: { trackId: ASC }) { trackId } } }',
    );
    const data = dataOf(result);
    expect(data.chinook.tracks.map((t: Data) => t.trackId)).toEqual(fives);
    expect(result.statements).toBe(2);
  });
});
