// (model, service, principal) → that service's OpenAPI document as the principal may use it: built from the
// role's view of the model (auth/role-view), so tables, columns, write verbs, `_schema` changes and routines
// the role cannot use are not in it. Served at `/api/v2/{service}/_spec` and `/api/v2/api_docs/{service}`
// (rest/router.ts).
import { denied } from '../auth/authorize.js';
import { roleView } from '../auth/role-view.js';
import { isAllowed } from '../auth/roles.js';
import type { AccessVerb, Principal } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { DataModel } from '../model/types.js';
import { openApiDocument } from './openapi.js';

export const SPEC_VERSION = '2.0';

export interface SpecAuth {
  open: boolean;
  apiKeyInQuery: boolean;
  /** Session tokens are accepted (local users or an identity provider): `/api/v2/user/session` is served. */
  acceptsTokens?: boolean;
  /** Local users (null: none), who log in with POST `user/session`. */
  users?: object | null;
  /** A session token alone is not enough: the app's key must come too (also on login). */
  requiresApiKey?: boolean;
}

/** The names of the services the principal can see something of (the Swagger UI picker). */
export function documentedServices(model: DataModel, principal: Principal): string[] {
  const view = principal.kind === 'open' ? model : roleView(model, principal.role);
  return view.services.map((s) => s.name);
}

export function serviceSpec(
  model: DataModel,
  serviceName: string,
  principal: Principal,
  auth: SpecAuth,
): Record<string, unknown> {
  const name = serviceName.toLowerCase();
  if (!model.services.some((s) => s.name === name))
    throw new ApiError('NOT_FOUND', `Could not find a service for ${name}`);
  const view = principal.kind === 'open' ? model : roleView(model, principal.role);
  const service = view.services.find((s) => s.name === name);
  if (!service) throw denied(principal, 'GET', name, '_spec');
  const schemaAccess =
    principal.kind === 'open'
      ? undefined
      : (component: string, verb: AccessVerb = 'GET') => isAllowed(principal.role, name, component, verb);
  return openApiDocument(service, {
    version: SPEC_VERSION,
    open: auth.open,
    apiKeyInQuery: auth.apiKeyInQuery,
    schemaAccess,
    sessions: auth.acceptsTokens
      ? { login: auth.users != null, keyRequired: (auth.requiresApiKey ?? true) && !auth.open }
      : undefined,
  });
}
