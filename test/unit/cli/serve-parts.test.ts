// The pure parts of `junction serve` with workers: the worker count, the restart back-off and crash-loop
// limit, and the start-up warning about per-worker rate limits without Redis.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../../src/cli/cluster.js';
import { startupWarnings, workerCount } from '../../../src/cli/serve-parts.js';
import { parseConfig } from '../../../src/config/index.js';
import type { LoadedModel } from '../../../src/runtime/load-model.js';

const loaded = { warnings: [], origins: new Map(), written: [] } as unknown as LoadedModel;
const config = (extra: Record<string, unknown> = {}) =>
  parseConfig(
    { services: [{ name: 'app', type: 'sqlite', filename: '/tmp/x.sqlite' }], ...extra },
    {
      baseDir: '/tmp',
      source: null,
    },
  );

describe('worker count', () => {
  it('defaults to one worker per core', () => {
    expect(workerCount(undefined, config())).toBe(availableParallelism());
  });

  it('takes server.workers from the config, and --workers over it', () => {
    expect(workerCount(undefined, config({ server: { workers: 3 } }))).toBe(3);
    expect(workerCount('1', config({ server: { workers: 3 } }))).toBe(1);
  });

  it('rejects a --workers that is not a whole number from 1 to 1024', () => {
    for (const bad of ['0', '-1', '2.5', 'two', '1025']) {
      expect(() => workerCount(bad, config())).toThrow('must be a whole number from 1 to 1024');
    }
  });
});

describe('restart policy', () => {
  it('waits 0.5 s after a death, doubling with each further death within a minute', () => {
    const policy = new RestartPolicy();
    expect([0, 1, 2, 3, 4].map((s) => policy.death(s * 1000).delayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('gives up on the sixth death within a minute', () => {
    const policy = new RestartPolicy();
    for (let s = 0; s < 5; s++) policy.death(s * 1000);
    expect(policy.death(30_000)).toEqual({ delayMs: null, recent: 6 });
  });

  it('forgets deaths older than a minute', () => {
    const policy = new RestartPolicy();
    for (let s = 0; s < 5; s++) policy.death(s * 1000);
    expect(policy.death(10 * 60_000)).toEqual({ delayMs: 500, recent: 1 });
  });
});

describe('start-up warnings', () => {
  const perWorker = /2 workers and no limits\.rateLimit\.redisUrl/;

  it('warns that rate limits are counted per worker when there are workers and no Redis', () => {
    expect(startupWarnings(config(), loaded, 2).join('\n')).toMatch(perWorker);
  });

  it('does not warn with one process, with Redis, or with the rate limit off and no apps', () => {
    expect(startupWarnings(config(), loaded, 1).join('\n')).not.toMatch(/redisUrl/);
    const redis = config({ limits: { rateLimit: { redisUrl: 'redis://127.0.0.1:6379' } } });
    expect(startupWarnings(redis, loaded, 2).join('\n')).not.toMatch(/redisUrl/);
    const off = config({ limits: { rateLimit: { enabled: false } } });
    expect(startupWarnings(off, loaded, 2).join('\n')).not.toMatch(/redisUrl/);
  });
});
