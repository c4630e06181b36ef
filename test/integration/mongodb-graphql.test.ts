/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// MongoDB through GraphQL: the demo's `community` collections (reviews, preferences, mixtapes) next to Chinook
// on SQLite, related by virtual keys both ways. Expected rows come from the seed file itself (a JS oracle), so
// each filter, order and aggregate is checked against what the documents really hold.
import { readFileSync } from 'node:fs';
import { BSON } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChinook } from './support/chinook.js';
import { COMMUNITY_FILE, communityKeys, useCommunity } from './support/community.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';

const chinook = useChinook('sqlite');
const community = useCommunity();
let server: TestServer;

interface Review {
  id: string;
  track_id: number;
  rating: number;
  title: string;
  author: { name: string; country: string };
  created_at: string;
  tags?: string[];
  customer_id?: number;
  helpful?: number;
}

const seed = BSON.EJSON.parse(readFileSync(COMMUNITY_FILE, 'utf8')) as Record<string, any[]>;
const reviews: Review[] = (seed.reviews as any[]).map((doc) => ({
  ...doc,
  id: doc._id.toHexString(),
  created_at: (doc.created_at as Date).toISOString(),
}));
const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id).sort();

beforeAll(async () => {
  server = await startTestServer(testConfig([chinook.service, community.service], communityKeys()));
});
afterAll(async () => server?.close());

async function data(query: string, variables?: Record<string, unknown>): Promise<any> {
  const result = await server.query(query, variables);
  expect(result.errors, `${query}\n${server.log.join('\n')}`).toBeUndefined();
  return result.data;
}

async function reviewIds(where: string): Promise<string[]> {
  const d = await data(`{ community { reviews(where: ${where}, limit: 1000) { id } } }`);
  return ids(d.community.reviews);
}

describe('a MongoDB collection as a GraphQL type', () => {
  it('exposes _id as the key, ObjectIds as their hex strings', async () => {
    const first = reviews[0] as Review;
    const d = await data(`{ community { review(id: "${first.id}") { id trackId rating title } } }`);
    expect(d.community.review).toEqual({
      id: first.id,
      trackId: first.track_id,
      rating: first.rating,
      title: first.title,
    });
  });

  it('keeps a string _id as it is', async () => {
    const d = await data(`{ community { mixtape(id: "mix-03") { id name trackIds } } }`);
    const mix = (seed.mixtapes as any[]).find((m) => m._id === 'mix-03');
    expect(d.community.mixtape).toEqual({ id: 'mix-03', name: mix.name, trackIds: mix.track_ids });
  });

  it('answers a consistent sub-document as an object type and arrays as JSON', async () => {
    const r = reviews.find((x) => x.tags !== undefined) as Review;
    const d = await data(
      `{ community { review(id: "${r.id}") { author { name country } tags createdAt } } }`,
    );
    expect(d.community.review).toEqual({ author: r.author, tags: r.tags, createdAt: r.created_at });
  });

  it('infers a double for a field that holds whole and fractional numbers', async () => {
    const d = await data(`{ community { preferences(limit: 100) { customerId volume } } }`);
    const expected = (seed.preferences as any[]).map((p) => ({
      customerId: p.customer_id,
      volume: p.volume,
    }));
    expect(d.community.preferences).toEqual(expect.arrayContaining(expected));
    expect(d.community.preferences).toHaveLength(expected.length);
  });
});

describe('filters on a MongoDB collection', () => {
  const cases: [string, string, (r: Review) => boolean][] = [
    ['eq', '{ rating: { eq: 5 } }', (r) => r.rating === 5],
    [
      'neq (missing values do not match)',
      '{ helpful: { neq: 3 } }',
      (r) => r.helpful !== undefined && r.helpful !== 3,
    ],
    ['gt and lte together', '{ rating: { gt: 2, lte: 4 } }', (r) => r.rating > 2 && r.rating <= 4],
    ['in', '{ trackId: { in: [1, 2, 3] } }', (r) => [1, 2, 3].includes(r.track_id)],
    ['nin', '{ rating: { nin: [1, 2, 3] } }', (r) => ![1, 2, 3].includes(r.rating)],
    ['between', '{ trackId: { between: { from: 5, to: 9 } } }', (r) => r.track_id >= 5 && r.track_id <= 9],
    [
      'isNull true (missing counts as null)',
      '{ customerId: { isNull: true } }',
      (r) => r.customer_id === undefined,
    ],
    ['isNull false', '{ helpful: { isNull: false } }', (r) => r.helpful !== undefined],
    ['startsWith', '{ title: { startsWith: "raw" } }', (r) => r.title.startsWith('raw')],
    ['contains', '{ title: { contains: "and d" } }', (r) => r.title.includes('and d')],
    ['endsWith', '{ title: { endsWith: "lush" } }', (r) => r.title.endsWith('lush')],
    ['like with % and _', '{ title: { like: "_u%y" } }', (r) => /^.u.*y$/s.test(r.title)],
    ['ilike', '{ title: { ilike: "RAW%" } }', (r) => r.title.toLowerCase().startsWith('raw')],
    ['notLike', '{ title: { notLike: "%raw%" } }', (r) => !r.title.includes('raw')],
    [
      'or',
      '{ or: [{ rating: { eq: 1 } }, { trackId: { eq: 7 } }] }',
      (r) => r.rating === 1 || r.track_id === 7,
    ],
    ['not', '{ not: { rating: { gte: 2 } } }', (r) => !(r.rating >= 2)],
    [
      'a date range',
      '{ createdAt: { gte: "2024-03-01T00:00:00Z", lt: "2024-04-01T00:00:00Z" } }',
      (r) => r.created_at >= '2024-03-01' && r.created_at < '2024-04-01',
    ],
    ['a key by its hex string', `{ id: { eq: "${reviews[4]?.id}" } }`, (r) => r.id === reviews[4]?.id],
  ];
  for (const [name, where, keep] of cases) {
    it(`matches exactly the documents of ${name}`, async () => {
      const expected = ids(reviews.filter(keep));
      expect(expected.length).toBeGreaterThan(0);
      expect(await reviewIds(where)).toEqual(expected);
    });
  }

  it('takes % and _ in contains literally', async () => {
    expect(await reviewIds('{ title: { contains: "%" } }')).toEqual([]);
    expect(await reviewIds('{ title: { contains: "_" } }')).toEqual([]);
  });

  it('takes regex characters in a pattern literally', async () => {
    expect(await reviewIds('{ title: { like: ".*" } }')).toEqual([]);
    expect(await reviewIds('{ title: { startsWith: "(" } }')).toEqual([]);
  });
});

describe('order, pages and aggregates on a MongoDB collection', () => {
  it('orders by several keys and pages with limit and offset', async () => {
    const d = await data(
      `{ community { reviews(orderBy: [{ rating: DESC }, { trackId: ASC }, { id: ASC }], limit: 7, offset: 3) { id } } }`,
    );
    const expected = [...reviews]
      .sort((a, b) => b.rating - a.rating || a.track_id - b.track_id || a.id.localeCompare(b.id))
      .slice(3, 10);
    expect(d.community.reviews.map((r: any) => r.id)).toEqual(expected.map((r) => r.id));
  });

  it('puts missing values last when asked to', async () => {
    const d = await data(
      `{ community { reviews(orderBy: [{ helpful: ASC_NULLS_LAST }, { id: ASC }], limit: 1000) { helpful } } }`,
    );
    const values = d.community.reviews.map((r: any) => r.helpful);
    const present = reviews.filter((r) => r.helpful !== undefined).length;
    expect(values.slice(present).every((v: unknown) => v === null)).toBe(true);
    expect(values.slice(0, present)).toEqual([...values.slice(0, present)].sort((a, b) => a - b));
  });

  it('counts and aggregates like SQL does', async () => {
    const d = await data(
      `{ community { reviewsAggregate(where: { trackId: { lte: 10 } }) { count sum { rating helpful } avg { rating } min { rating createdAt } max { rating } } } }`,
    );
    const rows = reviews.filter((r) => r.track_id <= 10);
    const helpful = rows.filter((r) => r.helpful !== undefined).map((r) => r.helpful as number);
    const agg = d.community.reviewsAggregate;
    expect(agg.count).toBe(rows.length);
    expect(agg.sum).toEqual({
      rating: rows.reduce((s, r) => s + r.rating, 0),
      helpful: helpful.length > 0 ? helpful.reduce((s, h) => s + h, 0) : null,
    });
    expect(agg.avg.rating).toBeCloseTo(rows.reduce((s, r) => s + r.rating, 0) / rows.length, 10);
    expect(agg.min.rating).toBe(Math.min(...rows.map((r) => r.rating)));
    expect(agg.min.createdAt).toBe(rows.map((r) => r.created_at).sort()[0]);
    expect(agg.max.rating).toBe(Math.max(...rows.map((r) => r.rating)));
  });

  it('answers an aggregate over no documents with count 0 and nulls', async () => {
    const d = await data(
      `{ community { reviewsAggregate(where: { rating: { gt: 99 } }) { count sum { rating } } } }`,
    );
    expect(d.community.reviewsAggregate).toEqual({ count: 0, sum: { rating: null } });
  });

  it('groups by a field', async () => {
    const d = await data(
      `{ community { reviewsGroupBy(by: [RATING], where: { trackId: { lte: 30 } }) { key { rating } count } } }`,
    );
    const counts = new Map<number, number>();
    for (const r of reviews.filter((x) => x.track_id <= 30))
      counts.set(r.rating, (counts.get(r.rating) ?? 0) + 1);
    const got = new Map(d.community.reviewsGroupBy.map((g: any) => [g.key.rating, g.count]));
    expect(got).toEqual(counts);
  });

  it('pages through a connection with cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const d: any = await data(
        `query($after: String) { community { reviewsConnection(first: 50, after: $after, orderBy: [{ id: ASC }]) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } } }`,
        { after },
      );
      const page = d.community.reviewsConnection;
      expect(page.totalCount).toBe(reviews.length);
      seen.push(...page.nodes.map((n: any) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids(reviews));
  });
});

describe('relations between MongoDB and SQL', () => {
  it('reads the SQL track of each review in one statement per level', async () => {
    const result = await server.query(
      `{ community { reviews(limit: 200, orderBy: [{ id: ASC }]) { id trackId track { trackId name album { title artist { name } } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const rows = result.data.community.reviews;
    expect(rows).toHaveLength(200);
    for (const row of rows) expect(row.track.trackId).toBe(row.trackId);
    // reviews + tracks + albums + artists
    expect(result.statements).toBe(4);
  });

  it('reads the MongoDB reviews of SQL tracks in one statement, with a limit per track', async () => {
    const result = await server.query(
      `{ chinook { tracks(where: { trackId: { lte: 30 } }, orderBy: [{ trackId: ASC }]) { trackId reviews(orderBy: [{ rating: DESC }, { id: ASC }], limit: 2) { rating } reviewsAggregate { count } } } }`,
    );
    expect(result.errors).toBeUndefined();
    for (const track of result.data.chinook.tracks) {
      const own = reviews
        .filter((r) => r.track_id === track.trackId)
        .sort((a, b) => b.rating - a.rating || a.id.localeCompare(b.id));
      expect(track.reviews).toEqual(own.slice(0, 2).map((r) => ({ rating: r.rating })));
      expect(track.reviewsAggregate.count).toBe(own.length);
    }
    // tracks + reviews + review counts
    expect(result.statements).toBe(3);
  });

  it('filters SQL rows by their MongoDB relations', async () => {
    const d = await data(
      `{ chinook { tracks(where: { reviews: { some: { rating: { eq: 5 } } } }, limit: 5000) { trackId } } }`,
    );
    const expected = [...new Set(reviews.filter((r) => r.rating === 5).map((r) => r.track_id))].sort(
      (a, b) => a - b,
    );
    expect(d.chinook.tracks.map((t: any) => t.trackId).sort((a: number, b: number) => a - b)).toEqual(
      expected,
    );
  });

  it('filters MongoDB documents by their SQL relations', async () => {
    const d = await data(
      `{ community { reviews(where: { track: { albumId: { eq: 1 } } }, limit: 1000) { id track { albumId } } } }`,
    );
    expect(d.community.reviews.length).toBeGreaterThan(0);
    for (const r of d.community.reviews) expect(r.track.albumId).toBe(1);
    const albumOneTracks = [1, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    expect(ids(d.community.reviews)).toEqual(ids(reviews.filter((r) => albumOneTracks.includes(r.track_id))));
  });

  it('relates SQL customers to their MongoDB preferences', async () => {
    const result = await server.query(
      `{ chinook { customers(where: { customerId: { lte: 3 } }, orderBy: [{ customerId: ASC }]) { customerId preferences { theme notifications { email sms } favouriteGenres } } } }`,
    );
    expect(result.errors).toBeUndefined();
    for (const c of result.data.chinook.customers) {
      const pref = (seed.preferences as any[]).find((p) => p.customer_id === c.customerId);
      expect(c.preferences).toEqual([
        { theme: pref.theme, notifications: pref.notifications, favouriteGenres: pref.favourite_genres },
      ]);
    }
    expect(result.statements).toBe(2);
  });
});

describe('GraphQL mutations on a MongoDB collection', () => {
  it('inserts a document with an embedded sub-document and reads it back', async () => {
    const d = await data(
      `mutation { community_insertReview(object: { trackId: 3, rating: 5, title: "inserted", author: { name: "zoe", country: "Chile" }, tags: ["new"] }) { id rating author { name country } tags } }`,
    );
    const made = d.community_insertReview;
    expect(made.id).toMatch(/^[0-9a-f]{24}$/);
    expect(made).toMatchObject({ rating: 5, author: { name: 'zoe', country: 'Chile' }, tags: ['new'] });
    const back = await data(`{ community { review(id: "${made.id}") { title trackId } } }`);
    expect(back.community.review).toEqual({ title: 'inserted', trackId: 3 });
  });

  it('updates and deletes by key', async () => {
    const d = await data(
      `mutation { community_insertReview(object: { trackId: 4, rating: 1, title: "to change" }) { id } }`,
    );
    const id = d.community_insertReview.id;
    const updated = await data(
      `mutation { community_updateReview(id: "${id}", set: { rating: 2 }) { id rating } }`,
    );
    expect(updated.community_updateReview).toEqual({ id, rating: 2 });
    const deleted = await data(`mutation { community_deleteReview(id: "${id}") { id } }`);
    expect(deleted.community_deleteReview).toEqual({ id });
    const gone = await data(`{ community { review(id: "${id}") { id } } }`);
    expect(gone.community.review).toBeNull();
  });

  it('refuses a sub-document key that MongoDB would read as an operator, writing nothing', async () => {
    const before = await data(`{ community { reviewsAggregate { count } } }`);
    const result = await server.query(
      `mutation($author: JSON) { community_insertReview(object: { trackId: 3, rating: 5, title: "x", author: $author }) { id } }`,
      { author: { name: { $gt: '' } } },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(result.errors?.[0]?.message).toMatch(/may not start with '\$'/);
    const after = await data(`{ community { reviewsAggregate { count } } }`);
    expect(after.community.reviewsAggregate.count).toBe(before.community.reviewsAggregate.count);
  });

  it('upserts by _id: inserts under the given id, then updates that document', async () => {
    const id = '65a0c0de0000feed00000001';
    const first = await data(
      `mutation { community_upsertReview(object: { id: "${id}", trackId: 8, rating: 2, title: "first" }) { id title } }`,
    );
    expect(first.community_upsertReview).toEqual({ id, title: 'first' });
    const again = await data(
      `mutation { community_upsertReview(object: { id: "${id}", trackId: 8, rating: 3, title: "second" }) { id title rating } }`,
    );
    expect(again.community_upsertReview).toEqual({ id, title: 'second', rating: 3 });
    const all = await data(`{ community { reviews(where: { id: { eq: "${id}" } }) { id } } }`);
    expect(all.community.reviews).toHaveLength(1);
  });

  it('reports a duplicate _id as a unique violation', async () => {
    const result = await server.query(
      `mutation { community_insertMixtape(object: { id: "mix-01", name: "dup" }) { id } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('UNIQUE_VIOLATION');
  });
});
