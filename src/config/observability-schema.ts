// The `observability` section: log level and format, the Prometheus /metrics endpoint, OpenTelemetry tracing.
// zod checks each value and fills the defaults; normaliseObservability gives the ObservabilityConfig the server
// reads. Environment overrides (JUNCTION_LOG_LEVEL, OTEL_*) are applied where the logger and tracer are made.
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

export const observabilitySchema = z
  .strictObject({
    logs: logsSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
    tracing: tracingSchema.prefault({}),
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
