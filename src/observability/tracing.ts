// ObservabilityConfig.tracing (+ OTEL_* environment) → OpenTelemetry spans: one SERVER span per HTTP request
// (continuing a W3C `traceparent` the client sent) and one CLIENT span per database statement, its child. Spans
// carry the statement's kind and text with placeholders, never the bound values; exported over OTLP/HTTP.
import { createRequire } from 'node:module';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ObservabilityConfig } from '../config/types.js';
import type { RequestTag } from '../executor/data-source.js';
import type { StatementEvent, StatementObserver } from './statements.js';
import { statementKind } from './statements.js';

type TracingConfig = ObservabilityConfig['tracing'];

export interface Tracing extends StatementObserver {
  startRequest(tag: RequestTag, request: Request, path: string, route: string): void;
  endRequest(tag: RequestTag, status: number): void;
  /** Flushes spans not yet exported and stops the exporter. */
  shutdown(): Promise<void>;
}

/** Whether tracing is on: the config says so, or the standard OTEL_* variables ask for OTLP export. */
export function tracingEnabled(config: TracingConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (config.enabled) return true;
  if (env.OTEL_TRACES_EXPORTER?.split(',').some((name) => name.trim() === 'otlp')) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * The tracer of one server, or null when tracing is off. `exporter` replaces the OTLP exporter (tests pass an
 * InMemorySpanExporter, which also turns tracing on and exports each span as it ends).
 */
export function createTracing(
  config: TracingConfig,
  exporter?: SpanExporter,
  env: NodeJS.ProcessEnv = process.env,
): Tracing | null {
  if (!exporter && !tracingEnabled(config, env)) return null;
  // Loaded only when tracing is on: every other start would pay for the SDK and the exporter.
  const require = createRequire(import.meta.url);
  const base = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  let processor;
  if (exporter) {
    processor = new base.SimpleSpanProcessor(exporter);
  } else {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
    // Without a URL the exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else http://localhost:4318.
    processor = new base.BatchSpanProcessor(
      new OTLPTraceExporter(config.endpoint === null ? {} : { url: config.endpoint }),
    );
  }
  const provider = new base.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || config.serviceName }),
    spanProcessors: [processor],
  });
  return new RequestTracing(provider.getTracer('junction'), () => provider.shutdown());
}

const DB_SYSTEMS: Record<string, string> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  sqlite: 'sqlite',
  mongodb: 'mongodb',
};

class RequestTracing implements Tracing {
  private readonly spans = new WeakMap<RequestTag, Span>();

  constructor(
    private readonly tracer: Tracer,
    readonly shutdown: () => Promise<void>,
  ) {}

  startRequest(tag: RequestTag, request: Request, path: string, route: string): void {
    const span = this.tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': path,
          'junction.route': route,
          'junction.request_id': tag.id,
        },
      },
      remoteParent(request.headers.get('traceparent')),
    );
    this.spans.set(tag, span);
  }

  endRequest(tag: RequestTag, status: number): void {
    const span = this.spans.get(tag);
    if (!span) return;
    this.spans.delete(tag);
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  onStatement(event: StatementEvent): void {
    const parent = event.request && this.spans.get(event.request);
    if (!parent) return;
    const kind = event.dialect === 'mongodb' ? event.sql : statementKind(event.sql);
    const system = DB_SYSTEMS[event.dialect] ?? event.dialect;
    const span = this.tracer.startSpan(
      `${kind} ${event.service}`,
      {
        kind: SpanKind.CLIENT,
        startTime: event.startedAt,
        attributes: {
          'db.system': system,
          'db.system.name': system,
          'db.name': event.service,
          'db.namespace': event.service,
          'db.operation.name': kind,
          // The text has placeholders only: the compiler binds every value (bindings are never recorded).
          ...(event.dialect === 'mongodb' ? {} : { 'db.query.text': event.sql }),
          ...(event.rows === null ? {} : { 'db.response.returned_rows': event.rows }),
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    if (event.error) {
      // The driver's message may quote values: only its code or class goes into the span.
      const code = (event.error as { code?: unknown }).code;
      span.setAttribute(
        'error.type',
        typeof code === 'string' ? code : (event.error as Error).name || 'Error',
      );
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(event.startedAt + event.durationMs);
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The caller's span from a W3C `traceparent` header, so Junction's spans join the client's trace. */
function remoteParent(header: string | null): Context {
  const match = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!match || /^0+$/.test(match[1] ?? '') || /^0+$/.test(match[2] ?? '')) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: parseInt(match[3] as string, 16),
    isRemote: true,
  });
}
