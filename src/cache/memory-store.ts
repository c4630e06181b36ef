// CacheStore in this process's memory: an LRU bounded by entries and bytes (lru-cache), each entry with the
// service's TTL. Invalidation bumps the service's generation and drops its entries at once, so their memory
// is free again before the LRU would get to them.
import { LRUCache } from 'lru-cache';
import type { CacheConfig } from '../config/types.js';
import type { CacheStore, Lookup } from './store.js';

/** Bytes counted per entry on top of the value and key: the LRU's own bookkeeping, roughly. */
const ENTRY_OVERHEAD = 64;

export function createMemoryStore(
  config: Pick<CacheConfig, 'maxEntries' | 'maxBytes' | 'maxEntryBytes'>,
): CacheStore {
  const generations = new Map<string, number>();
  /** The keys each service has in the LRU, so an invalidation finds them without a scan. */
  const keysOf = new Map<string, Set<string>>();
  const lru = new LRUCache<string, { service: string; value: Buffer }>({
    max: config.maxEntries,
    maxSize: config.maxBytes,
    maxEntrySize: config.maxEntryBytes + 1024 + ENTRY_OVERHEAD,
    sizeCalculation: (entry, key) => entry.value.length + key.length + ENTRY_OVERHEAD,
    dispose: (entry, key) => keysOf.get(entry.service)?.delete(key),
  });
  const generation = (service: string) => generations.get(service) ?? 0;
  const keyOf = (service: string, gen: number, hash: string) => `${service}\u0000${gen}\u0000${hash}`;

  return {
    async get(service, hash): Promise<Lookup> {
      const gen = generation(service);
      return { generation: gen, value: lru.get(keyOf(service, gen, hash))?.value ?? null };
    },
    async set(service, hash, gen, value, ttlMs) {
      if (gen !== generation(service)) return;
      const key = keyOf(service, gen, hash);
      lru.set(key, { service, value }, { ttl: ttlMs });
      // lru-cache refuses entries over maxEntrySize without calling dispose: only track what it kept.
      if (!lru.has(key)) return;
      let keys = keysOf.get(service);
      if (!keys) keysOf.set(service, (keys = new Set()));
      keys.add(key);
    },
    async invalidate(service) {
      generations.set(service, generation(service) + 1);
      const keys = keysOf.get(service);
      if (!keys) return;
      keysOf.delete(service);
      for (const key of keys) lru.delete(key);
    },
    async close() {
      lru.clear();
    },
  };
}
