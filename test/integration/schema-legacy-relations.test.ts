/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// Legacy virtual foreign keys (compat §9.2, DF 2.0–2.3) in `_schema` writes: a field carrying
// `is_virtual_foreign_key` + `ref_table`/`ref_fields` is an ordinary column plus a virtual key into another
// service, stored in the relations file like a modern `related` entry and seen from both tables through REST
// and GraphQL. A second SQLite service (`notes`) points into a fresh Chinook on SQLite and on PostgreSQL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex, destroyKnex } from '../../src/adapters/sql/connect.js';
import { app, entry, role, startAccessServer, type AccessServer } from './support/access.js';
import { chinookName, useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';
import { tempDir, testConfig } from './support/graphql.js';
import { startRestServer, type RestResult, type RestServer } from './support/rest-writes.js';

function expectError(result: RestResult, status: number, message: RegExp): void {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body.error.status_code).toBe(status);
  expect(result.body.error.message).toMatch(message);
}

describe.each([
  { dialect: 'sqlite', label: 'SQLite' },
  { dialect: 'postgres', label: 'PostgreSQL' },
] as const)('legacy virtual foreign keys into Chinook on $label', ({ dialect }) => {
  const chinook = useChinook(dialect);
  const files = tempDir('junction-schema-legacy-');
  const relationsFile = join(files.dir, 'junction.relations.json');
  let notes: TestDatabase;
  let notesKnex: Knex;
  let api: RestServer;
  const n = (name: string) => chinookName(dialect, name);
  /** The legacy properties of a field pointing at `table.field` of Chinook (service 1 of GET /api/v2). */
  const legacyTo = (table: string, field: string) => ({
    is_virtual_foreign_key: true,
    is_foreign_ref_service: true,
    ref_service_id: 1,
    ref_table: n(table),
    ref_fields: n(field),
    ref_on_update: null,
    ref_on_delete: null,
  });
  const saved = () => readFileSync(relationsFile, 'utf8');
  const noteSql = async () =>
    ((await notesKnex.raw("select sql from sqlite_master where name = 'note'")) as { sql: string }[])[0]?.sql;
  const gql = (query: string) => api.server.query(query);

  beforeAll(async () => {
    notes = await createTestDatabase('sqlite');
    await notes.exec(
      'create table note (note_id integer primary key autoincrement, track_id integer, text varchar(100));' +
        "insert into note (track_id, text) values (1, 'the opener')",
    );
    notesKnex = createKnex(notes.service());
    api = await startRestServer({
      ...testConfig([chinook.service, notes.service({ name: 'notes' })]),
      relationsFile,
    });
  });
  afterAll(async () => {
    await api?.close();
    if (notesKnex) await destroyKnex(notesKnex);
    await notes?.drop();
    files.remove();
  });

  it('creates a table whose field is a legacy virtual key into Chinook, as a column and a virtual relationship', async () => {
    const created = await api.request('POST', 'notes/_schema', {
      body: {
        resource: [
          {
            name: 'fan',
            field: [
              { name: 'fan_id', type: 'id' },
              { name: 'name', type: 'string', length: 50 },
              { name: 'customer_id', type: 'integer', ...legacyTo('Customer', 'CustomerId') },
            ],
          },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const fan = created.body.resource[0];
    expect(fan.field.find((f: any) => f.name === 'customer_id')).toMatchObject({
      type: 'integer',
      is_foreign_key: false,
    });
    expect(fan.related).toEqual([
      expect.objectContaining({
        name: `chinook.${n('Customer')}_by_customer_id`,
        type: 'belongs_to',
        is_virtual: true,
        ref_service_id: 1,
        ref_table: n('Customer'),
        ref_field: n('CustomerId'),
      }),
    ]);
    // A virtual key, not a database one: the new table has no foreign key.
    expect(await notesKnex.raw("select * from pragma_foreign_key_list('fan')")).toEqual([]);
    expect(JSON.parse(saved()).virtualForeignKeys).toEqual([
      {
        from: { service: 'notes', table: 'fan', fields: ['customer_id'] },
        to: { service: 'chinook', table: n('Customer'), fields: [n('CustomerId')] },
      },
    ]);
  });

  it('shows the relationship on both tables through REST related=', async () => {
    const written = await api.request('POST', 'notes/_table/fan', {
      body: { resource: [{ name: 'Ada', customer_id: 1 }] },
    });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    const toCustomer = `chinook.${n('Customer')}_by_customer_id`;
    const fans = await api.request('GET', 'notes/_table/fan', { query: { related: toCustomer } });
    expect(fans.body.resource).toEqual([
      expect.objectContaining({
        name: 'Ada',
        [toCustomer]: expect.objectContaining({ [n('FirstName')]: 'Luís' }),
      }),
    ]);
    const customer = await api.request('GET', `chinook/_table/${n('Customer')}/1`, {
      query: { related: 'notes.fan_by_customer_id' },
    });
    expect(customer.status, JSON.stringify(customer.body)).toBe(200);
    expect(customer.body['notes.fan_by_customer_id']).toEqual([expect.objectContaining({ name: 'Ada' })]);
    const described = await api.request('GET', `chinook/_schema/${n('Customer')}`);
    expect(described.body.related).toContainEqual(
      expect.objectContaining({ name: 'notes.fan_by_customer_id', type: 'has_many', is_virtual: true }),
    );
  });

  it('shows the relationship both ways through GraphQL', async () => {
    const fans = await gql('{ notes { fans { name customer { firstName } } } }');
    expect(fans.errors).toBeUndefined();
    expect(fans.data.notes.fans).toEqual([{ name: 'Ada', customer: { firstName: 'Luís' } }]);
    const customers = await gql(
      '{ chinook { customers(where: { customerId: { eq: 1 } }) { firstName fans { name } } } }',
    );
    expect(customers.errors).toBeUndefined();
    expect(customers.data.chinook.customers).toEqual([{ firstName: 'Luís', fans: [{ name: 'Ada' }] }]);
  });

  it('adds a legacy virtual key to an existing field of an existing table with PATCH, without changing the column', async () => {
    const before = await noteSql();
    const described = (await api.request('GET', 'notes/_schema/note/track_id')).body;
    const patched = await api.request('PATCH', 'notes/_schema/note', {
      // As DF's UI sent it: the field as read, plus the legacy properties.
      body: { field: [{ ...described, ...legacyTo('Track', 'TrackId') }] },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.related).toEqual([
      expect.objectContaining({ name: `chinook.${n('Track')}_by_track_id`, is_virtual: true }),
    ]);
    expect(await noteSql()).toBe(before);
    const toTrack = `chinook.${n('Track')}_by_track_id`;
    const note = await api.request('GET', 'notes/_table/note', { query: { related: toTrack } });
    expect(note.body.resource[0][toTrack]).toMatchObject({
      [n('Name')]: 'For Those About To Rock (We Salute You)',
    });
    const track = await api.request('GET', `chinook/_table/${n('Track')}/1`, {
      query: { related: 'notes.note_by_track_id' },
    });
    expect(track.body['notes.note_by_track_id']).toEqual([expect.objectContaining({ text: 'the opener' })]);
    const result = await gql('{ notes { notes { text track { name } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.notes.notes).toEqual([
      { text: 'the opener', track: { name: 'For Those About To Rock (We Salute You)' } },
    ]);
    expect(JSON.parse(saved()).virtualForeignKeys).toContainEqual({
      from: { service: 'notes', table: 'note', fields: ['track_id'] },
      to: { service: 'chinook', table: n('Track'), fields: [n('TrackId')] },
    });
  });

  describe('refusing invalid references, with nothing changed', () => {
    let file: string;
    let sql: string | undefined;
    beforeAll(async () => {
      file = saved();
      sql = await noteSql();
    });

    it('refuses a new table whose legacy key names a table Chinook does not have', async () => {
      const result = await api.request('POST', 'notes/_schema', {
        body: {
          resource: [
            {
              name: 'broken',
              field: [
                { name: 'broken_id', type: 'id' },
                { name: 'x', type: 'integer', ...legacyTo('Nowhere', 'NowhereId') },
              ],
            },
          ],
        },
      });
      expectError(result, 400, new RegExp(`Table '${n('Nowhere')}' not found in service 'chinook'`));
      expect(await notesKnex.schema.hasTable('broken')).toBe(false);
    });

    it('refuses a new field whose legacy key names a field the Chinook table does not have', async () => {
      const result = await api.request('PATCH', 'notes/_schema/note', {
        body: { field: [{ name: 'album_id', type: 'integer', ...legacyTo('Album', 'Colour') }] },
      });
      expectError(result, 400, new RegExp(`Field '${n('Colour')}' not found in table '${n('Album')}'`));
    });

    it('refuses a legacy key into a service that does not exist, on the one-field endpoint', async () => {
      const result = await api.request('PUT', 'notes/_schema/note/text', {
        body: { ...legacyTo('Album', 'Title'), ref_service_id: 99 },
      });
      expectError(result, 400, /Service '99' named by 'ref_service_id' does not exist/);
    });

    it('refuses a legacy key on a column that does not exist when no type says how to add it', async () => {
      const result = await api.request('PATCH', 'notes/_schema/note', {
        body: { field: [{ name: 'nickname', ...legacyTo('Artist', 'ArtistId') }] },
      });
      expectError(result, 400, /Field 'nickname' does not exist in table 'note': give its 'type'/);
    });

    it('left the relations file and the table as they were', async () => {
      expect(saved()).toBe(file);
      expect(await noteSql()).toBe(sql);
      const described = await api.request('GET', 'notes/_schema/note');
      expect(described.body.field.map((f: any) => f.name)).toEqual(['note_id', 'track_id', 'text']);
    });
  });
});

describe('legacy virtual foreign keys and roles (SQLite)', () => {
  const chinook = useChinook('sqlite');
  const files = tempDir('junction-schema-legacy-access-');
  const relationsFile = join(files.dir, 'junction.relations.json');
  const key = 'schema-legacy-builder-key-0123456789';
  let notes: TestDatabase;
  let api: AccessServer;

  beforeAll(async () => {
    notes = await createTestDatabase('sqlite');
    await notes.exec('create table note (note_id integer primary key autoincrement, track_id integer)');
    api = await startAccessServer({
      ...testConfig([chinook.service, notes.service({ name: 'notes' })]),
      relationsFile,
      auth: {
        apiKeyInQuery: true,
        apps: [app('app-builder', 'builder', key)],
        // May change the notes schema, but only read Chinook's.
        roles: [
          role('builder', [
            entry('*', ['GET']),
            entry('_schema/*', ['GET']),
            { ...entry('*', '*'), service: 'notes' },
          ]),
        ],
      },
    });
  });
  afterAll(async () => {
    await api?.close();
    await notes?.drop();
    files.remove();
  });

  it('refuses a legacy key into a service whose _schema/{table} the role may not change, and saves nothing', async () => {
    const refused = await api.rest(key, '/api/v2/notes/_schema/note', {
      method: 'PATCH',
      json: {
        field: [
          {
            name: 'track_id',
            is_virtual_foreign_key: true,
            ref_service: 'chinook',
            ref_table: 'Track',
            ref_fields: 'TrackId',
          },
        ],
      },
    });
    // As for the modern form (schema-access.test.ts): an API key without a user is refused as unauthenticated.
    expect(refused.status, JSON.stringify(refused.body)).toBe(401);
    const described = await api.rest(key, '/api/v2/notes/_schema/note');
    expect(described.body.related).toEqual([]);
    expect(() => readFileSync(relationsFile, 'utf8')).toThrow(/ENOENT/);
    // The same role may change the notes schema itself: it was the Chinook end that was refused.
    const plain = await api.rest(key, '/api/v2/notes/_schema/note', {
      method: 'PATCH',
      json: { field: [{ name: 'text', type: 'string', length: 100 }] },
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
  });
});
