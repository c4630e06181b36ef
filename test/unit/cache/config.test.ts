// The cache section and services[].cache → CacheConfig / ServiceCacheConfig: off unless a service sets a TTL,
// memory by default, and the exact `path: message` lines for bad values.
import { describe, expect, it } from 'vitest';
import { parse, problems, sqlite } from '../config/helpers.js';

describe('cache config', () => {
  it('defaults to a memory store and caching off for every service', () => {
    const config = parse({ services: [sqlite()] });
    expect(config.cache).toEqual({
      store: 'memory',
      redisUrl: null,
      keyPrefix: 'junction',
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
      maxEntryBytes: 1024 * 1024,
    });
    expect(config.services[0]!.cache).toEqual({ ttlSeconds: 0 });
  });

  it('reads a service TTL and a Redis store, ${VAR} values included', () => {
    const config = parse(
      {
        services: [{ ...sqlite(), cache: { ttlSeconds: '${TTL}' } }],
        cache: { store: 'redis', redisUrl: 'redis://cache:6379/2', keyPrefix: 'prod', maxEntries: 5 },
      },
      { TTL: '30' },
    );
    expect(config.services[0]!.cache).toEqual({ ttlSeconds: 30 });
    expect(config.cache).toMatchObject({
      store: 'redis',
      redisUrl: 'redis://cache:6379/2',
      keyPrefix: 'prod',
    });
  });

  it('rejects a Redis store without a URL, bad URLs, negative TTLs and unknown keys', () => {
    expect(problems({ services: [sqlite()], cache: { store: 'redis' } })).toEqual([
      'cache.redisUrl: store redis needs a redisUrl',
    ]);
    expect(problems({ services: [sqlite()], cache: { redisUrl: 'http://x' } })).toEqual([
      'cache.redisUrl: expected a redis:// or rediss:// URL',
    ]);
    expect(problems({ services: [{ ...sqlite(), cache: { ttlSeconds: -1 } }] })).toHaveLength(1);
    expect(problems({ services: [{ ...sqlite(), cache: { ttl: 5 } }] })).toHaveLength(1);
  });
});
