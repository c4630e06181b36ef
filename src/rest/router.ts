// HTTP request under /api → a RestRequest routed to its handler → an encoded Response (compat §1, §2).
// `/api`, `/api/v1`, `/api/v2` and any `/api/v{n}` are the same; service names are case-insensitive; trailing
// slashes and path segments after a record id are ignored; POST can carry another verb (method override).
import { deniedLine, refusal, requestIdOf, type DeniedRequest } from '../auth/audit.js';
import { authenticationBlocked, isFailedAuthentication } from '../auth/failures.js';
import type { Authenticator } from '../auth/principal.js';
import { handleUserSession, isUserSessionPath } from '../auth/session-route.js';
import type { Principal } from '../auth/types.js';
import { documentedServices, serviceSpec } from '../docs/service-spec.js';
import { encodeDfError } from '../errors/encode-df.js';
import { ApiError, retryAfterOf } from '../errors/index.js';
import { DEFAULT_LIMITS, jsonDepthExceeds } from '../config/limits-schema.js';
import type { RestLimits } from '../config/types.js';
import { createExecContext } from '../executor/context.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import type { ModelIndex } from '../model/model-index.js';
import { parseRestBody } from './formats/body.js';
import { encodeRestResponse } from './formats/encode.js';
import { responseFormat } from './formats/negotiate.js';
import { isTrueWord, Params } from './params.js';
import { checkComponent } from './access.js';
import { tableHandler } from './records/handler.js';
import { routineHandler } from './routines/handler.js';
import { schemaHandler, serviceList, serviceRootHandler, tableListHandler } from './schema/handlers.js';
import type { RestContext, RestRequest, RestResponse, Verb } from './types.js';
import type { SchemaAdmin } from '../runtime/schema-admin.js';
import { documentedScripts, scriptedServiceSpec } from '../docs/script-spec.js';
import type { ScriptScope } from '../scripts/operation.js';
import { aroundRestOperation, objectOf } from './event-scripts.js';
import { handleScripted, withScriptedServices } from './scripted.js';

/** The pseudo-service serving OpenAPI documents (`/api/v2/api_docs/{service}`). */
export const API_DOCS = 'api_docs';
const PREFIX = /^\/api(?:\/v[0-9.]+)?(?=\/|$)/i;
const VERBS = new Set<Verb>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const OVERRIDE_HEADERS = ['x-http-method', 'x-method-override', 'x-http-method-override'];

export function isRestPath(pathname: string): boolean {
  return PREFIX.test(pathname);
}

export interface RestDeps {
  index: ModelIndex;
  sourceOf: (service: string) => DataSource;
  stats: ExecStats;
  log: (message: string) => void;
  auth: Authenticator;
  /** Absent: DEFAULT_LIMITS.rest. */
  limits?: RestLimits;
  /** The request's principal as the server resolved it (once per request); absent: resolved here. */
  principal?: () => Promise<Principal>;
  /** The request id (also sent as X-Request-Id) and client address of the audit lines. */
  audit?: { requestId: string; client: string };
  /** Writes the audit entry of a refusal (structured); without it the `denied:` line goes to `log`. */
  deny?: (denied: DeniedRequest) => void;
  /**
   * Counts this request's failed authentication for the brute-force guard (at most once per request);
   * resolves to the seconds the client is now blocked for, or null.
   */
  failedAuthentication?: () => Promise<number | null>;
  /** Schema writes through `_schema` (the running model's admin); absent: `_schema` is read-only. */
  schemaAdmin?: SchemaAdmin;
  /** Event scripts and scripted services (src/scripts); absent: none. */
  scripts?: ScriptScope;
}

/**
 * One API call from a script, in-process: the routed answer, or the ApiError it failed with (the caller
 * decides how to report it). Credentials are the caller's principal, never read from the request.
 */
export async function routeInternal(request: Request, url: URL, deps: RestDeps): Promise<RestResponse> {
  return applyWrap(await route(request, url, deps, { principal: null }), url, request.headers);
}

export async function handleRest(request: Request, url: URL, deps: RestDeps): Promise<Response> {
  const accept = url.searchParams.get('accept');
  const format = responseFormat(accept, request.headers.get('accept'));
  const seen: Seen = { principal: null };
  try {
    const response = applyWrap(await route(request, url, deps, seen), url, request.headers);
    if (format === null)
      throw new ApiError(
        'BAD_REQUEST',
        'Content in response can not be resolved to acceptable content type.',
      );
    return encodeRestResponse(response, format, url.searchParams.get('file'), downloadName(url));
  } catch (caught) {
    let error = caught;
    let headers: Record<string, string> | undefined;
    // A wrong login, key or token counts for the brute-force guard; the one that goes over the limit gets 429.
    const blocked = isFailedAuthentication(error) ? await deps.failedAuthentication?.() : null;
    if (typeof blocked === 'number') {
      error = authenticationBlocked(blocked);
      headers = { 'retry-after': String(blocked) };
    }
    if (error instanceof ApiError && (error.family === 'auth' || headers !== undefined)) {
      // Audit: every denied request, with its id, who asked and why; keys, tokens and passwords never.
      const { requestId, client } = deps.audit ?? {
        requestId: requestIdOf(request.headers),
        client: 'unknown',
      };
      const denied = {
        requestId,
        client,
        principal: seen.principal,
        method: request.method,
        path: url.pathname,
        ...refusal(error),
      };
      if (deps.deny) deps.deny(denied);
      else deps.log(deniedLine(denied));
    }
    const { status, body } = encodeDfError(error, deps.log);
    // 503 while a database is down or busy: tell the client when to come back.
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== null) headers = { ...headers, 'retry-after': String(retryAfter) };
    return encodeRestResponse({ status, body, headers }, format ?? 'json', null);
  }
}

/** What route() learnt before it failed: the audit line names the principal when there was one. */
interface Seen {
  principal: Principal | null;
}

/** The decoded segments after `/api/v{n}`: `/api/v2//chinook/_table/` → `['chinook', '_table']`. */
function pathSegments(pathname: string): string[] {
  return pathname
    .replace(PREFIX, '')
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment);
}

/** Whether `pathname` is the login endpoint (`user/session`) exactly as route() will read it. */
export function isUserSessionUrl(auth: Authenticator, pathname: string): boolean {
  if (!isRestPath(pathname)) return false;
  try {
    return isUserSessionPath(auth, pathSegments(pathname));
  } catch {
    return false;
  }
}

async function route(request: Request, url: URL, deps: RestDeps, seen: Seen): Promise<RestResponse> {
  const segments = pathSegments(url.pathname);
  const verb = effectiveVerb(request, url);
  // DreamFactory's login endpoint (`user/session`) is the auth stage's, answered before any service lookup.
  const resolve = async () => {
    seen.principal = await (deps.principal?.() ?? deps.auth.resolve(request.headers, url.searchParams));
    return seen.principal;
  };
  if (isUserSessionPath(deps.auth, segments))
    return handleUserSession(deps.auth, verb, request, url.searchParams, resolve);
  // Credentials are checked before anything else, on every path (compat §10.2).
  const principal = await resolve();
  const [serviceName, resource, ...rest] = segments;
  if (serviceName === undefined) {
    if (verb !== 'GET') throw new ApiError('METHOD_NOT_ALLOWED', `${verb} is not allowed here.`);
    return { status: 200, body: withScriptedServices(serviceList(deps.index), deps.scripts) };
  }
  // OpenAPI documents (src/docs): the role's view of a service, for Swagger UI and code generators.
  if (serviceName.toLowerCase() === API_DOCS) {
    if (verb !== 'GET') throw new ApiError('METHOD_NOT_ALLOWED', `${verb} is not allowed here.`);
    if (resource === undefined)
      return { status: 200, body: apiDocsList(deps.index, principal, deps.scripts) };
    const scriptedDocs = deps.scripts?.host.service(resource.toLowerCase());
    if (scriptedDocs) return { status: 200, body: scriptedServiceSpec(scriptedDocs, principal, deps.auth) };
    return { status: 200, body: serviceSpec(deps.index.model, resource, principal, deps.auth) };
  }
  const limits = deps.limits ?? DEFAULT_LIMITS.rest;
  const readBody = async () => {
    const parsed =
      verb === 'GET' && request.method === 'GET'
        ? undefined
        : await parseRestBody(request, limits.maxBodyBytes);
    if (jsonDepthExceeds(parsed, limits.maxJsonDepth))
      throw new ApiError('BAD_REQUEST', `Request body is nested deeper than ${limits.maxJsonDepth} levels.`);
    return parsed;
  };
  const scripted = deps.scripts?.host.service(serviceName.toLowerCase());
  if (scripted && deps.scripts) {
    const call = { verb, query: url.searchParams, headers: request.headers, principal };
    const path = resource === undefined ? [] : [resource, ...rest];
    return handleScripted(scripted, deps.scripts, { ...call, path, body: await readBody() });
  }
  const service = deps.index.findService(serviceName.toLowerCase());
  if (!service) throw new ApiError('NOT_FOUND', `Could not find a service for ${serviceName.toLowerCase()}`);
  const tableRequest = resource === '_table' && rest.length > 0;
  const body = await readBody();
  const restRequest: RestRequest = {
    verb,
    service,
    path: resource === undefined ? [] : [resource, ...rest],
    params: new Params(url.searchParams, objectOf(body), tableRequest),
    body,
    headers: request.headers,
  };
  const ctx: RestContext = {
    index: deps.index,
    request: restRequest,
    principal,
    exec: { ...createExecContext(deps.index, deps.sourceOf, principal), stats: deps.stats },
    limits,
    log: deps.log,
    schemaAdmin: deps.schemaAdmin,
  };
  if (resource === '_spec') {
    if (verb !== 'GET') throw new ApiError('METHOD_NOT_ALLOWED', `${verb} is not allowed here.`);
    return { status: 200, body: serviceSpec(deps.index.model, service.name, principal, deps.auth) };
  }
  checkComponent(ctx);
  if (resource === undefined) return serviceRootHandler(ctx);
  // Event scripts see (and may change) the request and the answer; without scripts this is dispatch(ctx).
  return aroundRestOperation(deps.scripts, ctx, url.searchParams, tableRequest, dispatch);
}

/** The handler of a service's resource (`_table`, `_schema`, `_proc`, …). */
function dispatch(ctx: RestContext): Promise<RestResponse> {
  const { service, path } = ctx.request;
  const [resource, ...rest] = path;
  switch (resource) {
    case '_table':
      return rest.length === 0 ? tableListHandler(ctx) : tableHandler(ctx);
    case '_schema':
      return schemaHandler(ctx);
    case '_proc':
    case '_func':
      // SQLite and MongoDB have no routines: DreamFactory does not offer the resource there (§11.4).
      if (service.type === 'postgres' || service.type === 'mysql') return routineHandler(ctx);
      break;
  }
  throw new ApiError('NOT_FOUND', `Resource '${resource}' not found for service '${service.name}'.`);
}

/** `GET /api/v2/api_docs`: the services the caller has documents for, with their addresses. */
function apiDocsList(index: ModelIndex, principal: Principal, scripts: ScriptScope | undefined) {
  const scripted = documentedScripts(scripts?.host.services() ?? [], principal).map((s) => s.config.name);
  return {
    resource: [...documentedServices(index.model, principal), ...scripted].map((name) => ({
      name,
      url: `/api/v2/${API_DOCS}/${encodeURIComponent(name)}`,
    })),
  };
}

/**
 * `wrap=false` (query or header; DF ≥ 2020) sends a list bare instead of `{"resource":[…]}`. A body with
 * `meta` keeps its wrapper (compat §12: DF's numeric-keys object is not emulated).
 */
function applyWrap(response: RestResponse, url: URL, headers: Headers): RestResponse {
  const wrap = url.searchParams.get('wrap') ?? headers.get('wrap');
  if (wrap === null || isTrueWord(wrap) || response.status >= 400) return response;
  const body = response.body as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return response;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'resource' || !Array.isArray(body.resource)) return response;
  return { ...response, body: body.resource };
}

/** `file=true` names the download after the resource path, as DF does: `_table/Album` → `_table/Album.json`. */
function downloadName(url: URL): string {
  const [, ...resource] = url.pathname
    .replace(PREFIX, '')
    .split('/')
    .filter((s) => s !== '');
  return resource.length > 0 ? resource.map(decodeSegment).join('/') : 'download';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('BAD_REQUEST', 'Malformed percent-encoding in the request path.');
  }
}

/** POST may tunnel another verb (header, `?method=` or `_method`); other verbs never change (compat §2.1). */
function effectiveVerb(request: Request, url: URL): Verb {
  let verb = request.method.toUpperCase();
  if (verb === 'POST') {
    const override =
      OVERRIDE_HEADERS.map((h) => request.headers.get(h)).find((v) => v) ??
      url.searchParams.get('method') ??
      url.searchParams.get('_method');
    if (override) verb = override.trim().toUpperCase() === 'MERGE' ? 'PATCH' : override.trim().toUpperCase();
  }
  if (verb === 'HEAD') verb = 'GET';
  if (!VERBS.has(verb as Verb))
    throw new ApiError('METHOD_NOT_ALLOWED', `The ${verb} method is not supported.`);
  return verb as Verb;
}
