// DataModel → GraphQLSchema. For now the schema describes the model (services, tables, relations); the
// query fields over the data arrive with the QueryIR and executor.
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { DataModel } from '../model/types.js';

const typeDefs = /* GraphQL */ `
  type Query {
    "The services Junction serves, with their tables and relations."
    services: [ServiceInfo!]!
  }
  type ServiceInfo {
    name: String!
    type: String!
    tables: [TableInfo!]!
  }
  type TableInfo {
    name: String!
    graphqlType: String!
    isView: Boolean!
    relations: [RelationInfo!]!
  }
  type RelationInfo {
    name: String
    graphqlName: String
    type: String!
    virtual: Boolean!
    crossService: Boolean!
    refService: String!
    refTable: String!
  }
`;

export function buildGraphqlSchema(model: DataModel): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        services: () =>
          model.services.map((service) => ({
            name: service.name,
            type: service.type,
            tables: service.tables.map((table) => ({
              name: table.name,
              graphqlType: table.graphql.type,
              isView: table.isView,
              relations: table.relations.map((rel) => ({
                ...rel,
                virtual: rel.kind === 'virtual',
              })),
            })),
          })),
      },
    },
  });
}

export function exampleQuery(_model: DataModel): string {
  return '{\n  services {\n    name\n    tables { name relations { name graphqlName crossService } }\n  }\n}\n';
}
