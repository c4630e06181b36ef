import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createTracing, tracingEnabled } from '../../../src/observability/tracing.js';
import type { StatementEvent } from '../../../src/observability/statements.js';

const OFF = { enabled: false, endpoint: null, serviceName: 'junction' };

describe('tracingEnabled', () => {
  it('is off by default and turned on by the config or the standard OTEL_* variables', () => {
    expect(tracingEnabled(OFF, {})).toBe(false);
    expect(tracingEnabled({ ...OFF, enabled: true }, {})).toBe(true);
    expect(tracingEnabled(OFF, { OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingEnabled(OFF, { OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingEnabled(OFF, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ ...OFF, enabled: true }, { OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(createTracing(OFF, undefined, {})).toBeNull();
  });
});

function statement(request: { id: string }, extra: Partial<StatementEvent> = {}): StatementEvent {
  return {
    service: 'chinook',
    dialect: 'postgres',
    sql: 'select "title" from "album" where "title" = $1',
    bindings: ['secret-title'],
    startedAt: Date.now() - 5,
    durationMs: 4,
    rows: 1,
    error: null,
    request,
    ...extra,
  };
}

describe('request and statement spans', () => {
  it('makes statement spans children of the request span, continuing the caller trace', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing(OFF, exporter, {});
    if (!tracing) throw new Error('tracing should be on with an exporter');
    const tag = { id: 'r-1' };
    const request = new Request('http://x/graphql', {
      method: 'POST',
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    tracing.startRequest(tag, request, '/graphql', 'graphql');
    tracing.onStatement(statement(tag));
    tracing.onStatement(statement({ id: 'another request' }));
    tracing.endRequest(tag, 200);
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();
    expect(spans.map((s) => s.name).sort()).toEqual(['POST graphql', 'select chinook']);
    const [child, parent] = spans;
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(parent?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child?.attributes).toMatchObject({ 'db.system': 'postgresql', 'db.operation.name': 'select' });
    expect(JSON.stringify(child?.attributes)).not.toContain('secret-title');
  });

  it('marks a failed statement with its error code, never the driver message, and a 5xx request as an error', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing(OFF, exporter, {});
    if (!tracing) throw new Error('tracing should be on with an exporter');
    const tag = { id: 'r-2' };
    tracing.startRequest(
      tag,
      new Request('http://x/api/v2/chinook/_table/album'),
      '/api/v2/chinook/_table/album',
      'rest',
    );
    const error = Object.assign(new Error('duplicate key value (title)=(secret-title)'), { code: '23505' });
    tracing.onStatement(statement(tag, { error, rows: null }));
    tracing.endRequest(tag, 503);
    const [child, parent] = exporter.getFinishedSpans();
    await tracing.shutdown();
    expect(child?.status.code).toBe(2);
    expect(child?.status.message ?? '').toBe('');
    expect(child?.attributes['error.type']).toBe('23505');
    expect(JSON.stringify([child?.attributes, child?.events, child?.status])).not.toContain('secret-title');
    expect(parent?.status.code).toBe(2);
    expect(parent?.attributes['http.response.status_code']).toBe(503);
  });
});
