// Connection timing shared by the network dialects (security.md T16): an unreachable host fails in seconds, a
// full pool answers "busy" instead of queueing for ever, and a statement the server does not cancel in time
// (frozen or blackholed server) is abandoned by the client and its connection destroyed, never reused.
import type { Knex } from 'knex';
import type { ServiceConfig } from '../../config/types.js';
import { resilienceOf } from '../../config/resilience-schema.js';

/**
 * The client gives the server this much longer than statementMs, so that normally the server's own cancel
 * (a clean error on a connection that stays usable) wins and the client timeout only fires when the server
 * cannot answer at all.
 */
export const CLIENT_MARGIN_MS = 250;

/** The code a client-side statement timeout carries (db-errors maps it to STATEMENT_TIMEOUT). */
export const CLIENT_TIMEOUT_CODE = 'JUNCTION_CLIENT_TIMEOUT';

export function connectTimeoutMs(service: ServiceConfig): number {
  return resilienceOf(service).timeouts.connectMs;
}

export function statementTimeoutMs(service: ServiceConfig): number {
  return resilienceOf(service).timeouts.statementMs;
}

export function clientTimeoutMs(service: ServiceConfig): number {
  return statementTimeoutMs(service) + CLIENT_MARGIN_MS;
}

type AfterCreate = (connection: unknown, done: (error: Error | null, connection: unknown) => void) => void;

/**
 * Pool settings: min 0 so an idle service holds no connections; acquireTimeoutMillis bounds the wait for a
 * free connection (then 503 "busy"); a connection being created counts against the same wait.
 */
export function poolConfig(service: ServiceConfig, afterCreate: AfterCreate): Knex.PoolConfig {
  const { pool, timeouts } = resilienceOf(service);
  return {
    min: 0,
    max: pool.max,
    acquireTimeoutMillis: pool.acquireTimeoutMs,
    createTimeoutMillis: timeouts.connectMs + CLIENT_MARGIN_MS,
    afterCreate,
  };
}

/** A client-side timeout error in the shape db-errors understands. */
export function clientTimeoutError(cause: Error): Error {
  const error = new Error(`statement abandoned by the client: ${cause.message}`, { cause });
  (error as Error & { code: string }).code = CLIENT_TIMEOUT_CODE;
  return error;
}
