// DataModel → executable GraphQLSchema (type definitions from sdl.ts, resolvers from resolvers.ts). Built once
// per model version; every resolver closes over that version's ModelIndex.
import {
  buildSchema,
  GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
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
  // Built directly rather than with makeExecutableSchema, whose merge and two schema copies took 3 of the 4 s
  // a 500-table model needed. The SDL is generated, so its validation is skipped here (GraphQL still checks
  // the schema before the first request); resolvers are attached to the fresh schema's own fields.
  const schema = buildSchema(buildTypeDefs(index), { assumeValidSDL: true });
  attachResolvers(schema, buildResolvers(index, sourceOf, execIndex) as Record<string, unknown>);
  return schema;
}

type FieldResolvers = Record<
  string,
  GraphQLFieldResolver<unknown, unknown> | { resolve: GraphQLFieldResolver<unknown, unknown> }
>;

/** Resolvers exist only for relation and root fields; columns are read by the default resolver. */
function attachResolvers(schema: GraphQLSchema, resolvers: Record<string, unknown>): void {
  for (const [typeName, value] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (type instanceof GraphQLScalarType && value instanceof GraphQLScalarType) {
      type.serialize = value.serialize;
      type.parseValue = value.parseValue;
      type.parseLiteral = value.parseLiteral;
      type.description = value.description;
      continue;
    }
    if (!(type instanceof GraphQLObjectType)) throw new Error(`resolvers for unknown type ${typeName}`);
    const fields = type.getFields();
    for (const [name, resolver] of Object.entries(value as FieldResolvers)) {
      const field = fields[name];
      if (!field) throw new Error(`resolver for unknown field ${typeName}.${name}`);
      field.resolve = typeof resolver === 'function' ? resolver : resolver.resolve;
    }
  }
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
