// Requests, statements and sources → Prometheus metrics in prom-client's default registry (the one the cache's
// counters, src/observability/cache-metrics.ts, and the process metrics live in too). Metrics are made once per
// process: several servers in one process (tests) share them, and pool and breaker gauges are read from every
// live server's sources at scrape time.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import type { StatementEvent, StatementObserver } from './statements.js';
import { statementHub, statementKind } from './statements.js';

/** What engineer A's `Source.status()` reports; read at scrape time. */
export interface SourceStatus {
  breaker: 'closed' | 'open' | 'half-open';
  pool: { used: number; free: number; pending: number; max: number } | null;
}

/** One live server's sources: their service names and, where a source can tell, their status. */
export type SourcesProbe = () => Iterable<{ service: string; status: SourceStatus | null }>;

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
const POOL_STATES = ['used', 'free', 'pending', 'max'] as const;
/**
 * Shared by every copy of this module in the process: prom-client's registry is one per process, and test
 * runners evaluate modules once per test file, so the metrics (and the probes their gauges read) must be too.
 */
const shared = ((globalThis as Record<symbol, unknown>)[Symbol.for('junction.metrics')] ??= {
  probes: new Set<SourcesProbe>(),
  metrics: null,
}) as { probes: Set<SourcesProbe>; metrics: Metrics | null };
const probes = shared.probes;

/** prom-client, loaded when a server first needs it: CLI commands that serve nothing do not pay for it. */
function promClient(): typeof PromClient {
  return createRequire(import.meta.url)('prom-client') as typeof PromClient;
}

function build() {
  const { collectDefaultMetrics, Counter, Gauge, Histogram } = promClient();
  collectDefaultMetrics({ prefix: 'junction_' });
  return {
    requests: new Counter({
      name: 'junction_http_requests_total',
      help: 'HTTP requests answered, by route kind (graphql, rest, docs, health, metrics, admin, other), status and service.',
      labelNames: ['route', 'status', 'service'] as const,
    }),
    duration: new Histogram({
      name: 'junction_http_request_duration_seconds',
      help: 'Time from request to response headers, by route kind and service.',
      labelNames: ['route', 'service'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    statements: new Counter({
      name: 'junction_sql_statements_total',
      help: 'Database statements run (MongoDB: operations), by service and kind (select, insert, update, delete, call, …).',
      labelNames: ['service', 'kind'] as const,
    }),
    statementErrors: new Counter({
      name: 'junction_sql_statement_errors_total',
      help: 'Database statements that failed, by service.',
      labelNames: ['service'] as const,
    }),
    statementDuration: new Histogram({
      name: 'junction_sql_statement_duration_seconds',
      help: 'Time one statement took, connection wait included, by service.',
      labelNames: ['service'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    pool: new Gauge({
      name: 'junction_source_pool_connections',
      help: 'Connection pool of each source: used, free, pending (requests waiting) and max.',
      labelNames: ['service', 'state'] as const,
      collect() {
        this.reset();
        for (const { service, status } of liveSources()) {
          if (!status?.pool) continue;
          for (const state of POOL_STATES) this.set({ service, state }, status.pool[state]);
        }
      },
    }),
    breaker: new Gauge({
      name: 'junction_source_breaker_state',
      help: 'Circuit breaker of each source: 1 for its current state (closed, half-open, open), 0 for the others.',
      labelNames: ['service', 'state'] as const,
      collect() {
        this.reset();
        for (const { service, status } of liveSources()) {
          if (!status) continue;
          for (const state of BREAKER_STATES) this.set({ service, state }, status.breaker === state ? 1 : 0);
        }
      },
    }),
  };
}

type Metrics = ReturnType<typeof build>;
let counting = false;

/** The process's metrics, registered on first use. */
export function junctionMetrics(): Metrics {
  const metrics = (shared.metrics ??= build());
  if (!counting) {
    counting = true;
    statementHub.add(statementCounter(metrics));
  }
  return metrics;
}

function statementCounter(m: Metrics): StatementObserver {
  return {
    onStatement(event: StatementEvent) {
      const service = event.service;
      m.statements.inc({ service, kind: event.dialect === 'mongodb' ? event.sql : statementKind(event.sql) });
      m.statementDuration.observe({ service }, event.durationMs / 1000);
      if (event.error) m.statementErrors.inc({ service });
    },
  };
}

function* liveSources() {
  for (const probe of probes) {
    try {
      yield* probe();
    } catch {
      /* a source that cannot report is left out of this scrape */
    }
  }
}

/** Adds a server's sources to the pool and breaker gauges until the returned function is called. */
export function watchSources(probe: SourcesProbe): () => void {
  probes.add(probe);
  return () => probes.delete(probe);
}

export interface RequestMeasure {
  route: string;
  status: number;
  service: string;
  seconds: number;
}

export function recordRequest({ route, status, service, seconds }: RequestMeasure): void {
  const m = junctionMetrics();
  m.requests.inc({ route, status: String(status), service });
  m.duration.observe({ route, service }, seconds);
}

/** The registry /metrics exposes: prom-client's default one. */
export function metricsRegistry(): Registry {
  junctionMetrics();
  return promClient().register;
}

/** The status of a source that may have A's `status()` (SQL and MongoDB sources), else null. */
export function sourceStatus(source: object): SourceStatus | null {
  const status = (source as { status?: () => SourceStatus }).status;
  return typeof status === 'function' ? status.call(source) : null;
}
