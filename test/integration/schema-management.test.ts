/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// Schema management over `_schema` (issue 11) against real databases: a client creates a table with a foreign
// key into Chinook, uses it at once through REST `related=` and GraphQL, alters it, declares a virtual
// relation from another database (a SQLite `notes` service) and drops it all again; invalid definitions get
// 4xx answers and leave the database as it was. One fresh Chinook per dialect.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinookName, useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './support/databases.js';
import { tempDir, testConfig } from './support/graphql.js';
import { startRestServer, type RestResult, type RestServer } from './support/rest-writes.js';

const DIALECTS = [
  { dialect: 'postgres', label: 'PostgreSQL' },
  { dialect: 'mysql', label: 'MariaDB' },
  { dialect: 'sqlite', label: 'SQLite' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

/** The table the suite creates: an id, a reference to Chinook's albums, text, a number with a default. */
function reviewTable(n: (name: string) => string) {
  return {
    name: 'Review',
    field: [
      { name: 'ReviewId', type: 'id' },
      {
        name: 'AlbumId',
        type: 'reference',
        ref_table: n('Album'),
        ref_field: n('AlbumId'),
        allow_null: false,
      },
      { name: 'Body', type: 'string', length: 100, allow_null: false },
      { name: 'Stars', type: 'integer', default: 3 },
    ],
  };
}

function expectError(result: RestResult, status: number, message: RegExp): void {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body.error.status_code).toBe(status);
  expect(result.body.error.message).toMatch(message);
}

describe.each(DIALECTS)('schema management on $label', ({ dialect }) => {
  const chinook = useChinook(dialect);
  const files = tempDir('junction-schema-');
  const relationsFile = join(files.dir, 'junction.relations.json');
  let notes: TestDatabase;
  let api: RestServer;
  const n = (name: string) => chinookName(dialect, name);
  const albumRelation = `${n('Album')}_by_AlbumId`;

  beforeAll(async () => {
    notes = await createTestDatabase('sqlite');
    await notes.exec(
      'create table note (note_id integer primary key autoincrement, review_id integer, text varchar(100));' +
        "insert into note (review_id, text) values (1, 'see review one')",
    );
    api = await startRestServer({
      ...testConfig([chinook.service, notes.service({ name: 'notes' })]),
      relationsFile,
    });
  });
  afterAll(async () => {
    await api?.close();
    await notes?.drop();
    files.remove();
  });

  const tableNames = async (service = 'chinook') =>
    (await api.request('GET', `${service}/_schema`, { query: { as_list: true } })).body.resource as string[];
  const gql = (query: string) => api.server.query(query);

  it('creates a table with a foreign key to Chinook and describes it from the new model', async () => {
    const created = await api.request('POST', 'chinook/_schema', { body: { resource: [reviewTable(n)] } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const review = created.body.resource[0];
    expect(review.name).toBe('Review');
    expect(review.primary_key).toEqual(['ReviewId']);
    expect(review.field.map((f: any) => [f.name, f.type])).toEqual([
      ['ReviewId', 'id'],
      ['AlbumId', 'reference'],
      ['Body', 'string'],
      ['Stars', 'integer'],
    ]);
    expect(review.field[2]).toMatchObject({ length: 100, allow_null: false, required: true });
    expect(review.field[3]).toMatchObject({ default: 3, allow_null: true });
    expect(review.related).toContainEqual(
      expect.objectContaining({ name: albumRelation, type: 'belongs_to', is_virtual: false }),
    );
    expect(await chinook.knex.schema.hasTable('Review')).toBe(true);
  });

  it('serves the new table at once through REST related= in both directions', async () => {
    const written = await api.request('POST', 'chinook/_table/Review', {
      body: { resource: [{ AlbumId: 1, Body: 'Loud and great' }] },
    });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    const reviews = await api.request('GET', 'chinook/_table/Review', { query: { related: albumRelation } });
    expect(reviews.body.resource).toEqual([
      expect.objectContaining({
        Body: 'Loud and great',
        Stars: 3,
        [albumRelation]: expect.objectContaining({ [n('Title')]: 'For Those About To Rock We Salute You' }),
      }),
    ]);
    const album = await api.request('GET', `chinook/_table/${n('Album')}/1`, {
      query: { related: 'Review_by_AlbumId' },
    });
    expect(album.body.Review_by_AlbumId).toEqual([expect.objectContaining({ Body: 'Loud and great' })]);
  });

  it('serves the new table at once through GraphQL, with its album', async () => {
    const result = await gql('{ chinook { reviews { body stars album { title } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.chinook.reviews).toEqual([
      { body: 'Loud and great', stars: 3, album: { title: 'For Those About To Rock We Salute You' } },
    ]);
  });

  it('alters the table: adds a field and widens another, seen at once by both APIs', async () => {
    const altered = await api.request('PATCH', 'chinook/_schema/Review', {
      body: {
        field: [
          { name: 'Mood', type: 'string', length: 20 },
          { name: 'Body', type: 'string', length: 400, allow_null: false },
        ],
      },
    });
    expect(altered.status, JSON.stringify(altered.body)).toBe(200);
    const fields = Object.fromEntries(altered.body.field.map((f: any) => [f.name, f]));
    expect(fields.Mood).toMatchObject({ type: 'string', length: 20, allow_null: true });
    expect(fields.Body).toMatchObject({ length: 400, allow_null: false });
    // SQLite alters by copying the table: its foreign key must survive the copy.
    expect(altered.body.related.map((r: any) => r.name)).toContain(albumRelation);
    const longer = 'x'.repeat(300);
    const written = await api.request('PATCH', 'chinook/_table/Review/1', {
      body: { Body: longer, Mood: 'happy' },
    });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    const result = await gql('{ chinook { reviews { mood } } }');
    expect(result.data?.chinook.reviews).toEqual([{ mood: 'happy' }]);
  });

  it('adds a field on its own through _schema/{table}/_field and refuses one that exists', async () => {
    const added = await api.request('POST', 'chinook/_schema/Review/_field', {
      body: { resource: [{ name: 'Flagged', type: 'boolean', default: false }] },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.resource[0]).toMatchObject({ name: 'Flagged', type: 'boolean' });
    const again = await api.request('POST', 'chinook/_schema/Review/_field', {
      body: { resource: [{ name: 'Flagged', type: 'boolean' }] },
    });
    expectError(again, 409, /Field 'Flagged' already exists in table 'Review'/);
  });

  it('changes one field through _schema/{table}/{field}, keeping the rows', async () => {
    const changed = await api.request('PUT', 'chinook/_schema/Review/Stars', {
      body: { type: 'integer', default: 5, allow_null: false },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Stars', default: 5, allow_null: false });
    const rows = await api.request('GET', 'chinook/_table/Review', { query: { fields: 'ReviewId,Stars' } });
    expect(rows.body.resource).toEqual([{ ReviewId: 1, Stars: 3 }]);
  });

  it('adds a virtual relation from another database, shown in REST and GraphQL and saved to the relations file', async () => {
    const added = await api.request('POST', 'notes/_schema/note/_related', {
      body: {
        resource: [
          {
            type: 'belongs_to',
            field: 'review_id',
            is_virtual: true,
            ref_service_id: 1,
            ref_table: 'Review',
            ref_field: 'ReviewId',
          },
        ],
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.resource).toEqual([
      expect.objectContaining({ name: 'chinook.Review_by_review_id', type: 'belongs_to', is_virtual: true }),
    ]);
    const note = await api.request('GET', 'notes/_table/note', {
      query: { related: 'chinook.Review_by_review_id' },
    });
    expect(note.body.resource[0]['chinook.Review_by_review_id']).toMatchObject({
      ReviewId: 1,
      Mood: 'happy',
    });
    const review = await api.request('GET', 'chinook/_table/Review/1', {
      query: { related: 'notes.note_by_review_id' },
    });
    expect(review.body['notes.note_by_review_id']).toEqual([
      expect.objectContaining({ text: 'see review one' }),
    ]);
    const result = await gql('{ notes { notes { text review { mood } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.notes.notes).toEqual([{ text: 'see review one', review: { mood: 'happy' } }]);
    const saved = JSON.parse(readFileSync(relationsFile, 'utf8'));
    expect(saved.virtualForeignKeys).toEqual([
      {
        from: { service: 'notes', table: 'note', fields: ['review_id'] },
        to: { service: 'chinook', table: 'Review', fields: ['ReviewId'] },
      },
    ]);
  });

  it('refuses to drop a table or field a virtual relation still uses', async () => {
    const table = await api.request('DELETE', 'chinook/_schema/Review', { query: { force: true } });
    expectError(table, 409, /virtual relationship/);
    const field = await api.request('DELETE', 'notes/_schema/note/review_id', { query: { force: true } });
    expectError(field, 409, /virtual relationship/);
  });

  it('removes the virtual relation again, from both APIs and from the relations file', async () => {
    const removed = await api.request('DELETE', 'notes/_schema/note/_related/chinook.Review_by_review_id');
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const described = await api.request('GET', 'notes/_schema/note');
    expect(described.body.related).toEqual([]);
    const result = await gql('{ notes { notes { review { mood } } } }');
    expect(result.errors?.[0]?.message).toMatch(/review/);
    expect(JSON.parse(readFileSync(relationsFile, 'utf8')).virtualForeignKeys).toEqual([]);
  });

  describe('refusing invalid definitions, with the schema left unchanged', () => {
    let before: string[];
    beforeAll(async () => {
      before = await tableNames();
    });

    it('refuses an unknown field type', async () => {
      const result = await api.request('POST', 'chinook/_schema', {
        body: { resource: [{ name: 'Bad', field: [{ name: 'x', type: 'colour' }] }] },
      });
      expectError(result, 400, /unknown type 'colour'/);
    });

    it('refuses a reference to a table that does not exist, even after a valid table in the same request', async () => {
      const result = await api.request('POST', 'chinook/_schema', {
        body: {
          resource: [
            { name: 'Fine', field: [{ name: 'FineId', type: 'id' }] },
            { name: 'Broken', field: [{ name: 'x', type: 'reference', ref_table: 'Nowhere' }] },
          ],
        },
      });
      expectError(result, 400, /references table 'Nowhere', which does not exist/);
      expect(await chinook.knex.schema.hasTable('Fine')).toBe(false);
    });

    it('refuses a reference to a field the table does not have', async () => {
      const result = await api.request('POST', 'chinook/_schema/Broken', {
        body: { field: [{ name: 'x', type: 'reference', ref_table: n('Album'), ref_field: 'Colour' }] },
      });
      expectError(result, 400, /references field 'Colour'/);
    });

    it('refuses a table name that is taken, and the same field twice', async () => {
      const taken = await api.request('POST', 'chinook/_schema', {
        body: { resource: [{ name: n('Album'), field: [{ name: 'x', type: 'integer' }] }] },
      });
      expectError(taken, 409, /already exists/);
      const twice = await api.request('POST', 'chinook/_schema', {
        body: {
          resource: [
            {
              name: 'Twice',
              field: [
                { name: 'a', type: 'integer' },
                { name: 'A', type: 'string' },
              ],
            },
          ],
        },
      });
      expectError(twice, 400, /appears twice/);
    });

    it('refuses names that are not plain identifiers', async () => {
      const result = await api.request('POST', 'chinook/_schema', {
        body: { resource: [{ name: 'x"; drop table album; --', field: [{ name: 'a', type: 'integer' }] }] },
      });
      expectError(result, 400, /Invalid table name/);
    });

    it('leaves no table behind when the database refuses the second table of a request', async () => {
      // Made behind Junction's back, so the model does not know it and only the database can refuse it.
      await chinook.knex.schema.createTable('Ghost', (t) => t.integer('GhostId'));
      try {
        const result = await api.request('POST', 'chinook/_schema', {
          body: {
            resource: [
              { name: 'Alpha', field: [{ name: 'AlphaId', type: 'id' }] },
              { name: 'Ghost', field: [{ name: 'GhostId', type: 'id' }] },
            ],
          },
        });
        expectError(result, 400, /The database refused the schema change/);
        expect(JSON.stringify(result.body)).not.toMatch(/create table/i);
        expect(await chinook.knex.schema.hasTable('Alpha')).toBe(false);
      } finally {
        await chinook.knex.schema.dropTable('Ghost');
      }
    });

    it('refuses to drop a table another table references', async () => {
      const result = await api.request('DELETE', `chinook/_schema/${n('Artist')}`, {
        query: { force: true },
      });
      expectError(result, 409, new RegExp(`referenced by a foreign key of '${n('Album')}'`));
    });

    it('refuses to drop without force=true', async () => {
      const result = await api.request('DELETE', 'chinook/_schema/Review');
      expectError(result, 400, /confirm with force=true/);
    });

    it('left every table as it was', async () => {
      expect(await tableNames()).toEqual(before);
      expect(await chinook.knex.schema.hasTable('Review')).toBe(true);
      expect(await chinook.knex.schema.hasTable(n('Artist'))).toBe(true);
    });
  });

  it('drops a field, then the table, with force=true', async () => {
    const field = await api.request('DELETE', 'chinook/_schema/Review/Mood', { query: { force: true } });
    expect(field.status, JSON.stringify(field.body)).toBe(200);
    expect(await chinook.knex.schema.hasColumn('Review', 'Mood')).toBe(false);
    const table = await api.request('DELETE', 'chinook/_schema/Review', { query: { force: true } });
    expect(table.status, JSON.stringify(table.body)).toBe(200);
    expect(await chinook.knex.schema.hasTable('Review')).toBe(false);
    expect((await api.request('GET', 'chinook/_schema/Review')).status).toBe(404);
    const result = await gql('{ chinook { reviews { body } } }');
    expect(result.errors?.[0]?.message).toMatch(/reviews/);
  });
});
