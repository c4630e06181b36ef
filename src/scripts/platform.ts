// The `platform` object a script gets: internal API calls (in-process, as the caller or the script's role),
// the principal without credentials, `scripts.settings`, a logger naming the script, its abort signal.
import type { Principal, RoleConfig } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { RestResponse, Verb } from '../rest/types.js';
import { ScriptRejection } from './run-script.js';
import {
  RESPONSE,
  type ApiCallOptions,
  type ApiResponse,
  type Platform,
  type ScriptPrincipal,
  type ScriptResponse,
} from './types.js';

/** One internal REST call: what the API router needs, without an HTTP request. */
export interface InternalRequest {
  method: Verb;
  /** `crm/_table/names`, optionally with `?query`. */
  path: string;
  params?: Record<string, string | number | boolean>;
  payload?: unknown;
  headers?: Record<string, string>;
}

export type InternalCall = (request: InternalRequest, principal: Principal) => Promise<RestResponse>;

export interface PlatformOptions {
  call: InternalCall;
  /** Who the request runs as. */
  principal: Principal;
  /** The script's configured role, when its calls run as that role instead. */
  runAs: Principal | null;
  settings: Record<string, unknown>;
  logger: Logger;
  /** What log lines name: the module and the event. */
  script: { module: string; event: string };
  signal: AbortSignal;
}

export function createPlatform(options: PlatformOptions): Platform {
  const { signal } = options;
  const callAs = options.runAs ?? options.principal;
  const call = async (request: InternalRequest): Promise<ApiResponse> => {
    // A run that ended (or timed out) must not write anything more.
    if (signal.aborted)
      throw new ApiError('SCRIPT_TIMEOUT', `The script for ${options.script.event} has already ended.`);
    const response = await options.call(request, callAs);
    return { status: response.status, content: response.body, headers: response.headers ?? {} };
  };
  const log = options.logger.child({ script: options.script.module, scriptEvent: options.script.event });
  const write = (level: 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) =>
    log[level]({ ...(data ?? {}) }, `script ${options.script.module}: ${message}`);
  return {
    api: {
      get: (path, opts) => call(request('GET', path, undefined, opts)),
      post: (path, payload, opts) => call(request('POST', path, payload, opts)),
      put: (path, payload, opts) => call(request('PUT', path, payload, opts)),
      patch: (path, payload, opts) => call(request('PATCH', path, payload, opts)),
      delete: (path, opts) => call(request('DELETE', path, opts?.payload, opts)),
    },
    principal: describe(options.principal),
    config: Object.freeze({ ...options.settings }),
    log: { info: write('info'), warn: write('warn'), error: write('error') },
    signal,
    reject(status, message) {
      throw new ScriptRejection(status, message);
    },
    response(content, status = 200, headers = {}) {
      return { [RESPONSE]: true, status, content, headers } satisfies ScriptResponse;
    },
  };
}

function request(
  method: Verb,
  path: string,
  payload: unknown,
  options: ApiCallOptions | undefined,
): InternalRequest {
  return {
    method,
    path,
    ...(options?.params && { params: options.params }),
    ...(payload !== undefined && { payload }),
    ...(options?.headers && { headers: options.headers }),
  };
}

/** The principal as scripts see it: names only, never a key, token or session id. */
export function describe(principal: Principal): ScriptPrincipal {
  if (principal.kind === 'open') return { kind: 'open', role: null, app: null, user: null };
  const user =
    principal.kind === 'app'
      ? null
      : { id: principal.user.id, email: principal.user.email, name: principal.user.name };
  return { kind: principal.kind, role: principal.role.name, app: principal.app?.name ?? null, user };
}

/** The principal a script with `role:` calls the API as. */
export function rolePrincipal(role: RoleConfig, module: string): Principal {
  return {
    kind: 'app',
    app: { name: `script:${module}`, description: null, active: true, role: role.name, apiKeyHash: '' },
    role,
  };
}
