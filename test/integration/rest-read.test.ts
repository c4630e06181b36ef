// REST reads end to end (compat §1–4, §6, §7, §8.1–8.5, §12, §13): a real server per dialect over a fresh
// Chinook (PostgreSQL, MariaDB, SQLite), called over HTTP as a DreamFactory client would. Expected values
// are the contract's own examples (names spelled per dialect with chinookName) or come from plain SQL
// through the driver against the same database. Nothing here writes: the database stays as loaded.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINOOK_TABLES, chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient, type RestResult } from './support/rest.js';

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;
const DIALECT_NAMES: Record<TestDialect, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
  sqlite: 'SQLite',
};

/**
 * What Chinook lacks: a has_one relation (ArtistBio.ArtistId is the table's primary key and a foreign key to
 * Artist, compat §8.1) and a belongs_to whose key is NULL in some rows (MentorId). Two keys to the same
 * table make no many_many. Artist 3 has no bio.
 */
const BIO_ROWS = `(1, 'Australian hard rock band', null), (2, 'German heavy metal band', 1)`;
const BIO_SQL: Record<TestDialect, string> = {
  postgres: `create table artist_bio (artist_id integer primary key references artist (artist_id),
    bio varchar(200) not null, mentor_id integer references artist (artist_id));
    insert into artist_bio values ${BIO_ROWS};`,
  mysql: `create table ArtistBio (ArtistId int primary key, Bio varchar(200) not null, MentorId int null,
    foreign key (ArtistId) references Artist (ArtistId), foreign key (MentorId) references Artist (ArtistId));
    insert into ArtistBio values ${BIO_ROWS};`,
  sqlite: `create table ArtistBio (ArtistId integer primary key references Artist (ArtistId),
    Bio nvarchar(200) not null, MentorId integer references Artist (ArtistId));
    insert into ArtistBio values ${BIO_ROWS};`,
};

/** Chinook's column names as the contract writes them; `nf` respells them inside filter strings. */
const COLUMNS = [
  'AlbumId',
  'ArtistId',
  'Title',
  'GenreId',
  'MediaTypeId',
  'Milliseconds',
  'UnitPrice',
  'Composer',
  'TrackId',
  'Country',
  'Name',
];
const COLUMN_WORD = new RegExp(`\\b(${COLUMNS.join('|')})\\b`, 'g');

const ERROR_KEYS = ['code', 'context', 'message', 'status_code'];

/** A DreamFactory error envelope (§6.1) with the status, and no SQL, driver text or stack in it. */
function expectError(res: RestResult, status: number, message?: string | RegExp, code: number = status) {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(Object.keys(res.body as Data)).toEqual(['error']);
  const error = (res.body as Data).error as Data;
  expect(Object.keys(error)).toEqual(ERROR_KEYS);
  expect(error.code).toBe(code);
  expect(error.status_code).toBe(status);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  expectNoInternals(res.text);
}

function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bselect\b[\s\S]*\bfrom\b|\b(insert into|delete from)\b|\bwhere\s+[`"]/i);
  expect(text).not.toMatch(/sqlstate|sqlite_|\bER_[A-Z_]+|syntax error|node_modules/i);
  expect(text).not.toMatch(/\n\s*at |\bat \S+ \(|\.ts:\d+/);
}

function keysOf(body: unknown): string[] {
  return Object.keys(body as Data);
}

describe.each(DIALECTS.map((d) => [DIALECT_NAMES[d], d] as const))('REST reads on %s', (_name, dialect) => {
  const chinook = useChinook(dialect, BIO_SQL[dialect]);
  let server: TestServer;
  let rest: RestClient;
  const n = (name: string) => chinookName(dialect, name);
  /** Column names inside a filter, respelled for this dialect. */
  const nf = (filter: string) => filter.replace(COLUMN_WORD, (word) => n(word));
  const sql = (): Knex => chinook.knex;
  const table = (name: string, suffix = '') => `/api/v2/chinook/_table/${n(name)}${suffix}`;
  const get = (path: string, headers?: Record<string, string>) => rest.get(path, headers);
  /** A POST tunnelling GET (compat §2.1) with a JSON body. */
  const tunnel = (path: string, json: unknown, header = 'X-HTTP-Method') =>
    rest.request(path, { method: 'POST', headers: { [header]: 'GET' }, json });

  beforeAll(async () => {
    server = await startTestServer(testConfig([chinook.service]));
    rest = restClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A 200 whose body is `{"resource":[…]}` (plus meta when asked): the resource list. */
  async function list(path: string): Promise<Data[]> {
    const res = await get(path);
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    return (res.body as Data).resource as Data[];
  }

  async function sqlCount(name: string, build: (qb: Knex.QueryBuilder) => unknown = () => {}) {
    const qb = sql()(n(name)).count({ c: '*' });
    build(qb);
    return Number(((await qb) as Data[])[0]?.c);
  }

  async function sqlKeys(name: string, key: string, build: (qb: Knex.QueryBuilder) => unknown = () => {}) {
    const qb = sql()(n(name)).select(n(key)).orderBy(n(key));
    build(qb);
    return ((await qb) as Data[]).map((row) => Number(row[n(key)]));
  }

  describe('routing (§1.1)', () => {
    it('lists the services under /api, /api/v1, /api/v2 and /api/v2.0, with or without a trailing slash', async () => {
      const bodies = [];
      for (const path of ['/api', '/api/v1', '/api/v2', '/api/v2.0', '/api/v2/']) {
        const res = await get(path);
        expect(res.status).toBe(200);
        bodies.push(res.body);
      }
      expect((bodies[0] as Data).services.map((s: Data) => s.name)).toEqual(['chinook']);
      expect(keysOf(bodies[0])).toEqual(['services', 'service_types']);
      for (const body of bodies) expect(body).toEqual(bodies[0]);
    });

    it('lists the service’s resources, with _proc and _func only where the database has routines', async () => {
      const res = await get('/api/v2/chinook');
      const names = dialect === 'sqlite' ? ['_schema', '_table'] : ['_schema', '_table', '_proc', '_func'];
      expect(res.body).toEqual({ resource: names.map((name) => ({ name })) });
      expect((await get('/api/chinook/')).body).toEqual(res.body);
    });

    it('finds a record the same way without a version, with v1, with a trailing slash and in any case', async () => {
      const expected = {
        [n('AlbumId')]: 1,
        [n('Title')]: 'For Those About To Rock We Salute You',
        [n('ArtistId')]: 1,
      };
      const upper = n('Album').toUpperCase();
      for (const path of [
        `/api/v2/chinook/_table/${n('Album')}/1`,
        `/api/chinook/_table/${n('Album')}/1`,
        `/api/v1/chinook/_table/${n('Album')}/1/`,
        `/api/v2/CHINOOK/_table/${upper}/1`,
        `/API/V2/Chinook/_table/${n('Album').toLowerCase()}/1`,
      ]) {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        expect(res.body, path).toEqual(expected);
      }
    });

    it('ignores path segments after the record id', async () => {
      const res = await get(table('Album', '/4/x/y'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ [n('AlbumId')]: 4, [n('Title')]: 'Let There Be Rock', [n('ArtistId')]: 1 });
    });

    it('answers the same list with and without a trailing slash', async () => {
      expect(await list(table('Genre', '/?limit=3'))).toEqual(await list(table('Genre', '?limit=3')));
    });

    it('treats Album.json as a table name that does not exist (404)', async () => {
      expectError(
        await get(table('Album', '.json')),
        404,
        `Table &quot;${n('Album')}.json&quot; does not exist in the database.`,
      );
    });

    it('answers an unknown table, resource and service with DreamFactory’s 404 messages', async () => {
      expectError(
        await get('/api/v2/chinook/_table/Nope'),
        404,
        'Table &quot;Nope&quot; does not exist in the database.',
      );
      expectError(await get('/api/v2/chinook/_foo'), 404, "Resource '_foo' not found for service 'chinook'.");
      expectError(await get('/api/v2/nope/_table'), 404, 'Could not find a service for nope');
      expectError(await get('/api/v2/NoPe/_table/Album'), 404, 'Could not find a service for nope');
    });
  });

  describe('identifiers in the path (§1.2)', () => {
    it('returns one bare record by id, and 404 for a missing id', async () => {
      expect(await get(table('Artist', '/1'))).toMatchObject({
        status: 200,
        body: { [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' },
      });
      expectError(await get(table('Artist', '/99999')), 404, "Record with identifier '99999' not found.");
    });

    it('refuses a non-numeric id on an integer key with 400 and runs no SQL', async () => {
      const res = await get(table('Album', '/abc'));
      expectError(res, 400, `Field '${n('AlbumId')}' must be a valid integer.`);
      expect(res.statements).toBe(0);
    });

    it('applies a single path id to every column of a composite key (Q23)', async () => {
      const pairs = (await sql()(n('PlaylistTrack'))
        .where(n('PlaylistId'), 1)
        .where(n('TrackId'), 1)) as Data[];
      expect(pairs).toHaveLength(1);
      expect((await get(table('PlaylistTrack', '/1'))).body).toEqual({
        [n('PlaylistId')]: 1,
        [n('TrackId')]: 1,
      });
      // Playlist 2 is empty, so (2, 2) does not exist.
      expect(await sqlCount('PlaylistTrack', (q) => q.where(n('PlaylistId'), 2))).toBe(0);
      expectError(await get(table('PlaylistTrack', '/2')), 404, "Record with identifier '2' not found.");
    });

    it('finds a record by another column with id_field', async () => {
      const res = await get(
        table('Customer', `/luisg@embraer.com.br?id_field=${n('Email')}&fields=${n('FirstName')}`),
      );
      expect(res.body).toEqual({ [n('FirstName')]: 'Luís' });
    });
  });

  describe('method override (§2.1)', () => {
    it('runs a POST with X-HTTP-Method: GET as a read, with filter and params from the body', async () => {
      const res = await tunnel(table('Artist'), { filter: nf('Name = :n'), params: { ':n': 'AC/DC' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ resource: [{ [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' }] });
    });

    it('accepts X-HTTP-Method-Override, X-Method-Override and ?method=GET as well', async () => {
      const body = { filter: nf('ArtistId = 2') };
      for (const header of ['X-HTTP-Method-Override', 'X-Method-Override']) {
        expect((await tunnel(table('Artist'), body, header)).body).toEqual({
          resource: [{ [n('ArtistId')]: 2, [n('Name')]: 'Accept' }],
        });
      }
      const res = await rest.request(table('Artist', '?method=GET'), { method: 'POST', json: body });
      expect(res.body).toEqual({ resource: [{ [n('ArtistId')]: 2, [n('Name')]: 'Accept' }] });
    });

    it('reads the records named by a body record list or a bare list of ids, in that order', async () => {
      const records = await tunnel(table('Artist'), {
        resource: [{ [n('ArtistId')]: 3 }, { [n('ArtistId')]: 1 }],
      });
      expect((records.body as Data).resource.map((r: Data) => r[n('ArtistId')])).toEqual([3, 1]);
      const ids = await tunnel(table('Artist'), [2, 1]);
      expect(ids.status, ids.text).toBe(200);
      expect((ids.body as Data).resource.map((r: Data) => r[n('Name')])).toEqual(['Accept', 'AC/DC']);
    });

    it('ignores an override header on a real GET', async () => {
      const res = await get(table('Artist', '/1'), { 'X-HTTP-Method': 'DELETE' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' });
      expect(await sqlCount('Artist')).toBe(275);
    });

    it('answers an override to an unknown verb with 405', async () => {
      expectError(
        await rest.request(table('Artist'), { method: 'POST', headers: { 'X-HTTP-Method': 'FOO' } }),
        405,
      );
    });
  });

  describe('query conventions (§2.3)', () => {
    it('reads true|1|yes|on|y|t in any case as true, and anything else, empty included, as false', async () => {
      for (const word of ['true', '1', 'YES', 'On', 'y', 'T']) {
        const res = await get(table('Genre', `?limit=2&include_count=${word}`));
        expect((res.body as Data).meta, word).toEqual({ count: 25, next: 2 });
      }
      for (const query of ['include_count', 'include_count=', 'include_count=false', 'include_count=2']) {
        expect(keysOf((await get(table('Genre', `?limit=2&${query}`))).body), query).toEqual(['resource']);
      }
    });

    it('accepts select, where, top, skip, sort and order_by as aliases', async () => {
      const aliased = await list(
        table(
          'Track',
          `?select=${n('TrackId')}&where=${encodeURIComponent(nf('GenreId = 1'))}&top=5&skip=2&sort=${n('TrackId')}%20desc`,
        ),
      );
      const plain = await list(
        table(
          'Track',
          `?fields=${n('TrackId')}&filter=${encodeURIComponent(nf('GenreId = 1'))}&limit=5&offset=2&order=${n('TrackId')}%20desc`,
        ),
      );
      const expected = await sqlKeys('Track', 'TrackId', (q) =>
        q.where(n('GenreId'), 1).clearOrder().orderBy(n('TrackId'), 'desc').limit(5).offset(2),
      );
      expect(plain.map((r) => r[n('TrackId')])).toEqual(expected);
      expect(aliased).toEqual(plain);
      expect(
        await list(table('Track', `?fields=${n('TrackId')}&limit=3&order_by=${n('TrackId')}%20desc`)),
      ).toEqual(
        (await sqlKeys('Track', 'TrackId', (q) => q.clearOrder().orderBy(n('TrackId'), 'desc').limit(3))).map(
          (id) => ({ [n('TrackId')]: id }),
        ),
      );
    });

    it('reads fields, filter, limit, offset, order and ids from the body, the URL winning', async () => {
      const body = {
        fields: n('Name'),
        filter: nf('GenreId <= 5'),
        limit: 2,
        offset: 1,
        order: `${n('GenreId')} desc`,
      };
      expect((await tunnel(table('Genre'), body)).body).toEqual({
        resource: [{ [n('Name')]: 'Alternative & Punk' }, { [n('Name')]: 'Metal' }],
      });
      expect((await tunnel(table('Genre', `?fields=${n('GenreId')}`), body)).body).toEqual({
        resource: [{ [n('GenreId')]: 4 }, { [n('GenreId')]: 3 }],
      });
      expect((await tunnel(table('Genre'), { ids: [3, 1], fields: n('GenreId') })).body).toEqual({
        resource: [{ [n('GenreId')]: 3 }, { [n('GenreId')]: 1 }],
      });
      expect((await tunnel(table('Genre'), { count_only: true, filter: nf('GenreId > 20') })).body).toBe(5);
    });

    it('reads related, include_count and as_list only from the URL', async () => {
      const res = await tunnel(table('Album', '/1'), { related: n('Artist_by_ArtistId') });
      expect(keysOf(res.body)).toEqual([n('AlbumId'), n('Title'), n('ArtistId')]);
      const counted = await tunnel(table('Genre'), { include_count: true, limit: 2 });
      expect(counted.body).toEqual({
        resource: [
          { [n('GenreId')]: 1, [n('Name')]: 'Rock' },
          { [n('GenreId')]: 2, [n('Name')]: 'Jazz' },
        ],
      });
      const listed = await tunnel(table('Artist', '?limit=1'), { as_list: true });
      expect(listed.body).toEqual({ resource: [{ [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' }] });
    });

    it('accepts per-relation options both as Rel.fields and as Rel_fields', async () => {
      const rel = n('Album_by_ArtistId');
      const dotted = await get(table('Artist', `/1?related=${rel}&${rel}.fields=${n('Title')}`));
      const underscored = await get(table('Artist', `/1?related=${rel}&${rel}_fields=${n('Title')}`));
      expect((dotted.body as Data)[rel]).toEqual([
        { [n('Title')]: 'For Those About To Rock We Salute You' },
        { [n('Title')]: 'Let There Be Rock' },
      ]);
      expect(underscored.body).toEqual(dotted.body);
    });
  });

  describe('GET parameters (§3)', () => {
    it('returns the named columns under their real names, whatever case was asked', async () => {
      const rows = await list(
        table('Album', `?limit=2&fields=${n('Title').toUpperCase()},${n('ArtistId').toLowerCase()}`),
      );
      expect(rows).toEqual([
        { [n('Title')]: 'For Those About To Rock We Salute You', [n('ArtistId')]: 1 },
        { [n('Title')]: 'Balls to the Wall', [n('ArtistId')]: 2 },
      ]);
    });

    it('returns only the primary key for an empty fields=, and every column for fields=*', async () => {
      expect(await list(table('Album', '?limit=2&fields='))).toEqual([
        { [n('AlbumId')]: 1 },
        { [n('AlbumId')]: 2 },
      ]);
      expect(await list(table('PlaylistTrack', '?limit=1&fields='))).toEqual([
        { [n('PlaylistId')]: 1, [n('TrackId')]: 1 },
      ]);
      expect(keysOf((await list(table('Album', '?limit=1&fields=*')))[0])).toEqual([
        n('AlbumId'),
        n('Title'),
        n('ArtistId'),
      ]);
    });

    it('refuses an unknown field with 400 before running any SQL', async () => {
      const res = await get(table('Album', '?fields=Foo'));
      expectError(res, 400, 'Invalid field requested: Foo');
      expect(res.statements).toBe(0);
    });

    it('pages with limit and offset in primary-key order when no order is given', async () => {
      const rows = await list(table('Track', `?fields=${n('TrackId')}&limit=3&offset=2`));
      expect(rows.map((r) => r[n('TrackId')])).toEqual([3, 4, 5]);
    });

    it('orders by several columns with ASC, DESC and NULLS FIRST/LAST like SQL', async () => {
      const path = `?fields=${n('TrackId')}&filter=${encodeURIComponent(nf('AlbumId <= 20'))}&order=${n('Composer')}%20asc%20nulls%20first,${n('TrackId')}%20desc`;
      const rows = await list(table('Track', path));
      const nulls = await sqlKeys('Track', 'TrackId', (q) =>
        q.where(n('AlbumId'), '<=', 20).whereNull(n('Composer')).clearOrder().orderBy(n('TrackId'), 'desc'),
      );
      expect(nulls.length).toBeGreaterThan(0);
      expect(rows.slice(0, nulls.length).map((r) => r[n('TrackId')])).toEqual(nulls);
      const genres = await list(table('Genre', `?fields=${n('Name')}&order=${n('Name')}%20DESC&limit=3`));
      const expected = (await sql()(n('Genre'))
        .select(n('Name'))
        .orderBy(n('Name'), 'desc')
        .limit(3)) as Data[];
      expect(genres).toEqual(expected.map((r) => ({ [n('Name')]: r[n('Name')] })));
    });

    it('refuses an unknown order column and raw SQL in order with DreamFactory’s 400 messages', async () => {
      expectError(await get(table('Album', '?order=Foo')), 400, "Invalid field 'Foo' in order by clause.");
      expectError(
        await get(table('Album', `?order=${n('Title')};drop%20table%20x`)),
        400,
        'Invalid order by clause in request.',
      );
      expectError(await get(table('Album', '?order=sleep(5)')), 400, 'Invalid order by clause in request.');
    });

    it('groups with COUNT(*), SUM, MIN and MAX like SQL', async () => {
      const rows = await list(
        table(
          'Track',
          `?group=${n('GenreId')}&fields=${n('GenreId')},COUNT(*),SUM(${n('Milliseconds')}),MIN(${n('UnitPrice')}),MAX(${n('UnitPrice')})&order=${n('GenreId')}`,
        ),
      );
      const expected = (await sql()(n('Track'))
        .select(n('GenreId'))
        .count({ c: '*' })
        .sum({ s: n('Milliseconds') })
        .min({ lo: n('UnitPrice') })
        .max({ hi: n('UnitPrice') })
        .groupBy(n('GenreId'))
        .orderBy(n('GenreId'))) as Data[];
      expect(rows).toHaveLength(25);
      expect(rows).toEqual(
        expected.map((r) => ({
          [n('GenreId')]: Number(r[n('GenreId')]),
          COUNT_ALL: Number(r.c),
          [`SUM_${n('Milliseconds')}`]: Number(r.s),
          [`MIN_${n('UnitPrice')}`]: Number(r.lo),
          [`MAX_${n('UnitPrice')}`]: Number(r.hi),
        })),
      );
      expectError(
        await get(table('Track', '?group=Foo')),
        400,
        "Invalid or unknown field 'Foo' in group by clause.",
      );
    });

    it('ignores having, refresh and id_type', async () => {
      const plain = await list(table('Genre', '?limit=3'));
      expect(await list(table('Genre', '?limit=3&having=x%3D1&refresh=true&id_type=string'))).toEqual(plain);
    });

    it('answers count_only with a bare number', async () => {
      const res = await get(table('Album', '?count_only=true'));
      expect(res.status).toBe(200);
      expect(res.text).toBe('347');
      expect(res.statements).toBe(1);
      const filtered = await get(
        table('Track', `?count_only=1&filter=${encodeURIComponent(nf('GenreId = 1'))}`),
      );
      expect(filtered.body).toBe(await sqlCount('Track', (q) => q.where(n('GenreId'), 1)));
    });

    it('adds the table description in the alias form to meta.schema with include_schema', async () => {
      const res = await get(table('Album', '?limit=1&include_schema=true'));
      const meta = (res.body as Data).meta as Data;
      expect(keysOf(meta)).toEqual(['schema']);
      expect(meta.schema.name).toBe(n('Album'));
      expect(meta.schema).not.toHaveProperty('alias');
      expect(meta.schema.field.map((f: Data) => f.name)).toEqual([n('AlbumId'), n('Title'), n('ArtistId')]);
      for (const field of meta.schema.field) expect(field).not.toHaveProperty('alias');
    });

    it('returns ids in the order asked, wrapped even for one id, in one statement', async () => {
      const res = await get(table('Album', `?ids=3,1,2&fields=${n('Title')}`));
      expect(res.body).toEqual({
        resource: [
          { [n('Title')]: 'Restless and Wild' },
          { [n('Title')]: 'For Those About To Rock We Salute You' },
          { [n('Title')]: 'Balls to the Wall' },
        ],
      });
      expect(res.statements).toBe(1);
      expect((await get(table('Album', `?ids=4&fields=${n('Title')}`))).body).toEqual({
        resource: [{ [n('Title')]: 'Let There Be Rock' }],
      });
    });

    it('answers ids with a missing one with the batch error, found records included (§5.7)', async () => {
      const res = await get(table('Album', `?ids=3,99999,2&fields=${n('Title')}`));
      expectError(res, 400, 'Batch Error: Not all requested records could be retrieved.', 1000);
      expect((res.body as Data).error.context).toEqual({
        error: [1],
        resource: [
          { [n('Title')]: 'Restless and Wild' },
          {
            code: 404,
            context: null,
            message: "Record with identifier '99999' not found.",
            status_code: 404,
          },
          { [n('Title')]: 'Balls to the Wall' },
        ],
      });
    });

    it('identifies records by id_field, and answers an unknown id_field with DreamFactory’s 500', async () => {
      const res = await get(
        table(
          'Customer',
          `?id_field=${n('Email')}&ids=luisg@embraer.com.br,leonekohler@surfeu.de&fields=${n('CustomerId')}`,
        ),
      );
      expect(res.body).toEqual({ resource: [{ [n('CustomerId')]: 1 }, { [n('CustomerId')]: 2 }] });
      // §1.2 gives this case status 500 with this exact message.
      expectError(
        await get(table('Customer', '?id_field=Nope&ids=1')),
        500,
        `Failed to retrieve records from '${n('Customer')}'.\nIdentifying field(s) could not be determined.`,
      );
    });

    it('lists the name column with as_list, nothing for a table without one, and id_field when given (Q16)', async () => {
      expect((await get(table('Artist', '?as_list=true&limit=3'))).body).toEqual({
        resource: ['AC/DC', 'Accept', 'Aerosmith'],
      });
      expect((await get(table('Album', '?as_list=true&limit=3'))).body).toEqual({ resource: [] });
      expect((await get(table('Album', `?as_list=true&limit=2&id_field=${n('Title')}`))).body).toEqual({
        resource: ['For Those About To Rock We Salute You', 'Balls to the Wall'],
      });
    });

    it('sends a bare list with wrap=false, and keeps the wrapper when there is meta', async () => {
      expect((await get(table('Genre', `?limit=2&fields=${n('GenreId')}&wrap=false`))).body).toEqual([
        { [n('GenreId')]: 1 },
        { [n('GenreId')]: 2 },
      ]);
      expect(keysOf((await get(table('Genre', '?limit=2&wrap=false&include_count=1'))).body)).toEqual([
        'resource',
        'meta',
      ]);
    });
  });

  describe('max records and pagination meta (§3.1)', () => {
    it('caps Track at 1000 rows and adds meta count 3503 and next 1000 when no limit is given', async () => {
      const res = await get(table('Track', `?fields=${n('TrackId')}`));
      expect((res.body as Data).resource).toHaveLength(1000);
      expect((res.body as Data).meta).toEqual({ count: 3503, next: 1000 });
      expect(res.statements).toBe(2);
    });

    it('adds no meta to Album (347 rows) without a limit', async () => {
      const res = await get(table('Album', `?fields=${n('AlbumId')}`));
      expect(keysOf(res.body)).toEqual(['resource']);
      expect((res.body as Data).resource).toHaveLength(347);
    });

    it('adds no meta and runs no count for Track?limit=10', async () => {
      const res = await get(table('Track', '?limit=10'));
      expect(keysOf(res.body)).toEqual(['resource']);
      expect((res.body as Data).resource).toHaveLength(10);
      expect(res.statements).toBe(1);
    });

    it('adds count and next for limit=10&include_count=true', async () => {
      const res = await get(table('Track', '?limit=10&include_count=true'));
      expect((res.body as Data).meta).toEqual({ count: 3503, next: 10 });
    });

    it('adds only the count for limit=10&offset=3500&include_count=true', async () => {
      const res = await get(
        table('Track', `?limit=10&offset=3500&include_count=true&fields=${n('TrackId')}`),
      );
      expect(res.body).toEqual({
        resource: [{ [n('TrackId')]: 3501 }, { [n('TrackId')]: 3502 }, { [n('TrackId')]: 3503 }],
        meta: { count: 3503 },
      });
    });

    it('treats a limit below 1 or above the maximum as no limit', async () => {
      for (const limit of ['0', '-1', '5000']) {
        const res = await get(table('Track', `?fields=${n('TrackId')}&limit=${limit}`));
        expect(res.status, limit).toBe(200);
        expect((res.body as Data).resource, limit).toHaveLength(1000);
        expect((res.body as Data).meta, limit).toEqual({ count: 3503, next: 1000 });
      }
      expect((await get(table('Album', '?include_count=1&fields='))).body).toMatchObject({
        meta: { count: 347 },
      });
    });
  });

  describe('filters (§4)', () => {
    type Build = (q: Knex.QueryBuilder) => unknown;
    /** §4.3's rows (run against the database), plus the guide's unquoted example on a Chinook column. */
    const cases: [string, string, Build][] = [
      ['Album', "Title = 'Let There Be Rock'", (q) => q.where(n('Title'), 'Let There Be Rock')],
      [
        'Album',
        "(ArtistId=1) AND (Title like 'F%')",
        (q) => q.where(n('ArtistId'), 1).where(n('Title'), 'like', 'F%'),
      ],
      ['Track', '(GenreId in (1,2,3))', (q) => q.whereIn(n('GenreId'), [1, 2, 3])],
      ['Track', 'GenreId not in (1, 2)', (q) => q.whereNotIn(n('GenreId'), [1, 2])],
      ['Track', 'Composer is null', (q) => q.whereNull(n('Composer'))],
      ['Track', 'Composer IS NOT NULL', (q) => q.whereNotNull(n('Composer'))],
      ['Track', 'Name contains Rock', (q) => q.where(n('Name'), 'like', '%Rock%')],
      ['Artist', 'Name starts with AC', (q) => q.where(n('Name'), 'like', 'AC%')],
      ['Artist', 'Name ends with DC', (q) => q.where(n('Name'), 'like', '%DC')],
      ['Track', "Name not like '%love%'", (q) => q.whereNot(n('Name'), 'like', '%love%')],
      ['Track', 'UnitPrice gt 0.99', (q) => q.where(n('UnitPrice'), '>', 0.99)],
      ['Artist', 'ArtistId <> 1', (q) => q.whereNot(n('ArtistId'), 1)],
      ['Artist', 'ArtistId NE 1', (q) => q.whereNot(n('ArtistId'), 1)],
      ['Track', 'NOT (GenreId = 1)', (q) => q.whereNot(n('GenreId'), 1)],
      [
        'Track',
        '((GenreId = 1) OR (GenreId = 2)) AND (Milliseconds > 300000)',
        (q) => q.whereIn(n('GenreId'), [1, 2]).where(n('Milliseconds'), '>', 300000),
      ],
      [
        'Track',
        '(GenreId = 1)&&(MediaTypeId = 1)',
        (q) => q.where(n('GenreId'), 1).where(n('MediaTypeId'), 1),
      ],
      ['Track', 'Milliseconds>300000', (q) => q.where(n('Milliseconds'), '>', 300000)],
      ['Customer', 'Country=Brazil', (q) => q.where(n('Country'), 'Brazil')],
    ];

    it.each(cases)('runs the §4.3 filter on %s: %s, with the rows SQL finds', async (name, filter, build) => {
      const pk = name === 'Customer' ? 'CustomerId' : `${name}Id`;
      const expected = await sqlKeys(name, pk, build);
      const total = await sqlCount(name);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(total);
      const query = `filter=${encodeURIComponent(nf(filter))}`;
      expect((await get(table(name, `?count_only=true&${query}`))).body).toBe(expected.length);
      const rows = await list(table(name, `?fields=${n(pk)}&limit=200&${query}`));
      expect(rows.map((r) => r[n(pk)])).toEqual(expected.slice(0, 200));
    });

    it('binds :name parameters from params in the body (§4.3)', async () => {
      const res = await tunnel(table('Artist'), { filter: nf('Name = :n'), params: { ':n': 'AC/DC' } });
      expect((res.body as Data).resource).toEqual([{ [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' }]);
    });

    it('keeps quotes inside the pattern of contains, starts with and ends with (Q13)', async () => {
      const quoted = await sqlCount('Track', (q) => q.where(n('Name'), 'like', "%'n'%"));
      expect(quoted).toBeGreaterThan(0);
      const count = async (filter: string) =>
        (await get(table('Track', `?count_only=1&filter=${encodeURIComponent(nf(filter))}`))).body;
      expect(await count("Name contains 'n'")).toBe(quoted);
      expect(await count("Name contains 'Rock'")).toBe(
        await sqlCount('Track', (q) => q.where(n('Name'), 'like', "%'Rock'%")),
      );
      expect(await count("Name starts with 'For")).toBe(
        await sqlCount('Track', (q) => q.where(n('Name'), 'like', "'For%")),
      );
    });

    it('ignores a filter sent as a JSON object (Q15)', async () => {
      const res = await tunnel(table('Genre'), { filter: { [n('GenreId')]: 1 } });
      expect((res.body as Data).resource).toHaveLength(25);
    });

    it('compares the whole tail of an unparenthesised AND on a string column, silently', async () => {
      const res = await get(
        table('Artist', `?filter=${encodeURIComponent(nf('Name = AC/DC AND ArtistId = 1'))}`),
      );
      expect(res.body).toEqual({ resource: [] });
    });

    it('answers every MUST error of §4.2 with its exact message', async () => {
      const cases: [string, string][] = [
        ['Foo = 1', "Invalid or unparsable field in filter request: 'Foo'"],
        ["Album.Title = 'x'", `Invalid or unparsable field in filter request: '${nf('Album.Title')}'`],
        ['GenreId', 'Invalid or unparsable filter request.'],
        ['GenreId in 1,2', 'Filter value lists must be wrapped in parentheses.'],
        ['GenreId = abc', `Field '${n('GenreId')}' must be a valid integer.`],
        ['GenreId = 1 AND MediaTypeId = 2', `Field '${n('GenreId')}' must be a valid integer.`],
      ];
      for (const [filter, message] of cases) {
        const res = await get(table('Track', `?filter=${encodeURIComponent(nf(filter))}`));
        expectError(res, 400, message);
        expect(res.statements, filter).toBe(0);
      }
    });

    it('answers malformed filters with 400 and never reaches the database', async () => {
      for (const filter of [
        '((GenreId = 1)',
        '(GenreId = 1))',
        'TrackId =',
        'AND',
        '= 1',
        'GenreId = (SELECT 1)',
        'UnitPrice = abc',
        'GenreId in (1,',
        'Composer is null extra',
      ]) {
        const res = await get(table('Track', `?filter=${encodeURIComponent(nf(filter))}`));
        expect(res.status, filter).toBe(400);
        expectError(res, 400);
        expect(res.statements, filter).toBe(0);
      }
    });
  });

  describe('related records (§8.4)', () => {
    it('answers the §8.4 example exactly', async () => {
      const rel = n('Album_by_ArtistId');
      const res = await get(
        `/api/v2/chinook/_table/${n('Artist')}/1?related=${rel}&${rel}.fields=${n('Title')}`,
      );
      expect(res.text).toBe(
        JSON.stringify({
          [n('ArtistId')]: 1,
          [n('Name')]: 'AC/DC',
          [rel]: [
            { [n('Title')]: 'For Those About To Rock We Salute You' },
            { [n('Title')]: 'Let There Be Rock' },
          ],
        }),
      );
      expect(res.statements).toBe(2);
    });

    it('gives a belongs_to an object, or null when the key is NULL', async () => {
      const rel = n('Artist_by_MentorId');
      const rows = await list(table('ArtistBio', `?related=${rel}&fields=${n('ArtistId')}`));
      expect(rows).toEqual([
        { [n('ArtistId')]: 1, [n('MentorId')]: null, [rel]: null },
        { [n('ArtistId')]: 2, [n('MentorId')]: 1, [rel]: { [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' } },
      ]);
    });

    it('gives a has_one an object, or [] when there is none (Q10)', async () => {
      const rel = n('ArtistBio_by_ArtistId');
      const schema = await get(`/api/v2/chinook/_schema/${n('Artist')}/_related/${rel}`);
      expect((schema.body as Data).type).toBe('has_one');
      const rows = await list(
        table('Artist', `?ids=1,3&fields=${n('Name')}&related=${rel}&${rel}.fields=${n('Bio')}`),
      );
      expect(rows).toEqual([
        { [n('Name')]: 'AC/DC', [n('ArtistId')]: 1, [rel]: { [n('Bio')]: 'Australian hard rock band' } },
        { [n('Name')]: 'Aerosmith', [n('ArtistId')]: 3, [rel]: [] },
      ]);
    });

    it('gives a has_many an array, [] when empty, in one statement for all parents', async () => {
      const rel = n('Album_by_ArtistId');
      const res = await get(
        table('Artist', `?limit=30&fields=${n('ArtistId')}&related=${rel}&${rel}.fields=${n('AlbumId')}`),
      );
      const rows = (res.body as Data).resource as Data[];
      for (const row of rows) {
        const expected = await sqlKeys('Album', 'AlbumId', (q) => q.where(n('ArtistId'), row[n('ArtistId')]));
        expect(row[rel].map((a: Data) => a[n('AlbumId')]).sort((a: number, b: number) => a - b)).toEqual(
          expected,
        );
      }
      expect(rows.some((r) => r[rel].length === 0)).toBe(true);
      expect(res.statements).toBe(2);
    });

    it('repeats a many_many row once per junction row: album 1 has ten tracks, so ten copies of Rock', async () => {
      const rel = n('Genre_by_Track');
      const tracks = await sqlCount('Track', (q) => q.where(n('AlbumId'), 1));
      expect(tracks).toBe(10);
      const res = await get(table('Album', `/1?related=${rel}`));
      expect((res.body as Data)[rel]).toEqual(
        Array.from({ length: 10 }, () => ({ [n('GenreId')]: 1, [n('Name')]: 'Rock' })),
      );
      expect(res.statements).toBe(2);
    });

    it('applies the related limit to all parents together: the albums’ tracks stop after 1000 (Q9)', async () => {
      const rel = n('Track_by_AlbumId');
      const albums = await list(
        table('Album', `?fields=${n('AlbumId')}&related=${rel}&${rel}.fields=${n('TrackId')}`),
      );
      expect(albums).toHaveLength(347);
      const tracks = albums.flatMap((a) => a[rel] as Data[]);
      expect(tracks).toHaveLength(1000);
      expect(albums.filter((a) => a[rel].length === 0).length).toBeGreaterThan(200);
      // Each track sits under its own album.
      const owners = new Map(
        ((await sql()(n('Track')).select(n('TrackId'), n('AlbumId'))) as Data[]).map((r) => [
          Number(r[n('TrackId')]),
          Number(r[n('AlbumId')]),
        ]),
      );
      for (const album of albums)
        for (const track of album[rel]) expect(owners.get(track[n('TrackId')])).toBe(album[n('AlbumId')]);
      // With an order the 1000 are exactly the first 1000 tracks by id.
      const ordered = await list(
        table(
          'Album',
          `?fields=${n('AlbumId')}&related=${rel}&${rel}.fields=${n('TrackId')}&${rel}.order=${n('TrackId')}`,
        ),
      );
      const ids = ordered.flatMap((a) => a[rel].map((t: Data) => t[n('TrackId')])).sort((a, b) => a - b);
      expect(ids).toEqual(await sqlKeys('Track', 'TrackId', (q) => q.limit(1000)));
    });

    it('applies a relation limit across parents, and per parent only with the per_parent extension', async () => {
      const rel = n('Album_by_ArtistId');
      const base = `?limit=10&fields=${n('ArtistId')}&related=${rel}&${rel}.fields=${n('AlbumId')}&${rel}.limit=2&${rel}.order=${n('AlbumId')}`;
      const global = await list(table('Artist', base));
      expect(global.flatMap((a) => a[rel])).toHaveLength(2);
      const perParent = await list(table('Artist', `${base}&${rel}.per_parent=true`));
      for (const artist of perParent) {
        const expected = await sqlKeys('Album', 'AlbumId', (q) =>
          q.where(n('ArtistId'), artist[n('ArtistId')]).limit(2),
        );
        expect(artist[rel].map((a: Data) => a[n('AlbumId')])).toEqual(expected);
      }
      expect(perParent.flatMap((a) => a[rel]).length).toBeGreaterThan(2);
    });

    it('reads every relation with related=*, names in any case, and ignores unknown names', async () => {
      const all = await get(table('Album', `/1?related=*&fields=${n('Title')}`));
      expect(all.status, all.text.slice(0, 300)).toBe(200);
      const names = ['Artist_by_ArtistId', 'Track_by_AlbumId', 'Genre_by_Track', 'MediaType_by_Track'].map(n);
      expect(keysOf(all.body).sort()).toEqual([n('Title'), n('ArtistId'), n('AlbumId'), ...names].sort());
      expect(all.statements).toBe(5);
      const mixed = await get(table('Album', `/1?related=${n('Artist_by_ArtistId').toUpperCase()},Nope`));
      expect(mixed.body).toEqual({
        [n('AlbumId')]: 1,
        [n('Title')]: 'For Those About To Rock We Salute You',
        [n('ArtistId')]: 1,
        [n('Artist_by_ArtistId')]: { [n('ArtistId')]: 1, [n('Name')]: 'AC/DC' },
      });
      expect((await get(table('Album', '/1?related=Nope'))).body).toEqual({
        [n('AlbumId')]: 1,
        [n('Title')]: 'For Those About To Rock We Salute You',
        [n('ArtistId')]: 1,
      });
    });

    it('lists Employee_by_ReportsTo as the direct reports (self-key collision, Q11)', async () => {
      const rel = n('Employee_by_ReportsTo');
      const res = await get(
        table('Employee', `/2?fields=${n('EmployeeId')}&related=${rel}&${rel}.fields=${n('EmployeeId')}`),
      );
      expect(res.body).toEqual({
        [n('EmployeeId')]: 2,
        [rel]: [{ [n('EmployeeId')]: 3 }, { [n('EmployeeId')]: 4 }, { [n('EmployeeId')]: 5 }],
      });
    });

    it('adds the local key to a restricted fields list and drops the far key it added (§8.4)', async () => {
      const rel = n('Track_by_AlbumId');
      const res = await get(
        table(
          'Album',
          `/4?fields=${n('Title')}&related=${rel}&${rel}.fields=${n('Name')}&${rel}.limit=2&${rel}.order=${n('TrackId')}`,
        ),
      );
      expect(res.body).toEqual({
        [n('Title')]: 'Let There Be Rock',
        [n('AlbumId')]: 4,
        [rel]: [{ [n('Name')]: 'Go Down' }, { [n('Name')]: 'Dog Eat Dog' }],
      });
    });
  });

  describe('value typing (§5.8)', () => {
    it('returns decimals and integers as JSON numbers and dates as the stored text', async () => {
      const invoice = await get(
        table('Invoice', `/1?fields=${n('InvoiceDate')},${n('Total')},${n('CustomerId')}`),
      );
      expect(invoice.body).toEqual({
        [n('InvoiceDate')]: '2021-01-01 00:00:00',
        [n('Total')]: 1.98,
        [n('CustomerId')]: 2,
      });
      const track = await get(
        table('Track', `/2820?fields=${n('UnitPrice')},${n('Milliseconds')},${n('Bytes')}`),
      );
      expect(track.text).toMatch(new RegExp(`"${n('UnitPrice')}":1\\.99,`));
      const stored = (await sql()(n('Employee')).where(n('EmployeeId'), 1).select(n('BirthDate'))) as Data[];
      const employee = await get(table('Employee', `/1?fields=${n('BirthDate')}`));
      expect(employee.body).toEqual({ [n('BirthDate')]: String(stored[0]?.[n('BirthDate')]) });
      expect((employee.body as Data)[n('BirthDate')]).toBe('1962-02-18 00:00:00');
    });
  });

  describe('listings and descriptions (§7)', () => {
    const tableNames = () =>
      [...CHINOOK_TABLES, 'ArtistBio'].map(n).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));

    it('lists the tables sorted case-insensitively under _table and _schema, or as names with as_list', async () => {
      const expected = { resource: tableNames().map((name) => ({ name })) };
      expect((await get('/api/v2/chinook/_table')).body).toEqual(expected);
      expect((await get('/api/v2/chinook/_schema')).body).toEqual(expected);
      expect((await get('/api/v2/chinook/_schema?as_list=true')).body).toEqual({ resource: tableNames() });
    });

    it('summarises tables with their verbs for fields=*, filtered by ids', async () => {
      const res = await get(`/api/v2/chinook/_table?fields=*&ids=${n('Album')},${n('Track').toUpperCase()}`);
      const rows = (res.body as Data).resource as Data[];
      expect(rows.map((r) => r.name)).toEqual([n('Album'), n('Track')]);
      expect(keysOf(rows[0])).toEqual([
        'alias',
        'name',
        'label',
        'description',
        'native',
        'plural',
        'is_view',
        'access',
      ]);
      expect(rows[0]).toMatchObject({ is_view: false, access: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] });
    });

    it('describes several tables in full with _schema?ids=', async () => {
      const res = await get(`/api/v2/chinook/_schema?ids=${n('Album')},${n('Artist')}`);
      const rows = (res.body as Data).resource as Data[];
      expect(rows.map((r) => r.name)).toEqual([n('Album'), n('Artist')]);
      expect(rows[0]?.field).toHaveLength(3);
    });

    it('describes Album as §7.2 shows, with its keys in DreamFactory’s order', async () => {
      const res = await get(`/api/v2/chinook/_schema/${n('Album').toLowerCase()}`);
      const album = res.body as Data;
      expect(keysOf(album)).toEqual([
        'alias',
        'name',
        'label',
        'description',
        'native',
        'plural',
        'is_view',
        'primary_key',
        'name_field',
        'field',
        'related',
        'constraints',
        'access',
      ]);
      expect(album).toMatchObject({
        alias: null,
        name: n('Album'),
        description: null,
        native: [],
        is_view: false,
        primary_key: [n('AlbumId')],
        name_field: null,
        access: 31,
      });
      expect(keysOf(album.field[0])).toEqual([
        'alias',
        'name',
        'label',
        'description',
        'native',
        'type',
        'db_type',
        'length',
        'precision',
        'scale',
        'default',
        'required',
        'allow_null',
        'fixed_length',
        'supports_multibyte',
        'auto_increment',
        'is_primary_key',
        'is_unique',
        'is_index',
        'is_foreign_key',
        'ref_table',
        'ref_field',
        'ref_on_update',
        'ref_on_delete',
        'picklist',
        'validation',
        'db_function',
        'is_virtual',
        'is_aggregate',
      ]);
      const [id, title, artist] = album.field as Data[];
      expect(id).toMatchObject({
        name: n('AlbumId'),
        type: 'id',
        default: null,
        required: false,
        allow_null: false,
        auto_increment: true,
        is_primary_key: true,
        is_foreign_key: false,
        ref_table: null,
        ref_field: null,
      });
      expect(title).toMatchObject({
        name: n('Title'),
        label: 'Title',
        type: 'string',
        length: 160,
        required: true,
        allow_null: false,
        supports_multibyte: true,
        is_primary_key: false,
      });
      expect(artist).toMatchObject({
        name: n('ArtistId'),
        type: 'reference',
        required: true,
        allow_null: false,
        is_foreign_key: true,
        ref_table: n('Artist'),
        ref_field: n('ArtistId'),
        ref_on_update: null,
        ref_on_delete: null,
      });
      expect(keysOf(album.related[0])).toEqual([
        'alias',
        'name',
        'label',
        'description',
        'native',
        'type',
        'field',
        'is_virtual',
        'ref_service_id',
        'ref_table',
        'ref_field',
        'ref_on_update',
        'ref_on_delete',
        'junction_service_id',
        'junction_table',
        'junction_field',
        'junction_ref_field',
        'always_fetch',
        'flatten',
        'flatten_drop_prefix',
      ]);
      const related = Object.fromEntries((album.related as Data[]).map((r) => [r.name, r]));
      expect(Object.keys(related).sort()).toEqual(
        ['Artist_by_ArtistId', 'Track_by_AlbumId', 'Genre_by_Track', 'MediaType_by_Track'].map(n).sort(),
      );
      expect(related[n('Artist_by_ArtistId')]).toMatchObject({
        type: 'belongs_to',
        field: n('ArtistId'),
        is_virtual: false,
        ref_service_id: 1,
        ref_table: n('Artist'),
        ref_field: n('ArtistId'),
        junction_table: null,
        always_fetch: false,
      });
      expect(related[n('Artist_by_ArtistId')].label).toBe(
        dialect === 'postgres' ? 'Artist By Artist Id' : 'Artist By ArtistId',
      );
      expect(related[n('Track_by_AlbumId')]).toMatchObject({
        type: 'has_many',
        field: n('AlbumId'),
        ref_table: n('Track'),
        ref_field: n('AlbumId'),
      });
      expect(related[n('Genre_by_Track')]).toMatchObject({
        type: 'many_many',
        field: n('AlbumId'),
        ref_table: n('Genre'),
        ref_field: n('GenreId'),
        junction_service_id: 1,
        junction_table: n('Track'),
        junction_field: n('AlbumId'),
        junction_ref_field: n('GenreId'),
      });
      const constraints = Object.values(album.constraints as Data);
      expect(constraints).toContainEqual(
        expect.objectContaining({
          constraint_type: 'FOREIGN KEY',
          table_name: n('Album'),
          column_name: n('ArtistId'),
          referenced_table_name: n('Artist'),
          referenced_column_name: n('ArtistId'),
        }),
      );
      expect((album.constraints as Data).primary).toMatchObject({
        constraint_type: 'PRIMARY KEY',
        column_name: n('AlbumId'),
      });
    });

    it('finds fields case-sensitively under _schema/{table}/{field}: a wrong case is 404', async () => {
      const title = n('Title');
      const wrong = title === title.toLowerCase() ? title.toUpperCase() : title.toLowerCase();
      expectError(
        await get(`/api/v2/chinook/_schema/${n('Album')}/${wrong}`),
        404,
        `No requested fields found in table '${n('Album')}'.`,
      );
      expect((await get(`/api/v2/chinook/_schema/${n('Album')}/${title}`)).body).toMatchObject({
        name: title,
        type: 'string',
      });
    });

    it('serves _field and _related lists and single entries', async () => {
      const fields = await get(`/api/v2/chinook/_schema/${n('Album')}/_field`);
      expect((fields.body as Data).resource.map((f: Data) => f.name)).toEqual([
        n('AlbumId'),
        n('Title'),
        n('ArtistId'),
      ]);
      expect((await get(`/api/v2/chinook/_schema/${n('Album')}/_field/${n('ArtistId')}`)).body).toMatchObject(
        {
          name: n('ArtistId'),
          type: 'reference',
        },
      );
      const related = await get(`/api/v2/chinook/_schema/${n('Album')}/_related`);
      expect((related.body as Data).resource).toHaveLength(4);
      expect(
        (await get(`/api/v2/chinook/_schema/${n('Album')}/_related/${n('Genre_by_Track').toLowerCase()}`))
          .body,
      ).toMatchObject({
        name: n('Genre_by_Track'),
        type: 'many_many',
      });
      expectError(await get(`/api/v2/chinook/_schema/${n('Album')}/_related/Nope`), 404);
    });

    it('answers an invalid schema path with 400 and a missing table with 404', async () => {
      expectError(
        await get(`/api/v2/chinook/_schema/${n('Album')}/x/y`),
        400,
        'Invalid schema path in describe request.',
      );
      expectError(
        await get('/api/v2/chinook/_schema/Nope'),
        404,
        'Table &quot;Nope&quot; does not exist in the database.',
      );
    });

    it('lists §8.5’s relationships for Track', async () => {
      const res = await get(`/api/v2/chinook/_schema/${n('Track')}/_related`);
      const types = Object.fromEntries(((res.body as Data).resource as Data[]).map((r) => [r.name, r.type]));
      expect(types).toEqual({
        [n('Album_by_AlbumId')]: 'belongs_to',
        [n('Genre_by_GenreId')]: 'belongs_to',
        [n('MediaType_by_MediaTypeId')]: 'belongs_to',
        [n('InvoiceLine_by_TrackId')]: 'has_many',
        [n('PlaylistTrack_by_TrackId')]: 'has_many',
        [n('Invoice_by_InvoiceLine')]: 'many_many',
        [n('Playlist_by_PlaylistTrack')]: 'many_many',
      });
    });
  });

  describe('formats (§12)', () => {
    it('answers XML for accept=application/xml and for an Accept: text/xml header', async () => {
      const path = table('Artist', `?limit=2`);
      const expected = `<?xml version="1.0" ?><dfapi><resource><${n('ArtistId')}>1</${n('ArtistId')}><${n('Name')}>AC/DC</${n('Name')}></resource><resource><${n('ArtistId')}>2</${n('ArtistId')}><${n('Name')}>Accept</${n('Name')}></resource></dfapi>`;
      const param = await get(`${path}&accept=application/xml`);
      expect(param.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(param.text).toBe(expected);
      expect((await get(path, { accept: 'text/xml' })).text).toBe(expected);
    });

    it('answers CSV with a header row, nested values as JSON, for Accept: text/csv', async () => {
      const res = await get(table('Album', `/1?related=${n('Artist_by_ArtistId')}`), { accept: 'text/csv' });
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = res.text.trim().split(/\r?\n/);
      expect(lines[0]).toBe([n('AlbumId'), n('Title'), n('ArtistId'), n('Artist_by_ArtistId')].join(','));
      expect(lines[1]).toBe(
        `1,For Those About To Rock We Salute You,1,"{""${n('ArtistId')}"":1,""${n('Name')}"":""AC/DC""}"`,
      );
    });

    it('sends a download with file=albums.csv, and names file=true after the resource', async () => {
      const res = await get(table('Album', `?limit=2&fields=${n('AlbumId')},${n('Title')}&file=albums.csv`));
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="albums.csv";');
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.text.trim().split(/\r?\n/)).toEqual([
        `${n('AlbumId')},${n('Title')}`,
        '1,For Those About To Rock We Salute You',
        '2,Balls to the Wall',
      ]);
      const json = await get(table('Album', '?limit=1&file=true'));
      expect(json.headers.get('content-disposition')).toBe(
        `attachment; filename="_table/${n('Album')}.json";`,
      );
    });

    it('renders errors from the error object in CSV, and refuses an unknown Accept on a success', async () => {
      const csv = await get('/api/v2/chinook/_table/Nope?accept=text/csv');
      expect(csv.status).toBe(404);
      expect(csv.text.trim().split(/\r?\n/)).toEqual([
        'code,context,message,status_code',
        '404,,Table &quot;Nope&quot; does not exist in the database.,404',
      ]);
      expectError(
        await get(table('Artist', '/1'), { accept: 'image/png' }),
        400,
        /^Content in response can not be resolved to acceptable content type/,
      );
    });
  });

  describe('bad input', () => {
    it('answers unknown tables, fields and relations with 4xx envelopes or ignores them as DF does', async () => {
      expectError(await get('/api/v2/chinook/_table/Nope?filter=x'), 404);
      expectError(
        await get(table('Album', `?fields=${n('Title')},Nope`)),
        400,
        'Invalid field requested: Nope',
      );
      expectError(await get(table('Album', '?filter=Nope%20%3D%201')), 400);
      const related = await get(table('Album', '/1?related=Nope'));
      expect(related.status).toBe(200);
      expectError(
        await get(
          table('Album', `/1?related=${n('Artist_by_ArtistId')}&${n('Artist_by_ArtistId')}.fields=Nope`),
        ),
        400,
      );
      expectError(
        await get(table('Album', `?related=${n('Track_by_AlbumId')}&${n('Track_by_AlbumId')}.order=Nope`)),
        400,
      );
    });

    it('answers values of the wrong type with 400', async () => {
      expectError(await get(table('Album', '?limit=abc')), 400, "Invalid value for limit: 'abc'.");
      expectError(await get(table('Album', '?offset=-3')), 400, "Invalid value for offset: '-3'.");
      expectError(
        await get(table('Album', '?ids=1,abc')),
        400,
        `Field '${n('AlbumId')}' must be a valid integer.`,
      );
      expectError(await get(table('Album', '/1.5')), 400, `Field '${n('AlbumId')}' must be a valid integer.`);
      expectError(await get(table('Track', `?filter=${encodeURIComponent(nf('UnitPrice = cheap'))}`)), 400);
      expectError(
        await tunnel(table('Artist'), { filter: nf('Name = :n'), params: { ':n': { x: 1 } } }),
        400,
      );
    });

    it('answers limit=-1 with max records (200), not an error', async () => {
      const res = await get(table('Genre', '?limit=-1'));
      expect(res.status).toBe(200);
      expect((res.body as Data).resource).toHaveLength(25);
    });

    it('refuses a 100 KB filter with 400', async () => {
      const filter = `(${n('TrackId')} = 1) OR `.repeat(6000) + `(${n('TrackId')} = 2)`;
      expect(filter.length).toBeGreaterThan(100_000);
      expectError(
        await tunnel(table('Track'), { filter }),
        400,
        'Invalid filter request: longer than 100000 characters.',
      );
    });

    it("answers a 100 KB filter sent in the URL itself in DreamFactory's envelope, not with a bare 431", async () => {
      const filter = `(${n('TrackId')} = 1) OR `.repeat(6000) + `(${n('TrackId')} = 2)`;
      expectError(
        await get(table('Track', `?filter=${encodeURIComponent(filter)}`)),
        400,
        'Invalid filter request: longer than 100000 characters.',
      );
      const within = `(${n('TrackId')} = 5) OR `.repeat(3999) + `(${n('TrackId')} = 7)`;
      const res = await get(table('Track', `?fields=${n('TrackId')}&filter=${encodeURIComponent(within)}`));
      expect(res.status, res.text.slice(0, 200)).toBe(200);
      expect(res.body).toEqual({ resource: [{ [n('TrackId')]: 5 }, { [n('TrackId')]: 7 }] });
    });

    it('runs a long filter of 4000 ORed conditions under the limit, also on SQLite', async () => {
      const filter = `(${n('TrackId')} = 5) OR `.repeat(3999) + `(${n('TrackId')} = 7)`;
      expect(filter.length).toBeLessThan(100_000);
      const res = await tunnel(table('Track', `?fields=${n('TrackId')}`), { filter });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.body).toEqual({ resource: [{ [n('TrackId')]: 5 }, { [n('TrackId')]: 7 }] });
    });

    it('refuses a filter binding more than 30000 values with 400', async () => {
      const filter = `${n('TrackId')} in (${Array.from({ length: 30_001 }, () => '1').join(',')})`;
      expectError(
        await tunnel(table('Track'), { filter }),
        400,
        'Invalid filter request: more than 30000 values.',
      );
    });

    it('reads 1000 ids in one request, also for a composite key on SQLite', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
      const res = await tunnel(table('Track', `?fields=${n('TrackId')}`), { ids });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect((res.body as Data).resource.map((r: Data) => r[n('TrackId')])).toEqual(ids);
      const pairs = (
        (await sql()(n('PlaylistTrack'))
          .orderBy([n('PlaylistId'), n('TrackId')])
          .limit(1000)) as Data[]
      ).map((r) => ({
        [n('PlaylistId')]: Number(r[n('PlaylistId')]),
        [n('TrackId')]: Number(r[n('TrackId')]),
      }));
      const composite = await tunnel(table('PlaylistTrack'), { resource: pairs });
      expect(composite.status, composite.text.slice(0, 300)).toBe(200);
      expect((composite.body as Data).resource).toEqual(pairs);
    });

    it('refuses 10,000 ids with 400', async () => {
      const ids = Array.from({ length: 10_000 }, (_, i) => i + 1);
      const res = await tunnel(table('Track'), { ids });
      expectError(res, 400, /Too many ids/);
      expect(res.statements).toBe(0);
    });

    it('refuses tunnelled GET bodies that are not JSON with 400', async () => {
      const send = (body: string, type: string) =>
        rest.request(table('Artist'), {
          method: 'POST',
          headers: { 'X-HTTP-Method': 'GET', 'content-type': type },
          body,
        });
      expectError(await send('not json', 'application/json'), 400, /^Invalid JSON in request body/);
      expectError(await send('{"filter": "x"', 'application/json'), 400, /^Invalid JSON in request body/);
      expectError(await send('not json', 'text/plain'), 400, 'Unrecognized payload type');
      expectError(await send('<a><b></a>', 'application/xml'), 400, /^Invalid XML in request body/);
      expectError(
        await send('\u0000\u0001binary', 'application/octet-stream'),
        400,
        'Unrecognized payload type',
      );
    });

    it('refuses a body over 10 MB with 413', async () => {
      const body = `{"filter":"${'x'.repeat(10 * 1024 * 1024)}"}`;
      const res = await rest.request(table('Track'), {
        method: 'POST',
        headers: { 'X-HTTP-Method': 'GET', 'content-type': 'application/json' },
        body,
      });
      expectError(res, 413, /too large/);
    });

    it('escapes quotes, ampersands and angle brackets in messages as htmlentities does (§6.1)', async () => {
      const res = await get('/api/v2/chinook/_table/%22a%26b%3Cc%3E%22');
      expectError(res, 404, 'Table &quot;&quot;a&amp;b&lt;c&gt;&quot;&quot; does not exist in the database.');
    });
  });
});
