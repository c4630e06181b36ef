/* eslint-disable @typescript-eslint/no-explicit-any -- documents are read dynamically */
// OpenAPI generation (src/docs) without a database: a cut-down Chinook model, whole and through roles, and
// a hostile table name; every document must pass the OpenAPI 3.1 validator. The landing page escapes names.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import type { Principal, RoleAccessConfig, RoleConfig } from '../../../src/auth/types.js';
import { landingPage } from '../../../src/docs/landing.js';
import { openApiDocument } from '../../../src/docs/openapi.js';
import { routineResultSchema, simpleTypeSchema } from '../../../src/docs/openapi-schemas.js';
import { serviceSpec } from '../../../src/docs/service-spec.js';
import { ApiError } from '../../../src/errors/index.js';
import { buildModel } from '../../../src/model/build-model.js';
import type { DataModel } from '../../../src/model/types.js';
import { catalog, column, config, miniChinook, service, table } from '../model/fixtures.js';

const AUTH = { open: false, apiKeyInQuery: false };

function model(): DataModel {
  const raw = miniChinook();
  raw.tables.push(
    table('we"ird <name>/x', [column('id', 'integer', { autoIncrement: true }), column('a&b', 'text')], {
      primaryKey: ['id'],
    }),
  );
  return buildModel(config([service('chinook')]), new Map([['chinook', raw]])).model;
}

function access(component: string, verbs: RoleAccessConfig['verbs'], hiddenFields: string[] = []) {
  return {
    service: 'chinook',
    component,
    verbs,
    filters: [],
    filterOp: 'AND',
    hiddenFields,
    writableFields: null,
  } satisfies RoleAccessConfig;
}

function app(entries: RoleAccessConfig[]): Principal {
  const role: RoleConfig = { name: 'r', description: null, active: true, access: entries };
  return {
    kind: 'app',
    role,
    app: { name: 'a', description: null, active: true, role: 'r', apiKeyHash: '0' },
  };
}

async function expectValid(doc: Record<string, unknown>) {
  const result = await new Validator().validate(structuredClone(doc));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('OpenAPI documents', () => {
  it('document the whole service on an open server, with a hostile table name made safe', async () => {
    const doc: any = serviceSpec(model(), 'chinook', { kind: 'open' }, { open: true, apiKeyInQuery: true });
    await expectValid(doc);
    expect(doc.security).toContainEqual({});
    expect(doc.paths['/_table/we%22ird%20%3Cname%3E%2Fx']).toBeDefined();
    expect(doc.components.schemas['we_ird__name__x.Record'].properties['a&b'].type).toBe('string');
    expect(doc.paths['/_table/PlaylistTrack/{id}']).toBeDefined();
    expect(doc.components.schemas['Track.Record'].properties.UnitPrice.type).toBe('number');
    expect(doc.components.schemas['Album.Record'].properties.Artist_by_ArtistId.anyOf[0]).toEqual({
      $ref: '#/components/schemas/Artist.Record',
    });
  });

  it('narrow to a role: its tables, verbs and visible columns only; no _schema without access', async () => {
    const principal = app([
      access('_table/Album/*', ['GET', 'PATCH']),
      access('_table/Artist/*', ['GET'], ['Name']),
    ]);
    const doc: any = serviceSpec(model(), 'chinook', principal, AUTH);
    await expectValid(doc);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/_table',
      '/_table/Album',
      '/_table/Album/{id}',
      '/_table/Artist',
      '/_table/Artist/{id}',
    ]);
    expect(Object.keys(doc.paths['/_table/Album']).sort()).toEqual(['get', 'patch']);
    expect(doc.components.schemas['Artist.Record'].properties.Name).toBeUndefined();
    expect(doc.security).not.toContainEqual({});
    expect(doc.components.securitySchemes.api_key_query).toBeUndefined();
  });

  it('document the _schema parts a role may read, each with its own tables', async () => {
    const principal = app([
      access('_table/Album/*', ['GET']),
      access('_schema/Album/_field/*', ['GET']),
      access('_schema/Album/_field', ['GET']),
    ]);
    const doc: any = serviceSpec(model(), 'chinook', principal, AUTH);
    await expectValid(doc);
    expect(doc.paths['/_schema']).toBeUndefined();
    expect(doc.paths['/_schema/{table_name}']).toBeUndefined();
    expect(doc.paths['/_schema/{table_name}/_field'].parameters[0].schema.enum).toEqual(['Album']);
    expect(doc.paths['/_schema/{table_name}/_field/{field_name}']).toBeDefined();
    expect(doc.paths['/_schema/{table_name}/_related']).toBeUndefined();
    const open: any = serviceSpec(model(), 'chinook', { kind: 'open' }, { open: true, apiKeyInQuery: false });
    expect(open.paths['/_schema/{table_name}/_related/{relation_name}'].get.responses['200']).toBeDefined();
  });

  const ALL: RoleAccessConfig['verbs'] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const WRITES = ['post', 'put', 'patch', 'delete'];
  /** `path method` of every `_schema` write operation in the document. */
  const schemaWrites = (doc: any): string[] =>
    Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/_schema'))
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((k) => WRITES.includes(k))
          .map((k) => `${path} ${k}`),
      )
      .sort();

  it('document every _schema write for a role with all verbs, with the bodies they take', async () => {
    const doc: any = serviceSpec(model(), 'chinook', app([access('*', ALL)]), AUTH);
    await expectValid(doc);
    expect(schemaWrites(doc)).toEqual(
      [
        '/_schema post',
        '/_schema put',
        '/_schema patch',
        '/_schema/{table_name} post',
        '/_schema/{table_name} put',
        '/_schema/{table_name} patch',
        '/_schema/{table_name} delete',
        '/_schema/{table_name}/_field post',
        '/_schema/{table_name}/{field_name} put',
        '/_schema/{table_name}/{field_name} patch',
        '/_schema/{table_name}/{field_name} delete',
        '/_schema/{table_name}/_related post',
        '/_schema/{table_name}/_related/{relation_name} delete',
      ].sort(),
    );
    const drop = doc.paths['/_schema/{table_name}'].delete;
    expect(drop.parameters).toContainEqual(
      expect.objectContaining({ name: 'force', in: 'query', required: true }),
    );
    expect(Object.keys(drop.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(doc.paths['/_schema/{table_name}/{field_name}'].delete.parameters.map((p: any) => p.name)).toEqual(
      ['table_name', 'field_name', 'force'],
    );
    // A new table's name is free; the other operations name existing tables.
    expect(doc.paths['/_schema/{table_name}'].post.parameters[0].schema.enum).toBeUndefined();
    expect(doc.paths['/_schema/{table_name}'].put.parameters[0].schema.enum).toContain('Album');
    const field = doc.components.schemas.FieldDefinition.properties;
    expect(field.type.enum).toEqual(expect.arrayContaining(['id', 'reference', 'string', 'decimal', 'json']));
    for (const key of [
      'allow_null',
      'default',
      'is_unique',
      'is_index',
      'is_primary_key',
      'length',
      'precision',
    ])
      expect(field, key).toHaveProperty(key);
    for (const key of ['scale', 'ref_table', 'ref_field', 'ref_on_delete', 'ref_on_update'])
      expect(field, key).toHaveProperty(key);
    expect(field.ref_on_delete.enum).toContain('CASCADE');
    expect(doc.components.schemas.RelationDefinition.properties.type.enum).toEqual([
      'belongs_to',
      'has_one',
      'has_many',
    ]);
    expect(doc.components.responses.Error409).toBeDefined();
    expect(doc.paths['/_schema/{table_name}/_related'].post.responses['501']).toEqual({
      $ref: '#/components/responses/Error501',
    });
    // Reads keep their own table lists next to the writes.
    expect(doc.paths['/_schema/{table_name}'].get.parameters[0].schema.enum).toContain('Album');
  });

  it('document no _schema write for a role that may only read _schema', async () => {
    const doc: any = serviceSpec(
      model(),
      'chinook',
      app([access('_table/*', ALL), access('_schema/*', ['GET']), access('_schema', ['GET'])]),
      AUTH,
    );
    await expectValid(doc);
    expect(doc.paths['/_schema/{table_name}'].get).toBeDefined();
    expect(doc.paths['/_schema/{table_name}/_field'].get).toBeDefined();
    expect(schemaWrites(doc)).toEqual([]);
    expect(doc.components.schemas.TableDefinition).toBeUndefined();
  });

  it('document each _schema write with only the tables (and fields) the role may change', async () => {
    const doc: any = serviceSpec(
      model(),
      'chinook',
      app([
        access('_table/*', ['GET']),
        access('_schema/Album', ['GET', 'PATCH']),
        access('_schema/Genre/Name', ['DELETE']),
      ]),
      AUTH,
    );
    await expectValid(doc);
    expect(schemaWrites(doc)).toEqual([
      '/_schema/{table_name} patch',
      '/_schema/{table_name}/{field_name} delete',
    ]);
    expect(doc.paths['/_schema/{table_name}'].patch.parameters[0].schema.enum).toEqual(['Album']);
    expect(doc.paths['/_schema/{table_name}'].get.parameters[0].schema.enum).toEqual(['Album']);
    expect(doc.paths['/_schema/{table_name}/{field_name}'].delete.parameters[0].schema.enum).toEqual([
      'Genre',
    ]);
  });

  it('document only relationship writes for a MongoDB service, which refuses table and field changes', async () => {
    const raw = catalog(
      [
        table('orders', [column('_id', 'text'), column('customer', 'integer')], { primaryKey: ['_id'] }),
        table('people', [column('_id', 'text'), column('name', 'text')], { primaryKey: ['_id'] }),
      ],
      'mongodb',
    );
    const built = buildModel(
      config([service('shop', { type: 'mongodb' } as any)]),
      new Map([['shop', raw]]),
    ).model;
    const doc: any = serviceSpec(built, 'shop', { kind: 'open' }, { open: true, apiKeyInQuery: false });
    await expectValid(doc);
    expect(schemaWrites(doc)).toEqual([
      '/_schema/{table_name}/_related post',
      '/_schema/{table_name}/_related/{relation_name} delete',
    ]);
  });

  it('refuse a role that can use nothing in the service, and unknown services', () => {
    expect(() => serviceSpec(model(), 'chinook', app([]), AUTH)).toThrow(ApiError);
    expect(() => serviceSpec(model(), 'nope', { kind: 'open' }, AUTH)).toThrow(/Could not find a service/);
  });

  it('documents _proc and _func per routine', async () => {
    const built = buildModel(
      config([service('pg', { type: 'postgres' } as any)]),
      new Map([['pg', catalog([], 'postgres')]]),
    ).model.services[0]!;
    const doc: any = openApiDocument(
      {
        ...built,
        tables: [],
        routines: [
          {
            name: 'album_count',
            kind: 'function',
            label: 'album_count',
            description: null,
            params: [
              {
                name: 'artist',
                position: 1,
                mode: 'IN',
                dbType: 'integer',
                type: 'integer',
                length: null,
                precision: null,
                scale: null,
                default: null,
                graphqlName: 'artist',
              },
            ],
            returnType: 'integer',
            returnDbType: 'integer',
            returnsSet: false,
            returnColumns: [],
            readOnly: true,
            graphqlName: 'albumCount',
          },
        ],
      },
      { version: '2.0', ...AUTH },
    );
    await expectValid(doc);
    expect(doc.paths['/_func/album_count'].get.parameters).toEqual([
      { name: 'artist', in: 'query', required: false, schema: { type: 'integer' } },
    ]);
    expect(
      doc.paths['/_func/album_count'].get.responses['200'].content['application/json'].schema.type,
    ).toEqual(['integer', 'null']);
    expect(doc.paths['/_func']).toBeDefined();
    expect(doc.paths['/_proc']).toBeUndefined();
  });

  it('shapes routine results: scalar, rows, OUT values', () => {
    const param = (name: string, mode: 'IN' | 'OUT' | 'INOUT') => ({
      name,
      position: 1,
      mode,
      dbType: 'integer',
      type: 'integer' as const,
      length: null,
      precision: null,
      scale: null,
      default: null,
      graphqlName: name,
    });
    const routine = {
      name: 'r',
      kind: 'procedure' as const,
      label: 'r',
      description: null,
      params: [param('a', 'IN')],
      returnType: null,
      returnDbType: null,
      returnsSet: false,
      returnColumns: [],
      readOnly: false,
      graphqlName: 'r',
    };
    const rows = routineResultSchema(routine);
    expect(rows.anyOf).toHaveLength(3);
    const out = routineResultSchema({ ...routine, params: [param('a', 'IN'), param('total', 'OUT')] });
    expect(out).toMatchObject({
      type: 'object',
      required: ['total'],
      properties: { total: { type: ['integer', 'null'] } },
    });
    const set = routineResultSchema({
      ...routine,
      kind: 'function',
      returnsSet: true,
      returnDbType: 'setof x',
    });
    expect((set.anyOf as Record<string, unknown>[])[0]).toMatchObject({ type: 'array' });
    expect(routineResultSchema({ ...routine, kind: 'function', returnDbType: 'void' })).toMatchObject({
      type: 'null',
    });
  });

  it('documents user/session only where sessions are accepted, POST only with local users', async () => {
    const base = { version: '2.0', ...AUTH };
    const svc = model().services[0]!;
    expect(openApiDocument(svc, base).paths).not.toHaveProperty(['/user/session']);
    const tokens = openApiDocument(svc, { ...base, sessions: { login: false, keyRequired: true } });
    await expectValid(tokens);
    expect(Object.keys((tokens.paths as Record<string, object>)['/user/session']!).sort()).toEqual([
      'delete',
      'get',
      'servers',
    ]);
    const users = openApiDocument(svc, { ...base, sessions: { login: true, keyRequired: false } });
    await expectValid(users);
    const post = (users.paths as Record<string, Record<string, Record<string, unknown>>>)['/user/session']!
      .post!;
    expect(post.security).toEqual([{ api_key_header: [] }, {}]);
  });

  it('types every simple type', () => {
    expect(simpleTypeSchema('bigint')).toEqual({ type: ['integer', 'string'] });
    expect(simpleTypeSchema('boolean')).toEqual({ type: 'boolean' });
    expect(simpleTypeSchema('json')).toEqual({});
  });
});

describe('the landing page', () => {
  it('escapes names', () => {
    const html = landingPage({
      model: model(),
      health: [{ service: 'chinook', type: 'sqlite', ok: false }],
      version: 1,
      loadedAt: new Date(0),
      caller: 'open',
    });
    expect(html).toContain('we&quot;ird &lt;name&gt;/x');
    expect(html).not.toContain('<name>');
    expect(html).toContain('class="down">unreachable');
  });
});
