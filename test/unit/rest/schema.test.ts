// The `_schema` / `_table` listing and description endpoints against a model built from miniChinook (compat §7).
import { describe, expect, it } from 'vitest';
import { createExecContext } from '../../../src/executor/context.js';
import { buildModel } from '../../../src/model/build-model.js';
import { ModelIndex } from '../../../src/model/model-index.js';
import { Params } from '../../../src/rest/params.js';
import { describeTable, describeTableAlias } from '../../../src/rest/schema/describe.js';
import {
  naturalCaseCompare,
  schemaHandler,
  serviceList,
  serviceRootHandler,
  tableListHandler,
} from '../../../src/rest/schema/handlers.js';
import type { RestContext, RestHandler, Verb } from '../../../src/rest/types.js';
import { catalog, column, config, miniChinook, service, table } from '../model/fixtures.js';

const chinook = miniChinook();
chinook.tables.push(
  table('album_list', [column('AlbumId'), column('Title', 'nvarchar(160)')], { kind: 'view' }),
);
const crm = catalog(
  [
    table('Contact', [column('Email', 'varchar(100)'), column('Code', 'char(4)')], { primaryKey: ['Email'] }),
    table('Note10', [column('Id')]),
    table('note2', [column('Id')]),
    table('Note1', [column('Id')]),
  ],
  'postgres',
);
const { model } = buildModel(
  config(
    [service('chinook', { description: 'Music store' }), service('crm', { type: 'postgres' })],
    [
      {
        from: { service: 'chinook', table: 'Artist', fields: ['Name'] },
        to: { service: 'crm', table: 'Contact', fields: ['Email'] },
      },
    ],
  ),
  new Map([
    ['chinook', chinook],
    ['crm', crm],
  ]),
);
const index = new ModelIndex(model);
const chinookService = index.service('chinook');

function context(path: string[], query = '', verb: Verb = 'GET', serviceName = 'chinook'): RestContext {
  return {
    index,
    principal: { kind: 'open' },
    request: {
      verb,
      service: index.service(serviceName),
      path,
      params: new Params(new URLSearchParams(query)),
      body: undefined,
      headers: new Headers(),
    },
    exec: createExecContext(index, () => {
      throw new Error('schema endpoints never reach a database');
    }),
  };
}

async function get(handler: RestHandler, path: string[], query = '', serviceName = 'chinook') {
  const response = await handler(context(path, query, 'GET', serviceName));
  expect(response.status).toBe(200);
  return response.body as Record<string, unknown>;
}

const albumDescription = () => describeTable(index, chinookService, index.table('chinook', 'Album'), 31);
const fieldOf = (body: Record<string, unknown>, name: string) =>
  (body.field as Record<string, unknown>[]).find((f) => f.name === name);
const relationOf = (body: Record<string, unknown>, name: string) =>
  (body.related as Record<string, unknown>[]).find((r) => r.name === name);

describe('describeTable (compat §7.2)', () => {
  it('lists the table keys in DreamFactory order', () => {
    expect(Object.keys(albumDescription())).toEqual([
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
  });

  it('describes the table itself like the Album example', () => {
    const { field: _f, related: _r, constraints: _c, ...head } = albumDescription();
    expect(head).toEqual({
      alias: null,
      name: 'Album',
      label: 'Album',
      description: null,
      native: [],
      plural: 'Albums',
      is_view: false,
      primary_key: ['AlbumId'],
      name_field: null,
      access: 31,
    });
  });

  it('describes the auto-increment primary key with every field key in order', () => {
    const field = fieldOf(albumDescription(), 'AlbumId');
    expect(Object.keys(field ?? {})).toEqual([
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
    expect(field).toEqual({
      alias: null,
      name: 'AlbumId',
      label: 'AlbumId',
      description: null,
      native: [],
      type: 'id',
      db_type: 'integer',
      length: null,
      precision: null,
      scale: null,
      default: null,
      required: false,
      allow_null: false,
      fixed_length: false,
      supports_multibyte: false,
      auto_increment: true,
      is_primary_key: true,
      is_unique: false,
      is_index: false,
      is_foreign_key: false,
      ref_table: null,
      ref_field: null,
      ref_on_update: null,
      ref_on_delete: null,
      picklist: null,
      validation: null,
      db_function: null,
      is_virtual: false,
      is_aggregate: false,
    });
  });

  it('marks a string column as required and multibyte, with its length', () => {
    expect(fieldOf(albumDescription(), 'Title')).toMatchObject({
      type: 'string',
      db_type: 'nvarchar(160)',
      length: 160,
      required: true,
      allow_null: false,
      fixed_length: false,
      supports_multibyte: true,
    });
  });

  it('marks a foreign key column as an indexed reference to its table', () => {
    expect(fieldOf(albumDescription(), 'ArtistId')).toMatchObject({
      type: 'reference',
      required: true,
      is_index: true,
      is_foreign_key: true,
      ref_table: 'Artist',
      ref_field: 'ArtistId',
      ref_on_update: null,
      ref_on_delete: null,
    });
  });

  it('marks char(n) columns as fixed length', () => {
    const contact = describeTable(index, index.service('crm'), index.table('crm', 'Contact'), 31);
    expect(fieldOf(contact, 'Code')).toMatchObject({ fixed_length: true, supports_multibyte: true });
    expect(fieldOf(contact, 'Email')).toMatchObject({ fixed_length: false });
  });

  it('describes the belongs_to relation exactly like the Album example, with the service position as id', () => {
    const relation = relationOf(albumDescription(), 'Artist_by_ArtistId');
    expect(Object.keys(relation ?? {})).toEqual([
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
    expect(relation).toEqual({
      alias: null,
      name: 'Artist_by_ArtistId',
      label: 'Artist By ArtistId',
      description: null,
      native: [],
      type: 'belongs_to',
      field: 'ArtistId',
      is_virtual: false,
      ref_service_id: 1,
      ref_table: 'Artist',
      ref_field: 'ArtistId',
      ref_on_update: 'NO ACTION',
      ref_on_delete: 'NO ACTION',
      junction_service_id: null,
      junction_table: null,
      junction_field: null,
      junction_ref_field: null,
      always_fetch: false,
      flatten: false,
      flatten_drop_prefix: false,
    });
  });

  it('describes the has_many and the many_many relations with their junction keys', () => {
    const body = albumDescription();
    expect((body.related as { name: string }[]).map((r) => r.name)).toEqual([
      'Artist_by_ArtistId',
      'Track_by_AlbumId',
      'Genre_by_Track',
    ]);
    expect(relationOf(body, 'Track_by_AlbumId')).toMatchObject({
      type: 'has_many',
      field: 'AlbumId',
      ref_table: 'Track',
      ref_field: 'AlbumId',
      junction_table: null,
    });
    expect(relationOf(body, 'Genre_by_Track')).toMatchObject({
      type: 'many_many',
      field: 'AlbumId',
      ref_service_id: 1,
      ref_table: 'Genre',
      ref_field: 'GenreId',
      junction_service_id: 1,
      junction_table: 'Track',
      junction_field: 'AlbumId',
      junction_ref_field: 'GenreId',
    });
  });

  it('keys the constraints by lower-cased name: foreign keys, then the primary key', () => {
    expect(albumDescription().constraints).toEqual({
      fk_artistid_artist: {
        constraint_type: 'FOREIGN KEY',
        table_name: 'Album',
        column_name: 'ArtistId',
        referenced_table_name: 'Artist',
        referenced_column_name: 'ArtistId',
        update_rule: 'NO ACTION',
        delete_rule: 'NO ACTION',
      },
      primary: {
        constraint_type: 'PRIMARY KEY',
        table_name: 'Album',
        column_name: 'AlbumId',
        referenced_table_name: null,
        referenced_column_name: null,
        update_rule: null,
        delete_rule: null,
      },
    });
  });

  it('lists a composite primary key as an array of columns', () => {
    const body = describeTable(index, chinookService, index.table('chinook', 'PlaylistTrack'), 31);
    expect(body.constraints).toMatchObject({ primary: { column_name: ['PlaylistId', 'TrackId'] } });
  });

  it('hides the relation that lost the self-reference collision but keeps its constraint (Q11)', () => {
    const body = describeTable(index, chinookService, index.table('chinook', 'Employee'), 31);
    expect(body.related).toEqual([
      expect.objectContaining({ name: 'Employee_by_ReportsTo', type: 'has_many' }),
    ]);
    expect(Object.keys(body.constraints as object)).toEqual(['fk_reportsto_employee', 'primary']);
  });

  it('flags a virtual relation to another service with that service id and no constraint (§9.1)', () => {
    const body = describeTable(index, chinookService, index.table('chinook', 'Artist'), 31);
    expect(relationOf(body, 'crm.Contact_by_Name')).toMatchObject({
      label: 'Crm.Contact By Name',
      type: 'belongs_to',
      field: 'Name',
      is_virtual: true,
      ref_service_id: 2,
      ref_table: 'Contact',
      ref_field: 'Email',
      ref_on_update: null,
      ref_on_delete: null,
    });
    expect(fieldOf(body, 'Name')).toMatchObject({ is_foreign_key: false, ref_table: null });
    expect(Object.keys(body.constraints as object)).toEqual(['primary']);
  });

  it('leaves out every alias key in the include_schema form', () => {
    const body = describeTableAlias(index, chinookService, index.table('chinook', 'Album'), 31);
    expect(Object.keys(body)[0]).toBe('name');
    expect(body.access).toBe(31);
    expect(describeTableAlias(index, chinookService, index.table('chinook', 'Album'), 9).access).toBe(9);
    expect((body.field as object[]).every((f) => !('alias' in f))).toBe(true);
    expect((body.related as object[]).every((r) => !('alias' in r))).toBe(true);
  });
});

describe('GET /_table and GET /_schema listings (compat §7.1)', () => {
  const chinookNames = [
    'Album',
    'album_list',
    'Artist',
    'Employee',
    'Genre',
    'Playlist',
    'PlaylistTrack',
    'Track',
  ];

  it('lists every table and view by name, sorted case-insensitively', async () => {
    expect(await get(tableListHandler, ['_table'])).toEqual({
      resource: chinookNames.map((name) => ({ name })),
    });
    expect(await get(schemaHandler, ['_schema'])).toEqual({
      resource: chinookNames.map((name) => ({ name })),
    });
  });

  it('sorts names naturally, so digits compare as numbers', async () => {
    expect(await get(tableListHandler, ['_table'], 'as_list=true', 'crm')).toEqual({
      resource: ['Contact', 'Note1', 'note2', 'Note10'],
    });
    expect(['b10', 'B2', 'a'].sort(naturalCaseCompare)).toEqual(['a', 'B2', 'b10']);
  });

  it('returns bare names with as_list=true', async () => {
    expect(await get(tableListHandler, ['_table'], 'as_list=true')).toEqual({ resource: chinookNames });
    expect(await get(schemaHandler, ['_schema'], 'as_list=1')).toEqual({ resource: chinookNames });
  });

  it('returns summaries with verb arrays for fields=*, GET only for views', async () => {
    const body = await get(tableListHandler, ['_table'], 'fields=*');
    const [album, view] = body.resource as Record<string, unknown>[];
    expect(album).toEqual({
      alias: null,
      name: 'Album',
      label: 'Album',
      description: null,
      native: [],
      plural: 'Albums',
      is_view: false,
      access: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    });
    expect(view).toMatchObject({ name: 'album_list', is_view: true, access: ['GET'] });
  });

  it('filters the _table listing by ids, case-insensitively and in listing order', async () => {
    expect(await get(tableListHandler, ['_table'], 'ids=track,Album,nope')).toEqual({
      resource: [{ name: 'Album' }, { name: 'Track' }],
    });
  });

  it('returns full descriptions for _schema?ids=, wrapped and in the order asked', async () => {
    const body = await get(schemaHandler, ['_schema'], 'ids=Track,album');
    const resource = body.resource as Record<string, unknown>[];
    expect(resource.map((t) => t.name)).toEqual(['Track', 'Album']);
    expect(resource[1]).toEqual(albumDescription());
  });

  it('answers _schema?ids= naming a missing table with 404', async () => {
    await expect(schemaHandler(context(['_schema'], 'ids=Album,Nope'))).rejects.toMatchObject({
      status: 404,
      message: 'Table "Nope" does not exist in the database.',
    });
  });

  it('gives a view the GET-only mask in its description', async () => {
    expect(await get(schemaHandler, ['_schema', 'album_list'])).toMatchObject({ is_view: true, access: 1 });
  });
});

describe('GET /_schema/{table} and its sub-resources (compat §7.2, §7.4)', () => {
  it('finds the table whatever the case of its name and answers with the real name', async () => {
    expect(await get(schemaHandler, ['_schema', 'album'])).toEqual(albumDescription());
  });

  it('answers a missing table with 404 and DreamFactory’s message', async () => {
    await expect(schemaHandler(context(['_schema', 'Nope']))).rejects.toMatchObject({
      status: 404,
      message: 'Table "Nope" does not exist in the database.',
    });
  });

  it('lists the fields wrapped and serves one field bare', async () => {
    const fields = await get(schemaHandler, ['_schema', 'Album', '_field']);
    expect((fields.resource as { name: string }[]).map((f) => f.name)).toEqual([
      'AlbumId',
      'Title',
      'ArtistId',
    ]);
    expect(await get(schemaHandler, ['_schema', 'Album', '_field', 'Title'])).toEqual(
      fieldOf(albumDescription(), 'Title'),
    );
  });

  it('still serves the deprecated /_schema/{table}/{field} form', async () => {
    expect(await get(schemaHandler, ['_schema', 'album', 'Title'])).toEqual(
      fieldOf(albumDescription(), 'Title'),
    );
  });

  it('matches field names case-sensitively and names the table in the 404', async () => {
    for (const path of [
      ['_schema', 'Album', 'title'],
      ['_schema', 'album', '_field', 'title'],
    ]) {
      await expect(schemaHandler(context(path))).rejects.toMatchObject({
        status: 404,
        message: "No requested fields found in table 'Album'.",
      });
    }
  });

  it('lists the relations wrapped and serves one bare, by case-insensitive name', async () => {
    const related = await get(schemaHandler, ['_schema', 'Album', '_related']);
    expect((related.resource as { name: string }[]).map((r) => r.name)).toEqual([
      'Artist_by_ArtistId',
      'Track_by_AlbumId',
      'Genre_by_Track',
    ]);
    expect(await get(schemaHandler, ['_schema', 'Album', '_related', 'artist_by_artistid'])).toEqual(
      relationOf(albumDescription(), 'Artist_by_ArtistId'),
    );
    await expect(schemaHandler(context(['_schema', 'Album', '_related', 'Nope']))).rejects.toMatchObject({
      status: 404,
    });
  });

  it('rejects /_schema/{table}/x/y with 400', async () => {
    await expect(schemaHandler(context(['_schema', 'Album', 'Title', 'x']))).rejects.toMatchObject({
      status: 400,
      message: 'Invalid schema path in describe request.',
    });
  });

  it('refuses schema writes with 400 for now', async () => {
    await expect(schemaHandler(context(['_schema'], '', 'POST'))).rejects.toMatchObject({
      status: 400,
      message: "POST requests without a resource are not currently supported by the '_schema' service.",
    });
    await expect(schemaHandler(context(['_schema', 'Album'], '', 'DELETE'))).rejects.toMatchObject({
      status: 400,
      message: "DELETE requests are not currently supported by the '_schema' service.",
    });
    await expect(tableListHandler(context(['_table'], '', 'PUT'))).rejects.toMatchObject({ status: 400 });
  });
});

describe('service root and service list (compat §1.1)', () => {
  it('lists _schema and _table for a SQLite service', async () => {
    expect(await get(serviceRootHandler, [])).toEqual({
      resource: [{ name: '_schema' }, { name: '_table' }],
    });
  });

  it('adds _proc and _func for a PostgreSQL service', async () => {
    expect(await get(serviceRootHandler, [], 'as_list=true', 'crm')).toEqual({
      resource: ['_schema', '_table', '_proc', '_func'],
    });
  });

  it('lists the services with their DreamFactory type names and the types in use', () => {
    expect(serviceList(index)).toEqual({
      services: [
        { name: 'chinook', label: 'Chinook', description: 'Music store', type: 'sqlite' },
        { name: 'crm', label: 'Crm', description: null, type: 'pgsql' },
      ],
      service_types: [
        {
          name: 'sqlite',
          label: 'SQLite',
          group: 'Database',
          description: 'Database service supporting SQLite connections.',
        },
        {
          name: 'pgsql',
          label: 'PostgreSQL',
          group: 'Database',
          description: 'Database service supporting PostgreSQL connections.',
        },
      ],
    });
  });
});
