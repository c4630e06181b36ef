// Smoke test of the MongoDB test server through the official driver over TCP: test/mongo-bridge.py by default,
// or the real server MONGO_URL points at (then these same tests check that the bridge's answers are MongoDB's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Decimal128,
  Double,
  Int32,
  Long,
  MongoClient,
  MongoServerError,
  ObjectId,
  type CommandSucceededEvent,
  type Db,
} from 'mongodb';
import {
  dropMongoDatabase,
  mongoDatabaseName,
  realMongoOnly,
  startMongo,
  type MongoServer,
} from './support/mongo.js';

const DB_NAME = mongoDatabaseName('junction_test');
const USING_REAL_MONGO = !realMongoOnly(undefined);

let server: MongoServer;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  server = await startMongo();
  client = new MongoClient(server.url);
  await client.connect();
  db = client.db(DB_NAME);
});

afterAll(async () => {
  await client?.close();
  if (!server) return;
  try {
    await dropMongoDatabase(server.url, DB_NAME);
  } finally {
    await server.stop();
  }
});

/** What `promise` rejects with, which must be an error the server returned. */
async function serverError(promise: Promise<unknown>): Promise<MongoServerError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  return error as MongoServerError;
}

/** Runs `fn` on a client of its own that records the name of every command the server answered with ok:1. */
async function withCommandLog(fn: (watched: Db, succeeded: string[]) => Promise<void>): Promise<void> {
  const watched = new MongoClient(server.url, { monitorCommands: true });
  const succeeded: string[] = [];
  watched.on('commandSucceeded', (event: CommandSucceededEvent) => succeeded.push(event.commandName));
  try {
    await fn(watched.db(DB_NAME), succeeded);
  } finally {
    await watched.close();
  }
}

describe('the MongoDB test server', () => {
  it('answers the hello handshake as a writable server with sessions', async () => {
    const hello = await db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.logicalSessionTimeoutMinutes).toEqual(expect.any(Number));
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('answers an unknown command with CommandNotFound', async () => {
    const error = await serverError(db.command({ noSuchCommandHere: 1 }));
    expect(error.code).toBe(59);
  });

  it('keeps ObjectId, string, int and compound _ids with their types', async () => {
    const users = db.collection('ids');
    const oid = new ObjectId();
    await users.insertMany([
      { _id: oid, kind: 'objectid' },
      { _id: 'alice', kind: 'string' },
      { _id: 42, kind: 'int' },
      { _id: { tenant: 1, user: 'x' }, kind: 'compound' },
    ] as never[]);
    expect(await users.findOne({ _id: oid })).toEqual({ _id: oid, kind: 'objectid' });
    expect(await users.findOne({ _id: 'alice' } as never)).toEqual({ _id: 'alice', kind: 'string' });
    expect(await users.findOne({ _id: { tenant: 1, user: 'x' } } as never)).toEqual({
      _id: { tenant: 1, user: 'x' },
      kind: 'compound',
    });
    const byInt = await users.findOne({ _id: 42 } as never, { promoteValues: false });
    expect(byInt?._id).toBeInstanceOf(Int32);
    expect(byInt?.kind).toBe('int');
  });

  it('returns _id as the first field, as mongod stores it', async () => {
    const things = db.collection('field_order');
    await things.insertOne({ name: 'x', size: 1 }); // the driver appends the generated _id last
    expect(Object.keys((await things.findOne({}))!)).toEqual(['_id', 'name', 'size']);
  });

  it('keeps a whole-valued double a double', async () => {
    const numbers = db.collection('numbers');
    await numbers.insertOne({ _id: 1, whole: new Double(42), fraction: 1.5, int: 42 } as never);
    const raw = await numbers.findOne({ _id: 1 } as never, { promoteValues: false });
    expect(raw?.whole).toBeInstanceOf(Double);
    expect(raw?.fraction).toBeInstanceOf(Double);
    expect(raw?.int).toBeInstanceOf(Int32);
    const promoted = await numbers.findOne({ _id: 1 } as never);
    expect(typeof promoted?.whole).toBe('number');
    expect(promoted?.whole).toBe(42);
  });

  it('round-trips dates, Decimal128, longs, nested documents and arrays', async () => {
    const values = db.collection('values');
    const doc = {
      _id: 'v',
      at: new Date('2024-02-29T12:34:56.789Z'),
      price: Decimal128.fromString('12.345'),
      big: Long.fromString('9007199254740993'),
      address: { city: 'Oslo', geo: { lat: 59.9, lng: 10.75 } },
      tags: ['a', 'b'],
      orders: [{ sku: 'x', qty: 2 }],
      nothing: null,
    };
    await values.insertOne(doc as never);
    const back = await values.findOne({ _id: 'v' } as never, { promoteLongs: false });
    expect(back).toEqual(doc);
    expect(back?.big).toBeInstanceOf(Long);
    expect(await values.countDocuments({ 'address.geo.lat': { $gt: 59 }, tags: 'b' })).toBe(1);
  });

  it('sorts strings in binary order, upper case first', async () => {
    const names = db.collection('names');
    await names.insertMany(['b', 'B', 'a', 'Z', 'A'].map((name) => ({ name })));
    const sorted = await names.find({}, { sort: { name: 1 }, projection: { _id: 0 } }).toArray();
    expect(sorted.map((d) => d.name)).toEqual(['A', 'B', 'Z', 'a', 'b']);
  });

  describe('with 250 documents', () => {
    beforeAll(async () => {
      await db.collection('many').insertMany(
        Array.from({ length: 250 }, (_, n) => ({
          n,
          group: n % 3 === 0 ? 'fizz' : 'other',
          even: n % 2 === 0,
        })),
      );
    });

    it('applies sort, skip and limit', async () => {
      const page = await db
        .collection('many')
        .find({}, { sort: { n: -1 }, skip: 10, limit: 5 })
        .toArray();
      expect(page.map((d) => d.n)).toEqual([239, 238, 237, 236, 235]);
    });

    it('delivers 250 documents in batches of 100 through getMore', async () => {
      await withCommandLog(async (watched, succeeded) => {
        const docs = await watched.collection('many').find({}, { batchSize: 100 }).toArray();
        expect(new Set(docs.map((d) => d.n)).size).toBe(250);
        expect(succeeded.filter((name) => name === 'getMore')).toHaveLength(2);
      });
    });

    it('kills a cursor that was closed before its end', async () => {
      await withCommandLog(async (watched, succeeded) => {
        const cursor = watched.collection('many').find({}, { batchSize: 10 });
        expect(await cursor.next()).not.toBeNull();
        await cursor.close();
        expect(succeeded).toContain('killCursors');
      });
    });

    it('counts documents with a filter, skip and limit', async () => {
      const many = db.collection('many');
      expect(await many.countDocuments()).toBe(250);
      expect(await many.countDocuments({ group: 'fizz' })).toBe(84);
      expect(await many.countDocuments({}, { skip: 200, limit: 100 })).toBe(50);
      expect(await many.estimatedDocumentCount()).toBe(250);
    });

    it('aggregates with $match, $group and $sort', async () => {
      const groups = await db
        .collection('many')
        .aggregate([
          { $match: { even: true } },
          { $group: { _id: '$group', count: { $sum: 1 }, max: { $max: '$n' } } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      expect(groups).toEqual([
        { _id: 'fizz', count: 42, max: 246 },
        { _id: 'other', count: 83, max: 248 },
      ]);
    });

    // 50 of 250 is over 5%, so a real mongod samples by random sort, which never repeats a document.
    it('returns distinct documents from $sample', async () => {
      const sample = await db
        .collection('many')
        .aggregate([{ $sample: { size: 50 } }])
        .toArray();
      expect(sample).toHaveLength(50);
      expect(new Set(sample.map((d) => String(d._id))).size).toBe(50);
    });

    it('lists distinct values', async () => {
      expect((await db.collection('many').distinct('group')).sort()).toEqual(['fizz', 'other']);
    });
  });

  it('rejects a unique index violation with code 11000', async () => {
    const accounts = db.collection('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
    await accounts.insertOne({ email: 'a@example.com' });
    const error = await serverError(accounts.insertOne({ email: 'a@example.com' }));
    expect(error.code).toBe(11000);
    expect(error.message).toMatch(/^E11000 duplicate key error/);
    expect(await accounts.countDocuments()).toBe(1);
  });

  it('keeps the other documents of an unordered insert that hits a duplicate _id', async () => {
    const items = db.collection('unordered');
    const error = await serverError(
      items.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[], { ordered: false }),
    );
    expect(error.code).toBe(11000);
    expect(await items.countDocuments()).toBe(2);
  });

  it('reports update, upsert and delete counts', async () => {
    const stock = db.collection('stock');
    await stock.insertMany([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
      { sku: 'c', qty: 3 },
    ]);
    expect(await stock.updateOne({ sku: 'a' }, { $set: { qty: 10 } })).toMatchObject({
      matchedCount: 1,
      modifiedCount: 1,
      upsertedCount: 0,
    });
    expect(await stock.updateOne({ sku: 'a' }, { $set: { qty: 10 } })).toMatchObject({
      matchedCount: 1,
      modifiedCount: 0,
    });
    expect(await stock.updateMany({ qty: { $lt: 5 } }, { $inc: { qty: 1 } })).toMatchObject({
      matchedCount: 2,
      modifiedCount: 2,
    });
    const upsert = await stock.updateOne({ sku: 'd' }, { $set: { qty: 4 } }, { upsert: true });
    expect(upsert).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
    expect(await stock.findOne({ _id: upsert.upsertedId! })).toMatchObject({ sku: 'd', qty: 4 });
    expect(await stock.updateOne({ sku: 'none' }, { $set: { qty: 0 } })).toMatchObject({ matchedCount: 0 });
    expect(await stock.replaceOne({ sku: 'b' }, { sku: 'b', qty: 20 })).toMatchObject({ modifiedCount: 1 });
    const after = await stock.findOneAndUpdate(
      { sku: 'c' },
      { $inc: { qty: 1 } },
      { returnDocument: 'after' },
    );
    expect(after).toMatchObject({ sku: 'c', qty: 5 });
    expect(await stock.findOneAndDelete({ sku: 'c' })).toMatchObject({ sku: 'c', qty: 5 });
    expect(await stock.deleteOne({ qty: { $gte: 0 } })).toMatchObject({ deletedCount: 1 });
    expect(await stock.deleteMany({})).toMatchObject({ deletedCount: 2 });
  });

  it('lists a validator given when the collection was created', async () => {
    const validator = { $jsonSchema: { bsonType: 'object', required: ['name'] } };
    await db.createCollection('validated', { validator });
    const [info] = await db.listCollections({ name: 'validated' }).toArray();
    expect(info).toMatchObject({ name: 'validated', type: 'collection', options: { validator } });
    const names = await db.listCollections({}, { nameOnly: true }).toArray();
    expect(names.map((c) => c.name)).toContain('validated');
  });

  it('lists indexes with their keys and uniqueness', async () => {
    const people = db.collection('people');
    await people.createIndex({ last: 1, first: -1 }, { name: 'by_name' });
    await people.createIndex({ ssn: 1 }, { unique: true, name: 'ssn_unique' });
    const indexes = await people.listIndexes().toArray();
    expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'by_name', 'ssn_unique']);
    expect(indexes.find((i) => i.name === 'by_name')?.key).toEqual({ last: 1, first: -1 });
    expect(indexes.find((i) => i.name === 'ssn_unique')?.unique).toBe(true);
    await people.dropIndex('by_name');
    expect((await people.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'ssn_unique']);
  });

  describe('transactions', () => {
    beforeAll(() => {
      expect(server.transactions, 'MONGO_URL must point at a replica set (or mongos) for transactions').toBe(
        true,
      );
    });

    it('keeps the writes of a committed transaction', async () => {
      const ledger = db.collection('ledger_commit');
      await ledger.insertOne({ entry: 0 }); // collections cannot be created inside a transaction before 4.4
      await client.withSession((session) =>
        session.withTransaction(async () => {
          await ledger.insertOne({ entry: 1 }, { session });
          await ledger.updateOne({ entry: 0 }, { $set: { seen: true } }, { session });
        }),
      );
      expect(await ledger.countDocuments({ entry: 1 })).toBe(1);
      expect(await ledger.countDocuments({ seen: true })).toBe(1);
    });

    it('rolls back the writes of a transaction whose callback throws', async () => {
      const ledger = db.collection('ledger_abort');
      await ledger.insertOne({ entry: 0 });
      const failure = client.withSession((session) =>
        session.withTransaction(async () => {
          await ledger.insertOne({ entry: 1 }, { session });
          await ledger.updateOne({ entry: 0 }, { $set: { seen: true } }, { session });
          throw new Error('changed my mind');
        }),
      );
      await expect(failure).rejects.toThrow('changed my mind');
      expect(await ledger.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ entry: 0 }]);
    });

    it.skipIf(realMongoOnly(undefined))(
      'hides uncommitted writes from other sessions [real MongoDB only: set MONGO_URL]',
      async () => {
        const ledger = db.collection('ledger_isolation');
        await ledger.insertOne({ entry: 0 });
        const session = client.startSession();
        try {
          session.startTransaction();
          await ledger.insertOne({ entry: 1 }, { session });
          expect(await ledger.countDocuments()).toBe(1);
          await session.abortTransaction();
        } finally {
          await session.endSession();
        }
      },
    );
  });
});

// A MONGO_URL server cannot be restarted as a standalone, so this runs against the bridge only.
describe.skipIf(USING_REAL_MONGO)(
  'the bridge in --standalone mode [bridge only: skipped with MONGO_URL]',
  () => {
    let standalone: MongoServer;
    let standaloneClient: MongoClient;

    beforeAll(async () => {
      standalone = await startMongo({ standalone: true });
      standaloneClient = new MongoClient(standalone.url);
      await standaloneClient.connect();
    });

    afterAll(async () => {
      await standaloneClient?.close();
      await standalone?.stop();
    });

    it('reports that it does not support transactions', () => {
      expect(standalone.transactions).toBe(false);
    });

    it('accepts plain writes', async () => {
      const plain = standaloneClient.db(DB_NAME).collection('plain');
      await plain.insertOne({ a: 1 });
      expect(await plain.countDocuments()).toBe(1);
    });

    it('rejects a transaction with code 20, like a standalone mongod', async () => {
      const plain = standaloneClient.db(DB_NAME).collection('plain_txn');
      const error = await serverError(
        standaloneClient.withSession((session) =>
          session.withTransaction(async () => {
            await plain.insertOne({ a: 1 }, { session });
          }),
        ),
      );
      // As against a real standalone mongod, the driver rewraps the server's error ("This MongoDB deployment does
      // not support retryable writes…") and keeps it as originalError.
      const cause = (error.originalError as MongoServerError | undefined) ?? error;
      expect(cause.code).toBe(20);
      expect(cause.message).toMatch(
        /^Transaction numbers are only allowed on a replica set member or mongos/,
      );
      expect(await plain.countDocuments()).toBe(0);
    });
  },
);
