// The REST layer's request and response forms. A handler gets a RestRequest (method override applied, path
// split after the service, parameters with DreamFactory's aliases and body fallbacks) and returns a
// RestResponse whose body is a plain value; encoders turn it into JSON, XML or CSV.
import type { Principal } from '../auth/types.js';
import type { RestLimits } from '../config/types.js';
import type { ExecContext } from '../executor/context.js';
import type { ModelIndex } from '../model/model-index.js';
import type { ServiceModel } from '../model/types.js';
import type { SchemaAdmin } from '../runtime/schema-admin.js';
import type { Params } from './params.js';

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  /** After method override (POST + X-HTTP-Method), upper-case; `MERGE` arrives as PATCH. */
  verb: Verb;
  service: ServiceModel;
  /** Path segments after the service, URL-decoded, trailing empty ones removed: `['_table', 'Album', '1']`. */
  path: string[];
  params: Params;
  /** The parsed body (JSON, form, CSV or XML), or undefined when there is none. */
  body: unknown;
  headers: Headers;
}

export interface RestResponse {
  status: number;
  /** A plain value: object, array, number (count_only) or string. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface RestContext {
  index: ModelIndex;
  request: RestRequest;
  /** Who the request runs as (the authorize stage reads it). */
  principal: Principal;
  /** The executor state of this request (statement counter, loaders). */
  exec: ExecContext;
  /** The server's REST limits; absent (handlers called directly): DEFAULT_LIMITS.rest. */
  limits?: RestLimits;
  /** The server's log (driver errors a client never sees); absent: nothing is logged. */
  log?: (message: string) => void;
  /** Schema writes (`POST/PUT/PATCH/DELETE /_schema`); absent: `_schema` is read-only. */
  schemaAdmin?: SchemaAdmin;
}

export type RestHandler = (ctx: RestContext) => Promise<RestResponse>;
