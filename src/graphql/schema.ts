// DataModel → executable GraphQLSchema (type definitions from sdl.ts, resolvers from resolvers.ts). Built once
// per model version; every resolver closes over that version's ModelIndex.
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from '../executor/data-source.js';
import type { ModelIndex } from '../model/model-index.js';
import type { DataModel } from '../model/types.js';
import { buildResolvers } from './resolvers.js';
import { buildTypeDefs } from './sdl.js';

/**
 * `index` is what the schema shows (a role's view of the model, or all of it); requests run against
 * `execIndex`, the whole model, so the authorize stage sees every column (a row filter may use a hidden one).
 */
export function buildGraphqlSchema(
  index: ModelIndex,
  sourceOf: (service: string) => DataSource,
  execIndex: ModelIndex = index,
): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: buildTypeDefs(index),
    resolvers: buildResolvers(index, sourceOf, execIndex),
    // Resolvers exist only for relation and root fields; columns are read by the default resolver.
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}

/** A first query for GraphiQL: the first table with a relation, a few rows, one level deep. */
export function exampleQuery(model: DataModel): string {
  for (const service of model.services) {
    for (const table of service.tables) {
      const rel = table.relations.find((r) => r.graphqlName && (r.type === 'belongs_to' || r.crossService));
      if (!rel) continue;
      const far = model.services
        .find((s) => s.name === rel.refService)
        ?.tables.find((t) => t.name === rel.refTable);
      const fields = table.fields
        .slice(0, 3)
        .map((f) => f.graphqlName)
        .join(' ');
      const farFields = (far?.fields ?? [])
        .slice(0, 2)
        .map((f) => f.graphqlName)
        .join(' ');
      return `# Welcome to Junction. Each service is a namespace; relations (also across databases) are fields.\n{\n  ${service.graphqlName} {\n    ${table.graphql.list}(limit: 5) {\n      ${fields}\n      ${rel.graphqlName} { ${farFields} }\n    }\n  }\n}\n`;
    }
  }
  const first = model.services[0];
  const table = first?.tables[0];
  return first && table
    ? `{\n  ${first.graphqlName} {\n    ${table.graphql.list}(limit: 5) { ${table.fields
        .slice(0, 3)
        .map((f) => f.graphqlName)
        .join(' ')} }\n  }\n}\n`
    : '';
}
