// What the rate limiter and the result cache share about their Redis clients: loading ioredis only when a
// Redis is configured, naming a server in logs without its password, and closing without hanging.
import { createRequire } from 'node:module';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';

export type { RedisClient };

/** A client for `url`; ioredis is loaded on first use, so a server without Redis never pays for it. */
export function openRedis(url: string, options: RedisOptions): RedisClient {
  const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient };
  return new Redis(url, options);
}

/** `host:port` of a Redis URL: what logs may say about it (never the password). */
export function redisAddress(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || '6379'}`;
  } catch {
    return '(invalid URL)';
  }
}

/** QUIT, or drop the socket when the server cannot answer (a down Redis must not delay shutdown). */
export async function closeRedis(redis: RedisClient): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
