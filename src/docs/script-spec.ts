// A scripted service's OpenAPI document: the paths (and components) its module declares in an `openapi`
// export, relative to the service (`/`, `/{id}`), under Junction's usual info, server and security.
import type { Principal } from '../auth/types.js';
import { denied } from '../auth/authorize.js';
import { allowedVerbs } from '../auth/roles.js';
import type { LoadedService } from '../scripts/host.js';
import { securityOf } from './openapi.js';
import { SPEC_VERSION, type SpecAuth } from './service-spec.js';

type Json = Record<string, unknown>;

/** The scripted services the principal may call (and so has documents for): any verb on the service. */
export function documentedScripts(services: LoadedService[], principal: Principal): LoadedService[] {
  return services.filter(
    (s) => principal.kind === 'open' || allowedVerbs(principal.role, s.config.name, '').size > 0,
  );
}

export function scriptedServiceSpec(service: LoadedService, principal: Principal, auth: SpecAuth): Json {
  const { name, label, description } = service.config;
  if (documentedScripts([service], principal).length === 0) throw denied(principal, 'GET', name, '_spec');
  const declared = objectOr(service.module.exports.openapi);
  const { securitySchemes, security } = securityOf(auth);
  return {
    openapi: '3.1.0',
    info: {
      title: `${label ?? name} — ${name} (script)`,
      version: SPEC_VERSION,
      description:
        (description ? `${description}\n\n` : '') +
        `Scripted service \`${name}\`, answered by the module ${service.module.name}. ` +
        (Object.keys(objectOr(declared.paths)).length > 0
          ? 'Its paths are as the module declares them.'
          : 'The module declares no paths (an `openapi` export with `paths` documents them).'),
    },
    servers: [{ url: `/api/v2/${encodeURIComponent(name)}` }],
    security,
    paths: objectOr(declared.paths),
    components: { ...objectOr(declared.components), securitySchemes },
  };
}

function objectOr(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
