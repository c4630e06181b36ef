// Runtime → one HTTP server (graphql-yoga on node:http): GraphQL at /graphql with GraphiQL, plus the plain
// routes of routes.ts. The GraphQL schema is rebuilt whenever the runtime swaps its model.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin } from 'graphql-yoga';
import {
  deniedLine,
  deniedRecord,
  refusal,
  REQUEST_ID_HEADER,
  requestIdOf,
  type DeniedRequest,
} from '../auth/audit.js';
import { authenticationBlocked, isFailedAuthentication } from '../auth/failures.js';
import { Authenticator } from '../auth/principal.js';
import type { Principal } from '../auth/types.js';
import { ERROR_CODES, type ErrorCode } from '../errors/catalogue.js';
import { encodeGraphqlError } from '../errors/encode-graphql.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import type { GraphqlContext } from '../graphql/resolvers.js';
import { exampleQuery } from '../graphql/schema.js';
import type { ModelIndex } from '../model/model-index.js';
import { handleRest, isRestPath, isUserSessionUrl, type RestDeps } from '../rest/router.js';
import { createSchemaAdmin } from '../runtime/schema-admin.js';
import type { Runtime } from '../runtime/runtime.js';
import { refuseWithoutCredentials, SchemaRegistry } from './graphql-schemas.js';
import { limitsOf } from '../config/limits-schema.js';
import type { RestLimits } from '../config/types.js';
import {
  authenticationBlockedResponse,
  clientAddress,
  createAuthFailureGuard,
  createCounterStore,
  guardSource,
  limitPlugins,
  rateLimitPlugin,
  UNLIMITED_PATHS,
  type AuthFailureGuard,
} from './limits.js';
import { docsPlugin } from './docs-routes.js';
import { routesPlugin } from './routes.js';
import { retryAfterPlugin } from './respond.js';
import { httpCachingPlugin } from '../cache/http.js';
import { createResultCache } from '../cache/result-cache.js';
import { cacheDirective } from '../cache/scope.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { observabilityOf } from '../config/observability-schema.js';
import { createLogger, legacyLog, type LogSink, type Logger } from '../observability/logger.js';
import { sourceStatus, watchSources } from '../observability/metrics.js';
import { currentRequestId, runInRequest } from '../observability/request-scope.js';
import { scriptsOf } from '../config/scripts-schema.js';
import { ScriptHost } from '../scripts/host.js';
import { scriptScopeFor } from './script-calls.js';
import { createTracing } from '../observability/tracing.js';
import { createQueryLog } from '../observability/query-log.js';
import { metricsPlugin } from './metrics-route.js';
import { observePlugin } from './observe-plugin.js';

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

/** How a server logs and traces: a logger made by the caller (the CLI), and a span exporter (tests). */
export interface ServerObservability {
  /** Default: JSON lines (or text, per config) on stderr. */
  logger?: Logger;
  /** Replaces the OTLP exporter and turns tracing on (tests: InMemorySpanExporter). */
  spanExporter?: SpanExporter;
}

/**
 * `log` is either a sink that gets one readable text line per log entry (tests read these), or the logger and
 * span exporter to use; the config's observability section decides the rest.
 */
export function createJunctionServer(
  runtime: Runtime,
  log: LogSink | ServerObservability = {},
): JunctionServer {
  const observability = observabilityOf(runtime.config);
  const logger =
    typeof log === 'function'
      ? createLogger({ ...observability.logs, format: 'text' }, log)
      : (log.logger ?? createLogger(observability.logs));
  const tracing = createTracing(
    observability.tracing,
    typeof log === 'function' ? undefined : log.spanExporter,
  );
  const logLine = legacyLog(logger);
  // Off unless configured: then every statement (and each event script, through queryLog.hook) gets a line.
  const queryLog = createQueryLog(observability.queryLog, logger);
  const limits = limitsOf(runtime.config);
  // Data retrieval caching (src/cache): under the row guard, so cached rows count against its cap too.
  const results = createResultCache(runtime, logLine);
  const sourceOf = (service: string) =>
    guardSource(results.wrap(service, runtime.sources.get(service).data), limits.rows.maxPerResponse);
  // One index and one set of schemas per model version; a request keeps the ones it started with.
  const schemas = new SchemaRegistry(runtime.current.model, sourceOf);
  runtime.onReload((next) => schemas.reload(next.model));
  const auth = new Authenticator(runtime.config.auth, { services: runtime.config.services });
  // One counter store for the rate limit and the brute-force guard: memory, or Redis shared by replicas.
  const counting = limits.rateLimit.enabled || (limits.authFailures.enabled && !auth.open);
  const counters = createCounterStore(
    counting ? limits.rateLimit : { redisUrl: null, redisKeyPrefix: '' },
    logLine,
  );
  const guard = auth.open ? null : createAuthFailureGuard(limits.authFailures, counters, logLine);
  const requests = new RequestStates();
  const deny = (denied: DeniedRequest) => logger.warn(deniedRecord(denied), deniedLine(denied));
  // Resolved once per request by the authentication plugin, before anything reads it.
  const principalFor = (request: Request) =>
    requests.of(request).principal ?? new ApiError('INTERNAL', 'The credentials were not checked.');
  const audit = (request: Request, url: URL, error: ApiError) => {
    const state = requests.of(request);
    const principal = state.principal instanceof ApiError ? null : (state.principal ?? null);
    const { id: requestId, client } = state;
    deny({ requestId, client, principal, method: request.method, path: url.pathname, ...refusal(error) });
  };
  const stats = new WeakMap<Request, ExecStats>();
  const serviceNames = new Set(runtime.config.services.map((service) => service.name));
  const observed = observePlugin({
    logger,
    tracing,
    services: () => serviceNames,
    stateOf: (request) => requests.of(request),
    statementsOf: (request) => stats.get(request)?.statements ?? null,
  });
  // Pool and breaker gauges read this server's sources at scrape time.
  const unwatchSources = watchSources(() =>
    runtime.config.services.map(({ name }) => ({
      service: name,
      status: sourceStatus(runtime.sources.get(name)),
    })),
  );
  const statsFor = (request: Request) => {
    const state = requests.of(request);
    const counter = { statements: 0, request: state, cache: cacheDirective(request, state.principal) };
    stats.set(request, counter);
    return counter;
  };
  // Event scripts and scripted services (src/scripts): loaded before listening, again with every model reload.
  const schemaAdmin = createSchemaAdmin(runtime);
  const scriptHost = new ScriptHost(scriptsOf(runtime.config), runtime.config.auth.roles, logger, (run) =>
    queryLog.hook({
      event: run.event,
      script: run.module,
      durationMs: run.durationMs,
      outcome: run.outcome,
    }),
  );
  // Awaited by the reload, so POST /_admin/reload answers once the new scripts run.
  runtime.onReload(() =>
    scriptHost.reload().catch((error: unknown) => {
      logger.error({ err: error }, `scripts: reload failed, the previous scripts stay: ${String(error)}`);
    }),
  );
  const scriptScope = scriptScopeFor(scriptHost, (stats, principal) => ({
    index: schemas.index,
    sourceOf,
    stats,
    log: logLine,
    auth,
    limits: limits.rest,
    principal: () => Promise.resolve(principal),
    audit: { requestId: currentRequestId() ?? '-', client: 'script' },
    deny,
    schemaAdmin,
  }));
  const yoga = createYoga<object, GraphqlContext>({
    schema: ({ request }) => schemas.schemaFor(principalFor(request)),
    graphqlEndpoint: '/graphql',
    // routes.ts answers /health with a JSON body; yoga's own check would answer first with an empty one.
    healthCheckEndpoint: '/graphql/health',
    landingPage: false,
    batching: { limit: limits.graphql.maxBatch },
    maxRequestBodySize: limits.rest.maxBodyBytes,
    // GraphiQL's page with its assets inlined (no CDN: it works offline and behind strict egress rules).
    renderGraphiQL,
    graphiql: () => ({ title: 'Junction GraphiQL', defaultQuery: exampleQuery(runtime.current.model) }),
    context: ({ request, params }) => {
      const stats = statsFor(request);
      return {
        stats,
        scripts: scriptScope(stats),
        rawVariables: (params.variables as Record<string, unknown> | undefined) ?? null,
        principal: principalFor(request),
      };
    },
    maskedErrors: { maskError: (error) => encodeGraphqlError(error, logLine) },
    plugins: [
      requestIdPlugin(requests),
      observed.plugin,
      metricsPlugin(observability.metrics),
      authenticationPlugin(auth, guard, requests, audit, logLine),
      rateLimitPlugin(
        limits.rateLimit,
        counters,
        principalFor,
        (request) => requests.of(request).client,
        logLine,
      ),
      ...limitPlugins(limits),
      docsPlugin(runtime, principalFor, () => scriptHost.services()),
      routesPlugin(runtime, logLine),
      refuseWithoutCredentials('/graphql', principalFor, audit),
      restPlugin(() => schemas.index, sourceOf, statsFor, logLine, auth, limits.rest, requests, guard, deny, {
        schemaAdmin,
        scripts: scriptScope,
      }),
      httpCachingPlugin({ ttlSeconds: results.ttlSeconds, noStore: (path) => isUserSessionUrl(auth, path) }),
      statementsHeader(stats),
      retryAfterPlugin(),
      graphqlDenials(audit),
    ],
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args) => logLine(args.join(' ')),
      error: (...args) => logLine(args.join(' ')),
    },
  });
  // Legacy REST clients put whole filters in the URL; the filter grammar allows 100,000 characters, which
  // Node's default 16 KiB header limit would refuse before Junction could answer in DreamFactory's format.
  // Each request runs in its own scope, so whatever logs below it logs with its request id.
  const http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) =>
    runInRequest({}, () => yoga(req, res)),
  );
  return {
    http,
    fetch: async (request) => {
      await scriptHost.ready();
      return runInRequest({}, () => yoga.fetch(request));
    },
    async listen(port, host) {
      // With Redis, the first requests are counted there rather than let through while it connects.
      await Promise.all([counters.ready(), results.ready(), scriptHost.ready()]);
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve(http.address() as AddressInfo);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      // The Redis client and the system database's connections would otherwise keep the process alive.
      observed.close();
      queryLog.close();
      unwatchSources();
      await Promise.all([counters.close(), auth.close(), tracing?.shutdown(), results.close()]);
      logger.flush();
    },
  };
}

/** What the server knows about one request in flight: its id, its client, who it runs as. */
interface RequestState {
  id: string;
  client: string;
  principal?: Principal | ApiError;
  /** Its failed authentication has been counted (once per request). */
  counted?: boolean;
}

class RequestStates {
  private readonly states = new WeakMap<Request, RequestState>();

  start(request: Request, client: string): RequestState {
    const state = { id: requestIdOf(request.headers), client };
    this.states.set(request, state);
    return state;
  }

  /** A request that did not pass the request-id plugin (in-process fetch) gets its state now. */
  of(request: Request): RequestState {
    return this.states.get(request) ?? this.start(request, 'unknown');
  }
}

/** Every response carries the request id (the client's own X-Request-Id when it is a safe token). */
function requestIdPlugin(requests: RequestStates): Plugin {
  return {
    onRequest({ request, serverContext }) {
      requests.start(request, clientAddress(serverContext));
    },
    onResponse({ request, response }) {
      response.headers.set(REQUEST_ID_HEADER, requests.of(request).id);
    },
  };
}

/**
 * Resolves each request's principal once (API key, session token, Basic credentials), after the brute-force
 * guard: a blocked address that sends credentials is answered 429 without checking them, and a failed
 * authentication is counted, the one over the limit answered 429 too.
 */
function authenticationPlugin(
  auth: Authenticator,
  guard: AuthFailureGuard | null,
  requests: RequestStates,
  audit: (request: Request, url: URL, error: ApiError) => void,
  log: (message: string) => void,
): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (UNLIMITED_PATHS.has(url.pathname)) return;
      const state = requests.of(request);
      const refuse = (wait: number) => {
        const response = authenticationBlockedResponse(url, wait, log);
        audit(request, url, authenticationBlocked(wait));
        endResponse(response);
      };
      if (
        guard &&
        (auth.hasCredentials(request.headers, url.searchParams) || isUserSessionUrl(auth, url.pathname))
      ) {
        const wait = await guard.blocked(state.client);
        if (wait !== null) return refuse(wait);
      }
      state.principal = await principalOrError(auth, request);
      if (isFailedAuthentication(state.principal)) {
        const wait = await countFailure(guard, state);
        if (wait !== null) return refuse(wait);
      }
    },
  };
}

/** Counts the request's failed authentication once; the seconds its client is now blocked for, or null. */
async function countFailure(guard: AuthFailureGuard | null, state: RequestState): Promise<number | null> {
  if (!guard || state.counted) return null;
  state.counted = true;
  return guard.fail(state.client);
}

/** GraphQL answers with refusals (field errors of an auth code) are audited like REST ones. */
function graphqlDenials(audit: (request: Request, url: URL, error: ApiError) => void): Plugin {
  return {
    onResultProcess({ request, result }) {
      const results = Array.isArray(result) ? result : [result];
      const seen = new Set<string>();
      for (const one of results) {
        if (!one || Symbol.asyncIterator in one) continue;
        for (const error of one.errors ?? []) {
          const code = error.extensions?.code;
          if (typeof code !== 'string' || !(code in ERROR_CODES)) continue;
          if (ERROR_CODES[code as ErrorCode].family !== 'auth' || seen.has(error.message)) continue;
          seen.add(error.message);
          audit(request, new URL(request.url), new ApiError(code as ErrorCode, error.message));
        }
      }
    },
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
  requests: RequestStates,
  guard: AuthFailureGuard | null,
  deny: (denied: DeniedRequest) => void,
  extra: {
    schemaAdmin?: RestDeps['schemaAdmin'];
    scripts?: (stats: ExecStats) => RestDeps['scripts'];
  } = {},
): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (!isRestPath(url.pathname)) return;
      const state = requests.of(request);
      const stats = statsFor(request);
      const deps = {
        index: index(),
        sourceOf,
        stats,
        log,
        auth,
        limits,
        principal: async () => {
          state.principal ??= await principalOrError(auth, request);
          if (state.principal instanceof ApiError) throw state.principal;
          return state.principal;
        },
        audit: { requestId: state.id, client: state.client },
        deny,
        failedAuthentication: () => countFailure(guard, state),
        schemaAdmin: extra.schemaAdmin,
        scripts: extra.scripts?.(stats),
      };
      endResponse(await handleRest(request, url, deps));
    },
  };
}

/** The request's principal; a credential problem is kept (GraphQL raises it before parsing, REST at once). */
async function principalOrError(auth: Authenticator, request: Request): Promise<Principal | ApiError> {
  try {
    return await auth.resolve(request.headers, new URL(request.url).searchParams);
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
