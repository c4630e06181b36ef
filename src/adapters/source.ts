// ServiceConfig → a Source: the one handle the rest of Junction holds on a database. It hides the driver
// (knex stays inside src/adapters and src/introspect) and owns the connection pool's lifetime.
import type { Knex } from 'knex';
import type { ServiceConfig } from '../config/types.js';
import type { DataSource } from '../executor/data-source.js';
import { ApiError } from '../errors/index.js';
import type { RawCatalog } from '../introspect/catalog.js';
import type { DataModel, ServiceModel } from '../model/types.js';
import { introspectService } from '../introspect/index.js';
import { DEFAULT_MAX_WAITING, resilienceOf } from '../config/resilience-schema.js';
import { translateMongoError } from './mongodb/errors.js';
import { MongoSource } from './mongodb/source.js';
import { SourceBreaker } from './resilience/breaker.js';
import { guardDataSource } from './resilience/guarded-data-source.js';
import { connectionTarget, createKnex, destroyKnex, probeConnection } from './sql/connect.js';
import { translateDbError } from './sql/db-errors.js';
import { applySchemaChange } from './sql/ddl.js';
import type { SchemaChange } from '../model/schema-change.js';
import { SqlDataSource } from './sql/sql-data-source.js';

import { statementHub } from '../observability/statements.js';

/** What a source is doing now: its breaker and, for pooled SQL sources, the pool (Prometheus gauges, /ready). */
export interface SourceStatus {
  breaker: 'closed' | 'open' | 'half-open';
  pool: { used: number; free: number; pending: number; max: number } | null;
}

export interface Source {
  readonly service: ServiceConfig;
  /** Where it connects, without secrets: `127.0.0.1:5432/chinook`, `/path/to/file.sqlite`. */
  readonly where: string;
  probe(): Promise<void>;
  introspect(onProgress?: (message: string) => void): Promise<RawCatalog>;
  /** Runs IR against this database (the executor's side of the adapter), behind the source's breaker. */
  readonly data: DataSource;
  status(): SourceStatus;
  /** The service's part of the model just built (on start and reload), for sources that need field types. */
  adopt?(model: ServiceModel): void;
  /** Runs a checked `_schema` change as DDL (SQL sources; atomic where the database allows). */
  applySchema?(change: SchemaChange): Promise<void>;
  close(): Promise<void>;
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

class SqlSource implements Source {
  readonly where: string;
  readonly data: DataSource;
  private db: Knex | null = null;
  private readonly breaker: SourceBreaker;

  constructor(readonly service: ServiceConfig) {
    this.where = connectionTarget(service).where;
    if (service.type === 'mongodb') throw new ApiError('INTERNAL', 'not a SQL service');
    const { breaker, pool } = resilienceOf(service);
    this.breaker = new SourceBreaker(
      breaker,
      () => {
        const now = this.poolStatus();
        return now.used >= now.max;
      },
      () => this.probe(),
    );
    const data = new SqlDataSource(() => this.knex(), service.type, {
      service: service.name,
      hub: statementHub,
    });
    this.data = guardDataSource(data, {
      service: service.name,
      breaker: this.breaker,
      translate: translateDbError,
      acquireTimeoutMs: service.type === 'sqlite' ? null : pool.acquireTimeoutMs,
      admit: () => this.poolStatus().pending < (pool.maxWaiting ?? DEFAULT_MAX_WAITING),
    });
  }

  status(): SourceStatus {
    return { breaker: this.breaker.state, pool: this.poolStatus() };
  }

  /** knex's pool (tarn) when it exists; before the first query there is none and nothing is in use. */
  private poolStatus(): NonNullable<SourceStatus['pool']> {
    const client = this.db?.client as { pool?: TarnPool; config?: Knex.Config } | undefined;
    const max = client?.config?.pool?.max ?? resilienceOf(this.service).pool.max;
    const pool = client?.pool;
    if (!pool) return { used: 0, free: 0, pending: 0, max };
    return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max };
  }

  /** The pool is created on first use, so listing or validating services opens no connection. */
  knex(): Knex {
    this.db ??= createKnex(this.service);
    return this.db;
  }

  probe(): Promise<void> {
    return probeConnection(this.knex(), this.service);
  }

  applySchema(change: SchemaChange): Promise<void> {
    if (this.service.type === 'mongodb') throw new ApiError('INTERNAL', 'not a SQL service');
    return applySchemaChange(this.knex(), this.service.type, this.service.schema, change);
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
    this.breaker.close();
    const db = this.db;
    this.db = null;
    if (db) await destroyKnex(db);
  }
}

/** A MongoDB source behind its breaker (the driver pools on its own; its pool is not reported). */
class GuardedMongoSource implements Source {
  readonly data: DataSource;
  private readonly breaker: SourceBreaker;

  constructor(private readonly inner: MongoSource) {
    this.breaker = new SourceBreaker(resilienceOf(inner.service).breaker, undefined, () => inner.probe());
    this.data = guardDataSource(inner.data, {
      service: inner.service.name,
      breaker: this.breaker,
      translate: (error) => translateMongoError(error, inner.service.name),
      acquireTimeoutMs: null,
    });
  }

  get service(): ServiceConfig {
    return this.inner.service;
  }

  get where(): string {
    return this.inner.where;
  }

  status(): SourceStatus {
    return { breaker: this.breaker.state, pool: null };
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }

  introspect(onProgress?: (message: string) => void): Promise<RawCatalog> {
    return this.inner.introspect(onProgress);
  }

  adopt(model: ServiceModel): void {
    this.inner.adopt(model);
  }

  close(): Promise<void> {
    this.breaker.close();
    return this.inner.close();
  }
}

export function openSource(service: ServiceConfig): Source {
  return service.type === 'mongodb'
    ? new GuardedMongoSource(new MongoSource(service))
    : new SqlSource(service);
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
