// A MongoDB service as a Source: one MongoClient (connected on first use), introspection by sampling, and the
// DataSource. The model the runtime builds is handed back through `adopt`, because converting request values
// to BSON (ObjectId, Date, Decimal128) needs each field's type and the cache may skip introspection.
import type { Db, MongoClient } from 'mongodb';
import type { ServiceConfig } from '../../config/types.js';
import { ApiError, isApiError } from '../../errors/index.js';
import type { DataSource } from '../../executor/data-source.js';
import type { RawCatalog } from '../../introspect/catalog.js';
import { introspectMongo } from '../../introspect/mongodb.js';
import type { ServiceModel } from '../../model/types.js';
import type { FieldTypes } from './compile-filter.js';
import { createMongoClient, mongoDatabase, mongoTarget } from './connect.js';
import { MongoDataSource } from './mongo-data-source.js';
import { statementHub } from '../../observability/statements.js';

const NO_TYPES: FieldTypes = new Map();

export class MongoSource {
  readonly where: string;
  readonly data: DataSource;
  private client: MongoClient | null = null;
  private connecting: Promise<MongoClient> | null = null;
  private types = new Map<string, FieldTypes>();
  private supportsTransactions: Promise<boolean> | null = null;

  constructor(readonly service: ServiceConfig) {
    this.where = mongoTarget(service).where;
    this.data = new MongoDataSource({
      service: service.name,
      hub: statementHub,
      db: () => this.db(),
      types: (table) => this.types.get(table) ?? NO_TYPES,
      transactions: () => this.transactions(),
      startSession: async () => (await this.connect()).startSession(),
    });
  }

  /** The field types of this service's tables in the current model (called on start and on every reload). */
  adopt(model: ServiceModel): void {
    this.types = new Map(
      model.tables.map((table) => [table.name, new Map(table.fields.map((f) => [f.name, f.dbType]))]),
    );
  }

  async probe(): Promise<void> {
    try {
      await (await this.db()).command({ ping: 1 });
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async introspect(onProgress?: (message: string) => void): Promise<RawCatalog> {
    const started = Date.now();
    onProgress?.(`${this.service.name}: connecting`);
    await this.probe();
    try {
      const catalog = await introspectMongo(await this.db(), {
        sampleSize: this.service.sampleSize,
        onProgress: (message) => onProgress?.(`${this.service.name}: ${message}`),
      });
      onProgress?.(
        `${this.service.name}: read ${catalog.tables.length} collections in ${Date.now() - started} ms`,
      );
      return catalog;
    } catch (error) {
      if (isApiError(error)) throw error;
      throw new ApiError(
        'INTROSPECTION_FAILED',
        `Service '${this.service.name}' (mongodb): reading the collections failed. Check that the user may ` +
          'list collections and read them; the log has the database error.',
        { cause: error, details: { service: this.service.name, dialect: 'mongodb' } },
      );
    }
  }

  async close(): Promise<void> {
    const pending = this.connecting;
    this.client = null;
    this.connecting = null;
    this.supportsTransactions = null;
    if (pending) await (await pending.catch(() => null))?.close();
  }

  private async db(): Promise<Db> {
    return (await this.connect()).db(mongoDatabase(this.service));
  }

  private connect(): Promise<MongoClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = createMongoClient(this.service);
      try {
        await client.connect();
      } catch (error) {
        this.connecting = null;
        await client.close().catch(() => undefined);
        throw this.unavailable(error);
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  /** Replica set members and mongos routers run multi-document transactions; standalone servers do not. */
  private transactions(): Promise<boolean> {
    this.supportsTransactions ??= (async () => {
      const hello = (await (await this.db()).admin().command({ hello: 1 })) as {
        setName?: string;
        msg?: string;
      };
      return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
    })().catch((error: unknown) => {
      this.supportsTransactions = null;
      throw this.unavailable(error);
    });
    return this.supportsTransactions;
  }

  private unavailable(error: unknown): ApiError {
    if (isApiError(error)) return error;
    const target = mongoTarget(this.service);
    const reason =
      (error as { name?: string })?.name === 'MongoServerSelectionError'
        ? 'no server answered'
        : 'the connection failed';
    return new ApiError(
      'SOURCE_UNAVAILABLE',
      `Cannot connect to service '${this.service.name}' (mongodb at ${target.where}): ${reason}. ` +
        'Is the MongoDB server running, and are the URL and credentials right?',
      { cause: error, details: { service: this.service.name, dialect: 'mongodb', target: target.where } },
    );
  }
}
