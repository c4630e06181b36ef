// LimitsConfig → what the HTTP server enforces around both APIs: the rate limit (an onRequest plugin, 429 +
// Retry-After before any other route runs), the GraphQL limit plugins, and a DataSource guard that caps the
// rows one request reads and runs identical reads of one request once.
import type { Plugin } from 'graphql-yoga';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from '../auth/types.js';
import type { LimitsConfig, RateLimitConfig } from '../config/types.js';
import { encodeDfError } from '../errors/encode-df.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import { graphqlLimitPlugins } from '../graphql/limits.js';
import type { ReadQuery, Row } from '../ir/types.js';
import { isRestPath } from '../rest/router.js';
import { json } from './respond.js';

/** Probes for load balancers and orchestrators: never rate-limited. */
const UNLIMITED_PATHS = new Set(['/health', '/ready', '/graphql/health']);
/** The `burst - points` extra requests refill over this many rate windows (so the sustained rate stays near `points`). */
const BURST_WINDOWS = 30;

/** Every plugin the limits add, in order: the rate limit first, so a throttled request does no other work. */
export function limitPlugins(
  limits: LimitsConfig,
  principalFor: (request: Request) => Principal | ApiError,
  log: (message: string) => void,
): Plugin[] {
  return [
    rateLimitPlugin(limits.rateLimit, principalFor, log),
    ...graphqlLimitPlugins(limits.graphql, limits.rest.maxJsonDepth),
  ];
}

export interface RequestLimiter {
  /** Counts one request for `key`; resolves to null when allowed, else the seconds to wait. */
  take(key: string): Promise<number | null>;
}

/** Memory counters; `redisUrl` needs a Redis client package, which this build does not bundle. */
export function createRequestLimiter(config: RateLimitConfig): RequestLimiter {
  if (config.redisUrl !== null) {
    throw new ApiError(
      'CONFIG_INVALID',
      'limits.rateLimit.redisUrl: shared Redis counters need the "redis" or "ioredis" package, which this build does not include; remove redisUrl to count in memory.',
    );
  }
  const main = new RateLimiterMemory({ points: config.points, duration: config.durationSeconds });
  const limiter =
    config.burst > config.points
      ? new BurstyRateLimiter(
          main,
          new RateLimiterMemory({
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
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
    },
  };
}

export function rateLimitPlugin(
  config: RateLimitConfig,
  principalFor: (request: Request) => Principal | ApiError,
  log: (message: string) => void,
): Plugin {
  if (!config.enabled) return {};
  const limiter = createRequestLimiter(config);
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (UNLIMITED_PATHS.has(url.pathname)) return;
      const key = rateLimitKey(principalFor(request), clientAddress(serverContext));
      let wait: number | null;
      try {
        wait = await limiter.take(key);
      } catch (error) {
        // A counter store that fails must not take the API down with it: let the request through.
        log(`rate limit: counter store failed: ${(error as Error).message}`);
        return;
      }
      if (wait !== null) endResponse(tooManyRequests(url, wait, log));
    },
  };
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

/** The socket's peer address (X-Forwarded-For is not trusted: any client could set it). */
function clientAddress(serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress ?? 'unknown';
}

function tooManyRequests(url: URL, seconds: number, log: (message: string) => void): Response {
  const error = new ApiError('RATE_LIMITED', `Too many requests: try again in ${seconds} s.`);
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
