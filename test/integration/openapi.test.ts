/* eslint-disable @typescript-eslint/no-explicit-any -- OpenAPI documents and responses are read dynamically */
// OpenAPI documents (issue 8): for Chinook on SQLite, PostgreSQL and MariaDB (with the routines fixture where
// the database has routines), `/api/v2/{service}/_spec` and `/api/v2/api_docs/{service}` serve a document
// that a real OpenAPI 3.1 validator (@seriousme/openapi-schema-validator) accepts, narrowed to the caller's
// role; and a contract test validates real responses of the running server (lists, by id, related, counts,
// writes, errors) against the response schemas the document gives for that path, method and status (ajv,
// JSON Schema 2020-12, the dialect of OpenAPI 3.1).
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.js';
import { entry, role } from './support/access.js';
import { CHINOOK_TABLES, chinookName, useChinook } from './support/chinook.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
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

const SPEC_ID = 'https://junction.test/openapi.json';

/** JSON pointer escaping (RFC 6901). */
const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

describe.each(DIALECTS)('OpenAPI documents on %s', (_label, dialect: TestDialect) => {
  const chinook = useChinook(dialect, dialect === 'sqlite' ? undefined : routinesSql(dialect));
  const n = (name: string) => chinookName(dialect, name);
  let server: TestServer;
  let rest: RestClient;
  const admin = { 'X-DreamFactory-Api-Key': ADMIN_KEY };
  const reader = { 'X-DreamFactory-Api-Key': READER_KEY };

  beforeAll(async () => {
    const base = testConfig([chinook.service]);
    server = await startTestServer({
      ...base,
      auth: {
        apiKeyInQuery: true,
        roles: [
          role('admin', [entry('*', '*')]),
          role('reader', [
            entry(`_table/${n('Album')}/*`, ['GET']),
            entry(`_table/${n('Artist')}/*`, ['GET'], { hiddenFields: [n('Name')] }),
          ]),
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
        ],
      },
    });
    rest = restClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function spec(headers: Record<string, string>, path = '/api/v2/chinook/_spec'): Promise<Doc> {
    const res = await rest.get(path, headers);
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    return res.body as Doc;
  }

  async function expectValid(doc: Doc): Promise<void> {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
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
    let ajv: InstanceType<typeof Ajv2020>;

    beforeAll(async () => {
      doc = await spec(admin);
      ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
      ajv.addSchema({ ...structuredClone(doc), $id: SPEC_ID });
    });

    /** Validates `res` against the schema documented for (path, method, status). */
    function expectDocumented(res: RestResult, docPath: string, method: string): void {
      const operation = doc.paths[docPath]?.[method];
      expect(operation, `${method} ${docPath} is documented`).toBeDefined();
      let pointer = `/paths/${escape(docPath)}/${method}/responses/${res.status}`;
      const response = operation.responses[String(res.status)];
      expect(
        response,
        `${method} ${docPath} documents status ${res.status}: ${res.text.slice(0, 300)}`,
      ).toBeDefined();
      if (response.$ref) pointer = (response.$ref as string).slice(1);
      const validate = ajv.getSchema(`${SPEC_ID}#${pointer}/content/application~1json/schema`);
      expect(validate, pointer).toBeDefined();
      const valid = validate!(res.body);
      expect(
        valid,
        `${method} ${docPath} ${res.status}: ${JSON.stringify(validate!.errors)} in ${res.text.slice(0, 500)}`,
      ).toBe(true);
    }

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
      });
  });
});
