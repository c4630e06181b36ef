// Loads collections from a MongoDB Extended JSON file ({ "collection": [documents…] }) into a database,
// replacing what is there: the demo's `community` data for scripts/demo-mongo.ts and the integration tests.
import { readFileSync } from 'node:fs';
import { BSON, MongoClient, type Document } from 'mongodb';

export async function seedFromFile(
  url: string,
  database: string,
  file: string,
): Promise<Record<string, number>> {
  const data = BSON.EJSON.parse(readFileSync(file, 'utf8'), { relaxed: false }) as Record<string, Document[]>;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const db = client.db(database);
    const counts: Record<string, number> = {};
    for (const [name, docs] of Object.entries(data)) {
      await db
        .collection(name)
        .drop()
        .catch(() => undefined);
      if (docs.length > 0) await db.collection(name).insertMany(docs);
      counts[name] = docs.length;
    }
    return counts;
  } finally {
    await client.close();
  }
}
