// What a script sees: the event it runs for, and the platform object (internal API calls, the principal,
// config values, a logger). Scripts may import these types type-only (the examples in examples/scripts do).

export type EventVerb = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation on its way through Junction, as an event script sees it (DreamFactory's `event`). */
export interface ScriptEvent {
  /** `chinook._table.Album.get.pre_process` */
  name: string;
  /** Which API the operation came through: the same hooks run for both. */
  api: 'rest' | 'graphql';
  service: string;
  /** The path after the service: `_table/Album`, `_table/Album/5`, `_proc/refresh`. */
  resource: string;
  /** The table a `_table` operation works on, else null. */
  table: string | null;
  /** A single-record REST call's id (`_table/Album/5` → `5`), else null. */
  id: string | null;
  verb: EventVerb;
  /** pre_process may change `parameters` and `payload`; the operation runs with what it leaves there. */
  request: {
    method: string;
    /**
     * REST: the query parameters (strings, DreamFactory's names). GraphQL: the field's arguments, except the
     * record data, which is in `payload`.
     */
    parameters: Record<string, unknown>;
    /** Records are `{ resource: [ { Column: value } ] }` keyed by column name in both APIs; null on reads. */
    payload: unknown;
    headers: Record<string, string>;
  };
  /** post_process only: what the operation answers; change `content` to change the answer. */
  response: { status_code: number; content: unknown } | null;
}

/** An internal API call's answer (`platform.api.get(...)`): a 4xx/5xx answer is thrown as ScriptApiError. */
export interface ApiResponse {
  status: number;
  content: unknown;
  headers: Record<string, string>;
}

export interface ApiCallOptions {
  /** Query parameters: `{ filter: 'Name like "A%"', limit: 5 }`. */
  params?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
}

/** Any Junction REST endpoint, called in-process: `api.get('crm/_table/names')` (no `/api/v2/` prefix). */
export interface PlatformApi {
  get(path: string, options?: ApiCallOptions): Promise<ApiResponse>;
  post(path: string, payload?: unknown, options?: ApiCallOptions): Promise<ApiResponse>;
  put(path: string, payload?: unknown, options?: ApiCallOptions): Promise<ApiResponse>;
  patch(path: string, payload?: unknown, options?: ApiCallOptions): Promise<ApiResponse>;
  delete(path: string, options?: ApiCallOptions & { payload?: unknown }): Promise<ApiResponse>;
}

/** Who the request runs as (DreamFactory's `platform.session`), without any credential. */
export interface ScriptPrincipal {
  kind: 'open' | 'app' | 'user' | 'external';
  role: string | null;
  app: string | null;
  user: { id: number | string | null; email: string | null; name: string | null } | null;
}

export interface ScriptLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface Platform {
  api: PlatformApi;
  principal: ScriptPrincipal;
  /** `scripts.settings` from the config. */
  config: Readonly<Record<string, unknown>>;
  log: ScriptLogger;
  /** Aborted when the script's time limit passes (hand it to fetch and the like). */
  signal: AbortSignal;
  /** Stops the request with this status (400, 401, 403, 404, 409 or 422; others answer 400) and message. */
  reject(status: number, message: string): never;
  /** A scripted service's answer with a status or headers of its own (a plain return value answers 200). */
  response(content: unknown, status?: number, headers?: Record<string, string>): ScriptResponse;
}

export interface ScriptResponse {
  readonly [RESPONSE]: true;
  status: number;
  content: unknown;
  headers: Record<string, string>;
}

export const RESPONSE: unique symbol = Symbol('junction.script.response');

/** A scripted service's request (`/api/v2/{service}/{path}`). */
export interface ScriptRequest {
  method: EventVerb;
  /** The path after the service, `''` for the service root: `employees/5`. */
  path: string;
  segments: string[];
  parameters: Record<string, string>;
  payload: unknown;
  headers: Record<string, string>;
}

/** The default export of an event script module. */
export type EventScript = (event: ScriptEvent, platform: Platform) => unknown;

/** The default export of a scripted service module. */
export type ServiceScript = (request: ScriptRequest, platform: Platform) => unknown;
