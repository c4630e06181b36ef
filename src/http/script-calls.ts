// Scripts' `platform.api` calls: the REST router run in-process for a principal, on the same statement
// counter as the request that runs the script (its header and query log count them), with the request's open
// transactions shared. A script calling its own endpoint would recurse: past MAX_DEPTH calls deep, it fails.
import type { Principal } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import { routeInternal, type RestDeps } from '../rest/router.js';
import type { ScriptHost } from '../scripts/host.js';
import type { ScriptScope } from '../scripts/operation.js';
import type { InternalRequest } from '../scripts/platform.js';

const MAX_DEPTH = 8;
const ORIGIN = 'http://junction.internal';

/** The REST dependencies of one internal call, before its sources and scripts are bound. */
export type InternalDeps = (stats: ExecStats, principal: Principal) => RestDeps;

/** The scripts scope of one request (undefined when no script is configured: nothing to do per request). */
export function scriptScopeFor(
  host: ScriptHost,
  depsFor: InternalDeps,
): (stats: ExecStats) => ScriptScope | undefined {
  const scope = (stats: ExecStats, depth: number, bound: ReadonlyMap<string, DataSource>): ScriptScope => ({
    host,
    bound,
    callWith: (boundNow) => async (call, principal) => {
      if (depth >= MAX_DEPTH)
        throw new ApiError(
          'BAD_REQUEST',
          `Scripts called the API more than ${MAX_DEPTH} levels deep; does a script call its own endpoint?`,
        );
      const base = depsFor(stats, principal);
      const deps: RestDeps = {
        ...base,
        sourceOf: (service) => boundNow.get(service) ?? base.sourceOf(service),
        scripts: scope(stats, depth + 1, boundNow),
      };
      const request = internalRequest(call);
      return routeInternal(request, new URL(request.url), deps);
    },
  });
  return (stats) => (host.empty ? undefined : scope(stats, 0, new Map()));
}

function internalRequest(call: InternalRequest): Request {
  // `crm/_table/names`; a path written as a client would (`/api/v2/crm/…`) means the same.
  const path = call.path.replace(/^\/+/, '').replace(/^api\/v[0-9.]+\//i, '');
  const url = new URL(`/api/v2/${path}`, ORIGIN);
  for (const [key, value] of Object.entries(call.params ?? {})) url.searchParams.set(key, String(value));
  const hasBody = call.payload !== undefined && call.method !== 'GET';
  return new Request(url, {
    method: call.method,
    headers: { ...call.headers, ...(hasBody && { 'content-type': 'application/json' }) },
    ...(hasBody && { body: JSON.stringify(call.payload) }),
  });
}
