// GET /metrics → the Prometheus text exposition of the default registry (request, statement, pool, breaker and
// cache metrics, process metrics). No API key and no rate limit: it is meant for a scraper on the internal
// network; `observability.metrics.token` adds a bearer token. Disabled, the path is left to the other routes.
import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { ObservabilityConfig } from '../config/types.js';
import { metricsRegistry } from '../observability/metrics.js';

export const METRICS_PATH = '/metrics';

export function metricsPlugin(config: ObservabilityConfig['metrics']): Plugin {
  if (!config.enabled) return {};
  const registry = metricsRegistry();
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== METRICS_PATH) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(text('Only GET is allowed on /metrics.\n', 405, { allow: 'GET, HEAD' }));
      }
      if (config.token !== null && !bearerMatches(request.headers.get('authorization'), config.token)) {
        return endResponse(
          text('A valid "Authorization: Bearer <token>" is required.\n', 401, {
            'www-authenticate': 'Bearer',
          }),
        );
      }
      endResponse(text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
    },
  };
}

function text(body: string, status: number, headers: Record<string, string>): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header?.trim() ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
