// CacheStore in a Redis that replicas share (ioredis). Per service, a generation counter
// `<prefix>:cache:{<service>}:gen` and entries `<prefix>:cache:{<service>}:<generation>:<hash>` with the
// service's TTL (PX). A write increments the counter: every replica's next lookup reads the new generation, so
// older entries are unreachable everywhere at once and expire on their own. Lookup and store are one Lua
// script each (one round trip; the store compares the generation atomically). Fails open: while Redis is
// unreachable or slow, lookups miss and stores are skipped, so reads go to the databases; an invalidation
// that could not be written is retried before this process trusts the cache again.
import { closeRedis, openRedis, redisAddress } from '../redis/client.js';
import type { CacheConfig } from '../config/types.js';
import type { CacheStore, Lookup } from './store.js';

/** A Redis that does not answer within this is treated as down for that lookup (the read goes to the database). */
const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;
/** How often an invalidation that did not reach Redis is tried again. */
const RETRY_MS = 1_000;

/**
 * The service's generation. A missing counter (never written, or evicted by an allkeys-* maxmemory policy)
 * starts at Redis's clock in microseconds, which is past any generation handed out before: entries stored
 * under an older counter never become reachable again.
 */
const GENERATION = `local function generation(key)
  local g = redis.call('GET', key)
  if g then return g end
  local t = redis.call('TIME')
  g = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', key, g)
  return g
end
`;
const LOOKUP = `${GENERATION}local g = generation(KEYS[1])
return {g, redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])}`;
const STORE = `${GENERATION}if generation(KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
return 0`;
const INVALIDATE = `${GENERATION}generation(KEYS[1])
return redis.call('INCR', KEYS[1])`;

interface ScriptedRedis {
  junctionCacheGetBuffer(genKey: string, entryPrefix: string, hash: string): Promise<[Buffer, Buffer | null]>;
  junctionCacheSet(
    genKey: string,
    entryKey: string,
    generation: string,
    value: Buffer,
    ttlMs: number,
  ): Promise<unknown>;
  junctionCacheInvalidate(genKey: string): Promise<unknown>;
}

export interface RedisStore extends CacheStore {
  /** Resolves once connected, or after the connect timeout (lookups miss until then). */
  ready(): Promise<void>;
}

export function createRedisStore(
  config: Pick<CacheConfig, 'redisUrl' | 'keyPrefix'>,
  log: (message: string) => void,
): RedisStore {
  if (config.redisUrl === null) throw new TypeError('createRedisStore needs a redisUrl');
  // Loaded only when configured, as src/http/limits.ts does.
  const redis = openRedis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  redis.defineCommand('junctionCacheGet', { numberOfKeys: 1, lua: LOOKUP });
  redis.defineCommand('junctionCacheSet', { numberOfKeys: 2, lua: STORE });
  redis.defineCommand('junctionCacheInvalidate', { numberOfKeys: 1, lua: INVALIDATE });
  const scripted = redis as unknown as ScriptedRedis;
  const where = redisAddress(config.redisUrl);
  const genKey = (service: string) => `${config.keyPrefix}:cache:{${service}}:gen`;
  const entryPrefix = (service: string) => `${config.keyPrefix}:cache:{${service}}:`;

  // Logged once per outage, never per request.
  let down = false;
  const fail = (error: unknown) => {
    if (down) return;
    down = true;
    log(
      `cache: Redis at ${where} is unreachable (${(error as Error).message}): reads go to the databases until it is back`,
    );
  };
  const ok = () => {
    if (!down) return;
    down = false;
    log(`cache: Redis at ${where} is reachable again`);
  };
  redis.on('error', fail);

  /** Services whose invalidation did not reach Redis: their entries are not trusted until it does. */
  const pending = new Set<string>();
  let retry: NodeJS.Timeout | null = null;
  /** Whether commands can be sent now; a closed connection counts as an outage (logged once). */
  const usable = () => {
    if (redis.status === 'ready') return true;
    fail(new Error(`connection ${redis.status}`));
    return false;
  };
  const bump = async (service: string): Promise<boolean> => {
    if (!usable()) return false;
    try {
      await scripted.junctionCacheInvalidate(genKey(service));
      ok();
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  };
  const flush = async () => {
    for (const service of [...pending]) if (await bump(service)) pending.delete(service);
    if (pending.size === 0 && retry) {
      clearInterval(retry);
      retry = null;
    }
  };
  /** Other replicas keep serving the old entries until the bump lands: retried every second, and on reconnect. */
  const defer = (service: string) => {
    pending.add(service);
    retry ??= setInterval(() => void flush(), RETRY_MS).unref();
  };
  redis.on('ready', () => {
    ok();
    void flush();
  });
  const connected = new Promise<void>((resolve) => {
    redis.once('ready', () => resolve());
    setTimeout(resolve, CONNECT_TIMEOUT_MS).unref();
  });

  return {
    ready: () => connected,
    async get(service, hash): Promise<Lookup | null> {
      if (!usable()) return null;
      if (pending.has(service)) {
        await flush();
        if (pending.has(service)) return null;
      }
      try {
        const [gen, value] = await scripted.junctionCacheGetBuffer(
          genKey(service),
          entryPrefix(service),
          hash,
        );
        ok();
        return { generation: Number(gen.toString()), value };
      } catch (error) {
        fail(error);
        return null;
      }
    },
    async set(service, hash, generation, value, ttlMs) {
      if (redis.status !== 'ready') return;
      const key = `${entryPrefix(service)}${generation}:${hash}`;
      try {
        await scripted.junctionCacheSet(genKey(service), key, String(generation), value, ttlMs);
      } catch (error) {
        fail(error);
      }
    },
    async invalidate(service) {
      if (!(await bump(service))) defer(service);
    },
    async close() {
      if (retry) clearInterval(retry);
      await closeRedis(redis);
    },
  };
}
