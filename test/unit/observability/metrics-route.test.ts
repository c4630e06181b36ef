import { describe, expect, it } from 'vitest';
import { metricsPlugin } from '../../../src/http/metrics-route.js';
import { routeKind } from '../../../src/http/observe-plugin.js';
import { recordRequest } from '../../../src/observability/metrics.js';

/** Runs the plugin's onRequest as yoga would; the response it ended with, or null when it let the request by. */
async function answer(plugin: ReturnType<typeof metricsPlugin>, path: string, init: RequestInit = {}) {
  let ended: Response | null = null;
  const request = new Request(`http://localhost${path}`, init);
  await (plugin.onRequest as unknown as (payload: object) => Promise<void> | void)?.({
    request,
    url: new URL(request.url),
    endResponse: (response: Response) => {
      ended = response;
    },
  });
  return ended as Response | null;
}

describe('the /metrics route', () => {
  it('answers the Prometheus text with the request counters', async () => {
    recordRequest({ route: 'rest', status: 200, service: 'unit-svc', seconds: 0.01 });
    const res = await answer(metricsPlugin({ enabled: true, token: null }), '/metrics');
    expect(res?.status).toBe(200);
    const text = await res?.text();
    expect(text).toContain('junction_http_requests_total{route="rest",status="200",service="unit-svc"} 1');
    expect(text).toContain('junction_http_request_duration_seconds_bucket');
  });

  it('asks for the bearer token when one is configured, and compares it exactly', async () => {
    const plugin = metricsPlugin({ enabled: true, token: 'scrape-token-0123456789' });
    expect((await answer(plugin, '/metrics'))?.status).toBe(401);
    const wrong = { headers: { authorization: 'Bearer scrape-token-012345678X' } };
    expect((await answer(plugin, '/metrics', wrong))?.status).toBe(401);
    const right = { headers: { authorization: 'Bearer scrape-token-0123456789' } };
    expect((await answer(plugin, '/metrics', right))?.status).toBe(200);
  });

  it('leaves other paths, and every path when disabled, to the other routes; refuses a POST', async () => {
    expect(await answer(metricsPlugin({ enabled: true, token: null }), '/health')).toBeNull();
    expect(await answer(metricsPlugin({ enabled: false, token: null }), '/metrics')).toBeNull();
    expect(
      (await answer(metricsPlugin({ enabled: true, token: null }), '/metrics', { method: 'POST' }))?.status,
    ).toBe(405);
  });
});

describe('routeKind', () => {
  it('labels each route family', () => {
    expect(routeKind('/graphql')).toBe('graphql');
    expect(routeKind('/api/v2/chinook/_table/album')).toBe('rest');
    expect(routeKind('/api/chinook/_table/album')).toBe('rest');
    expect(routeKind('/api/v2/api_docs')).toBe('docs');
    expect(routeKind('/')).toBe('docs');
    expect(routeKind('/health')).toBe('health');
    expect(routeKind('/ready')).toBe('health');
    expect(routeKind('/metrics')).toBe('metrics');
    expect(routeKind('/_admin/reload')).toBe('admin');
    expect(routeKind('/wp-login.php')).toBe('other');
  });
});
