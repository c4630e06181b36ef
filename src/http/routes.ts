// HTTP request → Response for the routes that are not GraphQL: health, readiness, the model, admin reload.
// Mounted on the graphql-yoga server as an onRequest plugin, so there is one server and one port.
import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { resilienceOf } from '../config/resilience-schema.js';
import type { ServiceConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import type { Runtime } from '../runtime/runtime.js';
import { errorResponse, json } from './respond.js';

type Handler = (request: Request, runtime: Runtime) => Promise<Response> | Response;

const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  '/health': { GET: () => json({ status: 'ok' }) },
  '/ready': { GET: ready },
  '/_model': { GET: (_request, runtime) => json(modelBody(runtime)) },
  '/_admin/reload': { POST: reload },
};

export function routesPlugin(runtime: Runtime, log: (message: string) => void): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      const route = ROUTES[url.pathname];
      if (!route) return;
      const handler = route[request.method];
      try {
        if (!handler) {
          throw new ApiError('BAD_REQUEST', `${request.method} is not allowed on ${url.pathname}`);
        }
        endResponse(await handler(request, runtime));
      } catch (error) {
        if (!(error instanceof ApiError))
          log(`unexpected error on ${url.pathname}: ${(error as Error).stack ?? error}`);
        endResponse(errorResponse(error));
      }
    },
  };
}

function modelBody(runtime: Runtime) {
  const { model, version, loadedAt, warnings } = runtime.current;
  return { version, loadedAt: loadedAt.toISOString(), warnings, services: model.services };
}

async function ready(_request: Request, runtime: Runtime): Promise<Response> {
  const checks = await Promise.all(runtime.config.services.map((service) => readiness(runtime, service)));
  const ok = checks.every((c) => c.ok);
  return json(
    { status: ok ? 'ready' : 'unavailable', services: checks },
    ok ? 200 : 503,
    ok ? {} : { 'retry-after': '5' },
  );
}

/**
 * One source: an open breaker answers at once (no probe); otherwise a trivial query, given at most the
 * connect timeout (plus a little) so /ready stays fast while a database hangs. Messages name the service,
 * never its host.
 */
async function readiness(runtime: Runtime, service: ServiceConfig) {
  const source = runtime.sources.get(service.name);
  const { breaker, pool } = source.status();
  const base = { service: service.name, breaker, pool };
  if (breaker === 'open')
    return {
      ...base,
      ok: false,
      error: `Service '${service.name}' is unavailable: its circuit breaker is open.`,
    };
  const limit = resilienceOf(service).timeouts.connectMs + 500;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      source.probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), limit);
      }),
    ]);
    return { ...base, ok: true };
  } catch (error) {
    const why =
      error instanceof Error && error.message === 'timeout' ? 'no answer in time' : 'cannot connect';
    return { ...base, ok: false, error: `Service '${service.name}' is unavailable: ${why}.` };
  } finally {
    clearTimeout(timer);
  }
}

async function reload(request: Request, runtime: Runtime): Promise<Response> {
  const expected = runtime.config.server.adminToken;
  // Without a configured token the endpoint does not exist: reloading re-reads every database.
  if (!expected)
    throw new ApiError('NOT_FOUND', 'Admin endpoints are disabled: set server.adminToken to enable them.');
  const given = request.headers.get('x-junction-admin-token') ?? '';
  if (!sameSecret(given, expected))
    throw new ApiError('UNAUTHORIZED', 'Missing or wrong X-Junction-Admin-Token.');
  const next = await runtime.reload();
  return json({ status: 'reloaded', version: next.version, warnings: next.warnings });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
