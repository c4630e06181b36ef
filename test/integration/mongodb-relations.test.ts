/* eslint-disable @typescript-eslint/no-explicit-any -- responses are read dynamically, as a client would */
// SQL↔MongoDB relations on the server databases: Chinook on PostgreSQL (snake_case names) and on MariaDB next
// to the community collections. Each relation level is one statement on its own side, however many parents.
import { readFileSync } from 'node:fs';
import { BSON } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinookName, useChinook } from './support/chinook.js';
import { COMMUNITY_FILE, communityKeys, useCommunity } from './support/community.js';
import type { TestDialect } from './support/databases.js';
import { startTestServer, testConfig, type TestServer } from './support/graphql.js';
import { restClient } from './support/rest.js';

const seed = BSON.EJSON.parse(readFileSync(COMMUNITY_FILE, 'utf8')) as Record<string, any[]>;
const community = useCommunity();

for (const dialect of ['postgres', 'mysql'] as TestDialect[]) {
  describe(`MongoDB next to Chinook on ${dialect}`, () => {
    const chinook = useChinook(dialect);
    const n = (name: string) => chinookName(dialect, name);
    let server: TestServer;

    beforeAll(async () => {
      const keys = communityKeys('chinook', {
        track: n('Track'),
        trackId: n('TrackId'),
        customer: n('Customer'),
        customerId: n('CustomerId'),
      });
      server = await startTestServer(testConfig([chinook.service, community.service], keys));
    });
    afterAll(async () => server?.close());

    it('reads three SQL levels under MongoDB documents in one statement per level', async () => {
      const result = await server.query(
        `{ community { reviews(limit: 240) { trackId track { trackId album { title artist { name } } } } } }`,
      );
      expect(result.errors).toBeUndefined();
      const rows = result.data.community.reviews;
      expect(rows).toHaveLength(240);
      for (const row of rows) expect(row.track.trackId).toBe(row.trackId);
      expect(result.statements).toBe(4);
    });

    it('reads MongoDB documents under 500 SQL rows in one statement', async () => {
      const result = await server.query(
        `{ chinook { tracks(limit: 500, orderBy: [{ trackId: ASC }]) { trackId reviews { trackId } } } }`,
      );
      expect(result.errors).toBeUndefined();
      const tracks = result.data.chinook.tracks;
      expect(tracks).toHaveLength(500);
      const withReviews = tracks.filter((t: any) => t.reviews.length > 0);
      expect(withReviews.length).toBeGreaterThan(30);
      for (const t of tracks) {
        expect(t.reviews.length).toBe(seed.reviews!.filter((r) => r.track_id === t.trackId).length);
      }
      expect(result.statements).toBe(2);
    });

    it('filters SQL rows by MongoDB documents and MongoDB documents by SQL rows', async () => {
      const tracks = await server.query(
        `{ chinook { tracks(where: { reviews: { some: { rating: { eq: 1 } } } }, limit: 5000) { trackId } } }`,
      );
      expect(tracks.errors).toBeUndefined();
      const expected = [
        ...new Set(seed.reviews!.filter((r) => r.rating === 1).map((r) => r.track_id as number)),
      ];
      expect(
        tracks.data.chinook.tracks.map((t: any) => t.trackId).sort((a: number, b: number) => a - b),
      ).toEqual(expected.sort((a, b) => a - b));
      const reviews = await server.query(
        `{ community { reviews(where: { track: { genreId: { eq: 1 } } }, limit: 1000) { track { genreId } } } }`,
      );
      expect(reviews.errors).toBeUndefined();
      expect(reviews.data.community.reviews.length).toBeGreaterThan(0);
      for (const r of reviews.data.community.reviews) expect(r.track.genreId).toBe(1);
    });

    it('answers REST related= both ways', async () => {
      const rest = restClient(server);
      const rel = `chinook.${n('Track')}_by_track_id`;
      const down = await rest.get(
        `/api/v2/community/_table/reviews?limit=20&fields=_id,track_id&related=${rel}`,
      );
      expect(down.status, down.text.slice(0, 300)).toBe(200);
      for (const r of down.body.resource) expect(r[rel][n('TrackId')]).toBe(r.track_id);
      expect(down.statements).toBe(2);
      const back = `community.preferences_by_customer_id`;
      const up = await rest.get(
        `/api/v2/chinook/_table/${n('Customer')}?limit=5&fields=${n('CustomerId')}&related=${back}`,
      );
      expect(up.status, up.text.slice(0, 300)).toBe(200);
      for (const c of up.body.resource) {
        expect(c[back].map((p: any) => p.customer_id)).toEqual([c[n('CustomerId')]]);
      }
      expect(up.statements).toBe(2);
    });
  });
}
