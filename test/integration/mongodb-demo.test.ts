// The MongoDB demo as `npm run demo:mongo` serves it: demo/junction.mongo.yaml loaded as a file (with
// MONGO_URL pointing at this file's MongoDB), the demo's SQLite Chinook built from demo/data in a temp copy,
// the community data loaded — and the queries its comments advertise answered in GraphQL and REST.
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedFromFile } from '../../src/adapters/mongodb/seed.js';
import { loadConfig } from '../../src/config/index.js';
import { demoConfigPath, ensureDemoDatabases } from '../../src/demo/ensure-demo.js';
import { COMMUNITY_FILE } from './support/community.js';
import { startTestServer, type TestServer } from './support/graphql.js';
import { startMongo, type MongoServer } from './support/mongo.js';
import { restClient } from './support/rest.js';

let mongo: MongoServer;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  mongo = await startMongo();
  await seedFromFile(mongo.url, 'community', COMMUNITY_FILE);
  // A copy of demo/, so the real demo/.data is neither read nor written.
  dir = mkdtempSync(join(tmpdir(), 'junction-mongo-demo-'));
  const demo = dirname(demoConfigPath());
  cpSync(join(demo, 'data'), join(dir, 'data'), { recursive: true });
  copyFileSync(join(demo, 'junction.mongo.yaml'), join(dir, 'junction.mongo.yaml'));
  await ensureDemoDatabases(dir);
  const previous = process.env.MONGO_URL;
  process.env.MONGO_URL = mongo.url;
  try {
    const config = await loadConfig(join(dir, 'junction.mongo.yaml'));
    server = await startTestServer({
      ...config,
      schemaCache: { ...config.schemaCache, mode: 'off' },
      limits: config.limits && {
        ...config.limits,
        rateLimit: { ...config.limits.rateLimit, enabled: false },
      },
    });
  } finally {
    if (previous === undefined) delete process.env.MONGO_URL;
    else process.env.MONGO_URL = previous;
  }
});

afterAll(async () => {
  await server?.close();
  await mongo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('answers the GraphQL query of the demo config across MongoDB and SQLite', async () => {
  const result = await server.query(
    `{ community { reviews(limit: 3) { title author { name } track { name album { title } } } } }`,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.community.reviews).toHaveLength(3);
  for (const review of result.data.community.reviews) {
    expect(review.track.name).toEqual(expect.any(String));
    expect(review.track.album.title).toEqual(expect.any(String));
  }
  expect(result.statements).toBe(3);
});

it('answers the other direction: Chinook customers with their MongoDB preferences', async () => {
  const result = await server.query(
    `{ chinook { customers(limit: 2) { firstName preferences { theme notifications { email } } } } }`,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.chinook.customers[0].preferences).toHaveLength(1);
});

it('answers REST related= from MongoDB documents to Chinook tracks', async () => {
  const res = await restClient(server).get(
    '/api/v2/community/_table/reviews?limit=2&fields=_id,track_id&related=chinook.Track_by_track_id',
  );
  expect(res.status).toBe(200);
  for (const review of res.body.resource) {
    expect(review['chinook.Track_by_track_id'].TrackId).toBe(review.track_id);
  }
});
