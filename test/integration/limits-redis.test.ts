// Counters shared through Redis (limits.rateLimit.redisUrl): two Junction servers on one Redis, as two
// replicas behind a load balancer, with a key prefix of their own for this run. Requests split across both
// use one rate-limit budget and one brute-force count; with Redis unreachable the rate limit lets requests
// through (and says so in the log) while failed authentications are still counted in each process.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createDeployment, type Client, type Deployment } from './support/auth.js';
import { REDIS_URL, uniqueKeyPrefix } from './support/redis.js';

let deployment: Deployment;
let redis: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  deployment = await createDeployment();
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis?.disconnect();
  deployment?.remove();
});

/** Two servers (replicas) on the same Redis and key prefix. */
async function replicas(limits: Parameters<Deployment['config']>[0]): Promise<[Client, Client, string]> {
  const prefix = uniqueKeyPrefix();
  prefixes.push(prefix);
  const config = deployment.config({
    ...limits,
    rateLimit: { redisUrl: REDIS_URL, redisKeyPrefix: prefix, ...limits?.rateLimit },
  });
  return [await connect(config), await connect(config), prefix];
}

const withKey = (key: string) => ({ 'x-dreamfactory-api-key': key });

describe('two servers sharing one Redis', () => {
  describe('the rate limit (points 12 per 60 s, no burst)', () => {
    let a: Client;
    let b: Client;
    let prefix: string;
    beforeAll(async () => {
      [a, b, prefix] = await replicas({
        rateLimit: { enabled: true, points: 12, burst: 12, durationSeconds: 60 },
      });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('answers 429 after 12 requests in total when they alternate between the servers', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const server = i % 2 === 0 ? a : b;
        statuses.push(
          (await server.call('GET', '/api/v2/notes/_table/note', withKey(deployment.key))).status,
        );
      }
      expect(statuses).toEqual([...Array(12).fill(200), ...Array(8).fill(429)]);
      // Each server alone has served only 6: only shared counters can have refused the 13th.
      const refused = await b.call('GET', '/api/v2/notes/_table/note', withKey(deployment.key));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    });

    it("keeps its counters in Redis under this run's prefix, keyed by the key's hash (never the key)", async () => {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((k) => k.startsWith(`${prefix}:rate:key:`))).toBe(true);
      expect(keys.join('\n')).not.toContain(deployment.key);
    });
  });

  describe('the brute-force guard (maxFailures 6)', () => {
    let a: Client;
    let b: Client;
    beforeAll(async () => {
      [a, b] = await replicas({ authFailures: { maxFailures: 6 } });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('blocks an address after 6 wrong keys split across both servers, on both', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const server = i % 2 === 0 ? a : b;
        statuses.push(
          (await server.call('GET', '/api/v2/notes/_table/note', withKey(`wrong-key-${i}`))).status,
        );
      }
      expect(statuses).toEqual([...Array(6).fill(400), ...Array(4).fill(429)]);
      for (const server of [a, b]) {
        const reply = await server.call('GET', '/api/v2/notes/_table/note', withKey(deployment.key));
        expect(reply.status).toBe(429);
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(250);
      }
    });
  });
});

describe('a server whose Redis is unreachable', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(
      deployment.config({
        rateLimit: {
          enabled: true,
          points: 2,
          burst: 2,
          durationSeconds: 60,
          redisUrl: 'redis://127.0.0.1:1',
        },
        authFailures: { maxFailures: 3 },
      }),
    );
  });
  afterAll(async () => client?.close());

  it('lets requests through instead of rate-limiting them, and logs that Redis is unreachable (once)', async () => {
    for (let i = 0; i < 6; i++) {
      expect((await client.call('GET', '/api/v2/notes/_table/note', withKey(deployment.key))).status).toBe(
        200,
      );
    }
    const unreachable = client.server.log.filter((line) =>
      line.includes('Redis at 127.0.0.1:1 is unreachable'),
    );
    expect(unreachable).toHaveLength(1);
    // The requests let through are reported at most once a minute, not once each.
    const letThrough = client.server.log.filter((line) =>
      line.startsWith('rate limit: counter store failed'),
    );
    expect(letThrough).toHaveLength(1);
  });

  it('still counts failed authentications, in its own memory', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await client.call('GET', '/api/v2/notes/_table/note', withKey(`wrong-key-${i}`))).status,
      );
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });
});
