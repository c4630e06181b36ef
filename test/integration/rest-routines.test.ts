// REST stored procedures and functions end to end (compat §11, §6, §10; security.md T3, T17): a real server
// per database over a fresh Chinook plus test/fixtures/routines/{postgres,mysql}.sql, called over HTTP as a
// DreamFactory client would. Every calling form (body array / object / legacy list, inline, URL names) and
// formatting option (wrapper, returns, schema), listings and descriptions for a full and a restricted role,
// and bad input: unknown routines, wrong counts and types, injection text in every argument position (a 400
// for typed parameters, a literal value for text ones), and no SQL or driver text in any answer. Expected
// values come from plain SQL through the driver against the same database.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import type { RoleConfig } from '../../src/auth/types.js';
import { routinesSql } from '../fixtures/routines/routines.js';
import { checksums, entry, role } from './support/access.js';
import { chinookName, useChinook } from './support/chinook.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient, type RestResult } from './support/rest.js';

type Data = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIALECTS = [
  ['PostgreSQL', 'postgres'],
  ['MariaDB', 'mysql'],
] as const;

const KEYS = {
  admin: 'routines-admin-key-0123456789abcdef0123',
  limited: 'routines-limited-key-0123456789abcdef01',
  wild: 'routines-wild-key-0123456789abcdef012345',
};

const ROLES: RoleConfig[] = [
  role('admin', [entry('*', '*')]),
  // Listing procedures (not functions); bump by GET and POST, touch by POST only, album_count by GET only.
  role('limited', [
    entry('_proc/', ['GET']),
    entry('_proc/bump', ['GET', 'POST']),
    entry('_proc/touch', ['POST']),
    entry('_func/album_count', ['GET']),
  ]),
  // Every procedure by GET, nothing else.
  role('wild', [entry('_proc/*', ['GET'])]),
];

const ERROR_KEYS = ['code', 'context', 'message', 'status_code'];
const DESCRIPTION_KEYS = [
  'alias',
  'name',
  'label',
  'description',
  'native',
  'return_type',
  'return_schema',
  'params',
  'access',
];
const PARAM_KEYS = [
  'name',
  'position',
  'param_type',
  'type',
  'db_type',
  'length',
  'precision',
  'scale',
  'default',
];

/** Text no answer may carry: SQL, SQLSTATE and driver vocabulary, stack traces. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(
    /\bselect\b[\s\S]*\bfrom\b|\b(insert into|delete from)\b|\bcall\s+[`"]?\w+[`"]?\s*\(/i,
  );
  expect(text).not.toMatch(/sqlstate|\bER_[A-Z_]+|syntax error|value too long|violates|node_modules/i);
  expect(text).not.toMatch(/\n\s*at |\bat \S+ \(|\.ts:\d+|junction_p\d/);
}

/** A DreamFactory error envelope (§6.1) with the status and message, and nothing internal in it. */
function expectError(res: RestResult, status: number, message?: string | RegExp): void {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(Object.keys(res.body as Data)).toEqual(['error']);
  const error = (res.body as Data).error as Data;
  expect(Object.keys(error)).toEqual(ERROR_KEYS);
  expect(error.code).toBe(status);
  expect(error.status_code).toBe(status);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  expectNoInternals(res.text);
}

/** Injection text for argument values: SQL syntax, comments, stacked statements, sleeps, MySQL variables. */
const INJECTIONS = [
  '1 OR 1=1',
  "1' OR '1'='1",
  '1; DROP TABLE album; --',
  '1 UNION SELECT 1',
  '1)) OR ((1=1',
  'pg_sleep(3) --',
  "1' AND SLEEP(3) AND '1",
  "'; SELECT pg_sleep(3); --",
  "\\' OR 1=1 -- ",
  '@junction_p1',
  '$1',
  '1 AND 1=2 --',
  '0x41',
];

describe.each(DIALECTS)('REST routines on %s', (label, dialect) => {
  const chinook = useChinook(dialect, routinesSql(dialect));
  let server: TestServer;
  let rest: RestClient;
  const n = (name: string) => chinookName(dialect, name);
  const sql = (): Knex => chinook.knex;
  /** customer_invoices is a set-returning function on PostgreSQL and a procedure on MySQL. */
  const invoicesAt = dialect === 'postgres' ? '_func' : '_proc';
  const procedures =
    dialect === 'postgres'
      ? ['bump', 'invoice_total', 'touch']
      : ['artist_and_albums', 'bump', 'customer_invoices', 'invoice_total', 'touch'];
  const functions =
    dialect === 'postgres'
      ? ['add_genre', 'album_count', 'albums_of', 'customer_invoices']
      : ['add_genre', 'album_count'];

  beforeAll(async () => {
    server = await startTestServer({
      ...testConfig([chinook.service]),
      auth: {
        apiKeyInQuery: true,
        roles: ROLES,
        apps: Object.entries(KEYS).map(([name, key]) => ({
          name: `app-${name}`,
          description: null,
          active: true,
          role: name,
          apiKeyHash: hashApiKey(key),
        })),
      },
    });
    rest = restClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  interface Send {
    method?: string;
    json?: unknown;
    key?: keyof typeof KEYS;
    headers?: Record<string, string>;
  }
  const api = (path: string, send: Send = {}) =>
    rest.request(`/api/v2/chinook/${path}`, {
      method: send.method,
      json: send.json,
      headers: { 'x-dreamfactory-api-key': KEYS[send.key ?? 'admin'], ...send.headers },
    });
  /** A 200, its body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read dynamically
  async function ok(path: string, send: Send = {}): Promise<any> {
    const res = await api(path, send);
    expect(res.status, `${path}: ${res.text.slice(0, 500)}`).toBe(200);
    return res.body;
  }

  async function invoicesOf(cust: number): Promise<Data[]> {
    return (await sql()(n('Invoice'))
      .select(n('InvoiceId'), n('Total'))
      .where(n('CustomerId'), cust)
      .orderBy(n('InvoiceId'))) as Data[];
  }
  async function totalOf(cust: number): Promise<number> {
    const [row] = (await sql()(n('Invoice'))
      .sum({ s: n('Total') })
      .where(n('CustomerId'), cust)) as Data[];
    return Math.round(Number(row?.s ?? 0) * 100) / 100;
  }
  async function albumsOf(artist: number): Promise<Data[]> {
    return (await sql()(n('Album')).where(n('ArtistId'), artist).orderBy(n('AlbumId'))) as Data[];
  }
  async function genreNamed(name: string): Promise<Data[]> {
    return (await sql()(n('Genre')).where(n('Name'), name)) as Data[];
  }

  describe('listings and descriptions (§11.1)', () => {
    it('lists procedures and functions apart, naturally sorted', async () => {
      expect(await ok('_proc')).toEqual({ resource: procedures.map((name) => ({ name })) });
      expect(await ok('_func')).toEqual({ resource: functions.map((name) => ({ name })) });
      expect(await ok('_proc?as_list=true')).toEqual({ resource: procedures });
      expect(await ok('_func/?as_list=1')).toEqual({ resource: functions });
    });

    it('gives summaries with access verb arrays for fields=*', async () => {
      const { resource } = await ok('_func?fields=*');
      const albumCount = resource.find((r: Data) => r.name === 'album_count');
      expect(albumCount).toEqual({
        alias: null,
        name: 'album_count',
        label: 'Album Count',
        description: null,
        native: [],
        return_type: 'integer',
        return_schema: [],
        access: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      });
    });

    it('describes the routines named by ids, in DreamFactory’s shape', async () => {
      const { resource } = await ok('_proc?ids=INVOICE_TOTAL,bump');
      expect(resource.map((r: Data) => r.name)).toEqual(['invoice_total', 'bump']);
      const [total, bump] = resource as Data[];
      expect(Object.keys(total!)).toEqual(DESCRIPTION_KEYS);
      expect(total).toMatchObject({
        alias: null,
        native: [],
        return_type: null,
        return_schema: [],
        access: 31,
      });
      expect(Object.keys(total!.params[0])).toEqual(PARAM_KEYS);
      expect(total!.params).toMatchObject([
        { name: 'cust', position: 1, param_type: 'IN', type: 'integer' },
        { name: 'total', position: 2, param_type: 'OUT', type: 'decimal' },
      ]);
      if (dialect === 'mysql')
        expect(total!.params[1]).toMatchObject({ db_type: 'decimal', precision: 10, scale: 2 });
      expect(bump!.params).toMatchObject([
        { name: 'n', position: 1, param_type: 'INOUT', type: 'integer' },
        { name: 'step', position: 2, param_type: 'IN', type: 'integer' },
      ]);
      const functions = await ok('_func?ids=album_count');
      expect(functions.resource[0]).toMatchObject({
        name: 'album_count',
        return_type: 'integer',
        access: 31,
      });
    });

    it('takes the names from a tunnelled body too (ids or a record list)', async () => {
      const tunnel = (json: unknown) =>
        ok('_proc', { method: 'POST', headers: { 'X-HTTP-Method': 'GET' }, json });
      expect((await tunnel({ ids: ['touch'] })).resource.map((r: Data) => r.name)).toEqual(['touch']);
      expect((await tunnel({ ids: 'touch,bump' })).resource.map((r: Data) => r.name)).toEqual([
        'touch',
        'bump',
      ]);
      expect((await tunnel({ resource: [{ name: 'bump' }] })).resource.map((r: Data) => r.name)).toEqual([
        'bump',
      ]);
    });

    it('answers unknown names, the other kind and other verbs with DreamFactory’s errors', async () => {
      expectError(await api('_proc?ids=bump,nope'), 404, "Procedure 'nope' does not exist in the database.");
      expectError(await api('_func?ids=bump'), 404, "Function 'bump' does not exist in the database.");
      expectError(
        await api('_proc', { method: 'POST', json: {} }),
        400,
        "POST requests without a resource are not currently supported by the '_proc' service.",
      );
      expectError(
        await api('_func', { method: 'DELETE' }),
        400,
        "DELETE requests without a resource are not currently supported by the '_func' service.",
      );
    });
  });

  describe('calling (§11.2) and results (§11.3)', () => {
    it('returns one result set as a bare array of rows, by every calling form', async () => {
      const expected = await invoicesOf(2);
      expect(expected.length).toBeGreaterThan(1);
      const path = `${invoicesAt}/customer_invoices`;
      expect(await ok(`${path}(2)`)).toEqual(expected);
      expect(await ok(`${path}( 2 )`)).toEqual(expected);
      expect(await ok(`${path}?cust=2`)).toEqual(expected);
      expect(await ok(`${path}?CUST=2&unknown=7&api_key=${KEYS.admin}`)).toEqual(expected);
      expect(await ok(path, { method: 'POST', json: { params: [2] } })).toEqual(expected);
      expect(await ok(path, { method: 'POST', json: { params: ['2'] } })).toEqual(expected);
      expect(await ok(path, { method: 'POST', json: { params: { Cust: 2 } } })).toEqual(expected);
      expect(await ok(path, { method: 'POST', json: { params: [{ name: 'cust', value: 2 }] } })).toEqual(
        expected,
      );
      // Body params win over inline ones, inline over the URL; an empty source falls through.
      expect(await ok(`${path}(3)?cust=4`, { method: 'POST', json: { params: [2] } })).toEqual(expected);
      expect(await ok(`${path}(2)?cust=4`)).toEqual(expected);
      expect(await ok(`${path}()?cust=2`, { method: 'POST', json: { params: [] } })).toEqual(expected);
      // Case-insensitive names; a POST tunnelling GET works as well.
      expect(
        await ok(`${invoicesAt}/Customer_Invoices`, {
          method: 'POST',
          headers: { 'X-HTTP-Method': 'GET' },
          json: { params: [2] },
        }),
      ).toEqual(expected);
    });

    it('returns [] when nothing comes back', async () => {
      expect(await ok(`${invoicesAt}/customer_invoices(99999)`)).toEqual([]);
      expect(await ok('_proc/touch()')).toEqual([]);
      expect(await ok('_proc/touch')).toEqual([]);
      expect(await ok('_proc/touch', { method: 'POST', json: {} })).toEqual([]);
    });

    it('applies wrapper to procedures only, returns and schema to both', async () => {
      const expected = await invoicesOf(2);
      const path = `${invoicesAt}/customer_invoices(2)`;
      expect(await ok(`${path}?wrapper=data`)).toEqual(dialect === 'mysql' ? { data: expected } : expected);
      expect(await ok(`${path}?returns=integer`)).toBe(expected[0]![n('InvoiceId')]);
      expect(await ok(`${path}?returns=TABLE`)).toEqual(expected);
      const cast = await ok(path, { method: 'POST', json: { schema: { [n('Total')]: 'float' } } });
      expect(cast).toEqual(expected.map((row) => ({ ...row, [n('Total')]: Number(row[n('Total')]) })));
      // Body options win over URL ones.
      expect(await ok(`${path}?returns=int`, { method: 'POST', json: { returns: 'string' } })).toBe(
        String(expected[0]![n('InvoiceId')]),
      );
    });

    it('returns OUT values cast to their types, under the OUT names', async () => {
      const total = await totalOf(2);
      expect(await ok('_proc/invoice_total(2)')).toEqual({ total });
      expect(await ok('_proc/invoice_total?cust=2&wrapper=data')).toEqual({ total });
      // Positional values count OUT parameters; a value given for one is ignored.
      expect(await ok('_proc/invoice_total', { method: 'POST', json: { params: [2, 999] } })).toEqual({
        total,
      });
      expect(
        await ok('_proc/invoice_total(2)', { method: 'POST', json: { schema: { total: 'string' } } }),
      ).toEqual({
        total: String(total),
      });
      expect(await ok('_proc/invoice_total(99999)')).toEqual({ total: 0 });
    });

    it('passes INOUT values in and out; missing ones are the default (NULL)', async () => {
      expect(await ok('_proc/bump(5, 2)')).toEqual({ n: 7 });
      expect(await ok('_proc/bump?n=5&step=-8')).toEqual({ n: -3 });
      expect(await ok('_proc/bump', { method: 'POST', json: { params: { step: 3, N: '1' } } })).toEqual({
        n: 4,
      });
      expect(await ok('_proc/bump', { method: 'POST', json: { params: { step: 3 } } })).toEqual({ n: null });
      expect(await ok('_proc/bump(null, 3)')).toEqual({ n: null });
    });

    it('returns a scalar function’s value bare, cast to its return type; wrapper is not applied', async () => {
      const albums = (await albumsOf(1)).length;
      const res = await api('_func/album_count(1)');
      expect(res.status).toBe(200);
      expect(res.text).toBe(String(albums));
      expect(res.statements).toBe(1);
      expect(await ok('_func/album_count?artist=1&wrapper=x')).toBe(albums);
      expect(await ok('_func/album_count', { method: 'POST', json: { params: { artist: 1 } } })).toBe(albums);
      expect(await ok('_func/album_count(1)?returns=string')).toBe(String(albums));
      expect(await ok('_func/album_count(99999)')).toBe(0);
    });

    it('calls a function that writes, with the value bound as given', async () => {
      const name = "Rock'n'Roll; DROP TABLE genre; --";
      const id = await ok('_func/add_genre', { method: 'POST', json: { params: { genre_name: name } } });
      expect(typeof id).toBe('number');
      expect((await genreNamed(name)).map((row) => row[n('GenreId')])).toEqual([id]);
    });

    it('returns several result sets as an array of arrays, empty ones dropped (MySQL), or a set of table rows (PostgreSQL)', async () => {
      const albums = await albumsOf(1);
      if (dialect === 'postgres') {
        expect(await ok('_func/albums_of(1)')).toEqual(albums);
        expect(await ok('_func/albums_of(99999)')).toEqual([]);
        return;
      }
      const artist = (await sql()('Artist').select('ArtistId', 'Name').where('ArtistId', 1)) as Data[];
      const titles = albums.map((row) => ({ AlbumId: row.AlbumId, Title: row.Title }));
      expect(await ok('_proc/artist_and_albums(1)')).toEqual([artist, titles]);
      expect(await ok('_proc/artist_and_albums(1)?wrapper=sets')).toEqual({ sets: [artist, titles] });
      const [lonely] = (await sql()('Artist')
        .select('ArtistId', 'Name')
        .whereNotIn('ArtistId', sql()('Album').select('ArtistId'))
        .orderBy('ArtistId')
        .limit(1)) as Data[];
      // Its albums are an empty set: dropped, so the one set left comes back bare.
      expect(await ok(`_proc/artist_and_albums(${lonely!.ArtistId})`)).toEqual([lonely]);
      expect(await ok('_proc/artist_and_albums(99999)')).toEqual([]);
    });
  });

  describe('formats (§12)', () => {
    it('encodes routine answers as XML and CSV as well', async () => {
      const xml = await api('_proc/bump(1,2)', { headers: { accept: 'application/xml' } });
      expect(xml.status).toBe(200);
      expect(xml.text).toBe('<?xml version="1.0" ?><dfapi><n>3</n></dfapi>');
      const csv = await api(`${invoicesAt}/customer_invoices(2)?accept=text/csv`);
      expect(csv.status).toBe(200);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe(`${n('InvoiceId')},${n('Total')}`);
      expect(lines).toHaveLength((await invoicesOf(2)).length + 1);
    });
  });

  describe('bad input', () => {
    it('404s unknown routines and routines of the other kind, case-insensitively', async () => {
      expectError(await api('_proc/nope(1)'), 404, "Procedure 'nope' does not exist in the database.");
      expectError(await api('_func/nope'), 404, "Function 'nope' does not exist in the database.");
      expectError(
        await api('_func/invoice_total(2)'),
        404,
        "Function 'invoice_total' does not exist in the database.",
      );
      expectError(
        await api('_proc/album_count(1)'),
        404,
        "Procedure 'album_count' does not exist in the database.",
      );
      expectError(await api('_proc/(1)'), 400, 'Stored procedure name can not be empty.');
    });

    it('refuses the wrong number or type of arguments with 400 and runs no SQL', async () => {
      const cases: [string, string][] = [
        ['_proc/bump(1,2,3)', "Procedure 'bump' takes 2 parameters; 3 values were given."],
        ['_proc/touch(1)', "Procedure 'touch' takes 0 parameters; 1 value was given."],
        ['_func/album_count(abc)', "Parameter 'artist' must be a valid integer."],
        ["_func/album_count('1')", "Parameter 'artist' must be a valid integer."],
        ['_func/album_count(1.5)', "Parameter 'artist' must be a valid integer."],
        [
          '_func/album_count(99999999999)',
          "Parameter 'artist' must be an integer between -2147483648 and 2147483647.",
        ],
        ['_proc/bump?n=x', "Parameter 'n' must be a valid integer."],
      ];
      for (const [path, message] of cases) {
        const res = await api(path);
        expectError(res, 400, message);
        expect(res.statements, path).toBe(0);
      }
      expectError(
        await api('_proc/bump', { method: 'POST', json: { params: { n: [1] } } }),
        400,
        "Parameter 'n' must be a valid integer.",
      );
      expectError(
        await api('_func/add_genre', { method: 'POST', json: { params: ['a\u0000b'] } }),
        400,
        "Parameter 'genre_name' must not contain a NUL character.",
      );
    });

    it('refuses PUT, PATCH and DELETE on a routine', async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        expectError(
          await api('_proc/touch', { method, json: {} }),
          400,
          `${method} requests are not currently supported by the '_proc' service.`,
        );
      }
    });

    it('treats injection text in every argument position as a value: 400 for typed parameters, literal text otherwise', async () => {
      const tables = ['Album', 'Artist', 'Track', 'Invoice', 'Customer'];
      const before = await checksums(sql(), dialect, tables);
      const typed: [string, string[]][] = [
        [`${invoicesAt}/customer_invoices`, ['cust']],
        ['_proc/invoice_total', ['cust', 'total']],
        ['_proc/bump', ['n', 'step']],
        ['_func/album_count', ['artist']],
        dialect === 'postgres' ? ['_func/albums_of', ['a']] : ['_proc/artist_and_albums', ['a']],
      ];
      let requests = 0;
      for (const [path, params] of typed) {
        for (const [i, param] of params.entries()) {
          if (param === 'total') continue; // OUT: a value given for it is ignored
          for (const payload of INJECTIONS) {
            const values = params.map((_, j) => (j === i ? payload : '1'));
            const started = performance.now();
            const answers = [
              await api(`${path}(${encodeURIComponent(values.join(','))})`),
              await api(`${path}?${param}=${encodeURIComponent(payload)}`),
              await api(path, { method: 'POST', json: { params: { [param]: payload } } }),
              await api(path, { method: 'POST', json: { params: values } }),
            ];
            requests += answers.length;
            for (const res of answers) {
              expectError(res, 400, /^Parameter '\w+' must be a valid integer\.$|takes \d parameters/);
              expect(res.statements).toBe(0);
            }
            expect(performance.now() - started, `${path} ${payload}`).toBeLessThan(2000);
          }
        }
      }
      // Text parameters: the payload is stored exactly as sent, whatever it says.
      for (const payload of INJECTIONS) {
        const viaBody = `${payload} (body)`;
        const viaQuery = `${payload} (query)`;
        for (const [path, json, stored] of [
          ['_func/add_genre', { params: [viaBody] }, viaBody],
          [`_func/add_genre?genre_name=${encodeURIComponent(viaQuery)}`, undefined, viaQuery],
          [`_func/add_genre(${encodeURIComponent(`${payload} inline`)})`, undefined, `${payload} inline`],
        ] as const) {
          const id = await ok(path, { method: json ? 'POST' : 'GET', json });
          requests += 1;
          expect(
            (await genreNamed(stored)).map((row) => row[n('GenreId')]),
            stored,
          ).toEqual([id]);
        }
      }
      expect(requests).toBeGreaterThan(150);
      expect(await checksums(sql(), dialect, tables)).toEqual(before);
    });

    it('answers a database failure with DreamFactory’s first line only; the driver’s text goes to the log', async () => {
      const long = 'x'.repeat(121);
      const logged = server.log.length;
      const res = await api('_func/add_genre', { method: 'POST', json: { params: [long] } });
      if (dialect === 'mysql') {
        // MySQL reports the parameter's length: refused before the call.
        expectError(res, 400, "Parameter 'genre_name' must be at most 120 characters long.");
        return;
      }
      // PostgreSQL parameters have no length: the INSERT inside the function fails.
      expectError(res, 500, 'Failed to call database stored function.');
      expect(server.log.slice(logged).join('\n')).toMatch(
        /stored function 'add_genre' failed: .*value too long/s,
      );
      expect(await genreNamed(long)).toEqual([]);
    });
  });

  describe('role access (§10.3, §11.4)', () => {
    const call = (path: string, key: keyof typeof KEYS, method = 'GET') =>
      api(path, { key, method, json: method === 'GET' ? undefined : {} });

    it('lists only what the role may access, with its own masks', async () => {
      expect(await ok('_proc?fields=*', { key: 'limited' })).toMatchObject({
        resource: [
          { name: 'bump', access: ['GET', 'POST'] },
          { name: 'touch', access: ['POST'] },
        ],
      });
      expect(await ok('_proc?as_list=true', { key: 'wild' })).toEqual({ resource: procedures });
      expect((await ok('_proc?ids=bump', { key: 'limited' })).resource[0].access).toBe(3);
      // The listing component itself must be allowed.
      expectError(await call('_func', 'limited'), 401, 'Unauthorized. User is not authenticated.');
      expectError(await call('_func', 'wild'), 401);
      // Describing needs GET on the routine; an unknown name is refused the same way (no existence oracle).
      expectError(await call('_proc?ids=touch', 'limited'), 401);
      expectError(await call('_proc?ids=invoice_total', 'limited'), 401);
      expectError(await call('_proc?ids=nope', 'limited'), 401);
    });

    it('allows a call only with the verb the role grants on _proc/{name} (parentheses stripped)', async () => {
      const cases: [string, keyof typeof KEYS, string, number][] = [
        ['_proc/bump(1,2)', 'limited', 'GET', 200],
        ['_proc/BUMP(1,2)', 'limited', 'POST', 200],
        ['_proc/bump', 'limited', 'PUT', 401],
        ['_proc/touch', 'limited', 'GET', 401],
        ['_proc/touch', 'limited', 'POST', 200],
        ['_proc/invoice_total(2)', 'limited', 'GET', 401],
        ['_proc/nope(1)', 'limited', 'GET', 401],
        ['_func/album_count(1)', 'limited', 'GET', 200],
        ['_func/album_count(1)', 'limited', 'POST', 401],
        ['_func/add_genre(limited)', 'limited', 'GET', 401],
        ['_proc/invoice_total(2)', 'wild', 'GET', 200],
        ['_proc/invoice_total(2)', 'wild', 'POST', 401],
        ['_proc/nope(1)', 'wild', 'GET', 404],
        ['_func/album_count(1)', 'wild', 'GET', 401],
      ];
      for (const [path, key, method, status] of cases) {
        const res = await call(path, key, method);
        expect(res.status, `${key} ${method} ${path}: ${res.text.slice(0, 300)}`).toBe(status);
        if (status !== 200) expectNoInternals(res.text);
      }
      expect(await genreNamed('limited')).toEqual([]);
    });

    it(`does not let a POST tunnel a verb the role lacks (${label})`, async () => {
      const res = await api('_proc/touch', {
        key: 'limited',
        method: 'POST',
        headers: { 'X-HTTP-Method': 'GET' },
      });
      expectError(res, 401);
    });
  });

  it('logs no unexpected errors except the deliberate database failure', () => {
    const unexpected = server.log.filter(
      (line) => /unexpected/i.test(line) && !/'add_genre' failed/.test(line),
    );
    expect(unexpected).toEqual([]);
  });
});

describe('REST routines on SQLite (§11.4)', () => {
  const chinook = useChinook('sqlite');
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(testConfig([chinook.service]));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('offers neither _proc nor _func', async () => {
    const rest = restClient(server);
    for (const path of ['_proc', '_func', '_proc/touch()', '_func/album_count(1)']) {
      const res = await rest.get(`/api/v2/chinook/${path}`);
      expectError(res, 404, `Resource '${path.slice(0, 5)}' not found for service 'chinook'.`);
    }
  });
});
