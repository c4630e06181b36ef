// Runtime → one HTTP server (graphql-yoga on node:http): GraphQL at /graphql with GraphiQL, plus the plain
// routes of routes.ts. The GraphQL schema is rebuilt whenever the runtime swaps its model.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin } from 'graphql-yoga';
import { Authenticator } from '../auth/principal.js';
import type { Principal } from '../auth/types.js';
import { encodeGraphqlError } from '../errors/encode-graphql.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import type { GraphqlContext } from '../graphql/resolvers.js';
import { exampleQuery } from '../graphql/schema.js';
import type { ModelIndex } from '../model/model-index.js';
import { handleRest, isRestPath } from '../rest/router.js';
import type { Runtime } from '../runtime/runtime.js';
import { refuseWithoutCredentials, SchemaRegistry } from './graphql-schemas.js';
import { limitsOf } from '../config/limits-schema.js';
import type { RestLimits } from '../config/types.js';
import { guardSource, limitPlugins } from './limits.js';
import { routesPlugin } from './routes.js';

export interface JunctionServer {
  /** The address actually bound (port 0 picks a free one). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
  readonly http: Server;
  /** Answers one request in-process, without a socket (tests, benchmarks, internal calls). */
  fetch(request: Request): Promise<Response>;
}

export const STATEMENTS_HEADER = 'x-junction-sql-statements';
const MAX_HEADER_BYTES = 320 * 1024;

export function createJunctionServer(
  runtime: Runtime,
  log: (message: string) => void = console.error,
): JunctionServer {
  const limits = limitsOf(runtime.config);
  const sourceOf = (service: string) =>
    guardSource(runtime.sources.get(service).data, limits.rows.maxPerResponse);
  // One index and one set of schemas per model version; a request keeps the ones it started with.
  const schemas = new SchemaRegistry(runtime.current.model, sourceOf);
  runtime.onReload((next) => schemas.reload(next.model));
  const auth = new Authenticator(runtime.config.auth);
  const principals = new WeakMap<Request, Principal | ApiError>();
  const principalFor = (request: Request) => {
    let principal = principals.get(request);
    if (principal === undefined) {
      principal = principalOrError(auth, request);
      principals.set(request, principal);
    }
    return principal;
  };
  const stats = new WeakMap<Request, ExecStats>();
  const statsFor = (request: Request) => {
    const counter = { statements: 0 };
    stats.set(request, counter);
    return counter;
  };
  const yoga = createYoga<object, GraphqlContext>({
    schema: ({ request }) => schemas.schemaFor(principalFor(request)),
    graphqlEndpoint: '/graphql',
    // routes.ts answers /health with a JSON body; yoga's own check would answer first with an empty one.
    healthCheckEndpoint: '/graphql/health',
    landingPage: false,
    batching: { limit: limits.graphql.maxBatch },
    maxRequestBodySize: limits.rest.maxBodyBytes,
    graphiql: () => ({ title: 'Junction GraphiQL', defaultQuery: exampleQuery(runtime.current.model) }),
    context: ({ request, params }) => {
      return {
        stats: statsFor(request),
        rawVariables: (params.variables as Record<string, unknown> | undefined) ?? null,
        principal: principalFor(request),
      };
    },
    maskedErrors: { maskError: (error) => encodeGraphqlError(error, log) },
    plugins: [
      ...limitPlugins(limits, principalFor, log),
      routesPlugin(runtime, log),
      refuseWithoutCredentials('/graphql', principalFor),
      restPlugin(() => schemas.index, sourceOf, statsFor, log, auth, limits.rest),
      statementsHeader(stats),
    ],
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args) => log(args.join(' ')),
      error: (...args) => log(args.join(' ')),
    },
  });
  // Legacy REST clients put whole filters in the URL; the filter grammar allows 100,000 characters, which
  // Node's default 16 KiB header limit would refuse before Junction could answer in DreamFactory's format.
  const http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, yoga);
  return {
    http,
    fetch: async (request) => yoga.fetch(request),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve(http.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      }),
  };
}

/** The DreamFactory-compatible REST API under /api (see src/rest/router.ts). */
function restPlugin(
  index: () => ModelIndex,
  sourceOf: (service: string) => DataSource,
  statsFor: (request: Request) => ExecStats,
  log: (message: string) => void,
  auth: Authenticator,
  limits: RestLimits,
): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (!isRestPath(url.pathname)) return;
      const deps = { index: index(), sourceOf, stats: statsFor(request), log, auth, limits };
      endResponse(await handleRest(request, url, deps));
    },
  };
}

/** The GraphQL request's principal; a credential problem is kept and raised by the first resolver. */
function principalOrError(auth: Authenticator, request: Request): Principal | ApiError {
  try {
    return auth.resolve(request.headers, new URL(request.url).searchParams);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

/** Reports how many SQL statements a request ran (the N+1 guard and the benchmark read it). */
function statementsHeader(stats: WeakMap<Request, ExecStats>): Plugin {
  return {
    onResponse({ request, response }) {
      const counter = stats.get(request);
      if (counter) response.headers.set(STATEMENTS_HEADER, String(counter.statements));
    },
  };
}
