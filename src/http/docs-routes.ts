// The documentation pages: the landing page at `/`, Swagger UI at `/api/v2/api_docs` (a browser asking for
// HTML; JSON clients get the list of OpenAPI documents from the REST router) and its assets. Both list the
// scripted services the caller may call next to the database services.
import type { Plugin } from 'graphql-yoga';
import { roleView } from '../auth/role-view.js';
import type { Principal } from '../auth/types.js';
import { landingPage, type ScriptedEntry } from '../docs/landing.js';
import { documentedScripts } from '../docs/script-spec.js';
import { documentedServices } from '../docs/service-spec.js';
import { SWAGGER_ASSETS, swaggerAsset, swaggerPage } from '../docs/swagger-ui.js';
import { ApiError } from '../errors/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { LoadedService } from '../scripts/host.js';

const SWAGGER_PAGE = /^\/api(?:\/v[0-9.]+)?\/api_docs\/?$/i;
const PROBE_MS = 2000;

export function docsPlugin(
  runtime: Runtime,
  principalFor: (request: Request) => Principal | ApiError,
  /** The scripted services loaded now (the ScriptHost's); absent: none. */
  scripts: () => LoadedService[] = () => [],
): Plugin {
  const scriptedFor = (principal: Principal | ApiError): ScriptedEntry[] | null =>
    principal instanceof ApiError
      ? null
      : documentedScripts(scripts(), principal).map(({ config }) => ({
          name: config.name,
          label: config.label,
          description: config.description,
        }));
  return {
    async onRequest({ request, url, endResponse }) {
      const { pathname } = url;
      const get = request.method === 'GET' || request.method === 'HEAD';
      if (pathname === '/' && get) {
        const principal = principalFor(request);
        endResponse(html(await landing(runtime, principal, scriptedFor(principal))));
      } else if (SWAGGER_PAGE.test(pathname) && get && wantsHtml(request)) {
        const principal = principalFor(request);
        const services =
          principal instanceof ApiError ? [] : documentedServices(runtime.current.model, principal);
        const scripted = (scriptedFor(principal) ?? []).map((s) => s.name);
        endResponse(html(swaggerPage([...services, ...scripted])));
      } else if (pathname.startsWith(SWAGGER_ASSETS) && get) {
        const asset = swaggerAsset(pathname.slice(SWAGGER_ASSETS.length));
        endResponse(
          asset
            ? new Response(asset.body, {
                headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' },
              })
            : new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } }),
        );
      }
    },
  };
}

function wantsHtml(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/html');
}

function html(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

async function landing(
  runtime: Runtime,
  principal: Principal | ApiError,
  scripted: ScriptedEntry[] | null,
): Promise<string> {
  const { model, version, loadedAt } = runtime.current;
  const health = await Promise.all(
    runtime.config.services.map(async (service) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), PROBE_MS);
      });
      try {
        await Promise.race([runtime.sources.get(service.name).probe(), timeout]);
        return { service: service.name, type: service.type, ok: true };
      } catch {
        return { service: service.name, type: service.type, ok: false };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const view =
    principal instanceof ApiError
      ? null
      : principal.kind === 'open'
        ? model
        : roleView(model, principal.role);
  const caller =
    principal instanceof ApiError
      ? 'anonymous'
      : principal.kind === 'open'
        ? 'open server (no access control)'
        : `role ${principal.role.name}`;
  return landingPage({ model: view, scripted: scripted ?? [], health, version, loadedAt, caller });
}
