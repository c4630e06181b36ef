// REST GET answers → ETag, 304 on a matching If-None-Match, and Cache-Control by the service's TTL; never on
// errors or on the session endpoint, which carries tokens.
import { describe, expect, it } from 'vitest';
import { withHttpCaching, type HttpCachePolicy } from '../../../src/cache/http.js';

const policy: HttpCachePolicy = {
  ttlSeconds: (service) => (service === 'cached' ? 60 : 0),
  noStore: (path) => path.toLowerCase().endsWith('/user/session'),
};

async function answer(
  path: string,
  init: { status?: number; body?: string; headers?: Record<string, string> } = {},
) {
  const url = new URL(`http://localhost${path}`);
  const request = new Request(url, { headers: init.headers });
  const response = new Response(init.body ?? '{"resource":[]}', {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
  });
  return withHttpCaching(request, url, response, policy);
}

describe('HTTP caching headers on REST GETs', () => {
  it('gives a strong ETag that depends on the body only', async () => {
    const a = await answer('/api/v2/plain/_table/a');
    const b = await answer('/api/v2/other/_table/b');
    const c = await answer('/api/v2/plain/_table/a', { body: '{"resource":[1]}' });
    expect(a.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    expect(c.headers.get('etag')).not.toBe(a.headers.get('etag'));
    expect(await a.text()).toBe('{"resource":[]}');
  });

  it('answers 304 without a body when If-None-Match holds the ETag (weak or in a list)', async () => {
    const etag = (await answer('/api/v2/plain/_table/a')).headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await answer('/api/v2/plain/_table/a', { headers: { 'if-none-match': header } });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe('');
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('content-type')).toBeNull();
      expect(response.headers.get('x-request-id')).toBe('r1');
    }
    const changed = await answer('/api/v2/plain/_table/a', { headers: { 'if-none-match': '"stale"' } });
    expect(changed.status).toBe(200);
  });

  it('is private with max-age = the service TTL when caching is on, else no-cache', async () => {
    expect((await answer('/api/v2/cached/_table/a')).headers.get('cache-control')).toBe(
      'private, max-age=60',
    );
    expect((await answer('/api/v2/CACHED/_table/a')).headers.get('cache-control')).toBe(
      'private, max-age=60',
    );
    expect((await answer('/api/v2/plain/_table/a')).headers.get('cache-control')).toBe('private, no-cache');
    expect((await answer('/api/v2/cached/_table/a')).headers.get('vary')).toContain('X-DreamFactory-API-Key');
  });

  it('marks errors and the session endpoint no-store, without an ETag', async () => {
    const error = await answer('/api/v2/cached/_table/a', { status: 404, body: '{"error":{}}' });
    expect(error.headers.get('etag')).toBeNull();
    expect(error.headers.get('cache-control')).toBe('no-store');
    const session = await answer('/api/v2/user/session');
    expect(session.headers.get('etag')).toBeNull();
    expect(session.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves other methods alone', async () => {
    const url = new URL('http://localhost/api/v2/cached/_table/a');
    const response = await withHttpCaching(
      new Request(url, { method: 'POST', body: '{}' }),
      url,
      new Response('{}'),
      policy,
    );
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('cache-control')).toBeNull();
  });
});
