/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// MongoDB through the DreamFactory REST contract: _table reads (filter, fields, order, limit, ids, related in
// both directions), writes (records, batches, rollback), _schema, and the errors a client gets. The stand-in
// of this file advertises a replica set, so rollback=true runs in a real transaction; a second stand-in in
// standalone mode proves the clear refusal when the server cannot roll back.
import { readFileSync } from 'node:fs';
import { BSON, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChinook } from './support/chinook.js';
import { COMMUNITY_FILE, communityKeys, mongoService, useCommunity } from './support/community.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { startMongo, type MongoServer } from './support/mongo.js';
import { restClient, type RestClient } from './support/rest.js';

const chinook = useChinook('sqlite');
const community = useCommunity();
let server: TestServer;
let rest: RestClient;

const seed = BSON.EJSON.parse(readFileSync(COMMUNITY_FILE, 'utf8')) as Record<string, any[]>;
const reviews = (seed.reviews as any[]).map((doc) => ({ ...doc, _id: doc._id.toHexString() }));
const TABLE = '/api/v2/community/_table';
const LEAKS = /Mongo[A-Za-z]*Error|E11000|mongodb:\/\/|\n\s*at |\.[jt]s:\d+/;

beforeAll(async () => {
  server = await startTestServer(testConfig([chinook.service, community.service], communityKeys()));
  rest = restClient(server);
});
afterAll(async () => server?.close());

async function rawCount(collection: string, filter: Record<string, unknown> = {}): Promise<number> {
  const client = new MongoClient(community.mongo.url);
  try {
    return await client.db(community.database).collection(collection).countDocuments(filter);
  } finally {
    await client.close();
  }
}

describe('reading MongoDB collections over REST', () => {
  it('lists the collections as tables', async () => {
    const res = await rest.get('/api/v2/community/_table');
    expect(res.status).toBe(200);
    expect(res.body.resource.map((t: any) => t.name)).toEqual(['mixtapes', 'preferences', 'reviews']);
  });

  it('filters, orders, limits and picks fields', async () => {
    const res = await rest.get(
      `${TABLE}/reviews?filter=${encodeURIComponent('(rating >= 4) AND (track_id <= 10)')}&order=track_id%20DESC,_id%20ASC&limit=5&fields=_id,track_id,rating`,
    );
    expect(res.status).toBe(200);
    const expected = reviews
      .filter((r) => r.rating >= 4 && r.track_id <= 10)
      .sort((a, b) => b.track_id - a.track_id || a._id.localeCompare(b._id))
      .slice(0, 5)
      .map((r) => ({ _id: r._id, track_id: r.track_id, rating: r.rating }));
    expect(res.body.resource).toEqual(expected);
  });

  it('matches LIKE patterns and IN lists', async () => {
    const res = await rest.get(
      `${TABLE}/reviews?filter=${encodeURIComponent("(title LIKE 'raw%') OR (rating IN (1))")}&fields=_id&limit=1000`,
    );
    const expected = reviews
      .filter((r) => r.title.startsWith('raw') || r.rating === 1)
      .map((r) => r._id)
      .sort();
    expect(res.body.resource.map((r: any) => r._id).sort()).toEqual(expected);
  });

  it('reads one document by its ObjectId and several by ids', async () => {
    const [a, b] = reviews;
    const one = await rest.get(`${TABLE}/reviews/${a._id}?fields=_id,title`);
    expect(one.body).toEqual({ _id: a._id, title: a.title });
    const many = await rest.get(`${TABLE}/reviews?ids=${a._id},${b._id}&fields=_id`);
    expect(many.body.resource.map((r: any) => r._id).sort()).toEqual([a._id, b._id].sort());
  });

  it('reads a document by a string _id', async () => {
    const res = await rest.get(`${TABLE}/mixtapes/mix-02?fields=_id,name`);
    expect(res.status).toBe(200);
    expect(res.body._id).toBe('mix-02');
  });

  it('answers an unknown id with 404 in the DreamFactory envelope', async () => {
    const res = await rest.get(`${TABLE}/reviews/000000000000000000000000`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe(404);
  });

  it('counts with include_count', async () => {
    const res = await rest.get(`${TABLE}/reviews?filter=rating%3D5&include_count=true&limit=1&fields=_id`);
    expect(res.body.meta.count).toBe(reviews.filter((r) => r.rating === 5).length);
  });

  it('adds the SQL track of each review with related=, in one statement per level', async () => {
    const res = await rest.get(
      `${TABLE}/reviews?limit=50&order=_id&fields=_id,track_id&related=chinook.Track_by_track_id`,
    );
    expect(res.status).toBe(200);
    for (const review of res.body.resource) {
      expect(review['chinook.Track_by_track_id'].TrackId).toBe(review.track_id);
    }
    expect(res.statements).toBe(2);
  });

  it('adds the MongoDB reviews of SQL tracks with related=', async () => {
    const res = await rest.get(
      `/api/v2/chinook/_table/Track?filter=TrackId%3C%3D5&limit=10&fields=TrackId&related=community.reviews_by_track_id`,
    );
    expect(res.status).toBe(200);
    for (const track of res.body.resource) {
      const expected = reviews
        .filter((r) => r.track_id === track.TrackId)
        .map((r) => r._id)
        .sort();
      expect(track['community.reviews_by_track_id'].map((r: any) => r._id).sort()).toEqual(expected);
    }
    expect(res.statements).toBe(2);
  });

  it('describes a collection under _schema', async () => {
    const res = await rest.get('/api/v2/community/_schema/reviews');
    expect(res.status).toBe(200);
    const fields = new Map(res.body.field.map((f: any) => [f.name, f]));
    expect(fields.get('_id')).toMatchObject({ is_primary_key: true, db_type: 'objectid', type: 'string' });
    expect(fields.get('rating')).toMatchObject({ type: 'integer', db_type: 'int', allow_null: true });
    expect(fields.get('created_at')).toMatchObject({ type: 'timestamp', db_type: 'date' });
    expect(fields.get('author')).toMatchObject({ type: 'json', db_type: 'object' });
    expect(res.body.related.map((r: any) => r.name)).toContain('chinook.Track_by_track_id');
  });
});

describe('writing MongoDB collections over REST', () => {
  it('creates records with embedded documents and returns their new ids', async () => {
    const res = await rest.request(`${TABLE}/reviews?fields=_id,title,author`, {
      json: {
        resource: [{ track_id: 2, rating: 3, title: 'rest one', author: { name: 'q', country: 'Peru' } }],
      },
    });
    expect(res.status).toBe(200);
    const made = res.body.resource[0];
    expect(made._id).toMatch(/^[0-9a-f]{24}$/);
    expect(made).toMatchObject({ title: 'rest one', author: { name: 'q', country: 'Peru' } });
  });

  it('updates by id with PATCH and deletes by id', async () => {
    const created = await rest.request(`${TABLE}/reviews`, {
      json: { resource: [{ track_id: 2, rating: 1 }] },
    });
    const id = created.body.resource[0]._id;
    const patched = await rest.request(`${TABLE}/reviews/${id}?fields=_id,rating`, {
      method: 'PATCH',
      json: { rating: 4 },
    });
    expect(patched.body).toEqual({ _id: id, rating: 4 });
    const deleted = await rest.request(`${TABLE}/reviews/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await rawCount('reviews', { rating: 4, track_id: 2, title: { $exists: false } })).toBe(0);
  });

  it('updates the documents a filter matches, and no others', async () => {
    const before = await rawCount('reviews', { helpful: 999 });
    const res = await rest.request(`${TABLE}/reviews?filter=${encodeURIComponent('track_id = 29')}`, {
      method: 'PATCH',
      json: { resource: [{ helpful: 999 }] },
    });
    expect(res.status, res.text).toBe(200);
    expect(await rawCount('reviews', { helpful: 999 })).toBe(
      before + (await rawCount('reviews', { track_id: 29 })),
    );
  });

  it('rolls a failing batch back entirely with rollback=true', async () => {
    const before = await rawCount('mixtapes');
    const res = await rest.request(`${TABLE}/mixtapes?rollback=true`, {
      json: {
        resource: [
          { _id: 'mix-new', name: 'fresh' },
          { _id: 'mix-01', name: 'duplicate' },
        ],
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(LEAKS);
    expect(await rawCount('mixtapes')).toBe(before);
  });

  it('refuses field names that MongoDB would read as operators or paths', async () => {
    for (const body of [{ $set: { rating: 1 } }, { 'author.name': 'x' }, { author: { $where: '1' } }]) {
      const res = await rest.request(`${TABLE}/reviews`, { json: { resource: [{ track_id: 1, ...body }] } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBeDefined();
      expect(res.text).not.toMatch(LEAKS);
    }
  });

  it('reports a duplicate key as a 409 item error without the server text', async () => {
    const res = await rest.request(`${TABLE}/mixtapes`, {
      json: { resource: [{ _id: 'mix-01', name: 'again' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.context.resource[0]).toMatchObject({ code: 409, status_code: 409 });
    expect(res.text).not.toMatch(LEAKS);
  });
});

describe('a standalone MongoDB server (no transactions)', () => {
  let standalone: MongoServer;
  let solo: TestServer;
  beforeAll(async () => {
    standalone = await startMongo({ standalone: true });
    // An empty database has no collections to model: create one through the driver first.
    const client = new MongoClient(standalone.url);
    await client
      .db('solo')
      .collection<{ _id: string; text: string }>('notes')
      .insertOne({ _id: 'n1', text: 'hi' });
    await client.close();
    solo = await startTestServer(testConfig([mongoService(standalone.url, 'solo', 'solo')]));
  });
  afterAll(async () => {
    await solo?.close();
    await standalone?.stop();
  });

  it('refuses rollback=true with a clear message and writes nothing', async () => {
    const r = restClient(solo);
    const res = await r.request('/api/v2/solo/_table/notes?rollback=true', {
      json: { resource: [{ _id: 'n2', text: 'x' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/rollback=true needs multi-document transactions/);
    const plain = await r.request('/api/v2/solo/_table/notes', {
      json: { resource: [{ _id: 'n3', text: 'y' }] },
    });
    expect(plain.status).toBe(200);
  });
});
