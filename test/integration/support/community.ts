// The demo's MongoDB database `community` (demo/data/community/community.json: reviews, preferences and
// mixtapes pointing at Chinook) loaded into a fresh database on the test MongoDB, with a ServiceConfig for it
// and the virtual keys that relate it to a Chinook service in both directions.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { seedFromFile } from '../../../src/adapters/mongodb/seed.js';
import type { ServiceConfig, VirtualForeignKeyConfig } from '../../../src/config/types.js';
import { dropMongoDatabase, mongoDatabaseName, startMongo, type MongoServer } from './mongo.js';

export const COMMUNITY_FILE = fileURLToPath(
  new URL('../../../demo/data/community/community.json', import.meta.url),
);

export interface CommunityHandle {
  mongo: MongoServer;
  database: string;
  service: ServiceConfig;
}

/** `community.reviews.track_id → chinook.Track.TrackId`, `community.preferences.customer_id → Customer`. */
export function communityKeys(
  chinook = 'chinook',
  names = { track: 'Track', trackId: 'TrackId', customer: 'Customer', customerId: 'CustomerId' },
): VirtualForeignKeyConfig[] {
  return [
    {
      from: { service: 'community', table: 'reviews', fields: ['track_id'] },
      to: { service: chinook, table: names.track, fields: [names.trackId] },
    },
    {
      from: { service: 'community', table: 'preferences', fields: ['customer_id'] },
      to: { service: chinook, table: names.customer, fields: [names.customerId] },
    },
  ];
}

export function mongoService(url: string, database: string, name = 'community'): ServiceConfig {
  return {
    name,
    type: 'mongodb',
    label: null,
    description: null,
    connection: { kind: 'url', url },
    schema: null,
    database,
    sampleSize: 1000,
    maxRecords: 1000,
    tables: {},
  };
}

/**
 * Registers beforeAll/afterAll hooks: a MongoDB (MONGO_URL or a bridge of this file's own) with the community
 * data in a fresh database, dropped afterwards. Read the fields inside tests.
 */
export function useCommunity(options: { standalone?: boolean } = {}): CommunityHandle {
  const handle = {} as CommunityHandle;
  beforeAll(async () => {
    const mongo = await startMongo(options);
    const database = mongoDatabaseName('community');
    Object.assign(handle, { mongo, database, service: mongoService(mongo.url, database) });
    await seedFromFile(mongo.url, database, COMMUNITY_FILE);
  });
  afterAll(async () => {
    if (!handle.mongo) return;
    await dropMongoDatabase(handle.mongo.url, handle.database).catch(() => undefined);
    await handle.mongo.stop();
  });
  return handle;
}
