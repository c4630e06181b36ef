// ServiceConfig → a Source: the one handle the rest of Junction holds on a database. It hides the driver
// (knex stays inside src/adapters and src/introspect) and owns the connection pool's lifetime.
import type { Knex } from 'knex';
import type { ServiceConfig } from '../config/types.js';
import type { DataSource } from '../executor/data-source.js';
import { ApiError } from '../errors/index.js';
import type { RawCatalog } from '../introspect/catalog.js';
import type { DataModel, ServiceModel } from '../model/types.js';
import { introspectService } from '../introspect/index.js';
import { MongoSource } from './mongodb/source.js';
import { connectionTarget, createKnex, destroyKnex, probeConnection } from './sql/connect.js';
import { SqlDataSource } from './sql/sql-data-source.js';

export interface Source {
  readonly service: ServiceConfig;
  /** Where it connects, without secrets: `127.0.0.1:5432/chinook`, `/path/to/file.sqlite`. */
  readonly where: string;
  probe(): Promise<void>;
  introspect(onProgress?: (message: string) => void): Promise<RawCatalog>;
  /** Runs IR against this database (the executor's side of the adapter). */
  readonly data: DataSource;
  /** The service's part of the model just built (on start and reload), for sources that need field types. */
  adopt?(model: ServiceModel): void;
  close(): Promise<void>;
}

class SqlSource implements Source {
  readonly where: string;
  readonly data: DataSource;
  private db: Knex | null = null;

  constructor(readonly service: ServiceConfig) {
    this.where = connectionTarget(service).where;
    if (service.type === 'mongodb') throw new ApiError('INTERNAL', 'not a SQL service');
    this.data = new SqlDataSource(() => this.knex(), service.type);
  }

  /** The pool is created on first use, so listing or validating services opens no connection. */
  knex(): Knex {
    this.db ??= createKnex(this.service);
    return this.db;
  }

  probe(): Promise<void> {
    return probeConnection(this.knex(), this.service);
  }

  async introspect(onProgress?: (message: string) => void): Promise<RawCatalog> {
    // introspectService probes the connection first and reports it as SOURCE_UNAVAILABLE.
    try {
      return await introspectService(this.service, this.knex(), onProgress);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(
        'INTROSPECTION_FAILED',
        `introspecting service '${this.service.name}' failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    if (db) await destroyKnex(db);
  }
}

export function openSource(service: ServiceConfig): Source {
  return service.type === 'mongodb' ? new MongoSource(service) : new SqlSource(service);
}

/** All sources of one config, opened lazily and closed together. */
export class SourceRegistry {
  private readonly sources = new Map<string, Source>();
  private model: DataModel | null = null;

  constructor(private readonly services: readonly ServiceConfig[]) {}

  get(name: string): Source {
    let source = this.sources.get(name);
    if (!source) {
      const service = this.services.find((s) => s.name === name);
      if (!service) throw new ApiError('NOT_FOUND', `unknown service '${name}'`);
      source = openSource(service);
      this.sources.set(name, source);
      const part = this.model?.services.find((s) => s.name === name);
      if (part) source.adopt?.(part);
    }
    return source;
  }

  /** The model the runtime serves now (start and every reload): sources that need field types get their part. */
  adopt(model: DataModel): void {
    this.model = model;
    for (const [name, source] of this.sources) {
      const part = model.services.find((s) => s.name === name);
      if (part) source.adopt?.(part);
    }
  }

  async closeAll(): Promise<void> {
    const open = [...this.sources.values()];
    this.sources.clear();
    await Promise.allSettled(open.map((source) => source.close()));
  }
}
