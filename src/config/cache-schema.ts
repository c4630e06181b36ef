// Data retrieval caching (DreamFactory's per-service cache_enabled/cache_ttl): a TTL per service, and one
// top-level `cache` section saying where results live (this process's memory, or a Redis replicas share).
// zod checks each value and fills the defaults; cacheOf/serviceCacheOf give what src/cache reads.
import { z } from 'zod';
import { integerSetting } from './integer-setting.js';
import type { CacheConfig, JunctionConfig, ServiceCacheConfig, ServiceConfig } from './types.js';

const count = integerSetting;

const WEEK_SECONDS = 7 * 86_400;
const MIB = 1024 * 1024;
const BIG = 2 ** 31 - 1;

export const serviceCacheSchema = z
  .strictObject({
    ttlSeconds: count(
      0,
      0,
      WEEK_SECONDS,
      'Seconds a read result of this service is reused (DreamFactory cache_ttl); 0 switches caching off. Writes through Junction to the service drop its results at once; changes made around Junction show after at most this long.',
    ),
  })
  .describe(
    "Data retrieval caching of this service's reads (both APIs), per role. Off unless ttlSeconds > 0.",
  );

export const cacheSchema = z
  .strictObject({
    store: z
      .enum(['memory', 'redis'])
      .default('memory')
      .describe(
        "memory: an LRU in each process (replicas and --workers do not see each other's writes before the TTL). redis: one Redis all replicas share, invalidated everywhere by a write. Default memory.",
      ),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .optional()
      .describe(
        'redis:// or rediss:// URL of the Redis holding results (store: redis). While it is unreachable reads go to the databases.',
      ),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits, _ . : or -')
      .default('junction')
      .describe('Prefix of the Redis keys (<prefix>:cache:<service>:…). Default junction.'),
    maxEntries: count(10_000, 1, BIG, 'Most results the memory store keeps (least recently used go first).'),
    maxBytes: count(64 * MIB, 1024, BIG, 'Most bytes of results the memory store keeps, keys included.'),
    maxEntryBytes: count(
      MIB,
      1,
      BIG,
      'Larger results (serialised) are not cached, in either store, so one big read cannot evict the rest.',
    ),
  })
  .refine((c) => c.store !== 'redis' || c.redisUrl !== undefined, {
    message: 'store redis needs a redisUrl',
    path: ['redisUrl'],
  })
  .describe(
    'Where cached read results live. Caching itself is switched on per service (services[].cache.ttlSeconds).',
  );

export type CacheFile = z.output<typeof cacheSchema>;
export type ServiceCacheFile = z.output<typeof serviceCacheSchema>;

export function normaliseCache(file: CacheFile): CacheConfig {
  return {
    store: file.store,
    redisUrl: file.redisUrl ?? null,
    keyPrefix: file.keyPrefix,
    maxEntries: file.maxEntries,
    maxBytes: file.maxBytes,
    maxEntryBytes: Math.min(file.maxEntryBytes, file.maxBytes),
  };
}

/** The defaults: an in-memory store, used only by services that set a TTL. */
export const DEFAULT_CACHE: CacheConfig = normaliseCache(cacheSchema.parse({}));

/** The store a server runs with: the config's, or the defaults for a config built in code without one. */
export function cacheOf(config: Pick<JunctionConfig, 'cache'>): CacheConfig {
  return config.cache ?? DEFAULT_CACHE;
}

/** A service's caching: the config's, or off for a service built in code without it. */
export function serviceCacheOf(service: Pick<ServiceConfig, 'cache'>): ServiceCacheConfig {
  return service.cache ?? { ttlSeconds: 0 };
}
