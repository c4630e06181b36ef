// The `observability` section: log level and format, the Prometheus /metrics endpoint, OpenTelemetry tracing,
// the query log. zod checks each value and fills the defaults; normaliseObservability gives the
// ObservabilityConfig the server reads. Environment overrides (JUNCTION_LOG_LEVEL, OTEL_*, JUNCTION_QUERY_LOG,
// DB_QUERY_LOG_ENABLED) are applied where the logger, tracer and query log are made.
import { z } from 'zod';
import type { JunctionConfig, ObservabilityConfig } from './types.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const logsSchema = z
  .strictObject({
    level: z
      .enum(LOG_LEVELS)
      .default('info')
      .describe(
        'Lowest level written. Default info. The JUNCTION_LOG_LEVEL environment variable overrides it.',
      ),
    format: z
      .enum(['json', 'text'])
      .default('json')
      .describe(
        'json: one JSON object per line on stderr (for log collectors). text: one readable line per entry (for a terminal). Default json.',
      ),
  })
  .describe(
    'Server logs: one access line per request, refusals, warnings and errors, each with its request id.',
  );

const metricsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve Prometheus metrics at GET /metrics. Default true.'),
    token: z
      .string()
      .min(16, 'use at least 16 characters')
      .optional()
      .describe(
        'When set, /metrics answers only requests with "Authorization: Bearer <token>". Default: none. Either way, do not expose /metrics to the internet.',
      ),
  })
  .describe('Prometheus metrics; /metrics is never rate-limited and needs no API key.');

const tracingSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Export OpenTelemetry spans (one per request, one per SQL statement) over OTLP/HTTP. Default false; OTEL_TRACES_EXPORTER=otlp or an OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT also turn it on, OTEL_SDK_DISABLED=true off.',
      ),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, or http://localhost:4318/v1/traces.',
      ),
    serviceName: z
      .string()
      .min(1)
      .default('junction')
      .describe('service.name of the spans (OTEL_SERVICE_NAME overrides it). Default junction.'),
  })
  .describe('OpenTelemetry tracing, off by default.');

const queryLogSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Log every SQL statement (and MongoDB operation) at level info: service, statement with placeholders, bound values, duration, rows, request id; and each event script as it runs. Default false. JUNCTION_QUERY_LOG=true|false, or DreamFactory's DB_QUERY_LOG_ENABLED=true|false, overrides it (JUNCTION_QUERY_LOG wins when both are set).",
      ),
    bindings: z
      .enum(['redacted', 'shown'])
      .default('redacted')
      .describe(
        'redacted: each bound value is replaced by its type (<string>, <number>, …), so the log shows how many values and of what kind, never the values. shown: the values themselves, JSON-encoded and truncated; they may hold personal data or secrets, so use it only while debugging. Default redacted.',
      ),
  })
  .describe(
    "The query log: what Junction sends to the databases for each request (like DreamFactory's DB_QUERY_LOG_ENABLED), off by default.",
  );

export const observabilitySchema = z
  .strictObject({
    logs: logsSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
    tracing: tracingSchema.prefault({}),
    queryLog: queryLogSchema.prefault({}),
  })
  .describe('Logs, metrics and traces.');

export type ObservabilityFile = z.output<typeof observabilitySchema>;

export function normaliseObservability(file: ObservabilityFile): ObservabilityConfig {
  return {
    logs: { ...file.logs },
    metrics: { enabled: file.metrics.enabled, token: file.metrics.token ?? null },
    tracing: {
      enabled: file.tracing.enabled,
      endpoint: file.tracing.endpoint ?? null,
      serviceName: file.tracing.serviceName,
    },
    queryLog: { ...file.queryLog },
  };
}

/** Everything at its default: what an empty `observability:` section (or none) gives. */
export const DEFAULT_OBSERVABILITY: ObservabilityConfig = normaliseObservability(
  observabilitySchema.parse({}),
);

/** The settings a server runs with: the config's, or the defaults for a config built in code without them. */
export function observabilityOf(config: Pick<JunctionConfig, 'observability'>): ObservabilityConfig {
  return config.observability ?? DEFAULT_OBSERVABILITY;
}
