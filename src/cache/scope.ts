// A request's principal → its cache directive: the scope its cached results are shared in (its role), and
// whether it asked for fresh ones. Results are keyed by scope as well as by the authorised IR (which already
// carries the role's row filters, with {user.id}-style lookups filled in, and its visible columns), so two
// roles never share an entry even where their IR happens to be equal.
import type { Principal } from '../auth/types.js';
import type { CacheDirective } from '../executor/data-source.js';
import { isTrueWord } from '../rest/params.js';
import { isRestPath } from '../rest/router.js';

/** The directive for a request running as `principal`; undefined (no caching) when it has none yet. */
export function cacheDirective(request: Request, principal: unknown): CacheDirective | undefined {
  const scope = scopeOf(principal);
  if (scope === null) return undefined;
  return { scope, refresh: asksForRefresh(request) };
}

/** `open` without access control, else `role:<name>`; null for anything that is not a principal (an error). */
export function scopeOf(principal: unknown): string | null {
  if (principal === null || typeof principal !== 'object' || !('kind' in principal)) return null;
  const known = principal as Principal;
  if (known.kind === 'open') return 'open';
  if (!('role' in known) || !known.role) return null;
  return `role:${known.role.name}`;
}

/** DreamFactory's `refresh=true` on a REST read bypasses the cache (the fresh result is stored). */
function asksForRefresh(request: Request): boolean {
  if (!request.url.includes('refresh=')) return false;
  const url = new URL(request.url);
  if (!isRestPath(url.pathname)) return false;
  const refresh = url.searchParams.get('refresh');
  return refresh !== null && isTrueWord(refresh);
}
