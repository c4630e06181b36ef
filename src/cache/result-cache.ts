// A service's DataSource → the same DataSource with DreamFactory-style data retrieval caching: reads
// (read, readRelated, count, aggregate, aggregateRelated, distinctKeys) are answered from the store when an
// identical call of the same role ran within the service's TTL, running no statement; every write through
// it (insert, update, delete, upsert, a transaction, a routine that may write) invalidates the service.
// Sitting under the executor, it serves REST and GraphQL alike. Not cached: reads inside transactions,
// routine calls, requests without a principal (stats.cache unset), results that are not plain data.
import { cacheOf, serviceCacheOf } from '../config/cache-schema.js';
import type { JunctionConfig } from '../config/types.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import type { DataModel } from '../model/types.js';
import { recordCacheLookup } from '../observability/cache-metrics.js';
import { decodeResult, encodeResult } from './codec.js';
import { callKey, fingerprint, sourcePart } from './key.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import type { CacheStore } from './store.js';

export interface ResultCache {
  /** `source` with its reads cached and its writes invalidating; `source` itself when the service's TTL is 0. */
  wrap(service: string, source: DataSource): DataSource;
  /** The service's TTL in seconds (0: caching off). */
  ttlSeconds(service: string): number;
  /** Resolves once the store can answer (Redis connected, or its connect timeout passed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** What the cache reads of the running server: its config, and the model now served (for fingerprints). */
export interface CacheHost {
  readonly config: Pick<JunctionConfig, 'cache' | 'services'>;
  readonly current: { readonly model: DataModel };
}

export function createResultCache(host: CacheHost, log: (message: string) => void): ResultCache {
  const config = cacheOf(host.config);
  const ttls = new Map(host.config.services.map((s) => [s.name, serviceCacheOf(s).ttlSeconds]));
  const ttlSeconds = (service: string) => ttls.get(service) ?? 0;
  const used = [...ttls.values()].some((ttl) => ttl > 0);
  // No Redis connection when no service caches: configuring the store alone costs nothing.
  const redis = used && config.store === 'redis' ? createRedisStore(config, log) : null;
  const store: CacheStore = redis ?? createMemoryStore(config);
  const modelOf = (service: string) => {
    const part = host.current.model.services.find((s) => s.name === service);
    return part ? fingerprint(part) : 'none';
  };
  const inflight = new Map<string, Promise<Buffer | null>>();
  const wrapped = new WeakMap<DataSource, DataSource>();
  const cached = new CachedCalls(store, inflight, config.maxEntryBytes, modelOf, ttlSeconds);

  return {
    ttlSeconds,
    wrap(service, source) {
      if (ttlSeconds(service) === 0) return source;
      let found = wrapped.get(source);
      if (!found) {
        found = cachingSource(service, source, cached, store);
        wrapped.set(source, found);
      }
      return found;
    },
    ready: async () => redis?.ready(),
    close: () => store.close(),
  };
}

/** Runs one read through the store: a hit decodes, a miss runs it (once for concurrent equal calls) and stores. */
class CachedCalls {
  constructor(
    private readonly store: CacheStore,
    private readonly inflight: Map<string, Promise<Buffer | null>>,
    private readonly maxEntryBytes: number,
    private readonly modelOf: (service: string) => string,
    private readonly ttlSeconds: (service: string) => number,
  ) {}

  async run<T>(service: string, op: string, args: unknown, stats: ExecStats, read: () => Promise<T>) {
    const directive = stats.cache;
    if (!directive) return read();
    const hash = callKey({ scope: directive.scope, model: this.modelOf(service), op, args });
    // The generation is read before the database is: a write that lands meanwhile bumps it, and this
    // read's (possibly older) result is then stored under a generation no one looks up any more.
    const found = await this.store.get(service, hash);
    if (found === null) {
      recordCacheLookup(service, false);
      return read();
    }
    const flightKey = `${service}\u0000${found.generation}\u0000${hash}`;
    if (!directive.refresh) {
      const bytes = found.value ?? (await this.inflight.get(flightKey)?.catch(() => null)) ?? null;
      recordCacheLookup(service, bytes !== null);
      if (bytes !== null) return decodeResult<T>(bytes);
    }
    let publish: (bytes: Buffer | null) => void = () => {};
    const flight = new Promise<Buffer | null>((resolve) => (publish = resolve));
    this.inflight.set(flightKey, flight);
    try {
      const result = await read();
      const encoded = encodeResult(result);
      const bytes = encoded !== null && encoded.length <= this.maxEntryBytes ? encoded : null;
      publish(bytes);
      if (bytes !== null) {
        await this.store.set(service, hash, found.generation, bytes, this.ttlSeconds(service) * 1000);
      }
      return result;
    } finally {
      publish(null);
      if (this.inflight.get(flightKey) === flight) this.inflight.delete(flightKey);
    }
  }
}

function cachingSource(
  service: string,
  source: DataSource,
  calls: CachedCalls,
  store: CacheStore,
): DataSource {
  // Invalidated also when the write fails: a failed MongoDB batch or a non-atomic transaction may have
  // written part of it.
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } finally {
      await store.invalidate(service);
    }
  };
  return {
    read: (query, stats) =>
      calls.run(service, 'read', sourcePart(query), stats, () => source.read(query, stats)),
    readRelated: (relation, query, keys, perParent, stats, keyTypes) =>
      calls.run(
        service,
        'readRelated',
        { relation, query: sourcePart(query), keys, perParent, keyTypes },
        stats,
        () => source.readRelated(relation, query, keys, perParent, stats, keyTypes),
      ),
    count: (query, stats) =>
      calls.run(service, 'count', { table: query.table, where: query.where }, stats, () =>
        source.count(query, stats),
      ),
    aggregate: (query, stats) =>
      calls.run(service, 'aggregate', query, stats, () => source.aggregate(query, stats)),
    aggregateRelated: (relation, query, keys, stats) =>
      calls.run(service, 'aggregateRelated', { relation, query, keys }, stats, () =>
        source.aggregateRelated(relation, query, keys, stats),
      ),
    distinctKeys: (table, fields, where, limit, stats) =>
      calls.run(service, 'distinctKeys', { table, fields, where, limit }, stats, () =>
        source.distinctKeys(table, fields, where, limit, stats),
      ),
    canRollback: source.canRollback && (() => source.canRollback!()),
    // Routines are never cached; one that may change data (procedures, volatile functions) invalidates.
    callRoutine:
      source.callRoutine &&
      ((routine, args, stats) =>
        routine.readOnly
          ? source.callRoutine!(routine, args, stats)
          : writing(() => source.callRoutine!(routine, args, stats))),
    // Reads inside see uncommitted rows: they go straight to the transaction, never to the cache.
    transaction: (work) => writing(() => source.transaction(work)),
    insert: (table, rows, returning, stats) => writing(() => source.insert(table, rows, returning, stats)),
    update: (table, set, where, stats) => writing(() => source.update(table, set, where, stats)),
    delete: (table, where, stats) => writing(() => source.delete(table, where, stats)),
    upsert: (table, values, conflict, update, stats) =>
      writing(() => source.upsert(table, values, conflict, update, stats)),
  };
}
