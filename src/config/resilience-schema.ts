// Per-service resilience settings: pool size, connect/acquire/statement timeouts and the circuit breaker
// (security.md T16, R1–R5). zod checks each value and fills the defaults; resilienceOf gives what adapters read.
import { z } from 'zod';
import { integerSetting } from './integer-setting.js';
import type { BreakerConfig, PoolConfig, ServiceConfig, TimeoutsConfig } from './types.js';

const count = integerSetting;

const HOUR_MS = 3_600_000;

export const poolSchema = z
  .strictObject({
    max: count(10, 1, 1000, 'Most connections this service opens (PostgreSQL, MySQL).'),
    acquireTimeoutMs: count(
      2000,
      1,
      HOUR_MS,
      'How long a request waits for a free connection before 503 SOURCE_UNAVAILABLE ("busy").',
    ),
    maxWaiting: count(
      100,
      0,
      1_000_000,
      'Requests that may wait for a free connection at once; more are answered 503 "busy" at once (a bounded queue keeps a burst from piling up timers and memory).',
    ),
  })
  .describe('Connection pool of one service.');

export const timeoutsSchema = z
  .strictObject({
    connectMs: count(
      2000,
      1,
      HOUR_MS,
      'Opening one connection (TCP + login); past it the source is unavailable.',
    ),
    statementMs: count(
      5000,
      1,
      HOUR_MS,
      'One statement or routine call; cancelled on the server and abandoned by the client past it (504 STATEMENT_TIMEOUT).',
    ),
  })
  .describe('Timeouts of one service.');

export const breakerSchema = z
  .strictObject({
    failures: count(5, 1, 1_000_000, 'Consecutive availability failures that open the breaker.'),
    openMs: count(
      5000,
      1,
      HOUR_MS,
      'How long an open breaker fails fast before letting one trial call through.',
    ),
  })
  .describe(
    'Circuit breaker of one service: while open, requests fail at once with 503 SOURCE_UNAVAILABLE and Retry-After.',
  );

export interface Resilience {
  pool: PoolConfig;
  timeouts: TimeoutsConfig;
  breaker: BreakerConfig;
}

/** For a PoolConfig built in code without maxWaiting. */
export const DEFAULT_MAX_WAITING = 100;

export const DEFAULT_RESILIENCE: Resilience = {
  pool: poolSchema.parse({}),
  timeouts: timeoutsSchema.parse({}),
  breaker: breakerSchema.parse({}),
};

/** The settings a source runs with: the config's, or the defaults for a service built in code without them. */
export function resilienceOf(service: Pick<ServiceConfig, 'pool' | 'timeouts' | 'breaker'>): Resilience {
  return {
    pool: service.pool ?? DEFAULT_RESILIENCE.pool,
    timeouts: service.timeouts ?? DEFAULT_RESILIENCE.timeouts,
    breaker: service.breaker ?? DEFAULT_RESILIENCE.breaker,
  };
}
