/* eslint-disable @typescript-eslint/no-explicit-any -- REST answers and driver rows are read dynamically */
// The DreamFactory-compatible REST write path (compat §5, §8.6, §8.7) against real databases: every case goes
// through the HTTP server and then checks what the database really holds with plain SQL through the driver.
// One fresh Chinook per dialect (tests write), a `Memo` table to empty with force=true, and a SQLite `notes`
// service whose `note.track_id` is a virtual key into Chinook's tracks (nested writes across services).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinookName, useChinook } from './support/chinook.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './support/databases.js';
import { testConfig } from './support/graphql.js';
import { startRestServer, type RestCall, type RestResult, type RestServer } from './support/rest-writes.js';

const EXTRA_TABLES: Record<TestDialect, string> = {
  postgres:
    'create table memo (memo_id integer generated always as identity primary key, body varchar(40) not null);' +
    "insert into memo (body) values ('one'), ('two'), ('three')",
  mysql:
    'create table Memo (MemoId int auto_increment primary key, Body varchar(40) not null) engine=InnoDB;' +
    "insert into Memo (Body) values ('one'), ('two'), ('three')",
  sqlite:
    'create table Memo (MemoId integer primary key autoincrement, Body varchar(40) not null);' +
    "insert into Memo (Body) values ('one'), ('two'), ('three')",
};

const DIALECTS = [
  { dialect: 'postgres', label: 'PostgreSQL (snake_case Chinook)' },
  { dialect: 'mysql', label: 'MariaDB (PascalCase Chinook)' },
  { dialect: 'sqlite', label: 'SQLite (PascalCase Chinook)' },
] as const satisfies readonly { dialect: TestDialect; label: string }[];

const NO_RECORDS =
  "No record(s) detected in request. Please make sure record(s) are wrapped in a 'resource' tag. Example: " +
  '{&quot;resource&quot;:[{&quot;record&quot;:1},{&quot;record&quot;:2}]}';

/** What a client must never see in an error: SQL text, driver internals or a stack trace. */
const LEAKS = /insert into|select |delete from|update \S+ set|returning |\n\s*at |\bat \S+ \(|\.[jt]s:\d+/i;

/** DF's plain error envelope, exactly (compat §6.1), key order included. */
function expectDfError(result: RestResult, status: number, message: string): void {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body).toEqual({ error: { code: status, context: null, message, status_code: status } });
  expect(Object.keys(result.body.error)).toEqual(['code', 'context', 'message', 'status_code']);
}

/** A DF batch error (compat §5.7): 400, code 1000, the verb's message; returns its context. */
function expectBatchError(
  result: RestResult,
  verbed: 'created' | 'updated' | 'deleted' | 'retrieved',
  failed: number[],
  rolledBack = false,
): { error: number[]; resource: any[] } {
  expect(result.status, JSON.stringify(result.body)).toBe(400);
  const error = result.body.error;
  expect(Object.keys(error)).toEqual(['code', 'context', 'message', 'status_code']);
  expect(error.code).toBe(1000);
  expect(error.status_code).toBe(400);
  expect(error.message).toBe(
    `Batch Error: Not all requested records could be ${verbed}.${rolledBack ? ' All changes rolled back.' : ''}`,
  );
  expect(error.context.error).toEqual(failed);
  expect(JSON.stringify(error)).not.toMatch(LEAKS);
  return error.context;
}

/** One failed item inside a batch context. */
function item(status: number, message: string) {
  return { code: status, context: null, message, status_code: status };
}

describe.each(DIALECTS)('REST writes on $label', ({ dialect }) => {
  const chinook = useChinook(dialect, EXTRA_TABLES[dialect]);
  let notes: TestDatabase;
  let api: RestServer;

  /** A Chinook table, column or relation as this dialect spells it (`Album_by_ArtistId` → `album_by_artist_id`). */
  const n = (name: string) => chinookName(dialect, name);
  /** A record, a list or an answer with every key spelled for this dialect. */
  const r = (value: any): any =>
    Array.isArray(value)
      ? value.map(r)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [n(k), r(v)]))
        : value;

  beforeAll(async () => {
    notes = await createTestDatabase('sqlite');
    await notes.exec(
      'create table note (note_id integer primary key autoincrement, track_id integer, text varchar(100) not null)',
    );
    api = await startRestServer(
      testConfig(
        [chinook.service, notes.service({ name: 'notes' })],
        [
          {
            from: { service: 'notes', table: 'note', fields: ['track_id'] },
            to: { service: 'chinook', table: n('Track'), fields: [n('TrackId')] },
          },
        ],
      ),
    );
  });
  afterAll(async () => {
    await api?.close();
    await notes?.drop();
  });

  /** `/_table/{Table}[/{id}]` on chinook; query keys and body keys are respelled for the dialect. */
  function call(method: string, table: string, options: RestCall & { id?: string | number } = {}) {
    const path = `chinook/_table/${n(table)}${options.id === undefined ? '' : `/${options.id}`}`;
    const query = Object.fromEntries(
      Object.entries(options.query ?? {}).map(([k, v]) => [k, typeof v === 'string' ? respell(v) : v]),
    );
    return api.request(method, path, { ...options, query, body: r(options.body) });
  }

  /** PascalCase words (identifiers; SQL keywords are written lower-case) respelled for the dialect. */
  const respell = (text: string) => text.replace(/\b[A-Z]\w*(\.[A-Z]\w*)?/g, (w) => n(w));

  /** Plain SQL through the driver; identifiers written in PascalCase, values always bound. */
  async function sql(text: string, bindings: unknown[] = []): Promise<Record<string, any>[]> {
    const result = await chinook.knex.raw(respell(text), bindings as never[]);
    if (dialect === 'postgres') return result.rows;
    if (dialect === 'mysql') return result[0];
    return result;
  }

  async function count(table: string, where = '1 = 1', bindings: unknown[] = []): Promise<number> {
    const [row] = await sql(`select count(*) as c from ${table} where ${where}`, bindings);
    return Number(row?.c);
  }

  const TABLES = ['Artist', 'Album', 'Track', 'Playlist', 'PlaylistTrack', 'Invoice', 'InvoiceLine', 'Memo'];

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) out[table] = await count(table);
    return out;
  }

  /** Inserts a row straight through the driver and returns its generated key (`{Table}Id`). */
  async function seed(table: string, values: Record<string, unknown>): Promise<number> {
    const query = chinook.knex(n(table)).insert(r(values));
    const [result] = dialect === 'mysql' ? await query : await query.returning(n(`${table}Id`));
    return Number(typeof result === 'object' ? Object.values(result as object)[0] : result);
  }

  const track = (name: string, albumId: number | null = null) => ({
    Name: name,
    AlbumId: albumId,
    MediaTypeId: 1,
    Milliseconds: 1000,
    UnitPrice: 0.99,
  });

  async function albumRow(id: number) {
    const [row] = await sql('select Title as title, ArtistId as artist from Album where AlbumId = ?', [id]);
    return row ?? null;
  }

  function noteRows(): { note_id: number; track_id: number | null; text: string }[] {
    const db = new Database(notes.name, { readonly: true });
    try {
      return db.prepare('select note_id, track_id, text from note order by note_id').all() as never;
    } finally {
      db.close();
    }
  }

  describe('§5.1 the record operations', () => {
    it('creates the records of a resource list and answers 200 with only their new keys', async () => {
      const result = await call('POST', 'Artist', {
        body: { resource: [{ Name: 'List A' }, { Name: 'List B' }] },
      });
      expect(result.status).toBe(200);
      const [a, b] = result.body.resource.map((x: any) => x[n('ArtistId')]);
      expect(result.body).toEqual(r({ resource: [{ ArtistId: a }, { ArtistId: b }] }));
      expect(b).toBe(a + 1);
      expect(
        await sql(
          'select ArtistId as id, Name as name from Artist where ArtistId in (?, ?) order by ArtistId',
          [a, b],
        ),
      ).toEqual([
        { id: a, name: 'List A' },
        { id: b, name: 'List B' },
      ]);
    });

    it('takes a bare JSON array as a record list too', async () => {
      const result = await call('POST', 'Artist', { body: [{ Name: 'Bare Array' }] });
      expect(result.status).toBe(200);
      const id = result.body.resource[0][n('ArtistId')];
      expect(result.body).toEqual(r({ resource: [{ ArtistId: id }] }));
      expect(await count('Artist', 'ArtistId = ? and Name = ?', [id, 'Bare Array'])).toBe(1);
    });

    it('refuses a bare object on every collection write with the HTML-escaped "No record(s) detected" message', async () => {
      const before = await counts();
      const id = await seed('Album', { Title: 'Untouched', ArtistId: 1 });
      const bare = { body: { Title: 'Changed', ArtistId: 1 } };
      expectDfError(await call('POST', 'Album', bare), 400, NO_RECORDS);
      expectDfError(await call('PUT', 'Album', bare), 400, NO_RECORDS);
      expectDfError(await call('PATCH', 'Album', bare), 400, NO_RECORDS);
      expectDfError(await call('PATCH', 'Album', { ...bare, query: { ids: id } }), 400, NO_RECORDS);
      expectDfError(
        await call('PATCH', 'Album', { ...bare, query: { filter: `AlbumId = ${id}` } }),
        400,
        NO_RECORDS,
      );
      expect(await counts()).toEqual({ ...before, Album: before.Album! + 1 });
      expect(await albumRow(id)).toEqual({ title: 'Untouched', artist: 1 });
    });

    it('refuses POST to a record id with "Create record by identifier not currently supported."', async () => {
      const before = await counts();
      const result = await call('POST', 'Album', {
        id: 1,
        body: { resource: [{ Title: 'By id', ArtistId: 1 }] },
      });
      expectDfError(result, 400, 'Create record by identifier not currently supported.');
      expect(await counts()).toEqual(before);
    });

    it('treats PUT exactly like PATCH: a partial update that keeps the columns left out (Q2)', async () => {
      const a = await seed('Album', { Title: 'Put me', ArtistId: 2 });
      const b = await seed('Album', { Title: 'Patch me', ArtistId: 2 });
      const put = await call('PUT', 'Album', { body: { resource: [{ AlbumId: a, Title: 'Put done' }] } });
      const patch = await call('PATCH', 'Album', {
        body: { resource: [{ AlbumId: b, Title: 'Patch done' }] },
      });
      expect([put.status, patch.status]).toEqual([200, 200]);
      expect(put.body).toEqual(r({ resource: [{ AlbumId: a }] }));
      expect(patch.body).toEqual(r({ resource: [{ AlbumId: b }] }));
      expect(await albumRow(a)).toEqual({ title: 'Put done', artist: 2 });
      expect(await albumRow(b)).toEqual({ title: 'Patch done', artist: 2 });
      const single = await call('PUT', 'Album', { id: a, body: { Title: 'Put by id' } });
      expect(single.status).toBe(200);
      expect(single.body).toEqual(r({ AlbumId: a }));
      expect(await albumRow(a)).toEqual({ title: 'Put by id', artist: 2 });
    });

    it('applies the first record of the list to every id of ?ids= and answers with those ids', async () => {
      const a = await seed('Album', { Title: 'Ids A', ArtistId: 3 });
      const b = await seed('Album', { Title: 'Ids B', ArtistId: 3 });
      const result = await call('PATCH', 'Album', {
        query: { ids: `${a},${b}` },
        body: { resource: [{ Title: 'Ids done' }, { Title: 'Ignored' }] },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(r({ resource: [{ AlbumId: a }, { AlbumId: b }] }));
      expect(await albumRow(a)).toEqual({ title: 'Ids done', artist: 3 });
      expect(await albumRow(b)).toEqual({ title: 'Ids done', artist: 3 });
      expect(await count('Album', 'Title = ?', ['Ignored'])).toBe(0);
    });

    it('updates every row a filter matches with one change set and answers with the rows the filter still matches', async () => {
      const artist = await seed('Artist', { Name: 'Filter Artist' });
      const ids = [
        await seed('Album', { Title: 'F1', ArtistId: artist }),
        await seed('Album', { Title: 'F2', ArtistId: artist }),
        await seed('Album', { Title: 'F3', ArtistId: artist }),
      ];
      const result = await call('PATCH', 'Album', {
        query: { filter: `ArtistId = ${artist}` },
        body: [{ Title: 'Filtered' }],
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(r({ resource: ids.map((AlbumId) => ({ AlbumId })) }));
      expect(await count('Album', 'ArtistId = ? and Title = ?', [artist, 'Filtered'])).toBe(3);
      const none = await call('PATCH', 'Album', {
        query: { filter: 'AlbumId = -5' },
        body: [{ Title: 'Nobody' }],
      });
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ resource: [] });
      expect(await count('Album', 'Title = ?', ['Nobody'])).toBe(0);
    });

    it('answers an empty resource when the update changes the filtered column, while the rows did change (Q17)', async () => {
      const album = await seed('Album', { Title: 'Composerless', ArtistId: 1 });
      await seed('Track', track('No composer 1', album));
      await seed('Track', track('No composer 2', album));
      const result = await call('PATCH', 'Track', {
        query: { filter: `Composer is null and AlbumId = ${album}` },
        body: { resource: [{ Composer: 'Unknown' }] },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ resource: [] });
      expect(await count('Track', 'AlbumId = ? and Composer = ?', [album, 'Unknown'])).toBe(2);
    });

    it('updates one record through /{id} from a bare object and answers with a bare key', async () => {
      const id = await seed('Album', { Title: 'Single', ArtistId: 4 });
      const result = await call('PATCH', 'Album', { id, body: { Title: 'Single done' } });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(r({ AlbumId: id }));
      expect(await albumRow(id)).toEqual({ title: 'Single done', artist: 4 });
    });

    it('deletes by /{id}, by ?ids=, by a record list and by a filter, answering with the deleted keys', async () => {
      const artist = await seed('Artist', { Name: 'Delete Artist' });
      const ids: number[] = [];
      for (let i = 0; i < 7; i += 1) ids.push(await seed('Album', { Title: `Del ${i}`, ArtistId: artist }));
      const [one, two, three, four, five, six, seven] = ids as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];

      const byId = await call('DELETE', 'Album', { id: one });
      expect(byId.status).toBe(200);
      expect(byId.body).toEqual(r({ AlbumId: one }));
      expect(await albumRow(one)).toBeNull();

      const byIds = await call('DELETE', 'Album', { query: { ids: `${two},${three}` } });
      expect(byIds.status).toBe(200);
      expect(byIds.body).toEqual(r({ resource: [{ AlbumId: two }, { AlbumId: three }] }));
      expect(await count('Album', 'AlbumId in (?, ?)', [two, three])).toBe(0);

      const byRecords = await call('DELETE', 'Album', {
        body: { resource: [{ AlbumId: four }, { AlbumId: five }] },
      });
      expect(byRecords.status).toBe(200);
      expect(byRecords.body).toEqual(r({ resource: [{ AlbumId: four }, { AlbumId: five }] }));
      expect(await count('Album', 'AlbumId in (?, ?)', [four, five])).toBe(0);

      const byFilter = await call('DELETE', 'Album', { query: { filter: `ArtistId = ${artist}` } });
      expect(byFilter.status).toBe(200);
      expect(byFilter.body).toEqual(r({ resource: [{ AlbumId: six }, { AlbumId: seven }] }));
      expect(await count('Album', 'ArtistId = ?', [artist])).toBe(0);

      const nothing = await call('DELETE', 'Album', { query: { filter: `ArtistId = ${artist}` } });
      expect(nothing.status).toBe(200);
      expect(nothing.body).toEqual({ resource: [] });
    });

    it('empties a table with force=true and answers {"success":true}', async () => {
      expect(await count('Memo')).toBeGreaterThan(0);
      const result = await call('DELETE', 'Memo', { query: { force: true } });
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ success: true });
      expect(await count('Memo')).toBe(0);
    });

    it('refuses a DELETE without ids, records, filter or force, deleting nothing', async () => {
      const before = await counts();
      expectDfError(await call('DELETE', 'Album'), 400, 'No filter or records given for delete request.');
      expect(await counts()).toEqual(before);
    });
  });

  describe('§5.2 fields and related on writes', () => {
    it('answers full records re-read after the write, in request order, with fields=*', async () => {
      const a = await seed('Album', { Title: 'Order A', ArtistId: 5 });
      const b = await seed('Album', { Title: 'Order B', ArtistId: 5 });
      const result = await call('PATCH', 'Album', {
        query: { fields: '*' },
        body: {
          resource: [
            { AlbumId: b, Title: 'Order B2' },
            { AlbumId: a, Title: 'Order A2' },
          ],
        },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(
        r({
          resource: [
            { AlbumId: b, Title: 'Order B2', ArtistId: 5 },
            { AlbumId: a, Title: 'Order A2', ArtistId: 5 },
          ],
        }),
      );
      const created = await call('POST', 'Artist', {
        query: { fields: '*' },
        body: { resource: [{ Name: 'Full Z' }, { Name: 'Full A' }] },
      });
      expect(created.status).toBe(200);
      const [z, y] = created.body.resource.map((x: any) => x[n('ArtistId')]);
      expect(created.body).toEqual(
        r({
          resource: [
            { ArtistId: z, Name: 'Full Z' },
            { ArtistId: y, Name: 'Full A' },
          ],
        }),
      );
      expect(await count('Artist', 'ArtistId in (?, ?)', [z, y])).toBe(2);
    });

    it('answers exactly the listed columns with fields=Title,ArtistId, without adding the key', async () => {
      const result = await call('POST', 'Album', {
        query: { fields: 'Title,ArtistId' },
        body: { resource: [{ Title: 'Only these', ArtistId: 6 }] },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(r({ resource: [{ Title: 'Only these', ArtistId: 6 }] }));
      expect(await count('Album', 'Title = ? and ArtistId = ?', ['Only these', 6])).toBe(1);
    });

    it('embeds a relation re-read after the write with related=', async () => {
      const id = await seed('Album', { Title: 'Related', ArtistId: 1 });
      const result = await call('PATCH', 'Album', {
        id,
        query: { related: 'Artist_by_ArtistId' },
        body: { Title: 'Related done' },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(
        r({ AlbumId: id, ArtistId: 1, Artist_by_ArtistId: { ArtistId: 1, Name: 'AC/DC' } }),
      );
      expect(await albumRow(id)).toEqual({ title: 'Related done', artist: 1 });
    });

    it('answers a DELETE with fields with the rows as they were before deletion', async () => {
      const a = await seed('Album', { Title: 'Gone A', ArtistId: 7 });
      const b = await seed('Album', { Title: 'Gone B', ArtistId: 7 });
      const result = await call('DELETE', 'Album', { query: { ids: `${a},${b}`, fields: '*' } });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(
        r({
          resource: [
            { AlbumId: a, Title: 'Gone A', ArtistId: 7 },
            { AlbumId: b, Title: 'Gone B', ArtistId: 7 },
          ],
        }),
      );
      expect(await count('Album', 'AlbumId in (?, ?)', [a, b])).toBe(0);
      const c = await seed('Album', { Title: 'Gone C', ArtistId: 7 });
      const single = await call('DELETE', 'Album', { id: c, query: { fields: 'Title' } });
      expect(single.status).toBe(200);
      expect(single.body).toEqual(r({ Title: 'Gone C' }));
      expect(await albumRow(c)).toBeNull();
    });
  });

  describe('§5.3 create rules', () => {
    it('ignores unknown columns and creates the record from the known ones', async () => {
      const result = await call('POST', 'Artist', {
        body: { resource: [{ Name: 'Known only', Nope: 1, Other: 'x' }] },
      });
      expect(result.status).toBe(200);
      const id = result.body.resource[0][n('ArtistId')];
      expect(await sql('select Name as name from Artist where ArtistId = ?', [id])).toEqual([
        { name: 'Known only' },
      ]);
    });

    it('fails a record without any known column with "No valid fields were found in record."', async () => {
      const before = await counts();
      const result = await call('POST', 'Artist', { body: { resource: [{ Nope: 1 }] } });
      const context = expectBatchError(result, 'created', [0]);
      expect(context.resource).toEqual([item(400, 'No valid fields were found in record.')]);
      expect(await counts()).toEqual(before);
    });

    it('answers a single-record POST missing a required field with the 400 batch error of §5.3, column lower-cased (Q3, Q18)', async () => {
      const before = await counts();
      const result = await call('POST', 'Album', { body: { resource: [{ ArtistId: 1 }] } });
      expect(result.status).toBe(400);
      expect(result.body).toEqual({
        error: {
          code: 1000,
          context: { error: [0], resource: [item(400, "Required field 'title' can not be NULL.")] },
          message: 'Batch Error: Not all requested records could be created.',
          status_code: 400,
        },
      });
      expect(await counts()).toEqual(before);
    });

    it('fails an explicit null for a NOT NULL column with "Field \'title\' can not be NULL."', async () => {
      const before = await counts();
      const result = await call('POST', 'Album', { body: { resource: [{ Title: null, ArtistId: 1 }] } });
      const context = expectBatchError(result, 'created', [0]);
      expect(context.resource).toEqual([item(400, "Field 'title' can not be NULL.")]);
      expect(await counts()).toEqual(before);
    });
  });

  describe('§5.4 update rules', () => {
    it('never writes the primary key, whatever the body says', async () => {
      const id = await seed('Album', { Title: 'Keep key', ArtistId: 8 });
      const single = await call('PATCH', 'Album', { id, body: { AlbumId: 900001, Title: 'Key kept' } });
      expect(single.status).toBe(200);
      expect(single.body).toEqual(r({ AlbumId: id }));
      const byIds = await call('PATCH', 'Album', {
        query: { ids: id },
        body: [{ AlbumId: 900002, Title: 'Key kept again' }],
      });
      expect(byIds.status).toBe(200);
      expect(byIds.body).toEqual(r({ resource: [{ AlbumId: id }] }));
      expect(await albumRow(id)).toEqual({ title: 'Key kept again', artist: 8 });
      expect(await count('Album', 'AlbumId in (?, ?)', [900001, 900002])).toBe(0);
    });

    it('fails the update of a missing id as an item 404 inside the batch', async () => {
      const before = await counts();
      const result = await call('PATCH', 'Album', {
        body: { resource: [{ AlbumId: 999999, Title: 'Ghost' }] },
      });
      const context = expectBatchError(result, 'updated', [0]);
      expect(context.resource).toEqual([item(404, "Record with identifier '999999' not found.")]);
      expect(await counts()).toEqual(before);
      expect(await count('Album', 'Title = ?', ['Ghost'])).toBe(0);
    });

    it('fails a record without its primary key with "Required id field(s) not found in record 0: …"', async () => {
      const result = await call('PATCH', 'Album', { body: { resource: [{ Title: 'No key' }] } });
      const context = expectBatchError(result, 'updated', [0]);
      expect(context.resource).toEqual([
        item(
          400,
          `Required id field(s) not found in record 0: Array\n(\n    [${n('Title')}] =&gt; No key\n)\n`,
        ),
      ]);
      expect(await count('Album', 'Title = ?', ['No key'])).toBe(0);
    });
  });

  describe('§5.5 delete rules', () => {
    it('refuses an empty filter from the body with "Filter for delete request can not be empty."', async () => {
      const before = await counts();
      expectDfError(
        await call('DELETE', 'Album', { body: { filter: '' } }),
        400,
        'Filter for delete request can not be empty.',
      );
      expect(await counts()).toEqual(before);
    });

    it('reports a foreign-key violation as an item error and keeps the row', async () => {
      const before = await counts();
      const result = await call('DELETE', 'Album', { query: { ids: 1 } });
      const context = expectBatchError(result, 'deleted', [0]);
      expect(context.resource).toHaveLength(1);
      expect(context.resource[0]).toMatchObject({ context: null, status_code: 409, code: 409 });
      expect(context.resource[0].message).toMatch(/relation/);
      expect(await counts()).toEqual(before);
      expect(await count('Album', 'AlbumId = 1')).toBe(1);
    });
  });

  describe('§5.6 single-record endpoints', () => {
    it('answers a missing id with the exact 404 envelope, for PATCH, PUT and DELETE', async () => {
      const before = await counts();
      const message = "Record with identifier '999999' not found.";
      expectDfError(await call('PATCH', 'Album', { id: 999999, body: { Title: 'x' } }), 404, message);
      expectDfError(await call('PUT', 'Album', { id: 999999, body: { Title: 'x' } }), 404, message);
      expectDfError(await call('DELETE', 'Album', { id: 999999 }), 404, message);
      expect(await counts()).toEqual(before);
    });

    it('answers a database error with 500 and the SQLSTATE as code, without driver text (Q4)', async () => {
      const before = await counts();
      const result = await call('DELETE', 'Album', { id: 1 });
      expect(result.status).toBe(500);
      const sqlState = { postgres: '23503', mysql: '23000', sqlite: 'SQLITE_CONSTRAINT_FOREIGNKEY' }[dialect];
      expect(result.body.error.code).toBe(sqlState);
      expect(result.body.error.message).toMatch(/relation/);
      expect(result.body.error.message).not.toMatch(LEAKS);
      expect(await counts()).toEqual(before);
    });
  });

  describe('§5.7 batches', () => {
    it('answers a continue=true batch whose middle item fails with exactly the envelope of §5.7', async () => {
      const result = await call('POST', 'Album', {
        query: { continue: true },
        body: {
          resource: [{ Title: 'Batch 1', ArtistId: 1 }, { ArtistId: 1 }, { Title: 'Batch 3', ArtistId: 1 }],
        },
      });
      expect(result.status).toBe(400);
      const first = result.body.error.context.resource[0][n('AlbumId')];
      expect(result.body).toEqual({
        error: {
          code: 1000,
          context: {
            error: [1],
            resource: [
              r({ AlbumId: first }),
              item(400, "Required field 'title' can not be NULL."),
              r({ AlbumId: first + 1 }),
            ],
          },
          message: 'Batch Error: Not all requested records could be created.',
          status_code: 400,
        },
      });
      expect(Object.keys(result.body.error)).toEqual(['code', 'context', 'message', 'status_code']);
      expect(await albumRow(first)).toEqual({ title: 'Batch 1', artist: 1 });
      expect(await albumRow(first + 1)).toEqual({ title: 'Batch 3', artist: 1 });
    });

    it('stops at the first failure by default and keeps the rows written before it', async () => {
      const before = await counts();
      const result = await call('POST', 'Artist', {
        body: { resource: [{ Name: 'Default kept' }, { Nope: 1 }, { Name: 'Default never' }] },
      });
      const context = expectBatchError(result, 'created', [1]);
      expect(context.resource).toHaveLength(2);
      expect(context.resource[1]).toEqual(item(400, 'No valid fields were found in record.'));
      expect(await count('Artist', 'Name = ?', ['Default kept'])).toBe(1);
      expect(await count('Artist', 'Name = ?', ['Default never'])).toBe(0);
      expect(await counts()).toEqual({ ...before, Artist: before.Artist! + 1 });
    });

    it('rolls every item back with rollback=true and says so in the message', async () => {
      const before = await counts();
      const a = await seed('Album', { Title: 'Rollback A', ArtistId: 9 });
      const result = await call('PATCH', 'Album', {
        query: { rollback: true },
        body: {
          resource: [{ AlbumId: a, Title: 'Rolled' }, { AlbumId: 999999, Title: 'Ghost' }, { AlbumId: a }],
        },
      });
      const context = expectBatchError(result, 'updated', [1], true);
      expect(context.resource).toEqual([
        r({ AlbumId: a }),
        item(404, "Record with identifier '999999' not found."),
      ]);
      expect(await albumRow(a)).toEqual({ title: 'Rollback A', artist: 9 });
      const created = await call('POST', 'Artist', {
        query: { rollback: true },
        body: { resource: [{ Name: 'Rollback 1' }, { Name: 'Rollback 2' }, { Nope: 1 }] },
      });
      expectBatchError(created, 'created', [2], true);
      expect(await count('Artist', 'Name like ?', ['Rollback %'])).toBe(0);
      expect(await counts()).toEqual({ ...before, Album: before.Album! + 1 });
    });

    it('refuses rollback together with continue', async () => {
      const before = await counts();
      const result = await call('POST', 'Artist', {
        query: { rollback: true, continue: true },
        body: { resource: [{ Name: 'Both modes' }] },
      });
      expectDfError(result, 400, 'Rollback and continue operations can not be requested at the same time.');
      expect(await counts()).toEqual(before);
    });

    it('answers GET ?ids= with a missing id as a "could be retrieved" batch error that includes the found records', async () => {
      const result = await call('GET', 'Album', { query: { ids: '1,999999' } });
      const context = expectBatchError(result, 'retrieved', [1]);
      expect(context.resource).toEqual([
        r({ AlbumId: 1, Title: 'For Those About To Rock We Salute You', ArtistId: 1 }),
        item(404, "Record with identifier '999999' not found."),
      ]);
    });

    it('deletes the found rows of DELETE ?ids= with continue=true before answering the batch error for a missing id', async () => {
      const a = await seed('Album', { Title: 'Del found', ArtistId: 10 });
      const b = await seed('Album', { Title: 'Del stays', ArtistId: 10 });
      const stopped = await call('DELETE', 'Album', { query: { ids: `999999,${b}` } });
      const first = expectBatchError(stopped, 'deleted', [0]);
      expect(first.resource).toEqual([item(404, "Record with identifier '999999' not found.")]);
      expect(await albumRow(b)).toEqual({ title: 'Del stays', artist: 10 });
      const result = await call('DELETE', 'Album', { query: { ids: `${a},999999`, continue: true } });
      const context = expectBatchError(result, 'deleted', [1]);
      expect(context.resource).toEqual([
        r({ AlbumId: a }),
        item(404, "Record with identifier '999999' not found."),
      ]);
      expect(await albumRow(a)).toBeNull();
    });
  });

  describe('§8.6 nested writes', () => {
    it('creates an artist with two albums and answers with them through related= (first example)', async () => {
      const result = await call('POST', 'Artist', {
        query: { related: 'Album_by_ArtistId' },
        body: {
          resource: [{ Name: 'New Band', Album_by_ArtistId: [{ Title: 'Debut' }, { Title: 'Second' }] }],
        },
      });
      expect(result.status).toBe(200);
      const artist = result.body.resource[0][n('ArtistId')];
      const album = result.body.resource[0][n('Album_by_ArtistId')][0][n('AlbumId')];
      expect(result.body).toEqual(
        r({
          resource: [
            {
              ArtistId: artist,
              Album_by_ArtistId: [
                { AlbumId: album, Title: 'Debut', ArtistId: artist },
                { AlbumId: album + 1, Title: 'Second', ArtistId: artist },
              ],
            },
          ],
        }),
      );
      expect(await sql('select Name as name from Artist where ArtistId = ?', [artist])).toEqual([
        { name: 'New Band' },
      ]);
      expect(
        await sql('select AlbumId as id, Title as title from Album where ArtistId = ? order by AlbumId', [
          artist,
        ]),
      ).toEqual([
        { id: album, title: 'Debut' },
        { id: album + 1, title: 'Second' },
      ]);
    });

    it('creates a playlist linked to tracks 1 and 6, then unlinks track 6 with "Playlist.PlaylistId": null (examples 2 and 3, Q20)', async () => {
      const trackSix = await sql('select Name as name from Track where TrackId = 6');
      const created = await call('POST', 'Playlist', {
        body: { resource: [{ Name: 'Road Trip', Track_by_PlaylistTrack: [{ TrackId: 1 }, { TrackId: 6 }] }] },
      });
      expect(created.status).toBe(200);
      const playlist = created.body.resource[0][n('PlaylistId')];
      expect(created.body).toEqual(r({ resource: [{ PlaylistId: playlist }] }));
      const links = () =>
        sql('select TrackId as track from PlaylistTrack where PlaylistId = ? order by TrackId', [playlist]);
      expect(await links()).toEqual([{ track: 1 }, { track: 6 }]);

      const unlinked = await call('PATCH', 'Playlist', {
        id: playlist,
        body: { Track_by_PlaylistTrack: [{ TrackId: 6, 'Playlist.PlaylistId': null }] },
      });
      expect(unlinked.status).toBe(200);
      expect(unlinked.body).toEqual(r({ PlaylistId: playlist }));
      expect(await links()).toEqual([{ track: 1 }]);
      expect(await sql('select Name as name from Track where TrackId = 6')).toEqual(trackSix);
    });

    it('creates an album together with its new artist and points the album at it (fourth example)', async () => {
      const before = await counts();
      const result = await call('POST', 'Album', {
        body: { resource: [{ Title: 'Fresh', Artist_by_ArtistId: { Name: 'Brand New Artist' } }] },
      });
      expect(result.status).toBe(200);
      const album = result.body.resource[0][n('AlbumId')];
      expect(result.body).toEqual(r({ resource: [{ AlbumId: album }] }));
      const [artist] = await sql('select ArtistId as id from Artist where Name = ?', ['Brand New Artist']);
      expect(await albumRow(album)).toEqual({ title: 'Fresh', artist: artist?.id });
      expect(await counts()).toEqual({ ...before, Artist: before.Artist! + 1, Album: before.Album! + 1 });
    });

    it('patches an existing belongs-to parent given with its key but does not take the foreign key from it (Q19)', async () => {
      const parent = await seed('Artist', { Name: 'Before rename' });
      const result = await call('POST', 'Album', {
        body: {
          resource: [
            { Title: 'Q19 album', ArtistId: 2, Artist_by_ArtistId: { ArtistId: parent, Name: 'Renamed' } },
          ],
        },
      });
      expect(result.status).toBe(200);
      const album = result.body.resource[0][n('AlbumId')];
      expect(await albumRow(album)).toEqual({ title: 'Q19 album', artist: 2 });
      expect(await sql('select Name as name from Artist where ArtistId = ?', [parent])).toEqual([
        { name: 'Renamed' },
      ]);
    });

    it('adopts has-many children given by key, updating the ones that carry other fields', async () => {
      const artist = await seed('Artist', { Name: 'Adopter' });
      const linked = await seed('Album', { Title: 'Link me', ArtistId: 1 });
      const updated = await seed('Album', { Title: 'Adopt me', ArtistId: 1 });
      const result = await call('PATCH', 'Artist', {
        id: artist,
        body: { Album_by_ArtistId: [{ AlbumId: linked }, { AlbumId: updated, Title: 'Adopted' }] },
      });
      expect(result.status).toBe(200);
      expect(result.body).toEqual(r({ ArtistId: artist }));
      expect(await albumRow(linked)).toEqual({ title: 'Link me', artist });
      expect(await albumRow(updated)).toEqual({ title: 'Adopted', artist });
    });

    it('unlinks a has-many child by setting its nullable foreign key to null', async () => {
      const album = await seed('Album', { Title: 'Unlink tracks', ArtistId: 1 });
      const gone = await seed('Track', track('Unlinked', album));
      const stays = await seed('Track', track('Stays linked', album));
      const result = await call('PATCH', 'Album', {
        id: album,
        body: { Track_by_AlbumId: [{ TrackId: gone, AlbumId: null }] },
      });
      expect(result.status).toBe(200);
      expect(
        await sql(
          'select TrackId as id, AlbumId as album from Track where TrackId in (?, ?) order by TrackId',
          [gone, stays],
        ),
      ).toEqual([
        { id: gone, album: null },
        { id: stays, album },
      ]);
    });

    it('deletes a child with a NOT NULL foreign key on unlink only with allow_related_delete=true, else fails', async () => {
      const artist = await seed('Artist', { Name: 'Strict parent' });
      const album = await seed('Album', { Title: 'Strict child', ArtistId: artist });
      const unlink = { Album_by_ArtistId: [{ AlbumId: album, ArtistId: null }] };
      const refused = await call('PATCH', 'Artist', { id: artist, body: unlink });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 400, context: null, status_code: 400 });
      expect(refused.body.error.message).toMatch(/^Failed to update many to one assignment\.\n/);
      expect(await albumRow(album)).toEqual({ title: 'Strict child', artist });
      const deleted = await call('PATCH', 'Artist', {
        id: artist,
        query: { allow_related_delete: true },
        body: unlink,
      });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual(r({ ArtistId: artist }));
      expect(await albumRow(album)).toBeNull();
    });

    it('creates each many-to-many junction row once, patches far rows given with fields, and inserts new far rows', async () => {
      const playlist = await seed('Playlist', { Name: 'No duplicates' });
      const renamed = await seed('Track', track('Rename via link'));
      const first = await call('PATCH', 'Playlist', {
        id: playlist,
        body: {
          Track_by_PlaylistTrack: [
            { TrackId: 2 },
            { TrackId: 2 },
            { TrackId: renamed, Name: 'Renamed via link' },
          ],
        },
      });
      expect(first.status).toBe(200);
      const again = await call('PATCH', 'Playlist', {
        id: playlist,
        body: { Track_by_PlaylistTrack: [{ TrackId: 2 }, track('Brand new far track')] },
      });
      expect(again.status).toBe(200);
      const [fresh] = await sql('select TrackId as id from Track where Name = ?', ['Brand new far track']);
      expect(
        await sql('select TrackId as track from PlaylistTrack where PlaylistId = ? order by TrackId', [
          playlist,
        ]),
      ).toEqual([{ track: 2 }, { track: renamed }, { track: fresh?.id }]);
      expect(await sql('select Name as name from Track where TrackId = ?', [renamed])).toEqual([
        { name: 'Renamed via link' },
      ]);
    });

    it('fails a link through a junction with extra NOT NULL columns (InvoiceLine) as an item error', async () => {
      const before = await counts();
      const invoice = { CustomerId: 1, InvoiceDate: '2024-01-02 00:00:00', Total: 1.98 };
      const result = await call('POST', 'Invoice', {
        query: { rollback: true },
        body: { resource: [{ ...invoice, Track_by_InvoiceLine: [{ TrackId: 1 }] }] },
      });
      const context = expectBatchError(result, 'created', [0], true);
      expect(context.resource[0]).toMatchObject({ code: 500, context: null, status_code: 500 });
      expect(context.resource[0].message).toMatch(/^Failed to update many to one map assignment\.\n/);
      expect(await counts()).toEqual(before);
    });
  });

  describe('§8.7 nested writes and transactions', () => {
    const withBadChild = (name: string) => ({
      resource: [
        { Name: `${name} 0`, Album_by_ArtistId: [{ Title: `${name} album 0` }] },
        { Name: `${name} 1`, Album_by_ArtistId: [{ Title: `${name} album 1` }, { Nope: true }] },
      ],
    });

    it('rolls back the top-level rows and the earlier nested rows when a nested write fails with rollback=true', async () => {
      const before = await counts();
      const result = await call('POST', 'Artist', {
        query: { rollback: true },
        body: withBadChild('Atomic'),
      });
      const context = expectBatchError(result, 'created', [1], true);
      expect(context.resource[1]).toEqual(
        item(400, "Failed to update many to one assignment.\nRequired field 'title' can not be NULL."),
      );
      expect(await counts()).toEqual(before);
      expect(await count('Artist', 'Name like ?', ['Atomic%'])).toBe(0);
      expect(await count('Album', 'Title like ?', ['Atomic%'])).toBe(0);
    });

    it('keeps the top-level row and its earlier nested rows when a nested write fails without rollback, as DF does', async () => {
      const before = await counts();
      const result = await call('POST', 'Artist', { body: withBadChild('Kept') });
      const context = expectBatchError(result, 'created', [1]);
      expect(context.resource[1]).toEqual(
        item(400, "Failed to update many to one assignment.\nRequired field 'title' can not be NULL."),
      );
      expect(await count('Artist', 'Name in (?, ?)', ['Kept 0', 'Kept 1'])).toBe(2);
      expect(await count('Album', 'Title in (?, ?)', ['Kept album 0', 'Kept album 1'])).toBe(2);
      expect(await counts()).toEqual({ ...before, Artist: before.Artist! + 2, Album: before.Album! + 2 });
    });

    it('makes a single-record PATCH and its nested writes one transaction with rollback=true', async () => {
      const artist = await seed('Artist', { Name: 'Single atomic' });
      const before = await counts();
      const body = { Name: 'Renamed atomic', Album_by_ArtistId: [{ Title: 'Single atomic album' }, {}] };
      const message = "Failed to update many to one assignment.\nRequired field 'title' can not be NULL.";
      expectDfError(
        await call('PATCH', 'Artist', { id: artist, query: { rollback: true }, body }),
        400,
        message,
      );
      expect(await counts()).toEqual(before);
      expect(await sql('select Name as name from Artist where ArtistId = ?', [artist])).toEqual([
        { name: 'Single atomic' },
      ]);
      expectDfError(await call('PATCH', 'Artist', { id: artist, body }), 400, message);
      expect(await sql('select Name as name from Artist where ArtistId = ?', [artist])).toEqual([
        { name: 'Renamed atomic' },
      ]);
      expect(await count('Album', 'ArtistId = ? and Title = ?', [artist, 'Single atomic album'])).toBe(1);
    });

    it('creates nested rows on another service (notes in SQLite) through a cross-service virtual key', async () => {
      const result = await call('POST', 'Track', {
        query: { related: 'notes.note_by_track_id' },
        body: {
          resource: [
            { ...track('Noted'), 'notes.note_by_track_id': [{ text: 'first' }, { text: 'second' }] },
          ],
        },
      });
      expect(result.status).toBe(200);
      const id = result.body.resource[0][n('TrackId')];
      const created = noteRows().filter((row) => row.track_id === id);
      expect(created.map((row) => row.text)).toEqual(['first', 'second']);
      expect(result.body).toEqual({
        resource: [{ [n('TrackId')]: id, 'notes.note_by_track_id': created }],
      });
      expect(await count('Track', 'TrackId = ? and Name = ?', [id, 'Noted'])).toBe(1);
    });

    it('removes the rows it created on the other service when a later item fails with rollback=true (compensation)', async () => {
      const before = await counts();
      const notesBefore = noteRows();
      const result = await call('POST', 'Track', {
        query: { rollback: true },
        body: {
          resource: [
            { ...track('Compensated 0'), 'notes.note_by_track_id': [{ text: 'undo a' }, { text: 'undo b' }] },
            { ...track('Compensated 1'), 'notes.note_by_track_id': [{ text: 'undo c' }] },
            { Name: 'Compensated 2' },
          ],
        },
      });
      const context = expectBatchError(result, 'created', [2], true);
      expect(context.resource[2]).toEqual(
        item(400, `Required field '${n('MediaTypeId').toLowerCase()}' can not be NULL.`),
      );
      expect(await counts()).toEqual(before);
      expect(noteRows()).toEqual(notesBefore);
    });
  });

  describe('bad input writes nothing', () => {
    it('refuses a body that is not JSON with 400', async () => {
      const before = await counts();
      const broken = await call('POST', 'Artist', { raw: '{"resource":[{"Name":"half"' });
      expect(broken.status).toBe(400);
      expect(broken.body.error).toMatchObject({ code: 400, context: null, status_code: 400 });
      expect(broken.body.error.message).toMatch(/^Invalid JSON in request body: /);
      expectDfError(
        await call('POST', 'Artist', { raw: 'Name=plain text', contentType: 'text/plain' }),
        400,
        'Unrecognized payload type',
      );
      expect(await counts()).toEqual(before);
    });

    it('refuses a body over the size limit with 413', async () => {
      const before = await counts();
      const bytes = Buffer.from(
        JSON.stringify({ resource: [{ [n('Name')]: 'x'.repeat(10 * 1024 * 1024) }] }),
      );
      expectDfError(
        await api.upload('POST', `chinook/_table/${n('Artist')}`, bytes),
        413,
        'Request body is too large: the limit is 10485760 bytes.',
      );
      expect(await counts()).toEqual(before);
    });

    it('refuses a value of the wrong type for a numeric column as a 4xx, never a 500', async () => {
      const before = await counts();
      const created = await call('POST', 'Track', {
        body: { resource: [{ ...track('Typed'), Milliseconds: 'long' }] },
      });
      const context = expectBatchError(created, 'created', [0]);
      expect(context.resource).toEqual([item(400, `Field '${n('Milliseconds')}' must be a valid integer.`)]);
      const price = await call('POST', 'Track', {
        body: { resource: [{ ...track('Typed'), UnitPrice: 'cheap' }] },
      });
      expect(expectBatchError(price, 'created', [0]).resource).toEqual([
        item(400, `Field '${n('UnitPrice')}' must be a valid number.`),
      ]);
      expectDfError(
        await call('PATCH', 'Track', { id: 1, body: { Milliseconds: 'long' } }),
        400,
        `Field '${n('Milliseconds')}' must be a valid integer.`,
      );
      expect(await counts()).toEqual(before);
      expect(await count('Track', 'Name = ?', ['Typed'])).toBe(0);
      expect(await sql('select Milliseconds as ms from Track where TrackId = 1')).toEqual([{ ms: 343719 }]);
    });

    it('refuses {"expression": …} values instead of running them as SQL (Q21)', async () => {
      const before = await counts();
      const created = await call('POST', 'Artist', {
        body: { resource: [{ Name: { expression: 'NOW()' } }] },
      });
      expect(expectBatchError(created, 'created', [0]).resource).toEqual([
        item(400, `Expression values are not supported (field '${n('Name')}').`),
      ]);
      expectDfError(
        await call('PATCH', 'Artist', {
          query: { filter: 'ArtistId = 1' },
          body: [{ Name: { expression: "'x'" } }],
        }),
        400,
        `Expression values are not supported (field '${n('Name')}').`,
      );
      expect(await counts()).toEqual(before);
      expect(await sql('select Name as name from Artist where ArtistId = 1')).toEqual([{ name: 'AC/DC' }]);
    });

    it('refuses a batch of 10,001 records with 400 before writing any, while 10,000 are still processed', async () => {
      const before = await counts();
      const resource = Array.from({ length: 10_001 }, (_, i) => ({ Name: `Flood ${i}` }));
      expectDfError(
        await call('POST', 'Artist', { body: { resource } }),
        400,
        'Too many records in one request (at most 10000).',
      );
      expect(await counts()).toEqual(before);
      // 10,000 records without a known column: every item is tried (and fails) instead of the cap's 400.
      const invalid = Array.from({ length: 10_000 }, (_, i) => ({ Nope: i }));
      const result = await call('POST', 'Artist', { query: { continue: true }, body: { resource: invalid } });
      const context = expectBatchError(
        result,
        'created',
        invalid.map((_, i) => i),
      );
      expect(context.resource).toHaveLength(10_000);
      expect(context.resource[9_999]).toEqual(item(400, 'No valid fields were found in record.'));
      expect(await counts()).toEqual(before);
    });
  });
});
