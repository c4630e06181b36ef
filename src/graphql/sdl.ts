// DataModel → GraphQL type definitions (SDL text): one object type per table with its relations, filter,
// order, aggregate and connection types, and one query namespace per service. Mutations: see mutation-sdl.
import type { ModelIndex } from '../model/model-index.js';
import type { RelationModel, ServiceModel, TableModel } from '../model/types.js';
import { buildMutationTypeDefs } from './mutation-sdl.js';
import { routineQueryFields, routineTypeDefs } from './routines-sdl.js';
import { outputType, shapeTypeDefs } from './shape-types.js';
import { aggregateField, connectionField, enumValue, groupByField, typeNames } from './names.js';
import {
  avgType,
  filterOperators,
  isNumeric,
  isOrderable,
  scalarOf,
  sumType,
  SCALAR_NAMES,
} from './type-map.js';

const COMMON = /* GraphQL */ `
  scalar BigInt
  scalar Decimal
  scalar DateTime
  scalar Date
  scalar Time
  scalar JSON
  scalar Bytes

  "Sort direction; the NULLS variants say where empty values go (otherwise the database decides)."
  enum OrderDirection {
    ASC
    DESC
    ASC_NULLS_FIRST
    ASC_NULLS_LAST
    DESC_NULLS_FIRST
    DESC_NULLS_LAST
  }

  "Relay-style page information for connection fields."
  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
`;

const OPERATOR_DOCS: Record<string, string> = {
  eq: 'equal to (null: is null)',
  neq: 'not equal to (null: is not null)',
  gt: 'greater than',
  gte: 'greater than or equal to',
  lt: 'less than',
  lte: 'less than or equal to',
  in: 'one of',
  nin: 'none of',
  isNull: 'true: is null; false: is not null',
  between: 'between from and to, both included',
  like: 'SQL LIKE pattern (% any run, _ one character; case rules of the database)',
  notLike: 'does not match the LIKE pattern',
  ilike: 'LIKE pattern, case-insensitive',
  contains: 'contains the text (% and _ match themselves)',
  startsWith: 'starts with the text',
  endsWith: 'ends with the text',
};

function filterInputs(): string {
  return SCALAR_NAMES.map((s) => {
    const ops = filterOperators(s).map((op) => {
      const type =
        op === 'in' || op === 'nin'
          ? `[${s}!]`
          : op === 'isNull'
            ? 'Boolean'
            : op === 'between'
              ? `${s}Range`
              : ['like', 'notLike', 'ilike', 'contains', 'startsWith', 'endsWith'].includes(op)
                ? 'String'
                : s;
      return `  "${OPERATOR_DOCS[op] ?? op}"\n  ${op}: ${type}`;
    });
    const range = filterOperators(s).includes('between') ? `input ${s}Range { from: ${s}! to: ${s}! }\n` : '';
    return `${range}"Conditions on a ${s} field; several operators in one object must all hold."\ninput ${s}Filter {\n${ops.join('\n')}\n}`;
  }).join('\n');
}

function describe(text: string | null): string {
  if (!text) return '';
  // Block strings take text as is; only a closing quote triple needs escaping.
  return `"""${text.replace(/"""/g, '\\"""')}"""\n`;
}

const listArgs = (t: string) =>
  `where: ${typeNames(t).where}, orderBy: [${typeNames(t).orderBy}!], limit: Int, offset: Int`;

function isMany(rel: RelationModel): boolean {
  return rel.type === 'has_many' || rel.type === 'many_many';
}

export function buildTypeDefs(index: ModelIndex): string {
  const parts = [COMMON, filterInputs()];
  const roots: string[] = [];
  for (const service of index.model.services) {
    parts.push(serviceNamespace(service, routineQueryFields(index, service)));
    roots.push(
      `  ${describe(service.description ?? service.label).trimEnd()}\n  ${service.graphqlName}: ${namespaceType(service)}!`,
    );
    for (const table of service.tables) parts.push(tableTypes(index, table));
  }
  parts.push(...routineTypeDefs(index));
  parts.push(`type Query {\n${roots.length > 0 ? roots.join('\n') : '  _empty: Boolean'}\n}`);
  parts.push(buildMutationTypeDefs(index));
  return parts.join('\n\n');
}

export function namespaceType(service: ServiceModel): string {
  return `${service.graphqlName.charAt(0).toUpperCase()}${service.graphqlName.slice(1)}Query`;
}

function serviceNamespace(service: ServiceModel, routineFields: string[]): string {
  const fields = service.tables.flatMap((table) => {
    const t = table.graphql.type;
    const n = typeNames(t);
    const what = `${table.isView ? 'view' : 'table'} ${table.name}`;
    const out = [
      `  "Rows of ${what}."\n  ${table.graphql.list}(${listArgs(t)}): [${t}!]!`,
      `  "Rows of ${what}, as a cursor-paginated connection."\n  ${connectionField(table.graphql.list)}(where: ${n.where}, orderBy: [${n.orderBy}!], first: Int, after: String, last: Int, before: String): ${n.connection}!`,
      `  "count/sum/avg/min/max over the rows of ${what} that match where."\n  ${aggregateField(table.graphql.list)}(where: ${n.where}): ${n.aggregate}!`,
      `  "Aggregates per group of equal values in the given columns."\n  ${groupByField(table.graphql.list)}(by: [${n.column}!]!, where: ${n.where}, limit: Int, offset: Int): [${n.group}!]!`,
    ];
    if (table.graphql.byKey) {
      const args = table.primaryKey.map((column) => {
        const field = table.fields.find((f) => f.name === column);
        return `${field?.graphqlName ?? column}: ${field ? scalarOf(field) : 'String'}!`;
      });
      out.push(
        `  "One row of ${what} by its primary key, or null."\n  ${table.graphql.byKey}(${args.join(', ')}): ${t}`,
      );
    }
    return out;
  });
  fields.push(...routineFields);
  return `${describe(service.description ?? `Tables of service ${service.name} (${service.type}).`)}type ${namespaceType(service)} {\n${fields.join('\n') || '  _empty: Boolean'}\n}`;
}

function tableTypes(index: ModelIndex, table: TableModel): string {
  const t = table.graphql.type;
  const n = typeNames(t);
  const fieldLines = table.fields.map(
    (f) =>
      `  ${describe(f.description).replace(/\n$/, '\n  ')}${f.graphqlName}: ${outputType(t, f)}${f.allowNull ? '' : '!'}`,
  );
  const taken = new Set(table.fields.map((f) => f.graphqlName));
  const relationLines: string[] = [];
  const whereLines = table.fields
    .filter((f) => !['and', 'or', 'not'].includes(f.graphqlName))
    .map((f) => `  ${f.graphqlName}: ${scalarOf(f)}Filter`);
  for (const rel of table.relations) {
    if (!rel.graphqlName) continue;
    taken.add(rel.graphqlName);
    const far = index.target(rel).table.graphql.type;
    const doc = relationDoc(rel);
    if (isMany(rel)) {
      relationLines.push(
        // Nullable across services: a dead other source nulls this field alone (partial data), not the parent.
        `  "${doc} Arguments apply per parent row."\n  ${rel.graphqlName}(${listArgs(far)}): [${far}!]${rel.crossService ? '' : '!'}`,
      );
      whereLines.push(`  ${rel.graphqlName}: ${typeNames(far).listFilter}`);
    } else {
      relationLines.push(`  "${doc}"\n  ${rel.graphqlName}: ${far}`);
      whereLines.push(`  ${rel.graphqlName}: ${typeNames(far).where}`);
    }
  }
  for (const rel of table.relations) {
    if (!rel.graphqlName || !isMany(rel) || taken.has(aggregateField(rel.graphqlName))) continue;
    const far = index.target(rel).table.graphql.type;
    relationLines.push(
      `  "Aggregates over ${rel.graphqlName}, per parent row."\n  ${aggregateField(rel.graphqlName)}(where: ${typeNames(far).where}): ${typeNames(far).aggregate}${rel.crossService ? '' : '!'}`,
    );
  }
  const scalars = table.fields.map((f) => ({ f, s: scalarOf(f) }));
  const orderable = scalars.filter(({ s }) => isOrderable(s));
  const numeric = scalars.filter(({ s }) => isNumeric(s));
  const out = [
    `${describe(table.description ?? `${table.isView ? 'View' : 'Table'} ${table.name}.`)}type ${t} {\n${[...fieldLines, ...relationLines].join('\n')}\n}`,
    `"Conditions on ${t} rows; fields combine with AND."\ninput ${n.where} {\n  and: [${n.where}!]\n  or: [${n.where}!]\n  not: ${n.where}\n${whereLines.join('\n')}\n}`,
    `"Conditions on a list of related ${t} rows."\ninput ${n.listFilter} {\n  "at least one related row matches"\n  some: ${n.where}\n  "no related row matches"\n  none: ${n.where}\n  "every related row matches"\n  every: ${n.where}\n}`,
    `"Sort keys; within one object the fields apply in the order written."\ninput ${n.orderBy} {\n${orderable.map(({ f }) => `  ${f.graphqlName}: OrderDirection`).join('\n') || '  _none: OrderDirection'}\n}`,
    `enum ${n.column} {\n${table.fields.map((f) => `  ${enumValue(f.graphqlName)}`).join('\n')}\n}`,
    `type ${n.edge} {\n  cursor: String!\n  node: ${t}!\n}`,
    `type ${n.connection} {\n  edges: [${n.edge}!]!\n  nodes: [${t}!]!\n  pageInfo: PageInfo!\n  "All rows matching where, ignoring the page."\n  totalCount: Int!\n}`,
  ];
  const aggFields = ['  count: Int!'];
  if (numeric.length > 0) {
    out.push(
      `type ${n.sum} {\n${numeric.map(({ f, s }) => `  ${f.graphqlName}: ${sumType(s)}`).join('\n')}\n}`,
    );
    out.push(
      `type ${n.avg} {\n${numeric.map(({ f, s }) => `  ${f.graphqlName}: ${avgType(s)}`).join('\n')}\n}`,
    );
    aggFields.push(`  sum: ${n.sum}!`, `  avg: ${n.avg}!`);
  }
  if (orderable.length > 0) {
    out.push(`type ${n.min} {\n${orderable.map(({ f, s }) => `  ${f.graphqlName}: ${s}`).join('\n')}\n}`);
    out.push(`type ${n.max} {\n${orderable.map(({ f, s }) => `  ${f.graphqlName}: ${s}`).join('\n')}\n}`);
    aggFields.push(`  min: ${n.min}!`, `  max: ${n.max}!`);
  }
  out.push(...shapeTypeDefs(t, table.fields));
  out.push(`type ${n.aggregate} {\n${aggFields.join('\n')}\n}`);
  out.push(`type ${n.groupKey} {\n${scalars.map(({ f, s }) => `  ${f.graphqlName}: ${s}`).join('\n')}\n}`);
  out.push(
    `type ${n.group} {\n  "The grouped columns' values (the others are null)."\n  key: ${n.groupKey}!\n${aggFields.join('\n')}\n}`,
  );
  return out.join('\n');
}

function relationDoc(rel: RelationModel): string {
  const far = `${rel.crossService ? `${rel.refService}.` : ''}${rel.refTable}`;
  const kind = rel.kind === 'virtual' ? 'virtual ' : '';
  const cross = rel.crossService ? ', in another database' : '';
  switch (rel.type) {
    case 'belongs_to':
      return `The ${far} row this row refers to (${kind}key ${rel.fields.join(', ')}${cross}).`;
    case 'has_one':
      return `The ${far} row that refers to this row (${kind}key ${rel.refFields.join(', ')}${cross}).`;
    case 'has_many':
      return `The ${far} rows that refer to this row (${kind}key ${rel.refFields.join(', ')}${cross}).`;
    case 'many_many':
      return `The ${far} rows linked to this row through ${rel.junction?.table ?? 'a junction table'}.`;
  }
}
