/* eslint-disable @typescript-eslint/no-explicit-any -- OpenAPI documents and responses are read dynamically */
// OpenAPI documents (issue 8): for Chinook on SQLite, PostgreSQL and MariaDB (with the routines fixture where
// the database has routines), `/api/v2/{service}/_spec` and `/api/v2/api_docs/{service}` serve a document
// that a real OpenAPI 3.1 validator (@seriousme/openapi-schema-validator) accepts, narrowed to the caller's
// role; and a contract test validates real responses of the running server (lists, by id, related, counts,
// `wrap=false`, `as_list`, XML and CSV reads, `_schema` with its `_field`/`_related` parts, routines, writes,
// errors, and `user/session` with local users) against the response schemas the document gives for that
// path, method, status and media type (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1).
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { entry, role } from './support/access.js';
import { connect, createDeployment, type Client, type Deployment, type Reply } from './support/auth.js';
import { CHINOOK_TABLES, chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, tempDir, testConfig, type TestServer } from './support/graphql.js';
import { restClient, type RestClient, type RestResult } from './support/rest.js';
import { routinesSql } from '../fixtures/routines/routines.js';

type Doc = Record<string, any>;

const DIALECTS = [
  ['SQLite', 'sqlite'],
  ['PostgreSQL', 'postgres'],
  ['MariaDB', 'mysql'],
] as const;

const ADMIN_KEY = 'openapi-admin-key-0123456789abcdef';
const READER_KEY = 'openapi-reader-key-0123456789abcdef';
const DESCRIBER_KEY = 'openapi-describer-key-0123456789abcdef';

const SPEC_ID = 'https://junction.test/openapi.json';

/** JSON pointer escaping (RFC 6901). */
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

async function expectValid(doc: Doc): Promise<void> {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
}

/**
 * A checker of real responses against `doc`: the response's status must be documented for (path, method),
 * and its body must match the schema documented for its media type (JSON: ajv, 2020-12; others: a string).
 */
function contract(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ ...structuredClone(doc), $id: SPEC_ID });
  return (res: RestResult, docPath: string, method: string): void => {
    const operation = doc.paths[docPath]?.[method];
    expect(operation, `${method} ${docPath} is documented`).toBeDefined();
    let pointer = `/paths/${escape(docPath)}/${method}/responses/${res.status}`;
    let response = operation.responses[String(res.status)];
    expect(
      response,
      `${method} ${docPath} documents status ${res.status}: ${res.text.slice(0, 300)}`,
    ).toBeDefined();
    if (response.$ref) {
      pointer = (response.$ref as string).slice(1);
      response = doc.components.responses[pointer.split('/').pop()!];
    }
    const media = (res.headers.get('content-type') ?? 'application/json').split(';')[0]!.trim();
    expect(Object.keys(response.content ?? {}), `${method} ${docPath}: ${media} is documented`).toContain(
      media,
    );
    if (media !== 'application/json') {
      expect(response.content[media].schema.type).toBe('string');
      expect(typeof res.text).toBe('string');
      return;
    }
    const validate = ajv.getSchema(`${SPEC_ID}#${pointer}/content/application~1json/schema`);
    expect(validate, pointer).toBeDefined();
    const valid = validate!(res.body);
    expect(
      valid,
      `${method} ${docPath} ${res.status}: ${JSON.stringify(validate!.errors)} in ${res.text.slice(0, 500)}`,
    ).toBe(true);
  };
}

/** A checker of request bodies against the schema `doc` gives for (path, method). */
function requestContract(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ ...structuredClone(doc), $id: SPEC_ID });
  return (body: unknown, docPath: string, method: string): void => {
    const pointer = `/paths/${escape(docPath)}/${method}/requestBody/content/application~1json/schema`;
    const validate = ajv.getSchema(`${SPEC_ID}#${pointer}`);
    expect(validate, `${method} ${docPath} documents a JSON body`).toBeDefined();
    expect(validate!(body), `${method} ${docPath}: ${JSON.stringify(validate!.errors)}`).toBe(true);
  };
}

describe.each(DIALECTS)('OpenAPI documents on %s', (_label, dialect: TestDialect) => {
  const chinook = useChinook(dialect, dialect === 'sqlite' ? undefined : routinesSql(dialect));
  const n = (name: string) => chinookName(dialect, name);
  let server: TestServer;
  let rest: RestClient;
  const admin = { 'X-DreamFactory-Api-Key': ADMIN_KEY };
  const reader = { 'X-DreamFactory-Api-Key': READER_KEY };
  const describer = { 'X-DreamFactory-Api-Key': DESCRIBER_KEY };
  // Virtual relationships added over `_schema` are saved here.
  const files = tempDir('junction-openapi-');

  beforeAll(async () => {
    const base = testConfig([chinook.service]);
    server = await startTestServer({
      ...base,
      relationsFile: `${files.dir}/junction.relations.json`,
      auth: {
        apiKeyInQuery: true,
        roles: [
          role('admin', [entry('*', '*')]),
          role('reader', [
            entry(`_table/${n('Album')}/*`, ['GET']),
            entry(`_table/${n('Artist')}/*`, ['GET'], { hiddenFields: [n('Name')] }),
          ]),
          role('describer', [entry('_table/*', ['GET']), entry('_schema/*', ['GET'])]),
        ],
        apps: [
          {
            name: 'admin',
            description: null,
            active: true,
            role: 'admin',
            apiKeyHash: hashApiKey(ADMIN_KEY),
          },
          {
            name: 'reader',
            description: null,
            active: true,
            role: 'reader',
            apiKeyHash: hashApiKey(READER_KEY),
          },
          {
            name: 'describer',
            description: null,
            active: true,
            role: 'describer',
            apiKeyHash: hashApiKey(DESCRIBER_KEY),
          },
        ],
      },
    });
    rest = restClient(server);
  });
  afterAll(async () => {
    await server?.close();
    files.remove();
  });

  async function spec(headers: Record<string, string>, path = '/api/v2/chinook/_spec'): Promise<Doc> {
    const res = await rest.get(path, headers);
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    return res.body as Doc;
  }

  describe('the documents', () => {
    it('validate as OpenAPI 3.1 and document every table, _schema and the routines', async () => {
      const doc = await spec(admin);
      await expectValid(doc);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers).toEqual([{ url: '/api/v2/chinook' }]);
      for (const table of CHINOOK_TABLES) {
        const t = n(table);
        expect(Object.keys(doc.paths[`/_table/${t}`]).sort()).toEqual([
          'delete',
          'get',
          'patch',
          'post',
          'put',
        ]);
        const key = table === 'PlaylistTrack' ? 'TrackId' : `${table}Id`;
        expect(doc.components.schemas[`${t}.Record`].properties[n(key)], t).toBeDefined();
        if (table === 'PlaylistTrack') continue;
        expect(doc.paths[`/_table/${t}/{id}`], t).toBeDefined();
      }
      expect(doc.paths['/_schema']).toBeDefined();
      // The admin may change the schema: reads and writes.
      const methods: Record<string, string[]> = {
        '': ['get', 'patch', 'post', 'put'],
        '/{table_name}': ['delete', 'get', 'patch', 'post', 'put'],
        '/{table_name}/_field': ['get', 'post'],
        '/{table_name}/_field/{field_name}': ['get'],
        '/{table_name}/{field_name}': ['delete', 'patch', 'put'],
        '/{table_name}/_related': ['get', 'post'],
        '/{table_name}/_related/{relation_name}': ['delete', 'get'],
      };
      for (const [part, expected] of Object.entries(methods)) {
        const item = doc.paths[`/_schema${part}`];
        expect(
          Object.keys(item)
            .filter((k) => k !== 'parameters')
            .sort(),
          part,
        ).toEqual(expected);
      }
      expect(doc.paths['/user/session'], 'no users configured: no login').toBeUndefined();
      const read = doc.paths[`/_table/${n('Album')}`].get.responses['200'].content;
      expect(Object.keys(read).sort()).toEqual(['application/json', 'application/xml', 'text/csv']);
      expect(read['text/csv'].schema).toMatchObject({ type: 'string' });
      expect(
        Object.keys(doc.paths[`/_table/${n('Album')}/{id}`].get.responses['200'].content).sort(),
      ).toEqual(['application/json', 'application/xml', 'text/csv']);
      expect(doc.paths[`/_table/${n('Album')}`].post.responses['200'].content).toEqual({
        'application/json': expect.anything(),
      });
      expect(doc.components.schemas.TableDescription.properties.field.items).toEqual({
        $ref: '#/components/schemas/FieldDescription',
      });
      expect(doc.paths['/_schema/{table_name}'].get.parameters[0].schema.enum).toContain(n('Album'));
      const listParams = doc.paths[`/_table/${n('Album')}`].get.parameters.map((p: Doc) =>
        p.$ref.replace('#/components/parameters/', ''),
      );
      for (const p of ['filter', 'fields', 'related', 'order', 'group', 'limit', 'offset', 'ids', 'id_field'])
        expect(listParams).toContain(p);
      for (const p of ['include_count', 'include_schema', 'count_only', 'continue', 'as_list'])
        expect(listParams).toContain(p);
      expect(doc.paths[`/_table/${n('Album')}`].post.parameters.map((p: Doc) => p.$ref)).toContain(
        '#/components/parameters/rollback',
      );
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
        'api_key_header',
        'api_key_query',
        'bearer',
        'session_token',
      ]);
      const album = doc.components.schemas[`${n('Album')}.Record`].properties;
      expect(album[n('AlbumId')].type).toBe('integer');
      expect(album[n('Title')].type).toBe('string');
      if (dialect === 'sqlite') {
        expect(doc.paths['/_proc']).toBeUndefined();
        expect(doc.paths['/_func']).toBeUndefined();
      } else {
        expect(doc.paths['/_func/album_count'].get.parameters.map((p: Doc) => p.name)).toEqual(['artist']);
        expect(doc.paths['/_proc/invoice_total']).toBeDefined();
      }
    });

    it('are the same at /api/v2/api_docs/{service}, which lists the caller’s services', async () => {
      expect(await spec(admin, '/api/v2/api_docs/chinook')).toEqual(await spec(admin));
      const list = await rest.get('/api/v2/api_docs', admin);
      expect(list.body).toEqual({ resource: [{ name: 'chinook', url: '/api/v2/api_docs/chinook' }] });
    });

    it('show a role only what it may call', async () => {
      const doc = await spec(reader);
      await expectValid(doc);
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/_table',
          `/_table/${n('Album')}`,
          `/_table/${n('Album')}/{id}`,
          `/_table/${n('Artist')}`,
          `/_table/${n('Artist')}/{id}`,
        ].sort(),
      );
      for (const item of Object.values(doc.paths) as Doc[])
        expect(Object.keys(item).filter((k) => k !== 'parameters')).toEqual(['get']);
      const artist = doc.components.schemas[`${n('Artist')}.Record`].properties;
      expect(Object.keys(artist)).not.toContain(n('Name'));
      expect(Object.keys(doc.components.schemas)).not.toContain(`${n('Track')}.Record`);
    });

    it('show a role that may only read _schema its descriptions and no schema change', async () => {
      const doc = await spec(describer);
      await expectValid(doc);
      const schemaPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/_schema'));
      expect(schemaPaths).toContain('/_schema/{table_name}');
      for (const path of schemaPaths)
        expect(
          Object.keys(doc.paths[path]).filter((k) => k !== 'parameters'),
          path,
        ).toEqual(['get']);
      expect(doc.components.schemas.TableDefinition).toBeUndefined();
      const refused = await rest.request(`/api/v2/chinook/_schema/${n('Genre')}?force=true`, {
        method: 'DELETE',
        headers: describer,
      });
      expect(refused.status).toBe(401);
    });

    it('need the same credentials as the API, and unknown services are 404', async () => {
      const anonymous = await rest.get('/api/v2/chinook/_spec');
      expect(anonymous.status).toBe(400);
      expect(anonymous.body.error.message).toMatch(/No session token \(JWT\) or API Key detected/);
      const query = await rest.get(`/api/v2/chinook/_spec?api_key=${READER_KEY}`);
      expect(query.status).toBe(200);
      expect((await rest.get('/api/v2/api_docs/nope', admin)).status).toBe(404);
      expect((await rest.request('/api/v2/chinook/_spec', { method: 'DELETE', headers: admin })).status).toBe(
        405,
      );
    });
  });

  describe('contract: real responses match the documented schemas', () => {
    let doc: Doc;
    let expectDocumented: ReturnType<typeof contract>;

    beforeAll(async () => {
      doc = await spec(admin);
      expectDocumented = contract(doc);
    });

    const table = (name: string, suffix = '') => `/api/v2/chinook/_table/${n(name)}${suffix}`;

    it('lists, counts, metas and related records', async () => {
      const cases: [string, string][] = [
        [table('Album', '?limit=5'), `/_table/${n('Album')}`],
        [table('Track', '?limit=3&include_count=true'), `/_table/${n('Track')}`],
        [table('Track', '?limit=3&related=*'), `/_table/${n('Track')}`],
        [table('Artist', '?limit=2&related=*'), `/_table/${n('Artist')}`],
        [table('Invoice', '?limit=2&include_schema=true'), `/_table/${n('Invoice')}`],
        [table('Customer', '?limit=2&related=*'), `/_table/${n('Customer')}`],
        [table('Employee', '?limit=3&related=*'), `/_table/${n('Employee')}`],
        [table('Playlist', '?limit=1&related=*'), `/_table/${n('Playlist')}`],
        [table('Album', '?count_only=true'), `/_table/${n('Album')}`],
        [table('Genre', `?ids=1,2`), `/_table/${n('Genre')}`],
        [table('InvoiceLine', '?limit=4&fields=*'), `/_table/${n('InvoiceLine')}`],
      ];
      for (const [path, docPath] of cases) {
        const res = await rest.get(path, admin);
        expect(res.status, path).toBe(200);
        expectDocumented(res, docPath, 'get');
      }
      expect((await rest.get(table('Track', '?limit=3&include_count=true'), admin)).body.meta.count).toBe(
        3503,
      );
    });

    it('records by id, with related records', async () => {
      for (const [name, id] of [
        ['Album', 1],
        ['Track', 1],
        ['Customer', 1],
        ['Employee', 1],
      ] as const) {
        const res = await rest.get(table(name, `/${id}?related=*`), admin);
        expect(res.status).toBe(200);
        expectDocumented(res, `/_table/${n(name)}/{id}`, 'get');
      }
    });

    it('writes, and _table / _schema listings', async () => {
      const created = await rest.request(table('Genre'), {
        method: 'POST',
        headers: admin,
        json: { resource: [{ [n('Name')]: 'OpenAPI' }] },
      });
      expectDocumented(created, `/_table/${n('Genre')}`, 'post');
      const id = created.body.resource[0][n('GenreId')];
      const patched = await rest.request(table('Genre', `/${id}?fields=*`), {
        method: 'PATCH',
        headers: admin,
        json: { [n('Name')]: 'OpenAPI 3.1' },
      });
      expectDocumented(patched, `/_table/${n('Genre')}/{id}`, 'patch');
      const deleted = await rest.request(table('Genre', `/${id}`), { method: 'DELETE', headers: admin });
      expectDocumented(deleted, `/_table/${n('Genre')}/{id}`, 'delete');
      expectDocumented(await rest.get('/api/v2/chinook/_table', admin), '/_table', 'get');
      expectDocumented(await rest.get('/api/v2/chinook/_schema', admin), '/_schema', 'get');
      expectDocumented(
        await rest.get(`/api/v2/chinook/_schema/${n('Album')}`, admin),
        '/_schema/{table_name}',
        'get',
      );
    });

    it('_schema fields and relationships', async () => {
      const schema = (suffix: string) => `/api/v2/chinook/_schema/${n('Album')}${suffix}`;
      const cases: [string, string][] = [
        [schema('/_field'), '/_schema/{table_name}/_field'],
        [schema(`/_field/${n('Title')}`), '/_schema/{table_name}/_field/{field_name}'],
        [schema('/_related'), '/_schema/{table_name}/_related'],
        [schema('/_field?wrap=false'), '/_schema/{table_name}/_field'],
        [schema('/_related?wrap=false'), '/_schema/{table_name}/_related'],
      ];
      for (const [path, docPath] of cases) {
        const res = await rest.get(path, admin);
        expect(res.status, path).toBe(200);
        expectDocumented(res, docPath, 'get');
      }
      const related = await rest.get(schema('/_related'), admin);
      const name = related.body.resource[0].name as string;
      const one = await rest.get(schema(`/_related/${encodeURIComponent(name)}`), admin);
      expect(one.status, one.text).toBe(200);
      expect(one.body.name).toBe(name);
      expectDocumented(one, '/_schema/{table_name}/_related/{relation_name}', 'get');
      const missing = await rest.get(schema('/_field/nope'), admin);
      expect(missing.status).toBe(404);
      expectDocumented(missing, '/_schema/{table_name}/_field/{field_name}', 'get');
      const write = await rest.request(schema('/_field'), { method: 'POST', headers: admin, json: {} });
      expect(write.status).toBe(400);
      expectDocumented(write, '/_schema/{table_name}/_field', 'post');
      const described = await rest.get(`/api/v2/chinook/_schema/${n('Track')}`, admin);
      expect(described.body.field.length).toBeGreaterThan(5);
      expectDocumented(described, '/_schema/{table_name}', 'get');
    });

    it('_schema writes: create, change and drop a table, its fields and a relationship', async () => {
      const bodyDocumented = requestContract(doc);
      /** Sends a write whose body (if any) and answer must both be as documented for `docPath`. */
      const send = async (method: string, path: string, docPath: string, json?: unknown) => {
        if (json !== undefined) bodyDocumented(json, docPath, method.toLowerCase());
        const res = await rest.request(`/api/v2/chinook/_schema${path}`, {
          method,
          headers: admin,
          ...(json === undefined ? {} : { json }),
        });
        expectDocumented(res, docPath, method.toLowerCase());
        return res;
      };
      const note = {
        name: 'OpenApiNote',
        field: [
          { name: 'NoteId', type: 'id' },
          { name: 'AlbumId', type: 'reference', ref_table: n('Album'), ref_on_delete: 'CASCADE' },
          { name: 'Body', type: 'string', length: 100, allow_null: false },
        ],
      };
      const created = await send('POST', '', '/_schema', { resource: [note] });
      expect(created.status, created.text).toBe(200);
      expect(created.body.resource[0].name).toBe('OpenApiNote');
      expect((await send('POST', '', '/_schema', { resource: [note] })).status).toBe(409);
      // The document follows the change at once.
      const after = await spec(admin);
      await expectValid(after);
      expect(after.paths['/_schema/{table_name}'].put.parameters[0].schema.enum).toContain('OpenApiNote');
      expect(after.paths['/_table/OpenApiNote']).toBeDefined();

      const added = await send('POST', '/OpenApiNote/_field', '/_schema/{table_name}/_field', {
        resource: [{ name: 'GenreId', type: 'integer', default: 1 }],
      });
      expect(added.status, added.text).toBe(200);
      const field = '/_schema/{table_name}/{field_name}';
      const changed = await send('PATCH', '/OpenApiNote/Body', field, { type: 'string', length: 200 });
      expect(changed.status, changed.text).toBe(200);
      const altered = await send('PUT', '/OpenApiNote', '/_schema/{table_name}', {
        field: [{ name: 'Mood', type: 'text' }],
      });
      expect(altered.status, altered.text).toBe(200);

      const relation = { type: 'belongs_to', field: 'GenreId', is_virtual: true, ref_table: n('Genre') };
      const related = await send('POST', '/OpenApiNote/_related', '/_schema/{table_name}/_related', {
        resource: [{ ...relation, ref_field: n('GenreId') }],
      });
      expect(related.status, related.text).toBe(200);
      // many_many is refused (501), as documented; its body is no valid definition, so it is sent as is.
      const manyMany = await rest.request('/api/v2/chinook/_schema/OpenApiNote/_related', {
        method: 'POST',
        headers: admin,
        json: { resource: [{ ...relation, type: 'many_many', ref_field: n('GenreId') }] },
      });
      expect(manyMany.status).toBe(501);
      expectDocumented(manyMany, '/_schema/{table_name}/_related', 'post');
      const name = encodeURIComponent(related.body.resource[0].name as string);
      const unlinked = await send(
        'DELETE',
        `/OpenApiNote/_related/${name}`,
        '/_schema/{table_name}/_related/{relation_name}',
      );
      expect(unlinked.status, unlinked.text).toBe(200);

      expect((await send('DELETE', '/OpenApiNote/Mood', field)).status).toBe(400);
      expect((await send('DELETE', '/OpenApiNote/Mood?force=true', field)).status).toBe(200);
      const gone = await send('DELETE', '/OpenApiNote?force=true', '/_schema/{table_name}');
      expect(gone.body).toEqual({ name: 'OpenApiNote', success: true });
      expect((await spec(admin)).paths['/_table/OpenApiNote']).toBeUndefined();
    });

    it('wrap=false, as_list, and XML / CSV reads', async () => {
      const bare = await rest.get(table('Album', '?limit=3&wrap=false'), admin);
      expect(Array.isArray(bare.body)).toBe(true);
      expectDocumented(bare, `/_table/${n('Album')}`, 'get');
      const asList = await rest.get(table('Artist', `?limit=3&as_list=true&id_field=${n('Name')}`), admin);
      expect(asList.body.resource).toHaveLength(3);
      expect(typeof asList.body.resource[0]).toBe('string');
      expectDocumented(asList, `/_table/${n('Artist')}`, 'get');
      const bareList = await rest.get(
        table('Artist', `?limit=3&as_list=true&id_field=${n('Name')}&wrap=false`),
        admin,
      );
      expect(bareList.body).toEqual(asList.body.resource);
      expectDocumented(bareList, `/_table/${n('Artist')}`, 'get');
      const none = await rest.get(table('Artist', `?filter=${n('ArtistId')}%3D0&as_list=true`), admin);
      expectDocumented(none, `/_table/${n('Artist')}`, 'get');
      for (const path of [
        '/api/v2/chinook/_table?as_list=true',
        '/api/v2/chinook/_table?fields=*&wrap=false',
        '/api/v2/chinook/_schema?as_list=true&wrap=false',
        `/api/v2/chinook/_schema?ids=${n('Album')},${n('Genre')}`,
      ]) {
        const res = await rest.get(path, admin);
        expect(res.status, path).toBe(200);
        expectDocumented(res, path.includes('_schema') ? '/_schema' : '/_table', 'get');
      }
      const xml = await rest.get(table('Genre', '?limit=2'), { ...admin, accept: 'application/xml' });
      expect(xml.status).toBe(200);
      expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(xml.text).toMatch(/^<\?xml/);
      expectDocumented(xml, `/_table/${n('Genre')}`, 'get');
      const csv = await rest.get(table('Genre', '/1?accept=csv'), admin);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expectDocumented(csv, `/_table/${n('Genre')}/{id}`, 'get');
    });

    it('errors: not found, bad filter, batch errors, denied', async () => {
      const missing = await rest.get(table('Album', '/999999'), admin);
      expect(missing.status).toBe(404);
      expectDocumented(missing, `/_table/${n('Album')}/{id}`, 'get');
      const badFilter = await rest.get(table('Album', '?filter=Nope%20%3D%201'), admin);
      expect(badFilter.status).toBe(400);
      expectDocumented(badFilter, `/_table/${n('Album')}`, 'get');
      const batch = await rest.request(table('Album'), {
        method: 'POST',
        headers: admin,
        json: { resource: [{ [n('ArtistId')]: 1 }] },
      });
      expect(batch.status).toBe(400);
      expect(batch.body.error.code).toBe(1000);
      expectDocumented(batch, `/_table/${n('Album')}`, 'post');
      const denied = await rest.get(table('Track'), reader);
      expect(denied.status).toBe(401);
      expectDocumented(denied, `/_table/${n('Track')}`, 'get');
    });

    // SQLite has no routines (its document has no _proc/_func, checked above).
    if (dialect !== 'sqlite')
      it('routine calls', async () => {
        const res = await rest.get('/api/v2/chinook/_func/album_count?artist=1', admin);
        expect(res.status, res.text).toBe(200);
        expectDocumented(res, '/_func/album_count', 'get');
        const proc = await rest.get('/api/v2/chinook/_proc/invoice_total?cust=1', admin);
        expect(proc.status, proc.text).toBe(200);
        expectDocumented(proc, '/_proc/invoice_total', 'get');
        expect(
          doc.paths['/_proc/invoice_total'].get.responses['200'].content['application/json'].schema,
        ).toMatchObject({ type: 'object', required: ['total'] });
        const resource = dialect === 'postgres' ? '_func' : '_proc';
        const rows = await rest.get(`/api/v2/chinook/${resource}/customer_invoices?cust=1`, admin);
        expect(rows.status, rows.text).toBe(200);
        expect(Array.isArray(rows.body)).toBe(true);
        expectDocumented(rows, `/${resource}/customer_invoices`, 'get');
        const sets = dialect === 'postgres' ? '/_func/albums_of?a=1' : '/_proc/artist_and_albums?a=1';
        const many = await rest.get(`/api/v2/chinook${sets}`, admin);
        expect(many.status, many.text).toBe(200);
        expectDocumented(many, sets.split('?')[0]!, 'get');
        const bump = await rest.request('/api/v2/chinook/_proc/bump', {
          method: 'POST',
          headers: admin,
          json: { params: { n: 1, step: 2 } },
        });
        expect(bump.status, bump.text).toBe(200);
        expectDocumented(bump, '/_proc/bump', 'post');
        const touch = await rest.get('/api/v2/chinook/_proc/touch', admin);
        expect(touch.status, touch.text).toBe(200);
        expectDocumented(touch, '/_proc/touch', 'get');
        expectDocumented(await rest.get('/api/v2/chinook/_proc', admin), '/_proc', 'get');
        expectDocumented(await rest.get('/api/v2/chinook/_func?as_list=true', admin), '/_func', 'get');
      });
  });
});

// With local users configured, the documents describe `/api/v2/user/session` (login, current session,
// logout), and the real answers match.
describe('OpenAPI documents with local users', () => {
  let deployment: Deployment;
  let client: Client;

  beforeAll(async () => {
    deployment = await createDeployment();
    client = await connect(deployment.config());
  });
  afterAll(async () => {
    await client?.close();
    deployment?.remove();
  });

  it('document user/session (POST, GET, DELETE) and the answers match', async () => {
    const key = { 'X-DreamFactory-Api-Key': deployment.key };
    const res = await client.call('GET', '/api/v2/notes/_spec', key);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const doc = res.body as Doc;
    await expectValid(doc);
    const session = doc.paths['/user/session'];
    expect(session.servers).toEqual([{ url: '/api/v2' }]);
    expect(
      Object.keys(session)
        .filter((k) => k !== 'servers')
        .sort(),
    ).toEqual(['delete', 'get', 'post']);
    expect(session.post.security).toEqual([{ api_key_header: [] }, { api_key_query: [] }]);
    const expectDocumented = contract(doc);
    const asResult = (reply: Reply) => ({ ...reply, statements: null });

    const login = await client.call('POST', '/api/v2/user/session', key, deployment.bob);
    expect(login.status, login.text).toBe(200);
    expectDocumented(asResult(login), '/user/session', 'post');
    const token = { ...key, 'X-DreamFactory-Session-Token': login.body.session_token as string };
    const current = await client.call('GET', '/api/v2/user/session', token);
    expect(current.status, current.text).toBe(200);
    expect(current.body.email).toBe(deployment.bob.email);
    expectDocumented(asResult(current), '/user/session', 'get');
    const wrong = await client.call('POST', '/api/v2/user/session', key, {
      ...deployment.bob,
      password: 'x',
    });
    expect(wrong.status).toBe(401);
    expectDocumented(asResult(wrong), '/user/session', 'post');
    const logout = await client.call('DELETE', '/api/v2/user/session', token);
    expect(logout.status, logout.text).toBe(200);
    expectDocumented(asResult(logout), '/user/session', 'delete');
  });
});
