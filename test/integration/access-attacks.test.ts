/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// security.md A2–A5, A7, A8 against real databases: path spellings that try to reach a protected route
// (T7), oracles on hidden columns and unreadable relations and counts that must respect row filters (T9),
// rows outside a role's row filter (IDOR, T10), bodies that write columns the role may not write and nested
// writes into tables it may not create rows in (T11), API keys in the config, the URL and the log (T19), and
// what a denied request's error and the per-role GraphQL schema reveal (T12). Every write attack is judged
// by the database afterwards (checksums or row counts through the driver), not by the answer alone.
// The config is parsed from a document with plain API keys in `${VARS}`, as a deployment would write it.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleConfig } from '../../src/auth/types.js';
import { parseConfig } from '../../src/config/index.js';
import type { JunctionConfig } from '../../src/config/types.js';
import {
  checksums,
  DIALECTS,
  entry,
  forbiddenNames,
  insertSql,
  leakedNames,
  role,
  startAccessServer,
  type AccessServer,
  type Answer,
} from './support/access.js';
import { chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';

/** Tracks 9000–9007 are in genre 1 (the row filter's genre), 9010–9017 in genre 2; nothing refers to them. */
const VISIBLE = [9000, 9001, 9002, 9003, 9004, 9005, 9006, 9007] as const;
const FOREIGN = [9010, 9011, 9012, 9013, 9014, 9015, 9016, 9017] as const;
/** An album, two artists and a genre nothing refers to. */
const SPARE = 9100;

function seedSql(dialect: TestDialect): string {
  const track = (id: number, genre: number) => [id, `track ${id}`, 1, 1, genre, 1, 0.99];
  return [
    insertSql(
      dialect,
      'Artist',
      ['ArtistId', 'Name'],
      [
        [SPARE, 'spare artist'],
        [SPARE + 1, 'spare artist 2'],
      ],
    ),
    insertSql(dialect, 'Genre', ['GenreId', 'Name'], [[SPARE, 'spare genre']]),
    insertSql(dialect, 'Album', ['AlbumId', 'Title', 'ArtistId'], [[SPARE, 'spare album', 1]]),
    insertSql(
      dialect,
      'Track',
      ['TrackId', 'Name', 'AlbumId', 'MediaTypeId', 'GenreId', 'Milliseconds', 'UnitPrice'],
      [...VISIBLE.map((id) => track(id, 1)), ...FOREIGN.map((id) => track(id, 2))],
    ),
  ].join('\n');
}

const ROLE_NAMES = ['reader', 'catalog', 'owner', 'editor', 'artistWriter', 'none', 'putter'] as const;
type RoleName = (typeof ROLE_NAMES)[number];

function roles(dialect: TestDialect): Record<RoleName, RoleConfig> {
  const n = (name: string) => chinookName(dialect, name);
  const genreOne = {
    filters: [{ field: n('GenreId'), operator: '=', value: '1' }],
    hiddenFields: [n('Composer')],
  };
  return {
    reader: role('reader', [entry('_table/*', ['GET'])]),
    // The table list, albums, and the tracks of genre 1 without Composer; artists not at all.
    catalog: role('catalog', [
      entry('_table', ['GET']),
      entry('_table/Album/*', ['GET']),
      entry('_table/Track/*', ['GET'], genreOne),
    ]),
    // Everything on the tracks of genre 1, writing only some columns (not TrackId, Bytes or the hidden Composer).
    owner: role('owner', [
      entry('_table/Track/*', '*', {
        ...genreOne,
        writableFields: ['Name', 'AlbumId', 'MediaTypeId', 'GenreId', 'Milliseconds', 'UnitPrice'].map(n),
      }),
    ]),
    editor: role('editor', [entry('_table/Album/*', ['GET', 'POST', 'PATCH'])]),
    // Creates artists and can read albums, but may not create albums (nested writes into them).
    artistWriter: role('artistWriter', [
      entry('_table/Artist/*', ['GET', 'POST', 'PATCH']),
      entry('_table/Album/*', ['GET']),
    ]),
    none: role('none', [entry('_schema/*', ['GET'])]),
    putter: role('putter', [entry('_table/Artist/*', ['GET', 'PUT'])]),
  };
}

/** Plain keys: random per run, so finding one in a log cannot be a coincidence. */
const KEYS = Object.fromEntries(
  ROLE_NAMES.map((name) => [name, `${name}-${randomBytes(24).toString('base64url')}`]),
) as Record<RoleName, string>;
const ENV = Object.fromEntries(ROLE_NAMES.map((name) => [`KEY_${name.toUpperCase()}`, KEYS[name]]));

/** The config document a deployment would write: keys only as `${VAR}`, the query-string key switched off. */
function configDocument(dialect: TestDialect, service: JunctionConfig['services'][number]): unknown {
  const connection =
    service.connection.kind === 'file'
      ? { filename: service.connection.filename }
      : service.connection.kind === 'url'
        ? { url: service.connection.url }
        : {};
  const defs = roles(dialect);
  return {
    schemaCache: { mode: 'off' },
    services: [{ name: 'chinook', type: dialect, ...connection }],
    auth: {
      apiKeyInQuery: false,
      roles: Object.values(defs).map((r) => ({
        name: r.name,
        access: r.access.map((e) => ({
          service: e.service,
          component: e.component,
          verbs: e.verbs,
          filters: e.filters,
          filterOp: e.filterOp,
          hiddenFields: e.hiddenFields,
          writableFields: e.writableFields,
        })),
      })),
      apps: ROLE_NAMES.map((name) => ({
        name: `app-${name}`,
        role: name,
        apiKey: `\${KEY_${name.toUpperCase()}}`,
      })),
    },
  };
}

const DENIED = 'Unauthorized. User is not authenticated.';
const FIELDS_DENIED = 'Denied access to some of the requested fields.';
const NOT_FOUND = (id: number | string) => `Record with identifier '${id}' not found.`;
/** SQL text, driver internals or a stack: never in an answer. */
const LEAKS = /insert into|select |delete from|update \S+ set|sqlstate|\n\s*at |\.[jt]s:\d+/i;

/** Any non-null scalar anywhere in a GraphQL `data`: what a refused operation must not carry. */
function hasValues(data: unknown): boolean {
  if (data === null || data === undefined) return false;
  if (Array.isArray(data)) return data.some(hasValues);
  if (typeof data === 'object') return Object.values(data).some(hasValues);
  return true;
}

describe.each(DIALECTS)('Access-control attacks on $label', ({ dialect }) => {
  const chinook = useChinook(dialect, seedSql(dialect));
  const n = (name: string) => chinookName(dialect, name);
  const defs = roles(dialect);
  let config: JunctionConfig;
  let api: AccessServer;
  /** Everything written to stdout/stderr while the server runs, besides the server's own log. */
  const output: string[] = [];
  const restore: (() => void)[] = [];

  const T = () => n('Track');
  const url = (path: string) => `/api/v2/chinook/_table/${path}`;
  const rest = (who: RoleName, path: string, call: Parameters<AccessServer['rest']>[2] = {}) =>
    api.rest(KEYS[who], path, call);
  const gql = (who: RoleName, query: string) => api.graphql(KEYS[who], query);
  const tracks = () => checksums(chinook.knex, dialect, ['Track']);
  const count = async (table: string, where: Record<string, unknown> = {}) => {
    const [row] = await chinook.knex(n(table)).where(where).count({ c: '*' });
    return Number(row?.c);
  };
  const nameOf = async (id: number) =>
    ((await chinook.knex(T()).where(n('TrackId'), id).first()) as any)?.[n('Name')] ?? null;
  const genreOneTracks = () => count('Track', { [n('GenreId')]: 1 });

  /** A clean refusal: DF's envelope, the given status, and nothing the role may not know. */
  function expectRefused(answer: Answer, who: RoleName, request: string, status: number, message?: string) {
    expect(answer.status, answer.text).toBe(status);
    expect(Object.keys(answer.body)).toEqual(['error']);
    expect(answer.body.error.status_code).toBe(status);
    if (message !== undefined) expect(answer.body.error.message).toBe(message);
    expect(answer.text).not.toMatch(LEAKS);
    expect(leakedNames(answer.text, request, forbiddenNames(dialect, defs[who]))).toEqual([]);
  }

  /** A GraphQL refusal: errors, no value in data, and no name the role may not know. */
  function expectGraphqlRefused(answer: Answer, who: RoleName, query: string) {
    expect(answer.body.errors?.length, answer.text).toBeGreaterThan(0);
    expect(hasValues(answer.body.data), answer.text).toBe(false);
    expect(answer.text).not.toMatch(LEAKS);
    expect(leakedNames(answer.text, query, forbiddenNames(dialect, defs[who]))).toEqual([]);
  }

  /** A write batch that failed on a refusal (DF reports it in the batch context, compat §6.2). */
  function expectWriteRefused(answer: Answer, who: RoleName, request: string) {
    expect([400, 401, 403], answer.text).toContain(answer.status);
    expect(answer.body.resource).toBeUndefined();
    expect(answer.text).toMatch(
      /Unauthorized\. User is not authenticated\.|Denied access to some of the requested fields\./,
    );
    expect(answer.text).not.toMatch(LEAKS);
    expect(leakedNames(answer.text, request, forbiddenNames(dialect, defs[who]))).toEqual([]);
  }

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    config = parseConfig(configDocument(dialect, chinook.service), {
      baseDir: tmpdir(),
      source: null,
      env: ENV,
    });
    api = await startAccessServer(config);
  });
  afterAll(async () => {
    await api?.close();
    for (const undo of restore) undo();
  });

  describe('A2: spellings of a protected path', () => {
    /** (role, verb, path under /api/v2/chinook/_table/, body): canonical requests, most of them refused. */
    const routes = (): { who: RoleName; method: string; table: string; id?: number; json?: unknown }[] => [
      { who: 'none', method: 'GET', table: n('Track') },
      { who: 'none', method: 'GET', table: n('Album'), id: 1 },
      { who: 'editor', method: 'GET', table: n('Track') },
      { who: 'editor', method: 'GET', table: n('Artist'), id: 1 },
      { who: 'editor', method: 'DELETE', table: n('Album'), id: SPARE },
      { who: 'catalog', method: 'GET', table: n('Artist') },
      { who: 'catalog', method: 'POST', table: n('Track'), json: { resource: [{ [n('Name')]: 'x' }] } },
      { who: 'reader', method: 'PATCH', table: n('Genre'), id: SPARE, json: { [n('Name')]: 'x' } },
      { who: 'reader', method: 'DELETE', table: n('Genre'), id: SPARE },
      // Refused with 404: a row outside the role's filter, through every spelling.
      { who: 'catalog', method: 'GET', table: n('Track'), id: FOREIGN[0] },
      // Allowed: the spellings must reach the same rows.
      { who: 'reader', method: 'GET', table: n('Album'), id: 1 },
    ];
    const swapCase = (s: string) =>
      s.replace(/[a-z]/gi, (c, i: number) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase()));
    const encodeFirst = (s: string) => `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}`;

    /** Spellings that name the same resource: the answer must be the canonical one, byte for byte. */
    const same = (table: string, tail: string, refused: boolean) => [
      `/api/v2/chinook/_table/x/%2e%2e/${table}${tail}`,
      `/api/v2/chinook/_table/x/%2E%2e/${table}${tail}`,
      `/api/v2/chinook/_table/x/../${table}${tail}`,
      `/api/v2//chinook//_table//${table}${tail.replace('/', '//')}`,
      `/api/v2/chinook/_table/${table}${tail}/`,
      `/API/V2/Chinook/_table/${swapCase(table)}${tail}`,
      `/api/v2/chinook/_table/${encodeFirst(table)}${tail}`,
      `/api/v2/chinook/_table/x\\..\\${table}${tail}`,
      `/api/v1/chinook/_table/${table}${tail}`,
      `/api/chinook/_table/${table}${tail}`,
      // Resource names are matched as written (`_TABLE` is an unknown resource for a role that may read it);
      // for a refused route the refusal comes first, so it must be the same refusal.
      ...(refused ? [`/API/V2/Chinook/_TABLE/${table.toLowerCase()}${tail}`] : []),
    ];
    /** Spellings that smuggle the path past a prefix some role may use: never more than the canonical answer. */
    const smuggled = (table: string, tail: string) => [
      `/api/v2/chinook/_table/${n('Album')}/..%2f${table}${tail}`,
      `/api/v2/chinook/_table/${n('Album')}/..%2f..%2f${table}${tail}`,
      `/api/v2/chinook/_table/${n('Album')}%2f..%2f${table}${tail}`,
      `/api/v2/chinook/_table/${n('Artist')}/..%2F${table}${tail}`,
      `/api/v2/chinook/_table/${n('Album')}/%252e%252e/${table}${tail}`,
      `/api/v2/chinook/_table/x/%252e%252e/${table}${tail}`,
      `/api/v2/chinook/_table/${table};x=1${tail}`,
      `/api/v2/chinook/_table/${table}${tail};x=1`,
      `/api/v2/chinook/_table/${table}%00${tail}`,
      `/api/v2/chinook/_table/${n('Album')}/%5c..%5c${table}${tail}`,
      `/api/v2/chinook/_schema/..%2f_table%2f${table}${tail}`,
      `/api/v2/chinook/_schema/${table}/..%2f..%2f_table%2f${table}${tail}`,
      `/api/v2/chinook_oauth/_table/${table}${tail}`,
      `/api/v2/x_oauth/..%2fchinook/_table/${table}${tail}`,
    ];

    it('answers every spelling that names the same resource exactly as the canonical path', async () => {
      const before = await checksums(chinook.knex, dialect, ['Album', 'Genre', 'Track']);
      const different: string[] = [];
      for (const route of routes()) {
        const tail = route.id === undefined ? '' : `/${route.id}`;
        const canonical = await api.raw(KEYS[route.who], route.method, url(route.table + tail), route.json);
        const refused = canonical.status === 401 || canonical.status === 403;
        if (route.who !== 'reader' || route.method !== 'GET')
          expect(canonical.status, canonical.text).toBeGreaterThanOrEqual(400);
        for (const path of same(route.table, tail, refused)) {
          const answer = await api.raw(KEYS[route.who], route.method, path, route.json);
          if (answer.status !== canonical.status || answer.text !== canonical.text)
            different.push(
              `${route.who} ${route.method} ${path}: ${answer.status} ${answer.text.slice(0, 160)}`,
            );
        }
      }
      expect(different).toEqual([]);
      expect(await checksums(chinook.knex, dialect, ['Album', 'Genre', 'Track'])).toEqual(before);
    });

    it('never answers a refused route with data or a write through a smuggled spelling', async () => {
      const before = await checksums(chinook.knex, dialect, ['Album', 'Genre', 'Track']);
      const leaked: string[] = [];
      for (const route of routes().filter((r) => r.who !== 'reader' || r.method !== 'GET')) {
        const tail = route.id === undefined ? '' : `/${route.id}`;
        for (const path of smuggled(route.table, tail)) {
          const answer = await api.raw(KEYS[route.who], route.method, path, route.json);
          const clean =
            answer.status >= 400 &&
            answer.status < 500 &&
            answer.body?.error !== undefined &&
            answer.body.resource === undefined &&
            !answer.text.includes('track 9010') &&
            leakedNames(answer.text, path, forbiddenNames(dialect, defs[route.who])).length === 0;
          if (!clean)
            leaked.push(
              `${route.who} ${route.method} ${path}: ${answer.status} ${answer.text.slice(0, 160)}`,
            );
        }
      }
      expect(leaked).toEqual([]);
      expect(await checksums(chinook.knex, dialect, ['Album', 'Genre', 'Track'])).toEqual(before);
    });

    it('checks the tunnelled verb, not the one on the wire, and ignores overrides on other verbs', async () => {
      const album = url(`${n('Album')}/${SPARE}`);
      const before = await checksums(chinook.knex, dialect, ['Album', 'Genre']);
      // editor has GET, POST and PATCH on albums, not DELETE: no spelling of the verb deletes.
      for (const verb of ['DELETE', 'delete', ' Delete ']) {
        expectRefused(
          await rest('editor', album, { method: 'POST', headers: { 'X-HTTP-Method': verb } }),
          'editor',
          album,
          401,
          DENIED,
        );
      }
      // On GET an override is ignored: a read, never a delete.
      const read = await rest('reader', url(`${n('Genre')}/${SPARE}`), {
        headers: { 'X-HTTP-Method': 'DELETE' },
      });
      expect(read.status).toBe(200);
      // Header and query disagree: whichever wins, the album stays.
      await rest('editor', `${album}?_method=DELETE`, {
        method: 'POST',
        headers: { 'X-HTTP-Method': 'GET' },
      });
      await rest('editor', `${album}?method=GET`, {
        method: 'POST',
        headers: { 'X-Method-Override': 'DELETE' },
      });
      expect(await checksums(chinook.knex, dialect, ['Album', 'Genre'])).toEqual(before);
      // MERGE is PATCH (compat §2.1): allowed for editor, refused for reader.
      const merge = {
        method: 'POST',
        headers: { 'X-HTTP-Method': 'MERGE' },
        json: { [n('Title')]: 'merged' },
      };
      expect((await rest('editor', album, merge)).status).toBe(200);
      expectRefused(await rest('reader', album, merge), 'reader', album, 401, DENIED);
      // OPTIONS carries no rows.
      const options = await api.raw(KEYS.none, 'OPTIONS', url(n('Track')));
      expect(options.text).not.toContain('track 900');
      expect(options.body?.resource).toBeUndefined();
    });
  });

  describe('A3: oracles on hidden columns, unreadable relations and counts', () => {
    const hiddenProbes = () => {
      const c = n('Composer');
      return [
        `filter=${encodeURIComponent(`${c} like 'A%'`)}`,
        `filter=${encodeURIComponent(`${c} is null`)}`,
        `filter=${encodeURIComponent(`(${n('Name')} = 'x') or (${c} = 'AC/DC')`)}`,
        `filter=${encodeURIComponent(`${c} = :c`)}&params=${encodeURIComponent('{"c":"AC/DC"}')}`,
        `order=${c}%20desc`,
        `order=${n('Name')},${c}`,
        `group=${c}&fields=${c},COUNT(*)`,
        `group=${n('GenreId')}&fields=${n('GenreId')},MAX(${c})`,
        `fields=${c}`,
        `ids=1&id_field=${c}`,
      ];
    };

    it('refuses REST filters, orders, groups, aggregates, fields and id fields on a hidden column with 403', async () => {
      for (const query of hiddenProbes()) {
        const path = `${url(n('Track'))}?${query}`;
        expectRefused(await rest('catalog', path), 'catalog', path, 403, FIELDS_DENIED);
      }
      const byHiddenId = `${url(n('Track'))}/AC%2FDC?id_field=${n('Composer')}`;
      expectRefused(await rest('catalog', byHiddenId), 'catalog', byHiddenId, 403, FIELDS_DENIED);
    });

    it('refuses the same probes one relation level down, and related= into a table the role cannot read', async () => {
      const rel = n('Track_by_AlbumId');
      const c = n('Composer');
      for (const query of [
        `related=${rel}&${rel}.order=${c}`,
        `related=${rel}&${rel}.filter=${encodeURIComponent(`${c} is not null`)}`,
        `related=${rel}&${rel}.fields=${c}`,
      ]) {
        const path = `${url(`${n('Album')}/1`)}?${query}`;
        expectRefused(await rest('catalog', path), 'catalog', path, 403, FIELDS_DENIED);
      }
      for (const query of [`related=${n('Artist_by_ArtistId')}`, 'related=*']) {
        const path = `${url(n('Album'))}?limit=2&${query}`;
        const answer = await rest('catalog', path);
        expectRefused(answer, 'catalog', path, 401, DENIED);
      }
      const fromTrack = `${url(n('Track'))}?limit=2&related=${n('Genre_by_GenreId')}`;
      expectRefused(await rest('catalog', fromTrack), 'catalog', fromTrack, 401, DENIED);
    });

    it('drops a hidden column asked for among visible ones instead of returning it', async () => {
      const answer = await rest('catalog', `${url(n('Track'))}?limit=3&fields=${n('Name')},${n('Composer')}`);
      expect(answer.status).toBe(200);
      expect(answer.body.resource.length).toBe(3);
      for (const row of answer.body.resource) expect(Object.keys(row)).toEqual([n('Name')]);
    });

    it('counts only the rows of the role filter in include_count, count_only and group counts', async () => {
      const total = await genreOneTracks();
      expect(total).toBeLessThan(await count('Track'));
      const withCount = await rest('catalog', `${url(n('Track'))}?limit=1&include_count=true`);
      expect(withCount.body.meta.count).toBe(total);
      expect((await rest('catalog', `${url(n('Track'))}?count_only=true`)).body).toBe(total);
      const groups = await rest(
        'catalog',
        `${url(n('Track'))}?group=${n('GenreId')}&fields=${n('GenreId')},COUNT(*)`,
      );
      expect(groups.body.resource).toEqual([{ [n('GenreId')]: 1, COUNT_ALL: total }]);
    });

    it('shows only the filtered rows, without the hidden column, through REST related=', async () => {
      // An album with tracks in genre 1 and in other genres.
      const [mixed] = await chinook
        .knex(T())
        .select(n('AlbumId'))
        .groupBy(n('AlbumId'))
        .havingRaw(
          `count(distinct ${n('GenreId')}) > 1 and sum(case when ${n('GenreId')} = 1 then 1 else 0 end) > 0`,
        )
        .orderBy(n('AlbumId'))
        .limit(1);
      const albumId = Number(mixed[n('AlbumId')]);
      const visible = await count('Track', { [n('AlbumId')]: albumId, [n('GenreId')]: 1 });
      const answer = await rest(
        'catalog',
        `${url(`${n('Album')}/${albumId}`)}?related=${n('Track_by_AlbumId')}`,
      );
      const related = answer.body[n('Track_by_AlbumId')];
      expect(related.length).toBe(visible);
      for (const t of related) {
        expect(t[n('GenreId')]).toBe(1);
        expect(n('Composer') in t).toBe(false);
      }
      const q = `{ chinook { album(albumId: ${albumId}) { tracksAggregate { count } tracks { genreId } } } }`;
      const g = await gql('catalog', q);
      expect(g.body.data.chinook.album.tracksAggregate.count).toBe(visible);
      expect(g.body.data.chinook.album.tracks.map((t: any) => t.genreId)).toEqual(Array(visible).fill(1));
    });

    it('refuses GraphQL filters, orders and groups on a hidden column, and where on an unreadable relation', async () => {
      for (const query of [
        '{ chinook { tracks(limit: 2) { trackId composer } } }',
        '{ chinook { tracks(limit: 2, where: { composer: { isNull: false } }) { trackId } } }',
        '{ chinook { tracks(limit: 2, where: { or: [{ name: { eq: "x" } }, { composer: { startsWith: "A" } }] }) { trackId } } }',
        '{ chinook { tracks(limit: 2, orderBy: [{ composer: ASC }]) { trackId } } }',
        '{ chinook { tracksGroupBy(by: [COMPOSER]) { count } } }',
        '{ chinook { tracksAggregate { max { composer } } } }',
        '{ chinook { albums(limit: 2, where: { artist: { name: { eq: "AC/DC" } } }) { albumId } } }',
        '{ chinook { tracks(limit: 2, where: { album: { artist: { name: { eq: "AC/DC" } } } }) { trackId } } }',
        '{ chinook { tracks(limit: 2, where: { genre: { name: { eq: "Rock" } } }) { trackId } } }',
        '{ chinook { albums(limit: 2) { artist { name } } } }',
      ]) {
        expectGraphqlRefused(await gql('catalog', query), 'catalog', query);
      }
    });

    it('counts only the rows of the role filter in GraphQL aggregates, totalCount, groups and relation filters', async () => {
      const total = await genreOneTracks();
      const answer = await gql(
        'catalog',
        '{ chinook { tracksAggregate { count } tracksConnection(first: 1) { totalCount } tracksGroupBy(by: [GENRE_ID]) { key { genreId } count } } }',
      );
      expect(answer.body.errors).toBeUndefined();
      const { tracksAggregate, tracksConnection, tracksGroupBy } = answer.body.data.chinook;
      expect(tracksAggregate.count).toBe(total);
      expect(tracksConnection.totalCount).toBe(total);
      expect(tracksGroupBy).toEqual([{ key: { genreId: 1 }, count: total }]);
      // Tracks the role cannot see do not make an album match a condition on its tracks.
      const hidden = await gql(
        'catalog',
        '{ chinook { albumsAggregate(where: { tracks: { some: { genreId: { eq: 2 } } } }) { count } } }',
      );
      expect(hidden.body.data.chinook.albumsAggregate.count).toBe(0);
    });
  });

  describe('A4: rows outside the row filter (IDOR)', () => {
    const [v0, v1, v2, v3, v4, v5, v6, v7] = VISIBLE;
    const [f0, f1, f2, f3, f4, f5] = FOREIGN;

    it('answers GET, PUT, PATCH and DELETE of a foreign row by id with 404, not 403, and changes nothing', async () => {
      const before = await tracks();
      const path = url(`${T()}/${f0}`);
      const record = {
        [n('Name')]: 'taken',
        [n('MediaTypeId')]: 1,
        [n('Milliseconds')]: 1,
        [n('UnitPrice')]: 1,
      };
      for (const call of [
        { method: 'GET' },
        { method: 'PUT', json: record },
        { method: 'PATCH', json: { [n('Name')]: 'taken' } },
        { method: 'DELETE' },
        { method: 'POST', headers: { 'X-HTTP-Method': 'DELETE' } },
      ]) {
        expectRefused(await rest('owner', path, call), 'owner', path, 404, NOT_FOUND(f0));
      }
      // The same row is there for a role without the filter: 404 means "not yours", not "missing".
      expect((await rest('reader', path)).status).toBe(200);
      expect(await tracks()).toEqual(before);
    });

    it('writes nothing for an ids batch that mixes a visible and a foreign row, foreign first or with rollback', async () => {
      const before = await tracks();
      const patch = { json: { resource: [{ [n('Name')]: 'taken' }] }, method: 'PATCH' };
      for (const path of [`${url(T())}?ids=${f1},${v1}`, `${url(T())}?ids=${v1},${f1}&rollback=true`]) {
        const answer = await rest('owner', path, patch);
        expect(answer.status, answer.text).toBe(400);
        expect(answer.text).toContain(NOT_FOUND(f1));
        const del = await rest('owner', path, { method: 'DELETE' });
        expect(del.status, del.text).toBe(400);
      }
      const records = await rest('owner', `${url(T())}?rollback=true`, {
        method: 'PATCH',
        json: {
          resource: [
            { [n('TrackId')]: v1, [n('Name')]: 'taken' },
            { [n('TrackId')]: f1, [n('Name')]: 'taken' },
          ],
        },
      });
      expect(records.status).toBe(400);
      expect(await tracks()).toEqual(before);
      // Reading a mixed batch shows the visible row only, never the foreign one.
      const read = await rest('owner', `${url(T())}?ids=${v1},${f1}`);
      expect(read.status).toBe(400);
      expect(read.text).toContain(`track ${v1}`);
      expect(read.text).not.toContain(`track ${f1}`);
    });

    it('never writes the foreign row of a mixed ids batch in DreamFactory’s default batch mode', async () => {
      // Default mode keeps what succeeded before the failing item (compat §5.7), so the visible row may change.
      await rest('owner', `${url(T())}?ids=${v2},${f2}`, {
        method: 'PATCH',
        json: { resource: [{ [n('Name')]: 'taken' }] },
      });
      await rest('owner', `${url(T())}?ids=${v2},${f2}&continue=true`, { method: 'DELETE' });
      expect(await nameOf(f2)).toBe(`track ${f2}`);
    });

    it('changes only visible rows when updating or deleting by filter', async () => {
      const pair = (a: number, b: number) =>
        encodeURIComponent(`(${n('TrackId')} = ${a}) or (${n('TrackId')} = ${b})`);
      const patched = await rest('owner', `${url(T())}?filter=${pair(v3, f3)}`, {
        method: 'PATCH',
        json: { resource: [{ [n('Name')]: 'patched' }] },
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.text).not.toContain(String(f3));
      expect([await nameOf(v3), await nameOf(f3)]).toEqual(['patched', `track ${f3}`]);
      const deleted = await rest('owner', `${url(T())}?filter=${pair(v4, f4)}`, { method: 'DELETE' });
      expect(deleted.status, deleted.text).toBe(200);
      expect([await nameOf(v4), await nameOf(f4)]).toEqual([null, `track ${f4}`]);
    });

    it('hides foreign rows from GraphQL by-key reads, updates and deletes, and from where-mutations', async () => {
      const before = await tracks();
      for (const query of [
        `{ chinook { track(trackId: ${f5}) { trackId } } }`,
        `mutation { chinook_updateTrack(trackId: ${f5}, set: { name: "taken" }) { trackId } }`,
        `mutation { chinook_deleteTrack(trackId: ${f5}) { trackId } }`,
      ]) {
        const answer = await gql('owner', query);
        expect(hasValues(answer.body.data), answer.text).toBe(false);
      }
      expect(await tracks()).toEqual(before);
      const updated = await gql(
        'owner',
        `mutation { chinook_updateTracks(where: { trackId: { in: [${v5}, ${f5}] } }, set: { name: "many" }) { affectedRows } }`,
      );
      expect(updated.body.data.chinook_updateTracks.affectedRows).toBe(1);
      const removed = await gql(
        'owner',
        `mutation { chinook_deleteTracks(where: { trackId: { in: [${v5}, ${f5}] } }) { affectedRows returning { trackId } } }`,
      );
      expect(removed.body.data.chinook_deleteTracks).toEqual({
        affectedRows: 1,
        returning: [{ trackId: v5 }],
      });
      expect([await nameOf(v5), await nameOf(f5)]).toEqual([null, `track ${f5}`]);
      expect(await nameOf(v0)).toBe(`track ${v0}`);
    });

    // Compat §10.4: the values written must satisfy the row filter (403 `Denied access to some of the
    // requested fields.`), so a role can neither move its rows out of its filter nor create rows outside it.
    it('refuses a write that would put a row outside the row filter (REST)', async () => {
      const before = await tracks();
      const moved = await rest('owner', url(`${T()}/${v6}`), {
        method: 'PATCH',
        json: { [n('GenreId')]: 2 },
      });
      const created = await rest('owner', url(T()), {
        json: {
          resource: [
            {
              [n('Name')]: 'outside',
              [n('GenreId')]: 2,
              [n('MediaTypeId')]: 1,
              [n('Milliseconds')]: 1,
              [n('UnitPrice')]: 1,
            },
          ],
        },
      });
      expect(await tracks()).toEqual(before);
      expect(moved.status).toBe(403);
      expect(created.text).toContain(FIELDS_DENIED);
    });

    it('refuses a write that would put a row outside the row filter (GraphQL)', async () => {
      const before = await tracks();
      const moved = await gql(
        'owner',
        `mutation { chinook_updateTrack(trackId: ${v7}, set: { genreId: 2 }) { trackId } }`,
      );
      const created = await gql(
        'owner',
        'mutation { chinook_insertTrack(object: { name: "outside", genreId: 2, mediaTypeId: 1, milliseconds: 1, unitPrice: "1" }) { trackId } }',
      );
      expect(await tracks()).toEqual(before);
      expect(moved.body.errors?.length).toBeGreaterThan(0);
      expect(created.body.errors?.length).toBeGreaterThan(0);
    });
  });

  describe('A5: mass assignment and nested writes', () => {
    const base = () => ({
      [n('Name')]: 'mass',
      [n('MediaTypeId')]: 1,
      [n('Milliseconds')]: 1,
      [n('UnitPrice')]: 1,
      [n('GenreId')]: 1,
    });

    it('refuses a REST body with a key, non-writable or hidden column with 403, writing nothing', async () => {
      const before = await tracks();
      const record = url(`${T()}/${VISIBLE[0]}`);
      const byFilter = `${url(T())}?filter=${encodeURIComponent(`${n('TrackId')} = ${VISIBLE[0]}`)}`;
      for (const extra of [{ [n('TrackId')]: 9999 }, { [n('Bytes')]: 1 }, { [n('Composer')]: 'me' }]) {
        const body = { resource: [{ ...base(), ...extra }] };
        const created = await rest('owner', url(T()), { json: body });
        expectWriteRefused(created, 'owner', JSON.stringify(body));
        expect(created.body.error.context.resource[0]).toEqual({
          code: 403,
          context: null,
          message: FIELDS_DENIED,
          status_code: 403,
        });
        for (const [method, path, json] of [
          ['PATCH', record, extra],
          ['PUT', record, extra],
          ['PATCH', byFilter, { resource: [extra] }],
        ] as const) {
          const answer = await rest('owner', path, { method, json });
          // A key in an update body names the record and is never written (compat §5.4): refused or ignored.
          if (n('TrackId') in extra && answer.status === 200) continue;
          expectRefused(answer, 'owner', JSON.stringify(json), 403, FIELDS_DENIED);
        }
      }
      expect(await tracks()).toEqual(before);
    });

    it('refuses a GraphQL insert or update with a non-writable or hidden column, writing nothing', async () => {
      const before = await tracks();
      for (const query of [
        'mutation { chinook_insertTrack(object: { name: "mass", mediaTypeId: 1, milliseconds: 1, unitPrice: "1", genreId: 1, bytes: 1 }) { trackId } }',
        'mutation { chinook_insertTrack(object: { name: "mass", mediaTypeId: 1, milliseconds: 1, unitPrice: "1", genreId: 1, composer: "me" }) { trackId } }',
        `mutation { chinook_updateTrack(trackId: ${VISIBLE[0]}, set: { bytes: 1 }) { trackId } }`,
        `mutation { chinook_updateTracks(where: { trackId: { eq: ${VISIBLE[0]} } }, set: { composer: "me" }) { affectedRows } }`,
      ]) {
        expectGraphqlRefused(await gql('owner', query), 'owner', query);
      }
      expect(await tracks()).toEqual(before);
    });

    it('refuses nested creates into a table without POST in one transaction (REST rollback=true), writing nothing', async () => {
      const counts = async () => [await count('Artist'), await count('Album')];
      const before = await counts();
      const body = {
        resource: [{ [n('Name')]: 'nested', [n('Album_by_ArtistId')]: [{ [n('Title')]: 'nested' }] }],
      };
      expectWriteRefused(
        await rest('artistWriter', `${url(n('Artist'))}?rollback=true`, { json: body }),
        'artistWriter',
        JSON.stringify(body),
      );
      // An existing artist: the nested album is refused and the artist is not touched.
      const patch = { [n('Album_by_ArtistId')]: [{ [n('Title')]: 'nested' }] };
      expectWriteRefused(
        await rest('artistWriter', url(`${n('Artist')}/${SPARE}`), { method: 'PATCH', json: patch }),
        'artistWriter',
        JSON.stringify(patch),
      );
      // A belongs-to parent the role may not create: refused before the album is written.
      const album = {
        resource: [{ [n('Title')]: 'nested', [n('Artist_by_ArtistId')]: { [n('Name')]: 'nested' } }],
      };
      expectWriteRefused(
        await rest('editor', url(n('Album')), { json: album }),
        'editor',
        JSON.stringify(album),
      );
      expect(await counts()).toEqual(before);
    });

    // Without rollback=true nothing would undo a parent row written before a refused child (security.md A5:
    // 0 rows), so the whole nested tree is authorized before the first insert.
    it('refuses nested creates into a table without POST in the default batch mode, writing nothing', async () => {
      const before = await count('Artist');
      const body = {
        resource: [{ [n('Name')]: 'nested default', [n('Album_by_ArtistId')]: [{ [n('Title')]: 'nested' }] }],
      };
      expectWriteRefused(
        await rest('artistWriter', url(n('Artist')), { json: body }),
        'artistWriter',
        JSON.stringify(body),
      );
      expect(await count('Artist')).toBe(before);
    });

    it('refuses GraphQL nested creates into a table without POST, writing nothing', async () => {
      const counts = async () => [await count('Artist'), await count('Album')];
      const before = await counts();
      for (const [who, query] of [
        [
          'artistWriter',
          'mutation { chinook_insertArtist(object: { name: "nested", albums: { create: [{ title: "nested" }] } }) { artistId } }',
        ],
        [
          'editor',
          'mutation { chinook_insertAlbum(object: { title: "nested", artist: { create: { name: "nested" } } }) { albumId } }',
        ],
        [
          'artistWriter',
          'mutation { chinook_insertArtists(objects: [{ name: "ok" }, { name: "nested", albums: { create: [{ title: "nested" }] } }]) { affectedRows } }',
        ],
      ] as const) {
        expectGraphqlRefused(await gql(who, query), who, query);
      }
      expect(await counts()).toEqual(before);
    });
  });

  // DreamFactory treats PUT and PATCH alike for SQL (Q2): a role with either may update, in both APIs.
  it('lets a role with PUT only replace a record with PUT (DreamFactory checks the verb sent)', async () => {
    const answer = await rest('putter', url(`${n('Artist')}/${SPARE + 1}`), {
      method: 'PUT',
      json: { [n('Name')]: 'put' },
    });
    expect(answer.status, answer.text).toBe(200);
  });

  describe('A8: what refusals and the per-role schema reveal', () => {
    it('names no table or column the role cannot see in REST refusals', async () => {
      for (const [who, path] of [
        ['catalog', url(n('Customer'))],
        ['catalog', `${url(n('Album'))}?related=*`],
        ['none', url(`${n('Employee')}/1`)],
        ['owner', `${url(T())}?order=${n('Composer')}`],
      ] as const) {
        const answer = await rest(who, path);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(leakedNames(answer.text, path, forbiddenNames(dialect, defs[who]))).toEqual([]);
      }
    });

    it('lists only readable tables in the REST _table listing and refuses it to a role without _table', async () => {
      const listing = await rest('catalog', '/api/v2/chinook/_table');
      expect(listing.body.resource.map((t: any) => t.name).sort()).toEqual([n('Album'), n('Track')].sort());
      expectRefused(await rest('none', '/api/v2/chinook/_table'), 'none', '/_table', 401, DENIED);
    });

    it('refuses GraphQL introspection to a request without a valid key', async () => {
      const answer = await api.graphql(null, '{ __schema { types { name } } }');
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.text).not.toMatch(/"Track"|"Album"|"Customer"/);
    });
  });

  describe('A8: the GraphQL schema of a role holds only what it may use (per-role schema)', () => {
    it('answers __type for a table the role cannot read with null', async () => {
      const answer = await gql(
        'catalog',
        '{ artist: __type(name: "Artist") { name } customer: __type(name: "Customer") { name } }',
      );
      expect(answer.body).toEqual({ data: { artist: null, customer: null } });
    });

    it('leaves hidden columns and unreadable relations out of the types the role can read', async () => {
      const answer = await gql(
        'catalog',
        '{ track: __type(name: "Track") { fields { name } } album: __type(name: "Album") { fields { name } } }',
      );
      const fields = (t: any) => t.fields.map((f: any) => f.name);
      expect(fields(answer.body.data.track)).not.toContain('composer');
      expect(fields(answer.body.data.track)).not.toContain('genre');
      expect(fields(answer.body.data.album)).not.toContain('artist');
    });

    it('names no forbidden table or column anywhere in the role’s introspection, nor in its suggestions', async () => {
      const answer = await gql(
        'catalog',
        '{ __schema { types { name fields { name } inputFields { name } enumValues { name } } } }',
      );
      const names = JSON.stringify(answer.body.data).toLowerCase();
      for (const word of [
        '"artist"',
        '"customer"',
        '"composer"',
        '"employee"',
        '"invoice"',
        'customers',
        'artists',
      ])
        expect(names).not.toContain(word);
      const typo = '{ chinook { trak { trackId } artis { name } } }';
      const suggested = await gql('catalog', typo);
      expect(suggested.text).not.toMatch(/artist|customer/i);
    });

    it('gives a role without any readable table an empty schema', async () => {
      const answer = await gql(
        'none',
        '{ __schema { queryType { fields { name } } mutationType { name } } }',
      );
      const fields = answer.body.data.__schema.queryType.fields.map((f: any) => f.name);
      expect(fields.filter((f: string) => f !== '_empty')).toEqual([]);
      expect(answer.body.data.__schema.mutationType).toBeNull();
    });
  });

  describe('A7: API keys', () => {
    it('keeps no plain key in the loaded config, only its hash', () => {
      const text = JSON.stringify(config);
      for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
      expect(config.auth.apps.every((app) => /^[0-9a-f]{64}$/.test(app.apiKeyHash))).toBe(true);
    });

    it('refuses ?api_key= when apiKeyInQuery is false, in REST and GraphQL', async () => {
      const rested = await api.rest(null, `${url(n('Album'))}?api_key=${encodeURIComponent(KEYS.reader)}`);
      expect(rested.status).toBe(400);
      expect(rested.body.error.message).toMatch(/^No session token \(JWT\) or API Key detected in request/);
      const graphed = await api.rest(null, `/graphql?api_key=${encodeURIComponent(KEYS.reader)}`, {
        method: 'POST',
        json: { query: '{ chinook { albums(limit: 1) { albumId } } }' },
      });
      expect(graphed.status).toBeGreaterThanOrEqual(400);
      expect(hasValues(graphed.body?.data)).toBe(false);
      // The header still works.
      expect((await rest('reader', `${url(n('Album'))}?limit=1`)).status).toBe(200);
    });

    it('never writes any key to the server log or the process output, after all the requests above', async () => {
      // More refusals with keys in every place a client might put one.
      for (const key of Object.values(KEYS)) {
        await api.rest(key, `${url(n('Customer'))}?api_key=${key}&session_token=${key}`);
        await api.rest(null, `${url(n('Customer'))}?api_key=${key}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        await api.rest(key, url(n('Customer')), { json: { api_key: key, resource: [{ x: key }] } });
        await api.graphql(key, `{ chinook { customers { email } } } # ${key}`);
      }
      const log = [...api.server.log, ...output].join('\n');
      expect(api.server.log.length).toBeGreaterThan(0);
      for (const key of Object.values(KEYS)) expect(log.split(key).length - 1).toBe(0);
    });
  });
});
