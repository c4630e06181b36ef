// A request URL → the path and query a log line, a span or a metric label may show: credentials that legacy
// clients put in the query string (DreamFactory's api_key and session_token, and the usual suspects) replaced.
const SECRET_PARAMS = new Set([
  'api_key',
  'apikey',
  'session_token',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'jwt',
  'password',
  'secret',
  'code',
]);

export const REDACTED = '[REDACTED]';

/** `pathname?query` with the values of secret query parameters replaced by [REDACTED]. */
export function redactedPath(url: URL): string {
  if (url.search === '') return url.pathname;
  const parts = url.search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      return SECRET_PARAMS.has(safeDecode(rawName).toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    });
  return `${url.pathname}?${parts.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
