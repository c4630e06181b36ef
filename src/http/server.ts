// Runtime → one HTTP server (graphql-yoga on node:http): GraphQL at /graphql with GraphiQL, plus the plain
// routes of routes.ts. The GraphQL schema is rebuilt whenever the runtime swaps its model.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { encodeGraphqlError } from '../errors/encode-graphql.js';
import type { ExecStats } from '../executor/data-source.js';
import type { GraphqlContext } from '../graphql/resolvers.js';
import { buildGraphqlSchema, exampleQuery } from '../graphql/schema.js';
import type { Runtime } from '../runtime/runtime.js';
import { routesPlugin } from './routes.js';

export interface JunctionServer {
  /** The address actually bound (port 0 picks a free one). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
  readonly http: Server;
}

export const STATEMENTS_HEADER = 'x-junction-sql-statements';

export function createJunctionServer(
  runtime: Runtime,
  log: (message: string) => void = console.error,
): JunctionServer {
  const sourceOf = (service: string) => runtime.sources.get(service).data;
  let schema: GraphQLSchema = buildGraphqlSchema(runtime.current.model, sourceOf);
  runtime.onReload((next) => {
    schema = buildGraphqlSchema(next.model, sourceOf);
  });
  const stats = new WeakMap<Request, ExecStats>();
  const yoga = createYoga<object, GraphqlContext>({
    schema: () => schema,
    graphqlEndpoint: '/graphql',
    // routes.ts answers /health with a JSON body; yoga's own check would answer first with an empty one.
    healthCheckEndpoint: '/graphql/health',
    landingPage: false,
    graphiql: () => ({ title: 'Junction GraphiQL', defaultQuery: exampleQuery(runtime.current.model) }),
    context: ({ request, params }) => {
      const counter = { statements: 0 };
      stats.set(request, counter);
      return {
        stats: counter,
        rawVariables: (params.variables as Record<string, unknown> | undefined) ?? null,
      };
    },
    maskedErrors: { maskError: (error) => encodeGraphqlError(error, log) },
    plugins: [routesPlugin(runtime, log), statementsHeader(stats)],
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args) => log(args.join(' ')),
      error: (...args) => log(args.join(' ')),
    },
  });
  const http = createServer(yoga);
  return {
    http,
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

/** Reports how many SQL statements a GraphQL request ran (the N+1 guard and the benchmark read it). */
function statementsHeader(stats: WeakMap<Request, ExecStats>): Plugin {
  return {
    onResponse({ request, response }) {
      const counter = stats.get(request);
      if (counter) response.headers.set(STATEMENTS_HEADER, String(counter.statements));
    },
  };
}
