// The config's limits section → LimitsConfig: security.md's values by default, each one configurable, and the
// exact `path: message` lines for bad values. Also the pure pieces the limits are enforced with.
import { parse as parseGraphql, validate } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, jsonDepthExceeds, limitsOf } from '../../../src/config/limits-schema.js';
import { graphqlLimitRules } from '../../../src/graphql/limits.js';
import {
  createAuthFailureGuard,
  createCounterStore,
  createRequestLimiter,
  rateLimitKey,
} from '../../../src/http/limits.js';
import { ApiError } from '../../../src/errors/index.js';
import type { AppConfig, RoleConfig } from '../../../src/auth/types.js';
import { parse, problems, sqlite } from './helpers.js';

const withLimits = (limits: unknown) => ({ services: [sqlite()], limits });

describe('limits defaults', () => {
  it('are security.md’s values when the section is left out', () => {
    expect(parse({ services: [sqlite()] }).limits).toEqual({
      graphql: {
        maxDepth: 10,
        maxAliases: 15,
        maxTokens: 5000,
        maxDirectives: 50,
        maxCost: 5000,
        maxBatch: 10,
        blockSuggestions: true,
      },
      rest: {
        relatedDepth: 3,
        relatedWidth: 20,
        maxIds: 1000,
        maxFilterLength: 100_000,
        maxBodyBytes: 10_485_760,
        maxJsonDepth: 64,
      },
      rows: { maxPerResponse: 10_000 },
      rateLimit: {
        enabled: true,
        points: 50,
        durationSeconds: 1,
        burst: 100,
        redisUrl: null,
        redisKeyPrefix: 'junction',
      },
      authFailures: { enabled: true, maxFailures: 10, durationSeconds: 60, blockSeconds: 300 },
    });
    expect(parse({ services: [sqlite()] }).limits).toEqual(DEFAULT_LIMITS);
  });

  it('are the defaults for a config built in code without them', () => {
    expect(limitsOf({})).toBe(DEFAULT_LIMITS);
  });

  it('keeps the given values, digits from ${VAR} included, and defaults the rest', () => {
    const limits = parse(
      withLimits({
        graphql: { maxDepth: '${DEPTH}', blockSuggestions: false },
        rest: { relatedWidth: 5 },
        rateLimit: { enabled: false, points: 10, burst: 10, redisUrl: 'redis://cache:6379' },
        authFailures: { maxFailures: '${FAILURES}', blockSeconds: 60 },
      }),
      { DEPTH: '7', FAILURES: '5' },
    ).limits;
    expect(limits?.graphql).toMatchObject({ maxDepth: 7, maxAliases: 15, blockSuggestions: false });
    expect(limits?.rest).toMatchObject({ relatedWidth: 5, relatedDepth: 3 });
    expect(limits?.rateLimit).toEqual({
      enabled: false,
      points: 10,
      durationSeconds: 1,
      burst: 10,
      redisUrl: 'redis://cache:6379',
      redisKeyPrefix: 'junction',
    });
    expect(limits?.authFailures).toEqual({
      enabled: true,
      maxFailures: 5,
      durationSeconds: 60,
      blockSeconds: 60,
    });
  });
});

describe('limits validation', () => {
  it('refuses zero and non-integer limits', () => {
    expect(problems(withLimits({ graphql: { maxDepth: 0 } }))).toEqual([
      'limits.graphql.maxDepth: must be at least 1',
    ]);
    expect(problems(withLimits({ rest: { maxIds: 'many' } }))).toEqual([
      'limits.rest.maxIds: expected an integer',
    ]);
  });

  it('refuses a filter length above the filter grammar’s own ceiling', () => {
    expect(problems(withLimits({ rest: { maxFilterLength: 100_001 } }))).toEqual([
      'limits.rest.maxFilterLength: must be at most 100000',
    ]);
  });

  it('refuses a burst smaller than the sustained rate', () => {
    expect(problems(withLimits({ rateLimit: { points: 50, burst: 10 } }))).toEqual([
      'limits.rateLimit.burst: must be at least points',
    ]);
  });

  it('refuses unknown keys', () => {
    expect(problems(withLimits({ graphql: { maxDept: 3 } }))).toEqual([
      'limits.graphql.maxDept: unknown key (expected one of maxDepth, maxAliases, maxTokens, maxDirectives, maxCost, maxBatch, blockSuggestions)',
    ]);
  });
});

describe('JSON depth', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(jsonDepthExceeds(1, 0)).toBe(false);
    expect(jsonDepthExceeds(undefined, 0)).toBe(false);
    expect(jsonDepthExceeds([1], 0)).toBe(true);
    expect(jsonDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepthExceeds(deep, 64)).toBe(true);
  });
});

describe('GraphQL validation rules', () => {
  const schema = makeExecutableSchema({
    typeDefs: 'type Query { node(first: Int): Node } type Node { id: ID child(first: Int): Node }',
  });
  const codes = (query: string, limits = DEFAULT_LIMITS.graphql) =>
    validate(schema, parseGraphql(query), graphqlLimitRules(limits)).map((e) => e.extensions.code);
  const nested = (depth: number) =>
    `{ ${'node { '.repeat(1)}${'child { '.repeat(depth - 2)}id${' }'.repeat(depth - 1)} }`;

  it('report each limit with its own code and let graphql-js report its own errors too', () => {
    expect(codes(nested(10))).toEqual([]);
    expect(codes(nested(11))).toEqual(['DEPTH_LIMIT']);
    expect(codes(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: node { id }`).join(' ')} }`)).toEqual([
      'ALIAS_LIMIT',
    ]);
    expect(codes(`{ node { ${'id @skip(if: false) '.repeat(51)}} }`)).toEqual(['DIRECTIVE_LIMIT']);
    expect(codes(`{ node { ${'id '.repeat(2222)}} }`)).toEqual([]);
    expect(codes(`{ node { ${'id '.repeat(3333)}} }`)).toEqual(['COST_LIMIT']);
  });

  it('count fragments as the fields they hold, not as an extra level', () => {
    const query = `{ node { ...F } } fragment F on Node { ${'child { '.repeat(7)}id${' }'.repeat(7)} }`;
    expect(codes(query)).toEqual([]);
    const spread = `{ node { ...F } } fragment F on Node { ${'id '.repeat(3333)}}`;
    expect(codes(spread)).toEqual(['COST_LIMIT']);
  });

  it('do not multiply the cost by a page size', () => {
    expect(codes('{ node(first: 1000) { child(first: 1000) { id } } }')).toEqual([]);
  });

  it('follow the configured numbers', () => {
    expect(codes(nested(4), { ...DEFAULT_LIMITS.graphql, maxDepth: 3 })).toEqual(['DEPTH_LIMIT']);
  });
});

describe('rate limit counters', () => {
  const role: RoleConfig = { name: 'r', description: null, active: true, access: [] };
  const app: AppConfig = { name: 'web', description: null, active: true, role: 'r', apiKeyHash: 'abc' };

  it('are kept per user, else per API key, else per client address', () => {
    expect(rateLimitKey({ kind: 'app', app, role }, '10.0.0.1')).toBe('key:abc');
    expect(rateLimitKey({ kind: 'open' }, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(rateLimitKey(new ApiError('CREDENTIALS_INVALID', 'no'), '10.0.0.1')).toBe('ip:10.0.0.1');
    const user = { kind: 'user', user: { id: 7 }, app, role } as unknown as Parameters<
      typeof rateLimitKey
    >[0];
    expect(rateLimitKey(user, '10.0.0.1')).toBe('user:7');
  });

  it('allow `burst` requests at once, then ask to wait until the window ends', async () => {
    const limiter = createRequestLimiter({
      enabled: true,
      points: 3,
      durationSeconds: 5,
      burst: 5,
      redisUrl: null,
      redisKeyPrefix: 'junction',
    });
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(await limiter.take('k'));
    expect(waits.slice(0, 5)).toEqual([null, null, null, null, null]);
    for (const wait of waits.slice(5)) expect(wait).toBeGreaterThanOrEqual(1);
    for (const wait of waits.slice(5)) expect(wait).toBeLessThanOrEqual(5);
    expect(await limiter.take('other')).toBeNull();
  });

  it('refuse a Redis URL that is not redis:// or rediss://, and a key prefix with spaces', () => {
    expect(
      problems(withLimits({ rateLimit: { redisUrl: 'http://cache:6379', redisKeyPrefix: 'my app' } })),
    ).toEqual([
      'limits.rateLimit.redisKeyPrefix: must be 1 to 64 letters, digits, _ . : or -',
      'limits.rateLimit.redisUrl: expected a redis:// or rediss:// URL',
    ]);
  });

  it('fail, rather than wait, while Redis is unreachable (the plugin then lets the request through)', async () => {
    const store = createCounterStore({ redisUrl: 'redis://127.0.0.1:1', redisKeyPrefix: 'unit' });
    try {
      const limiter = createRequestLimiter(
        { ...DEFAULT_LIMITS.rateLimit, redisUrl: 'redis://127.0.0.1:1' },
        store,
      );
      await expect(limiter.take('k')).rejects.toThrow(/not ready/);
    } finally {
      await store.close();
    }
  });
});

describe('the brute-force guard', () => {
  const config = { enabled: true, maxFailures: 3, durationSeconds: 60, blockSeconds: 120 };

  it('answers maxFailures failures as usual, blocks the address on the next one for blockSeconds, and no other', async () => {
    const guard = createAuthFailureGuard(config, createCounterStore({ redisUrl: null, redisKeyPrefix: '' }));
    const waits = [];
    for (let i = 0; i < 4; i++) waits.push(await guard?.fail('10.0.0.1'));
    expect(waits).toEqual([null, null, null, 120]);
    expect(await guard?.blocked('10.0.0.1')).toBeGreaterThan(115);
    expect(await guard?.blocked('10.0.0.2')).toBeNull();
  });

  it('is off when disabled', () => {
    const store = createCounterStore({ redisUrl: null, redisKeyPrefix: '' });
    expect(createAuthFailureGuard({ ...config, enabled: false }, store)).toBeNull();
  });
});
