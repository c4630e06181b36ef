// The `limits` section: GraphQL, REST, row and rate limits and the brute-force guard, on by default (security.md
// T13–T15, A9, decision 4).
// zod checks each value and fills the defaults; normaliseLimits gives the LimitsConfig every stage reads.
import { z } from 'zod';
import { integerSetting } from './integer-setting.js';
import { MAX_FILTER_LENGTH } from '../rest/filter/index.js';
import type { JunctionConfig, LimitsConfig } from './types.js';

/** Limits are at least 1. */
const count = (fallback: number, max: number, description: string) =>
  integerSetting(fallback, 1, max, description);

const BIG = 2 ** 31 - 1;

const graphqlLimitsSchema = z
  .strictObject({
    maxDepth: count(10, 1000, 'Deepest selection nesting of one operation.'),
    maxAliases: count(15, BIG, 'Aliased fields in one operation (CVE-2026-35441).'),
    maxTokens: count(5000, BIG, 'Lexical tokens in one query document.'),
    maxDirectives: count(50, BIG, 'Directives in one operation.'),
    maxCost: count(5000, BIG, 'Cost of one operation: 1 per scalar, 2 per object, ×1.5 per level.'),
    maxBatch: count(10, 1000, 'Operations in one batched request (a JSON array body).'),
    blockSuggestions: z
      .boolean()
      .default(true)
      .describe('Hide "Did you mean …?" field suggestions in validation errors. Default true.'),
  })
  .describe('GraphQL limits, checked before any database access (400 with extensions.code).');

const restLimitsSchema = z
  .strictObject({
    relatedDepth: count(3, 100, 'Levels of related (related=A is one level, A.related=B two).'),
    relatedWidth: count(20, BIG, 'Relations one request reads, all levels together (related=* counts each).'),
    maxIds: count(1000, BIG, 'Identifiers in ids of one read.'),
    maxFilterLength: count(
      MAX_FILTER_LENGTH,
      MAX_FILTER_LENGTH,
      `Characters of one filter (the grammar's ceiling, ${MAX_FILTER_LENGTH}, is also the maximum).`,
    ),
    maxBodyBytes: count(10 * 1024 * 1024, BIG, 'Request body bytes, REST and GraphQL (413 past it).'),
    maxJsonDepth: count(64, 10_000, 'Nesting of a REST body or of GraphQL variables (arrays and objects).'),
  })
  .describe('DreamFactory REST limits (400 in the DreamFactory envelope).');

const rowLimitsSchema = z
  .strictObject({
    maxPerResponse: count(
      10_000,
      BIG,
      'Rows one request may read from the databases, root and all relation levels together.',
    ),
  })
  .describe('Row caps on top of each service maxRecords.');

const rateLimitSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Default true.'),
    points: count(50, BIG, 'Sustained requests per durationSeconds for one API key, user or client IP.'),
    durationSeconds: count(1, 86_400, 'Length of one rate window.'),
    burst: count(100, BIG, 'Requests allowed in a burst (at least points).'),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .optional()
      .describe(
        'redis:// or rediss:// URL of a Redis holding the rate-limit and auth-failure counters, so replicas share them. Default: none, each process counts in memory. While Redis is unreachable the rate limit lets requests through and auth failures are counted in memory.',
      ),
    redisKeyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits, _ . : or -')
      .default('junction')
      .describe('Prefix of the Redis keys (<prefix>:rate:…, <prefix>:auth-failures:…). Default junction.'),
  })
  .refine((r) => r.burst >= r.points, { message: 'must be at least points', path: ['burst'] })
  .describe('Requests over the limit get 429 with Retry-After; /health and /ready are never limited.');

const authFailuresSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Default true.'),
    maxFailures: count(
      10,
      100_000,
      'Refused credentials (unknown API key, bad session token, wrong login or Basic password) one client address may send per durationSeconds; the next one is answered 429 and starts the block.',
    ),
    durationSeconds: count(60, 86_400, 'Window in which failures are counted, from the first one.'),
    blockSeconds: count(
      300,
      86_400,
      'How long an address is then refused (429 + Retry-After) for every request that carries credentials, correct ones included.',
    ),
  })
  .describe(
    'Brute-force guard per client address (security.md A9). Successful logins never reset the count. Counters live where the rate limit keeps its own (memory, or limits.rateLimit.redisUrl).',
  );

export const limitsSchema = z
  .strictObject({
    graphql: graphqlLimitsSchema.prefault({}),
    rest: restLimitsSchema.prefault({}),
    rows: rowLimitsSchema.prefault({}),
    rateLimit: rateLimitSchema.prefault({}),
    authFailures: authFailuresSchema.prefault({}),
  })
  .describe('Request limits, all on by default.');

export type LimitsFile = z.output<typeof limitsSchema>;

export function normaliseLimits(file: LimitsFile): LimitsConfig {
  return {
    graphql: { ...file.graphql },
    rest: { ...file.rest },
    rows: { ...file.rows },
    rateLimit: {
      enabled: file.rateLimit.enabled,
      points: file.rateLimit.points,
      durationSeconds: file.rateLimit.durationSeconds,
      burst: file.rateLimit.burst,
      redisUrl: file.rateLimit.redisUrl ?? null,
      redisKeyPrefix: file.rateLimit.redisKeyPrefix,
    },
    authFailures: { ...file.authFailures },
  };
}

/** Every limit at its default: what an empty `limits:` section (or none) gives. */
export const DEFAULT_LIMITS: LimitsConfig = normaliseLimits(limitsSchema.parse({}));

/** The limits a server runs with: the config's, or the defaults for a config built in code without them. */
export function limitsOf(config: Pick<JunctionConfig, 'limits'>): LimitsConfig {
  return config.limits ?? DEFAULT_LIMITS;
}

/** Whether arrays and objects in `value` nest deeper than `max` levels (`[1]` is 1). Iterative: no stack. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
