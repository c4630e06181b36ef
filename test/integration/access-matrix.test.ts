/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// security.md A1: a generated permission matrix. Four roles × five Chinook tables × five verbs × every channel a
// client can use to reach them — REST with the verb itself, REST POST tunnelling the verb (X-HTTP-Method,
// X-HTTP-Method-Override, X-Method-Override, ?method=, ?_method=), GraphQL as one field, with aliases, with a
// fragment, through a relation, and the GraphQL mutations for writes. Each cell's expected outcome is computed
// from the role definitions with DreamFactory's matching rules (support/access.ts dfAllows), never written by
// hand. Denied cells run first, all of them, between two checksums of the tables: a denied write that wrote
// anything fails the suite even if its answer looked like a refusal.
import { buildClientSchema, getIntrospectionQuery, parse, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import type { AccessVerb, RoleConfig } from '../../src/auth/types.js';
import {
  camel,
  checksums,
  dfAllows,
  forbiddenNames,
  hiddenOf,
  DIALECTS,
  entry,
  insertSql,
  leakedNames,
  pool,
  role,
  rowsIn,
  startAccessServer,
  type AccessServer,
  type Answer,
} from './support/access.js';
import { chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { testConfig } from './support/graphql.js';

const TABLES = ['Album', 'Artist', 'Track', 'Genre', 'MediaType'] as const;
type Table = (typeof TABLES)[number];

interface TableMeta {
  type: string;
  list: string;
  one: string;
  plural: string;
  /** The text column updates write (REST name; GraphQL name in `gqlName`). */
  nameColumn: string;
  gqlName: string;
  /** A row every role that reads the table may see (Track 1 is in genre 1). */
  existing: number;
  insert: (marker: string) => Record<string, unknown>;
  gqlInsert: (marker: string) => string;
  /** A table with a relation to this one, for reads that reach it through a relation. */
  parent: { table: Table; list: string; relation: string };
}

const META: Record<Table, TableMeta> = {
  Album: {
    type: 'Album',
    list: 'albums',
    one: 'album',
    plural: 'Albums',
    nameColumn: 'Title',
    gqlName: 'title',
    existing: 1,
    insert: (m) => ({ Title: m, ArtistId: 1 }),
    gqlInsert: (m) => `{ title: "${m}", artistId: 1 }`,
    parent: { table: 'Artist', list: 'artists', relation: 'albums' },
  },
  Artist: {
    type: 'Artist',
    list: 'artists',
    one: 'artist',
    plural: 'Artists',
    nameColumn: 'Name',
    gqlName: 'name',
    existing: 1,
    insert: (m) => ({ Name: m }),
    gqlInsert: (m) => `{ name: "${m}" }`,
    parent: { table: 'Album', list: 'albums', relation: 'artist' },
  },
  Track: {
    type: 'Track',
    list: 'tracks',
    one: 'track',
    plural: 'Tracks',
    nameColumn: 'Name',
    gqlName: 'name',
    existing: 1,
    insert: (m) => ({ Name: m, AlbumId: 1, MediaTypeId: 1, GenreId: 1, Milliseconds: 1000, UnitPrice: 0.99 }),
    gqlInsert: (m) =>
      `{ name: "${m}", albumId: 1, mediaTypeId: 1, genreId: 1, milliseconds: 1000, unitPrice: "0.99" }`,
    parent: { table: 'Album', list: 'albums', relation: 'tracks' },
  },
  Genre: {
    type: 'Genre',
    list: 'genres',
    one: 'genre',
    plural: 'Genres',
    nameColumn: 'Name',
    gqlName: 'name',
    existing: 1,
    insert: (m) => ({ Name: m }),
    gqlInsert: (m) => `{ name: "${m}" }`,
    parent: { table: 'Track', list: 'tracks', relation: 'genre' },
  },
  MediaType: {
    type: 'MediaType',
    list: 'mediaTypes',
    one: 'mediaType',
    plural: 'MediaTypes',
    nameColumn: 'Name',
    gqlName: 'name',
    existing: 1,
    insert: (m) => ({ Name: m }),
    gqlInsert: (m) => `{ name: "${m}" }`,
    parent: { table: 'Track', list: 'tracks', relation: 'mediaType' },
  },
};

const gqlKey = (table: Table) => `${META[table].one}Id`;

/** Denied writes aim at this row of each table (no dependants, so a write that got through would succeed). */
const TARGET = 9000;
/** Allowed writes each get their own row from 9001 on, so concurrent cells never touch the same row. */
const POOL = 60;

function victimsSql(dialect: TestDialect): string {
  const ids = Array.from({ length: POOL + 1 }, (_, i) => TARGET + i);
  return [
    insertSql(
      dialect,
      'Artist',
      ['ArtistId', 'Name'],
      ids.map((id) => [id, `victim ${id}`]),
    ),
    insertSql(
      dialect,
      'Genre',
      ['GenreId', 'Name'],
      ids.map((id) => [id, `victim ${id}`]),
    ),
    insertSql(
      dialect,
      'MediaType',
      ['MediaTypeId', 'Name'],
      ids.map((id) => [id, `victim ${id}`]),
    ),
    insertSql(
      dialect,
      'Album',
      ['AlbumId', 'Title', 'ArtistId'],
      ids.map((id) => [id, `victim ${id}`, 1]),
    ),
    insertSql(
      dialect,
      'Track',
      ['TrackId', 'Name', 'AlbumId', 'MediaTypeId', 'GenreId', 'Milliseconds', 'UnitPrice'],
      ids.map((id) => [id, `victim ${id}`, 1, 1, 1, 1, 0.99]),
    ),
  ].join('\n');
}

const ROLE_NAMES = ['reader', 'editor', 'limited', 'none'] as const;
type RoleName = (typeof ROLE_NAMES)[number];

/** The four roles; column names in filters and field rules as the dialect spells them. */
function roles(dialect: TestDialect): Record<RoleName, RoleConfig> {
  const n = (name: string) => chinookName(dialect, name);
  return {
    reader: role('reader', [entry('_table/*', ['GET'])]),
    editor: role('editor', [
      entry('_table/Album/*', ['GET', 'POST', 'PATCH']),
      entry('_table/Artist/*', '*'),
    ]),
    // An exact component: `_table/Track` covers the table, not `_table/Track/{id}` (DF §10.3).
    limited: role('limited', [
      entry('_table/Track', ['GET'], {
        filters: [{ field: n('GenreId'), operator: '=', value: '1' }],
        hiddenFields: [n('Composer')],
      }),
    ]),
    none: role('none', [entry('_schema/*', ['GET'])]),
  };
}

/**
 * Rate limits count per API key (50/s by default): each role gets several apps, and cells spread over their
 * keys, so the matrix runs at full speed without switching the limit off.
 */
const LANES = 6;
const keyOf = (name: string, lane = 0) => `matrix-${name}-${lane}-key-0123456789abcdef`;

type Api = 'REST' | 'GraphQL';

interface Cell {
  role: RoleName;
  table: Table;
  verb: AccessVerb;
  api: Api;
  channel: string;
  /** Every (component, verb) the request needs, by DF's rules. */
  needs: { component: string; verb: AccessVerb }[];
  expected: boolean;
  /** The row the cell writes or deletes (a pool row when the cell is expected to be allowed). */
  target: number;
  marker: string;
  send: (api: AccessServer) => Promise<{ request: string; answer: Answer }>;
  /** For allowed cells: what is wrong with the answer and the database afterwards (empty: nothing). */
  check: (answer: Answer, db: DbProbe) => Promise<string[]>;
  /** GraphQL documents, checked against the full schema before anything runs. */
  document?: string;
}

interface DbProbe {
  countByName(table: Table, value: string): Promise<number>;
  nameOf(table: Table, id: number): Promise<string | null>;
}

const REST_SHAPES: { verb: AccessVerb; shape: 'collection' | 'record' | 'filter' | 'ids' }[] = [
  { verb: 'GET', shape: 'collection' },
  { verb: 'GET', shape: 'record' },
  { verb: 'POST', shape: 'collection' },
  { verb: 'PUT', shape: 'record' },
  { verb: 'PATCH', shape: 'record' },
  { verb: 'PATCH', shape: 'filter' },
  { verb: 'DELETE', shape: 'record' },
  { verb: 'DELETE', shape: 'ids' },
];

/** How the verb reaches the server: as itself, or tunnelled through POST (compat §2.1). */
const REST_CHANNELS = [
  { name: 'direct' },
  { name: 'POST + X-HTTP-Method', header: 'X-HTTP-Method' },
  { name: 'POST + X-HTTP-Method-Override', header: 'X-HTTP-Method-Override' },
  { name: 'POST + X-Method-Override', header: 'X-Method-Override' },
  { name: 'POST + ?method=', query: 'method' },
  { name: 'POST + ?_method=', query: '_method' },
] as const;

type GqlChannel = { name: string; verb: AccessVerb; viaParent?: boolean };
const GRAPHQL_CHANNELS: GqlChannel[] = [
  { name: 'query: one list field', verb: 'GET' },
  { name: 'query: by-key field', verb: 'GET' },
  { name: 'query: two aliases', verb: 'GET' },
  { name: 'query: named fragment', verb: 'GET' },
  { name: 'query: through a relation', verb: 'GET', viaParent: true },
  { name: 'mutation: insert one', verb: 'POST' },
  { name: 'mutation: insert many', verb: 'POST' },
  { name: 'mutation: two aliased inserts', verb: 'POST' },
  { name: 'mutation: update by key', verb: 'PATCH' },
  { name: 'mutation: update by where', verb: 'PATCH' },
  { name: 'mutation: delete by key', verb: 'DELETE' },
  { name: 'mutation: delete by where', verb: 'DELETE' },
];

/** Row filters of a role on a table, as (column, value) pairs; only `=` is used in these roles. */
function equalityFilters(r: RoleConfig, component: string): { field: string; value: string }[] {
  return r.access
    .filter((e) => dfAllows({ ...r, access: [e] }, 'chinook', component, 'GET'))
    .flatMap((e) => e.filters.map((f) => ({ field: f.field, value: f.value })));
}

function generate(dialect: TestDialect): Cell[] {
  const n = (name: string) => chinookName(dialect, name);
  const defs = roles(dialect);
  const cells: Cell[] = [];
  const nextVictim: Record<Table, number> = {
    Album: TARGET + 1,
    Artist: TARGET + 1,
    Track: TARGET + 1,
    Genre: TARGET + 1,
    MediaType: TARGET + 1,
  };
  const allows = (r: RoleName, needs: Cell['needs']) =>
    needs.every((need) => dfAllows(defs[r], 'chinook', need.component, need.verb));
  const victim = (table: Table, expected: boolean, writes: boolean) => {
    if (!expected || !writes) return TARGET;
    const id = nextVictim[table];
    nextVictim[table] += 1;
    if (id > TARGET + POOL) throw new Error(`victim pool of ${table} too small`);
    return id;
  };

  for (const roleName of ROLE_NAMES) {
    const def = defs[roleName];
    for (const table of TABLES) {
      const meta = META[table];
      const restTable = n(table);
      const pk = n(`${table}Id`);
      const tableComponent = `_table/${restTable}`;
      const filters = equalityFilters(def, tableComponent);
      const hidden = hiddenOf(def, tableComponent);
      /** Rows the role got back must lie inside its row filter and lack hidden columns. */
      const rowRules = (rows: any[], rest: boolean): string[] =>
        rows.flatMap((row) => [
          ...filters
            .filter((f) => (rest ? f.field : camel(f.field)) in row)
            .filter((f) => String(row[rest ? f.field : camel(f.field)]) !== f.value)
            .map((f) => `row ${JSON.stringify(row)} is outside the filter ${f.field} = ${f.value}`),
          ...hidden.filter((h) => (rest ? h : camel(h)) in row).map((h) => `row shows hidden column ${h}`),
        ]);

      // REST: every shape through every channel.
      for (const { verb, shape } of REST_SHAPES) {
        for (const channel of REST_CHANNELS) {
          const writes = verb !== 'GET';
          const onRecord = shape === 'record';
          const probeNeeds = (id: number) => [
            { component: onRecord ? `${tableComponent}/${id}` : tableComponent, verb },
            // The executor checks the table itself too (DF: the service's own per-table check).
            { component: tableComponent, verb },
          ];
          const expected = allows(
            roleName,
            probeNeeds(shape === 'record' && verb === 'GET' ? meta.existing : 0),
          );
          const target = victim(table, expected, writes);
          const id = verb === 'GET' ? meta.existing : target;
          const needs = probeNeeds(id);
          if (allows(roleName, needs) !== expected) throw new Error('the record id changed the outcome');
          const marker = `m-${cells.length}`;
          const key = keyOf(roleName, cells.length % LANES);
          const query = new URLSearchParams();
          let path = `/api/v2/chinook/_table/${restTable}`;
          let json: unknown;
          if (onRecord) path += `/${id}`;
          if (verb === 'GET' && shape === 'collection') query.set('limit', '3');
          if (verb === 'POST') json = { resource: [renamed(meta.insert(marker), n)] };
          if (verb === 'PUT') json = renamed(meta.insert(marker), n);
          if (verb === 'PATCH' && shape === 'record') json = { [n(meta.nameColumn)]: marker };
          if (shape === 'filter') {
            query.set('filter', `${pk} = ${id}`);
            json = { resource: [{ [n(meta.nameColumn)]: marker }] };
          }
          if (shape === 'ids') query.set('ids', String(id));
          let method: string = verb;
          const headers: Record<string, string> = {};
          if ('header' in channel) {
            method = 'POST';
            headers[channel.header] = verb;
          }
          if ('query' in channel) {
            method = 'POST';
            query.set(channel.query, verb);
          }
          const url = query.toString() !== '' ? `${path}?${query.toString()}` : path;
          const request = `${method} ${url} ${JSON.stringify(headers)} ${JSON.stringify(json ?? null)}`;
          cells.push({
            role: roleName,
            table,
            verb,
            api: 'REST',
            channel: `${channel.name} (${shape})`,
            needs,
            expected,
            target,
            marker,
            send: async (api) => ({ request, answer: await api.rest(key, url, { method, headers, json }) }),
            check: async (answer, db) => {
              const body = answer.body;
              if (verb === 'GET' && shape === 'collection') {
                const rows = body?.resource;
                if (!Array.isArray(rows) || rows.length === 0) return ['no rows'];
                return rowRules(rows, true);
              }
              if (verb === 'GET') return body?.[pk] === id ? rowRules([body], true) : ['wrong record'];
              if (verb === 'POST')
                return (await db.countByName(table, marker)) === 1 ? [] : ['the row was not created'];
              if (verb === 'DELETE')
                return (await db.nameOf(table, id)) === null ? [] : ['the row was not deleted'];
              return (await db.nameOf(table, id)) === marker ? [] : ['the row was not changed'];
            },
          });
        }
      }

      // GraphQL: queries, and mutations for the write verbs.
      for (const channel of GRAPHQL_CHANNELS) {
        const { verb } = channel;
        const needs = [{ component: tableComponent, verb }];
        if (channel.viaParent) needs.unshift({ component: `_table/${n(meta.parent.table)}`, verb: 'GET' });
        const expected = allows(roleName, needs);
        const target = victim(table, expected, verb !== 'GET');
        const marker = `m-${cells.length}`;
        const key = keyOf(roleName, cells.length % LANES);
        const keyField = gqlKey(table);
        const extra = table === 'Track' ? ' genreId' : '';
        const fields = `${keyField}${extra}`;
        const set = `{ ${meta.gqlName}: "${marker}" }`;
        const document = {
          'query: one list field': `{ chinook { ${meta.list}(limit: 3) { ${fields} } } }`,
          'query: by-key field': `{ chinook { ${meta.one}(${keyField}: ${meta.existing}) { ${fields} } } }`,
          'query: two aliases': `{ chinook { first: ${meta.list}(limit: 1) { ${fields} } second: ${meta.list}(limit: 1, offset: 1) { ${fields} } } }`,
          'query: named fragment': `query { chinook { ${meta.list}(limit: 2) { ...Row } } } fragment Row on ${meta.type} { ${fields} }`,
          'query: through a relation': `{ chinook { ${meta.parent.list}(limit: 3) { ${gqlKey(meta.parent.table)} ${meta.parent.relation} { ${fields} } } } }`,
          'mutation: insert one': `mutation { chinook_insert${meta.type}(object: ${meta.gqlInsert(marker)}) { ${keyField} } }`,
          'mutation: insert many': `mutation { chinook_insert${meta.plural}(objects: [${meta.gqlInsert(marker)}]) { affectedRows } }`,
          'mutation: two aliased inserts': `mutation { a: chinook_insert${meta.type}(object: ${meta.gqlInsert(marker)}) { ${keyField} } b: chinook_insert${meta.type}(object: ${meta.gqlInsert(marker)}) { ${keyField} } }`,
          'mutation: update by key': `mutation { chinook_update${meta.type}(${keyField}: ${target}, set: ${set}) { ${keyField} } }`,
          'mutation: update by where': `mutation { chinook_update${meta.plural}(where: { ${keyField}: { eq: ${target} } }, set: ${set}) { affectedRows } }`,
          'mutation: delete by key': `mutation { chinook_delete${meta.type}(${keyField}: ${target}) { ${keyField} } }`,
          'mutation: delete by where': `mutation { chinook_delete${meta.plural}(where: { ${keyField}: { eq: ${target} } }) { affectedRows } }`,
        }[channel.name] as string;
        cells.push({
          role: roleName,
          table,
          verb,
          api: 'GraphQL',
          channel: channel.name,
          needs,
          expected,
          target,
          marker,
          document,
          send: async (api) => ({ request: document, answer: await api.graphql(key, document) }),
          check: async (answer, db) => {
            const data = answer.body?.data;
            const rows = collect(data, keyField);
            switch (channel.name) {
              case 'mutation: insert one':
                return rows.length === 1 && (await db.countByName(table, marker)) === 1
                  ? []
                  : ['not inserted'];
              case 'mutation: two aliased inserts':
                return rows.length === 2 && (await db.countByName(table, marker)) === 2
                  ? []
                  : ['not inserted'];
              case 'mutation: insert many':
                return (await db.countByName(table, marker)) === 1 ? [] : ['not inserted'];
              case 'mutation: update by key':
              case 'mutation: update by where':
                return (await db.nameOf(table, target)) === marker ? [] : ['not updated'];
              case 'mutation: delete by key':
              case 'mutation: delete by where':
                return (await db.nameOf(table, target)) === null ? [] : ['not deleted'];
              default:
                return rows.length > 0 ? rowRules(rows, false) : ['no rows'];
            }
          },
        });
      }
    }
  }
  return cells;
}

function renamed(record: Record<string, unknown>, n: (name: string) => string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [n(k), v]));
}

/** Every object in a GraphQL answer that carries `key`. */
function collect(data: unknown, key: string): any[] {
  if (Array.isArray(data)) return data.flatMap((item) => collect(item, key));
  if (data === null || typeof data !== 'object') return [];
  const self = (data as Record<string, unknown>)[key] != null ? [data] : [];
  return [...self, ...Object.values(data).flatMap((v) => collect(v, key))];
}

const DENIED_GRAPHQL_CODES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED']);

/** What is wrong with a denied cell's answer (empty: a clean refusal without rows). */
function deniedProblems(cell: Cell, answer: Answer): string[] {
  if (cell.api === 'REST') {
    const problems: string[] = [];
    if (answer.status !== 401 && answer.status !== 403) problems.push(`status ${answer.status}`);
    const error = answer.body?.error;
    if (!error || Object.keys(answer.body).length !== 1) problems.push('not an error envelope');
    else if (error.status_code !== answer.status || error.context !== null) problems.push('odd envelope');
    return problems;
  }
  const body = answer.body ?? {};
  const errors: any[] = body.errors ?? [];
  const problems: string[] = [];
  if (errors.length === 0) problems.push('no error');
  for (const error of errors) {
    // A role without any write has no Mutation type: graphql-js refuses the operation without a code.
    const noMutations = /^Schema is not configured to execute mutation operation/.test(error?.message);
    if (!DENIED_GRAPHQL_CODES.has(error?.extensions?.code) && !noMutations)
      problems.push(`error ${error?.extensions?.code}`);
  }
  const keys = [gqlKey(cell.table), gqlKey(META[cell.table].parent.table)];
  if (keys.some((k) => rowsIn(body.data, k) > 0)) problems.push('rows in data');
  if (/"affectedRows":[1-9]/.test(answer.text)) problems.push('affectedRows > 0');
  return problems;
}

const CELL_COUNT = generate('sqlite').length;

describe.each(DIALECTS)('The permission matrix on $label', ({ dialect }) => {
  const chinook = useChinook(dialect, victimsSql(dialect));
  const defs = roles(dialect);
  const cells = generate(dialect);
  const n = (name: string) => chinookName(dialect, name);
  let api: AccessServer;
  let fullSchema: GraphQLSchema;
  const mismatches: string[] = [];

  const db: DbProbe = {
    countByName: async (table, value) => {
      const [row] = await chinook.knex(n(table)).where(n(META[table].nameColumn), value).count({ c: '*' });
      return Number(row?.c);
    },
    nameOf: async (table, id) => {
      const row = await chinook
        .knex(n(table))
        .where(n(`${table}Id`), id)
        .first();
      return row ? (row[n(META[table].nameColumn)] as string) : null;
    },
  };

  beforeAll(async () => {
    const admin = role('admin', [{ ...entry('*', '*'), service: '*' }]);
    api = await startAccessServer({
      ...testConfig([chinook.service]),
      auth: {
        apiKeyInQuery: true,
        roles: [...Object.values(defs), admin],
        apps: [...ROLE_NAMES, 'admin'].flatMap((name) =>
          Array.from({ length: LANES }, (_, lane) => ({
            name: `app-${name}-${lane}`,
            description: null,
            active: true,
            role: name,
            apiKeyHash: hashApiKey(keyOf(name, lane)),
          })),
        ),
      },
    });
    const introspection = await api.graphql(keyOf('admin'), getIntrospectionQuery());
    fullSchema = buildClientSchema(introspection.body.data);
  });
  afterAll(async () => {
    await api?.close();
  });

  const describeCell = (c: Cell) =>
    `${c.role} ${c.api} ${c.verb} ${c.table} via ${c.channel}: expected ${c.expected ? 'allowed' : 'denied'}`;

  it(`has ${CELL_COUNT} cells, and every GraphQL document in them is valid against the full schema`, () => {
    expect(cells.length).toBe(CELL_COUNT);
    expect(cells.filter((c) => c.expected).length).toBeGreaterThan(100);
    const invalid = cells
      .filter((c) => c.document !== undefined)
      .flatMap((c) =>
        validate(fullSchema, parse(c.document as string)).map((e) => `${c.document}: ${e.message}`),
      );
    expect(invalid).toEqual([]);
  });

  it('refuses every denied cell with no row in the answer, no forbidden name, and nothing written', async () => {
    const denied = cells.filter((c) => !c.expected);
    const before = await checksums(chinook.knex, dialect, TABLES);
    await pool(denied, 8, async (cell) => {
      const { request, answer } = await cell.send(api);
      const problems = deniedProblems(cell, answer);
      const leaks = leakedNames(answer.text, request, forbiddenNames(dialect, defs[cell.role]));
      if (leaks.length > 0) problems.push(`names ${leaks.join(', ')}`);
      if (problems.length > 0)
        mismatches.push(`${describeCell(cell)}; ${problems.join('; ')}; got ${answer.text.slice(0, 300)}`);
    });
    const after = await checksums(chinook.knex, dialect, TABLES);
    expect(mismatches).toEqual([]);
    expect(after).toEqual(before);
  });

  it('lets every allowed cell through, with only the rows and columns the role may see', async () => {
    const allowed = cells.filter((c) => c.expected);
    const wrong: string[] = [];
    await pool(allowed, 8, async (cell) => {
      const { answer } = await cell.send(api);
      const ok = cell.api === 'REST' ? answer.status >= 200 && answer.status < 300 : !answer.body?.errors;
      const problems = ok ? await cell.check(answer, db) : ['refused'];
      if (problems.length > 0)
        wrong.push(`${describeCell(cell)}; ${problems.join('; ')}; got ${answer.text.slice(0, 300)}`);
    });
    expect(wrong).toEqual([]);
  });

  it('takes the key from ?api_key= as DreamFactory does, and writes no key to its log', async () => {
    const album = `/api/v2/chinook/_table/${n('Album')}`;
    expect((await api.rest(null, `${album}?limit=1&api_key=${keyOf('reader')}`)).status).toBe(200);
    expect((await api.rest(null, `${album}?limit=1&api_key=${keyOf('none')}`)).status).toBe(401);
    expect(api.server.log.some((line) => line.startsWith('denied:'))).toBe(true);
    const log = api.server.log.join('\n');
    const keys = [...ROLE_NAMES, 'admin'].flatMap((name) =>
      Array.from({ length: LANES }, (_, l) => keyOf(name, l)),
    );
    expect(keys.filter((key) => log.includes(key))).toEqual([]);
  });
});
