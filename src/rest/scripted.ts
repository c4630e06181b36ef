// `/api/v2/{service}/…` of a scripted service: the role check DreamFactory runs on any service, then the
// module's default export with the request and the platform; its return value is the answer (200), or a
// `platform.response(content, status, headers)`. Errors are answered like any other (run-script.ts).
import { denied } from '../auth/authorize.js';
import { componentOf, isAllowed } from '../auth/roles.js';
import type { Principal } from '../auth/types.js';
import type { LoadedService } from '../scripts/host.js';
import type { ScriptScope } from '../scripts/operation.js';
import { createPlatform, rolePrincipal } from '../scripts/platform.js';
import { runWithLimit } from '../scripts/run-script.js';
import { RESPONSE, type EventVerb, type ScriptRequest, type ScriptResponse } from '../scripts/types.js';
import type { RestResponse, Verb } from './types.js';

export interface ScriptedCall {
  verb: Verb;
  /** Segments after the service. */
  path: string[];
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
  principal: Principal;
}

export async function handleScripted(
  service: LoadedService,
  scope: ScriptScope,
  call: ScriptedCall,
): Promise<RestResponse> {
  const { name } = service.config;
  const { principal, verb, path } = call;
  const component = componentOf(path);
  if (principal.kind !== 'open' && !isAllowed(principal.role, name, component, verb))
    throw denied(principal, verb, name, component);
  const request: ScriptRequest = {
    method: verb.toLowerCase() as EventVerb,
    path: path.join('/'),
    segments: [...path],
    parameters: publicParameters(call.query),
    payload: call.body ?? null,
    headers: publicHeaders(call.headers),
  };
  const role = scope.host.role(service.config.role);
  const event = `${name}.${verb.toLowerCase()}`;
  const value = await runWithLimit(
    { event: `service ${name}`, module: service.module.name, timeoutMs: service.config.timeoutMs },
    (signal) =>
      service.module.run(
        request,
        createPlatform({
          call: scope.callWith(scope.bound),
          principal,
          runAs: role ? rolePrincipal(role, service.module.name) : null,
          settings: scope.host.config.settings,
          logger: scope.host.logger,
          script: { module: service.module.name, event },
          signal,
        }),
      ),
    (report) => scope.host.report(report),
  );
  if (isScriptResponse(value))
    return { status: value.status, body: value.content ?? null, headers: value.headers };
  return { status: 200, body: value ?? null };
}

function isScriptResponse(value: unknown): value is ScriptResponse {
  return typeof value === 'object' && value !== null && RESPONSE in value;
}

/** Credentials never reach a script: not in the headers, not in the query. */
const SECRET_HEADERS = new Set([
  'authorization',
  'cookie',
  'x-dreamfactory-api-key',
  'x-dreamfactory-session-token',
  'x-junction-admin-token',
]);
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set(['api_key', 'session_token']);

export function publicHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (!SECRET_HEADERS.has(key.toLowerCase())) out[key.toLowerCase()] = value;
  });
  return out;
}

export function publicParameters(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) if (!SECRET_PARAMETERS.has(key) && !(key in out)) out[key] = value;
  return out;
}

/** The service list (`GET /api/v2`) with the scripted services after the databases. */
export function withScriptedServices(
  list: { services: unknown[]; service_types: unknown[] },
  scope: ScriptScope | undefined,
): { services: unknown[]; service_types: unknown[] } {
  const scripted = scope?.host.services() ?? [];
  if (scripted.length === 0) return list;
  return {
    services: [
      ...list.services,
      ...scripted.map(({ config }) => ({
        name: config.name,
        label: config.label ?? config.name,
        description: config.description,
        type: 'script',
      })),
    ],
    service_types: [
      ...list.service_types,
      {
        name: 'script',
        label: 'Scripted service',
        group: 'Script',
        description: 'Custom endpoints answered by a TypeScript or JavaScript module.',
      },
    ],
  };
}
