// Names of the types the schema generates around each table type `T` (TWhere, TOrderBy, …), in one place
// so the SDL builder and the resolvers cannot disagree.
import { constantCase } from 'change-case';

export const typeNames = (t: string) => ({
  where: `${t}Where`,
  listFilter: `${t}ListFilter`,
  orderBy: `${t}OrderBy`,
  column: `${t}Column`,
  connection: `${t}Connection`,
  edge: `${t}Edge`,
  aggregate: `${t}Aggregate`,
  sum: `${t}SumFields`,
  avg: `${t}AvgFields`,
  min: `${t}MinFields`,
  max: `${t}MaxFields`,
  group: `${t}Group`,
  groupKey: `${t}GroupKey`,
  insert: `${t}InsertInput`,
  set: `${t}SetInput`,
  mutationResult: `${t}MutationResult`,
  relationInput: (rel: string) => `${t}${rel.charAt(0).toUpperCase()}${rel.slice(1)}RelationInput`,
});

export const aggregateField = (relationField: string): string => `${relationField}Aggregate`;
export const connectionField = (listField: string): string => `${listField}Connection`;
export const groupByField = (listField: string): string => `${listField}GroupBy`;
export const enumValue = (graphqlName: string): string => constantCase(graphqlName);
