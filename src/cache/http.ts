// A REST response → the same response with HTTP caching headers for GET: a strong ETag (SHA-256 of the
// body) answered with 304 when If-None-Match matches, and Cache-Control. Responses depend on the caller's
// credentials, so they are `private`: a browser may keep them, a shared proxy may not. `max-age` is the
// service's result-cache TTL when caching is on (the server itself would answer from its cache that long),
// else `no-cache` (revalidate every time, cheap with the ETag). Logins and sessions (tokens) are `no-store`;
// errors get no ETag and `no-store`.
import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { isRestPath } from '../rest/router.js';

/** The request headers a REST answer depends on besides its URL (format negotiation and credentials). */
const VARY = 'Accept, Authorization, X-DreamFactory-API-Key, X-DreamFactory-Session-Token, Wrap';
const PREFIX = /^\/api(?:\/v[0-9.]+)?\/([^/]+)/i;

export interface HttpCachePolicy {
  /** The service's TTL in seconds (0: off). */
  ttlSeconds(service: string): number;
  /** Paths answered with tokens (DreamFactory's user/session): never stored anywhere. */
  noStore(pathname: string): boolean;
}

/** Adds the headers to every REST answer (onResponse, so it sees the final body). */
export function httpCachingPlugin(policy: HttpCachePolicy): Plugin {
  return {
    async onResponse({ request, response, setResponse }) {
      const url = new URL(request.url);
      if (!isRestPath(url.pathname)) return;
      setResponse(await withHttpCaching(request, url, response, policy));
    },
  };
}

export async function withHttpCaching(
  request: Request,
  url: URL,
  response: Response,
  policy: HttpCachePolicy,
): Promise<Response> {
  // Only real GETs (and HEADs): a POST tunnelling GET is never cached by anyone.
  if (request.method !== 'GET' && request.method !== 'HEAD') return response;
  if (response.status >= 300 || policy.noStore(url.pathname)) {
    response.headers.set('cache-control', 'no-store');
    return response;
  }
  const body = Buffer.from(await response.arrayBuffer());
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const headers = new Headers(response.headers);
  const ttl = policy.ttlSeconds(serviceOf(url.pathname));
  headers.set('etag', etag);
  headers.set('cache-control', ttl > 0 ? `private, max-age=${ttl}` : 'private, no-cache');
  headers.set('vary', VARY);
  if (matches(request.headers.get('if-none-match'), etag)) {
    // A 304 has no body and repeats no representation metadata (RFC 9110 §15.4.5).
    for (const name of ['content-type', 'content-length', 'content-disposition']) headers.delete(name);
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`; `*` matches any current representation. */
function matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** `/api/v2/chinook/_table/Album` → `chinook` (the service's TTL applies); '' when there is none. */
function serviceOf(pathname: string): string {
  const segment = PREFIX.exec(pathname)?.[1];
  if (segment === undefined) return '';
  try {
    return decodeURIComponent(segment).toLowerCase();
  } catch {
    return '';
  }
}
