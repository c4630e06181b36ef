// Principal → the GraphQL schema it sees. Open servers and failed credentials get the whole schema (every
// field then errors for failed credentials); an app's role gets a schema built from its view of the model,
// cached per role until the model reloads.
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { roleView } from '../auth/role-view.js';
import type { Principal } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { DataSource } from '../executor/data-source.js';
import { buildGraphqlSchema } from '../graphql/schema.js';
import { ModelIndex } from '../model/model-index.js';
import type { DataModel } from '../model/types.js';

export class SchemaRegistry {
  private all: { model: DataModel; index: ModelIndex; schema: GraphQLSchema };
  private readonly byRole = new Map<string, GraphQLSchema>();

  constructor(
    model: DataModel,
    private readonly sourceOf: (service: string) => DataSource,
  ) {
    this.all = this.build(model);
  }

  private build(model: DataModel) {
    const index = new ModelIndex(model);
    return { model, index, schema: buildGraphqlSchema(index, this.sourceOf) };
  }

  /** A new model version: schemas are rebuilt, role schemas lazily. */
  reload(model: DataModel): void {
    this.all = this.build(model);
    this.byRole.clear();
  }

  /** The whole model's index (REST and every execution use it). */
  get index(): ModelIndex {
    return this.all.index;
  }

  schemaFor(principal: Principal | ApiError): GraphQLSchema {
    if (principal instanceof ApiError || principal.kind === 'open') return this.all.schema;
    let schema = this.byRole.get(principal.role.name);
    if (!schema) {
      const view = new ModelIndex(roleView(this.all.model, principal.role));
      schema = buildGraphqlSchema(view, this.sourceOf, this.all.index);
      this.byRole.set(principal.role.name, schema);
    }
    return schema;
  }
}

/**
 * A GraphQL request whose credentials were refused gets that refusal as its answer, before anything is
 * parsed: no schema, so no introspection for anonymous callers (GraphiQL's own page still loads).
 */
export function refuseWithoutCredentials(
  graphqlPath: string,
  principalFor: (request: Request) => Principal | ApiError,
  audit: (request: Request, url: URL, error: ApiError) => void = () => {},
): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== graphqlPath) return;
      if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html')) return;
      const principal = principalFor(request);
      if (!(principal instanceof ApiError)) return;
      audit(request, url, principal);
      const body = { errors: [{ message: principal.message, extensions: { code: principal.code } }] };
      endResponse(
        new Response(JSON.stringify(body), {
          status: principal.status,
          headers: { 'content-type': 'application/graphql-response+json; charset=utf-8' },
        }),
      );
    },
  };
}
