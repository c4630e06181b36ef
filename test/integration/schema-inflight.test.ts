/* eslint-disable @typescript-eslint/no-explicit-any -- REST and GraphQL answers are read dynamically */
// Issue 11: a `_schema` change swaps the model while requests run, and those requests finish on the model
// they started with. On PostgreSQL a test transaction locks `artist`, so a REST read of artists with their
// albums and a GraphQL query of the same wait on it; meanwhile a field is added to `album` (that DDL does not
// need the lock) and answered from the new model. Released, the waiting requests answer in the old shape,
// without the new field; requests sent after the change see it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_URL, urlWithDatabase, type TestDatabase } from './support/databases.js';
import { testConfig } from './support/graphql.js';
import { startRestServer, type RestServer } from './support/rest-writes.js';
import { sleep } from './support/serve-process.js';

let db: TestDatabase;
let api: RestServer;

beforeAll(async () => {
  try {
    db = await createTestDatabase('postgres');
  } catch (error) {
    throw new Error(`PostgreSQL is needed at ${PG_URL} (start it, or set PG_URL): ${String(error)}`);
  }
  await db.exec(
    'create table artist (id int primary key, name text not null);' +
      'create table album (id int primary key, artist_id int not null references artist, title text not null);' +
      "insert into artist values (1, 'Miles'); insert into album values (10, 1, 'Kind of Blue');",
  );
  api = await startRestServer(testConfig([db.service({ name: 'app' })]));
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

/** A transaction of the test's own holding `artist` until release() (requests reading it wait). */
async function lockArtists(): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: urlWithDatabase(PG_URL, db.name) });
  await client.connect();
  await client.query('begin; lock table artist in access exclusive mode');
  return {
    release: async () => {
      await client.query('commit');
      await client.end();
    },
  };
}

/** Waits until `count` statements of the server wait for a lock in the test database. */
async function untilWaiting(count: number): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
        [db.name],
      );
      if (Number(rows[0]?.n) >= count) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]?.n} of ${count} requests wait for the lock`);
      await sleep(20);
    }
  } finally {
    await client.end();
  }
}

const ALBUMS = 'album_by_artist_id';

describe('requests in flight during a _schema change', () => {
  it('finish on the model they started with, while new requests see the change', async () => {
    const lock = await lockArtists();
    let rest: Promise<any>;
    let graphql: Promise<any>;
    try {
      rest = api.request('GET', 'app/_table/artist', { query: { related: ALBUMS } });
      graphql = api.server.query('{ app { artists { name albums { title } } } }');
      await untilWaiting(2);

      const changed = await api.request('PATCH', 'app/_schema/album', {
        body: { field: [{ name: 'mood', type: 'string', length: 20 }] },
      });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      expect(changed.body.field.map((f: any) => f.name)).toContain('mood');
    } finally {
      await lock.release();
    }

    const old = await rest;
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(old.body.resource).toEqual([
      { id: 1, name: 'Miles', [ALBUMS]: [{ id: 10, artist_id: 1, title: 'Kind of Blue' }] },
    ]);
    const oldQuery = await graphql;
    expect(oldQuery.errors).toBeUndefined();
    expect(oldQuery.data).toEqual({
      app: { artists: [{ name: 'Miles', albums: [{ title: 'Kind of Blue' }] }] },
    });

    const fresh = await api.request('GET', 'app/_table/artist', { query: { related: ALBUMS } });
    expect(fresh.body.resource).toEqual([
      { id: 1, name: 'Miles', [ALBUMS]: [{ id: 10, artist_id: 1, title: 'Kind of Blue', mood: null }] },
    ]);
    const freshQuery = await api.server.query('{ app { artists { albums { title mood } } } }');
    expect(freshQuery.errors).toBeUndefined();
    expect(freshQuery.data.app.artists[0].albums).toEqual([{ title: 'Kind of Blue', mood: null }]);
  });
});
