// Each request → one access log line, the request metrics and (when tracing is on) the request's span. Runs as
// a yoga plugin right after the request-id plugin; the statement observer it adds learns which services a
// request touched, so GraphQL requests are counted under the service they used.
import type { Plugin } from 'graphql-yoga';
import { describePrincipal } from '../auth/principal.js';
import type { Principal } from '../auth/types.js';
import type { ApiError } from '../errors/index.js';
import type { RequestTag } from '../executor/data-source.js';
import type { Logger } from '../observability/logger.js';
import { recordRequest } from '../observability/metrics.js';
import { redactedPath } from '../observability/redact-url.js';
import { currentScope } from '../observability/request-scope.js';
import { statementHub } from '../observability/statements.js';
import type { Tracing } from '../observability/tracing.js';

/** What the server knows about a request in flight (server.ts RequestState). */
export interface ObservedRequest extends RequestTag {
  readonly client: string;
  principal?: Principal | ApiError;
}

export interface ObserveDeps {
  logger: Logger;
  tracing: Tracing | null;
  /** The configured service names: the only values the `service` label takes besides '' and 'multiple'. */
  services: () => ReadonlySet<string>;
  stateOf(request: Request): ObservedRequest;
  /** The statements the request ran (the x-junction-sql-statements count), null when it ran none through one. */
  statementsOf(request: Request): number | null;
}

interface Timing {
  start: number;
  route: string;
  path: string;
  services: Set<string>;
}

const REST_SERVICE = /^\/api(?:\/v[0-9.]+)?\/([^/]+)/i;

/** The route kind of a path: the `route` label of the request metrics. */
export function routeKind(pathname: string): string {
  if (pathname === '/health' || pathname === '/ready' || pathname === '/graphql/health') return 'health';
  if (pathname === '/graphql') return 'graphql';
  if (pathname === '/metrics') return 'metrics';
  if (pathname === '/_model' || pathname.startsWith('/_admin/')) return 'admin';
  if (pathname === '/' || /^\/api(?:\/v[0-9.]+)?\/api_docs(?:\/|$)/i.test(pathname)) return 'docs';
  if (pathname.startsWith('/swagger')) return 'docs';
  if (REST_SERVICE.test(pathname)) return 'rest';
  return 'other';
}

export function observePlugin(deps: ObserveDeps): { plugin: Plugin; close(): void } {
  const timings = new WeakMap<RequestTag, Timing>();
  const stopObserving = statementHub.add({
    onStatement(event) {
      if (event.request) timings.get(event.request)?.services.add(event.service);
      deps.tracing?.onStatement(event);
    },
  });
  const plugin: Plugin = {
    onRequest({ request, url }) {
      const state = deps.stateOf(request);
      const scope = currentScope();
      if (scope) scope.id = state.id;
      const timing = {
        start: performance.now(),
        route: routeKind(url.pathname),
        path: redactedPath(url),
        services: new Set<string>(),
      };
      timings.set(state, timing);
      deps.tracing?.startRequest(state, request, timing.path, timing.route);
    },
    onResponse({ request, response }) {
      const state = deps.stateOf(request);
      const timing = timings.get(state);
      if (!timing) return;
      timings.delete(state);
      const durationMs = performance.now() - timing.start;
      const service = serviceLabel(new URL(request.url).pathname, timing, deps.services());
      const status = response.status;
      recordRequest({ route: timing.route, status, service, seconds: durationMs / 1000 });
      deps.tracing?.endRequest(state, status);
      const principal = state.principal && !(state.principal instanceof Error) ? state.principal : null;
      const rounded = Math.round(durationMs * 10) / 10;
      const line = {
        event: 'access',
        requestId: state.id,
        method: request.method,
        path: timing.path,
        status,
        durationMs: rounded,
        route: timing.route,
        service,
        statements: deps.statementsOf(request),
        client: state.client,
        principal: principal ? describePrincipal(principal) : null,
        role: principal && principal.kind !== 'open' ? principal.role.name : null,
      };
      const message = `${request.method} ${timing.path} ${status} ${rounded} ms`;
      if (status >= 500) deps.logger.error(line, message);
      else if (timing.route === 'health' || timing.route === 'metrics') deps.logger.debug(line, message);
      else deps.logger.info(line, message);
    },
  };
  return { plugin, close: stopObserving };
}

/** REST: the service in the path when it is configured; otherwise the one service its statements used. */
function serviceLabel(pathname: string, timing: Timing, services: ReadonlySet<string>): string {
  if (timing.route === 'rest') {
    const named = REST_SERVICE.exec(pathname)?.[1] ?? '';
    if (services.has(named)) return named;
  }
  if (timing.services.size === 1) return [...timing.services][0] as string;
  return timing.services.size > 1 ? 'multiple' : '';
}
