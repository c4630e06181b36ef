// LimitsConfig → what the HTTP server enforces around both APIs: the rate limit and the brute-force guard
// (onRequest plugins: 429 + Retry-After before any other route runs), the GraphQL limit plugins, and a
// DataSource guard that caps the rows one request reads and runs identical reads of one request once. The
// rate limit's and the guard's counters live in one store: memory, or Redis (`limits.rateLimit.redisUrl`) so
// that replicas share them.
import type { Plugin } from 'graphql-yoga';
import { closeRedis, openRedis, redisAddress } from '../redis/client.js';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { authenticationBlocked } from '../auth/failures.js';
import type { Principal } from '../auth/types.js';
import type { AuthFailuresConfig, LimitsConfig, RateLimitConfig } from '../config/types.js';
import { encodeDfError } from '../errors/encode-df.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import { graphqlLimitPlugins } from '../graphql/limits.js';
import type { ReadQuery, Row } from '../ir/types.js';
import { isRestPath } from '../rest/router.js';
import { json } from './respond.js';

/** Probes for load balancers and orchestrators, and the metrics scrape: never rate-limited. */
export const UNLIMITED_PATHS = new Set(['/health', '/ready', '/graphql/health', '/metrics']);
/** The `burst - points` extra requests refill over this many rate windows (so the sustained rate stays near `points`). */
const BURST_WINDOWS = 30;
/** A Redis that does not answer within this is treated as down for that request. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;
const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/** The GraphQL limit plugins (the rate limit runs as rateLimitPlugin, after authentication). */
export function limitPlugins(limits: LimitsConfig): Plugin[] {
  return graphqlLimitPlugins(limits.graphql, limits.rest.maxJsonDepth);
}

interface LimiterOptions {
  /** Distinguishes the counters of one store: `rate`, `burst`, `auth-failures`. */
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
  /** Seconds a key stays refused once it went over `points`. */
  blockDuration?: number;
  /** While Redis is unreachable, count in this process's memory instead of failing. */
  insured?: boolean;
}

/** Where counters live: this process's memory, or a Redis all replicas share. */
export interface CounterStore {
  limiter(options: LimiterOptions): RateLimiterAbstract;
  /** Resolves once Redis is connected, or after the connect timeout (memory: at once). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Memory, or the Redis of `config.redisUrl` (ioredis; keys `<redisKeyPrefix>:<counter>:<key>`). */
export function createCounterStore(
  config: Pick<RateLimitConfig, 'redisUrl' | 'redisKeyPrefix'>,
  log: (message: string) => void = () => {},
): CounterStore {
  if (config.redisUrl === null) {
    return {
      limiter: ({ insured: _, ...options }) => new RateLimiterMemory(options),
      ready: async () => {},
      close: async () => {},
    };
  }
  // Loaded only when configured: every CLI command would pay for it otherwise.
  // Commands fail at once while disconnected (no offline queue) and after 1 s without an answer, so a
  // request never waits on a Redis that is down; the client reconnects in the background.
  const redis = openRedis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
  });
  const where = redisAddress(config.redisUrl);
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log(
      `limits: Redis at ${where} is unreachable (${error.message}): the rate limit lets requests through and failed authentications are counted in this process until it is back`,
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log(`limits: Redis at ${where} is reachable again`);
  });
  const connected = new Promise<void>((resolve) => {
    redis.once('ready', () => {
      log(`limits: counting in Redis at ${where}`);
      resolve();
    });
    setTimeout(resolve, REDIS_CONNECT_TIMEOUT_MS).unref();
  });
  return {
    limiter: ({ keyPrefix, insured, ...options }) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisKeyPrefix}:${keyPrefix}`,
        rejectIfRedisNotReady: true,
        ...options,
        ...(insured ? { insuranceLimiter: new RateLimiterMemory({ keyPrefix, ...options }) } : {}),
      }),
    ready: () => connected,
    async close() {
      await closeRedis(redis);
    },
  };
}

export interface RequestLimiter {
  /** Counts one request for `key`; resolves to null when allowed, else the seconds to wait. */
  take(key: string): Promise<number | null>;
}

/** The rate limit's counters in `store` (default: memory). */
export function createRequestLimiter(
  config: RateLimitConfig,
  store: CounterStore = createCounterStore({ redisUrl: null, redisKeyPrefix: '' }),
): RequestLimiter {
  const main = store.limiter({ keyPrefix: 'rate', points: config.points, duration: config.durationSeconds });
  const limiter =
    config.burst > config.points
      ? new BurstyRateLimiter(
          main,
          store.limiter({
            keyPrefix: 'burst',
            points: config.burst - config.points,
            duration: config.durationSeconds * BURST_WINDOWS,
          }),
        )
      : main;
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return null;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return seconds(rejection);
      }
    },
  };
}

const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export function rateLimitPlugin(
  config: RateLimitConfig,
  store: CounterStore,
  principalFor: (request: Request) => Principal | ApiError,
  addressOf: (request: Request) => string,
  log: (message: string) => void,
): Plugin {
  if (!config.enabled) return {};
  const limiter = createRequestLimiter(config, store);
  const failed = oncePerMinute(log);
  return {
    async onRequest({ request, url, endResponse }) {
      if (UNLIMITED_PATHS.has(url.pathname)) return;
      const key = rateLimitKey(principalFor(request), addressOf(request));
      let wait: number | null;
      try {
        wait = await limiter.take(key);
      } catch (error) {
        // A counter store that fails must not take the API down with it: let the request through.
        failed(`rate limit: counter store failed, request let through: ${(error as Error).message}`);
        return;
      }
      if (wait !== null) {
        const error = new ApiError('RATE_LIMITED', `Too many requests: try again in ${wait} s.`);
        endResponse(tooManyRequests(url, error, wait, log));
      }
    },
  };
}

/**
 * The brute-force guard (security.md A9): failed authentications per client address, in the rate limit's
 * store. `maxFailures` are answered as usual; the next one is answered 429 and blocks the address for
 * `blockSeconds`, during which every request that carries credentials (correct ones included, so the block
 * cannot tell a right guess from a wrong one) gets 429 with Retry-After. Successes never reset the count:
 * interleaving a known good login does not buy more guesses. While Redis is unreachable the failures are
 * counted in this process's memory.
 */
export interface AuthFailureGuard {
  /** The seconds `address` is still blocked for, or null. */
  blocked(address: string): Promise<number | null>;
  /** Counts one failure for `address`; the seconds it is now blocked for, or null. */
  fail(address: string): Promise<number | null>;
}

export function createAuthFailureGuard(
  config: AuthFailuresConfig,
  store: CounterStore,
  log: (message: string) => void = () => {},
): AuthFailureGuard | null {
  if (!config.enabled) return null;
  const limiter = store.limiter({
    keyPrefix: 'auth-failures',
    points: config.maxFailures,
    duration: config.durationSeconds,
    blockDuration: config.blockSeconds,
    insured: true,
  });
  const failed = oncePerMinute(log);
  return {
    async blocked(address) {
      try {
        const res = await limiter.get(address);
        return res !== null && res.consumedPoints > config.maxFailures ? seconds(res) : null;
      } catch (error) {
        failed(`auth failures: counter store failed: ${(error as Error).message}`);
        return null;
      }
    },
    async fail(address) {
      try {
        await limiter.consume(address);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return seconds(rejection);
        failed(`auth failures: counter store failed: ${(rejection as Error).message}`);
        return null;
      }
    },
  };
}

/** A log for failures that repeat on every request (a counter store that is down): one line a minute. */
function oncePerMinute(log: (message: string) => void): (message: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < 60_000) {
      skipped += 1;
      return;
    }
    log(skipped > 0 ? `${message} (and ${skipped} more since the last report)` : message);
    last = now;
    skipped = 0;
  };
}

/** 429 for a blocked address, in the envelope of the API asked (DreamFactory's for REST). */
export function authenticationBlockedResponse(
  url: URL,
  wait: number,
  log: (message: string) => void,
): Response {
  return tooManyRequests(url, authenticationBlocked(wait), wait, log);
}

/**
 * Whose counter a request uses: the user a session names, else the app of a valid API key, else the client
 * address. Unknown or invalid credentials count against the address, so rotating made-up keys gains nothing.
 */
export function rateLimitKey(principal: Principal | ApiError, address: string): string {
  if (principal instanceof ApiError) return `ip:${address}`;
  // A user id, when a session names one, is the most specific key (many users may share one app's key).
  const { kind, user } = principal as { kind: string; user?: { id?: unknown } };
  if (user?.id !== undefined && user.id !== null) return `${kind}:${String(user.id)}`;
  if (principal.kind === 'app') return `key:${principal.app.apiKeyHash}`;
  return `ip:${address}`;
}

/**
 * The socket's peer address (X-Forwarded-For is not trusted: any client could set it). IPv4 clients of a
 * dual-stack socket (`::ffff:10.0.0.1`) count as their IPv4 address.
 */
export function clientAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  const address = req?.socket?.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function tooManyRequests(
  url: URL,
  error: ApiError,
  seconds: number,
  log: (message: string) => void,
): Response {
  const headers = { 'retry-after': String(seconds) };
  if (isRestPath(url.pathname)) {
    const { status, body } = encodeDfError(error, log);
    return json(body, status, headers);
  }
  return json(
    { errors: [{ message: error.message, extensions: { code: error.code } }] },
    error.status,
    headers,
  );
}

/**
 * Wraps a service's DataSource for one server. Per request (its ExecStats object):
 * - the rows reads return are counted, root and relation levels together; past `maxRows` the read fails
 *   with ROW_LIMIT (400). Counting where rows enter the process covers both APIs, every relation level and
 *   cross-service hops without touching the executor or the adapters.
 * - an identical read runs once (GraphQL aliases of one query: CVE-2026-35441); callers get their own row
 *   objects, because the executor attaches relations to them. Any write clears the memo; reads inside a
 *   transaction are never memoised.
 */
export function guardSource(source: DataSource, maxRows: number): DataSource {
  return guarded(source, maxRows, true);
}

const rowsRead = new WeakMap<ExecStats, number>();
const memos = new WeakMap<ExecStats, Map<string, Promise<Row[]>>>();

function countRows(stats: ExecStats, rows: Row[], maxRows: number): Row[] {
  const total = (rowsRead.get(stats) ?? 0) + rows.length;
  rowsRead.set(stats, total);
  if (total > maxRows) {
    throw new ApiError(
      'ROW_LIMIT',
      `The request reads more than ${maxRows} rows; ask for fewer (limit, filter, fewer relations).`,
    );
  }
  return rows;
}

function guarded(source: DataSource, maxRows: number, memoise: boolean): DataSource {
  const written = <T>(stats: ExecStats, result: T): T => {
    memos.delete(stats);
    return result;
  };
  return {
    async read(query, stats) {
      if (!memoise) return countRows(stats, await source.read(query, stats), maxRows);
      let memo = memos.get(stats);
      if (!memo) memos.set(stats, (memo = new Map()));
      const key = readKey(query);
      let rows = memo.get(key);
      if (!rows) {
        rows = source.read(query, stats).then((r) => countRows(stats, r, maxRows));
        memo.set(key, rows);
      }
      return (await rows).map((row) => ({ ...row }));
    },
    async readRelated(relation, query, keys, perParent, stats, keyTypes) {
      const rows = await source.readRelated(relation, query, keys, perParent, stats, keyTypes);
      return countRows(stats, rows, maxRows);
    },
    count: (query, stats) => source.count(query, stats),
    aggregate: (query, stats) => source.aggregate(query, stats),
    aggregateRelated: (relation, query, keys, stats) => source.aggregateRelated(relation, query, keys, stats),
    distinctKeys: (table, fields, where, limit, stats) =>
      source.distinctKeys(table, fields, where, limit, stats),
    canRollback: source.canRollback ? () => source.canRollback!() : undefined,
    // A routine may write (the memo goes), and its result sets count against the row cap like reads do.
    callRoutine:
      source.callRoutine &&
      (async (r, a, s) => {
        const result = written(s, await source.callRoutine!(r, a, s));
        for (const rows of result.resultSets) countRows(s, rows, maxRows);
        return result;
      }),
    async transaction(work) {
      // The transaction's own statements carry the caller's stats; any memo of this request is dropped.
      return source.transaction((tx) => work(guarded(tx, maxRows, false)));
    },
    insert: async (table, rows, returning, stats) =>
      written(stats, await source.insert(table, rows, returning, stats)),
    update: async (table, set, where, stats) => written(stats, await source.update(table, set, where, stats)),
    delete: async (table, where, stats) => written(stats, await source.delete(table, where, stats)),
    upsert: async (table, values, conflict, update, stats) =>
      written(stats, await source.upsert(table, values, conflict, update, stats)),
  };
}

const relationIds = new WeakMap<object, number>();
let nextRelationId = 0;

/** The read's identity: its JSON, with each relation model (large, and shared) replaced by a small id. */
function readKey(query: ReadQuery): string {
  return JSON.stringify(query, (name, value: unknown) => {
    if (name !== 'relation' || value === null || typeof value !== 'object') return value;
    let id = relationIds.get(value);
    if (id === undefined) relationIds.set(value, (id = nextRelationId++));
    return `#${id}`;
  });
}
