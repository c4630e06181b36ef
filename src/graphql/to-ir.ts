// GraphQL resolve info (the field nodes of a list/relation/aggregate field and its arguments) → QueryIR.
// The whole selection below a root field becomes one ReadQuery tree, so the executor can fetch each relation
// level in one statement. Relation results are stored under `$<response key>` (see relationKey).
import { getArgumentValues, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { ApiError } from '../errors/index.js';
import type { AggregateItem, AggregateQuery, Expr, ReadQuery, Row, Scalar } from '../ir/types.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import { subFields } from './selection.js';
import { avgType, scalarOf, sumType } from './type-map.js';
import { orderToItems, whereToExpr } from './where.js';
import { writtenArgument, type RawVariables } from './written-order.js';

export type Args = Record<string, unknown>;
type Info = Pick<GraphQLResolveInfo, 'fragments' | 'variableValues' | 'schema'> & RawVariables;

/** Where a relation field's rows live in the parent row: `$` cannot start a column's GraphQL name. */
export const relationKey = (responseKey: string): string => `$${responseKey}`;

const AGGREGATE_SUFFIX = 'Aggregate';

export function readQuery(
  index: ModelIndex,
  entry: TableEntry,
  args: Args,
  nodes: readonly FieldNode[],
  info: Info,
): ReadQuery {
  const query: ReadQuery = {
    service: entry.service.name,
    table: entry.table.name,
    select: [],
    where: whereToExpr(index, entry, args.where as Args | undefined),
    orderBy: orderToItems(
      entry,
      writtenArgument(nodes[0], 'orderBy', info, args.orderBy) as Args[] | undefined,
    ),
    limit: count(args.limit, 'limit'),
    offset: count(args.offset, 'offset') ?? 0,
    relations: [],
    relationAggregates: [],
  };
  addSelection(index, entry, query, nodes, info);
  return query;
}

/** Adds the columns and relations selected under `nodes` (fields of the table's object type) to `query`. */
export function addSelection(
  index: ModelIndex,
  entry: TableEntry,
  query: ReadQuery,
  nodes: readonly FieldNode[],
  info: Info,
): void {
  const objectFields = (info.schema.getType(entry.table.graphql.type) as GraphQLObjectType).getFields();
  for (const [key, group] of subFields(nodes, info)) {
    const node = group[0] as FieldNode;
    const name = node.name.value;
    const field = entry.fieldsByGraphql.get(name);
    if (field) {
      if (!query.select.some((s) => s.as === name)) query.select.push({ column: field.name, as: name });
      continue;
    }
    const relation = entry.relationsByGraphql.get(name);
    const def = objectFields[name];
    if (relation && def) {
      const args = getArgumentValues(def, node, info.variableValues);
      query.relations.push({
        as: relationKey(key),
        relation,
        query: readQuery(index, index.target(relation), args, group, info),
        limitScope: 'perParent',
        emptySingle: null,
      });
      continue;
    }
    const aggregated = name.endsWith(AGGREGATE_SUFFIX)
      ? entry.relationsByGraphql.get(name.slice(0, -AGGREGATE_SUFFIX.length))
      : undefined;
    if (aggregated && def) {
      const args = getArgumentValues(def, node, info.variableValues);
      query.relationAggregates.push({
        as: relationKey(key),
        relation: aggregated,
        query: aggregateQuery(index, index.target(aggregated), args, group, info, []),
      });
    }
  }
}

function count(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ApiError('BAD_REQUEST', `${name} must be a whole number of 0 or more.`);
  }
  return value;
}

/** An aggregate field's selection (count, sum { … }, …) → AggregateQuery items named `fn:field`. */
export function aggregateQuery(
  index: ModelIndex,
  entry: TableEntry,
  args: Args,
  nodes: readonly FieldNode[],
  info: Info,
  groupBy: AggregateQuery['groupBy'],
): AggregateQuery {
  const aggregates: AggregateItem[] = [];
  const add = (item: AggregateItem) => {
    if (!aggregates.some((a) => a.as === item.as)) aggregates.push(item);
  };
  for (const [, group] of subFields(nodes, info)) {
    const fn = (group[0] as FieldNode).name.value;
    if (fn === 'count') add({ as: 'count', fn: 'count', field: null });
    if (fn !== 'sum' && fn !== 'avg' && fn !== 'min' && fn !== 'max') continue;
    for (const [, inner] of subFields(group, info)) {
      const field = entry.fieldsByGraphql.get((inner[0] as FieldNode).name.value);
      if (field) add({ as: `${fn}:${field.graphqlName}`, fn, field: field.name });
    }
  }
  return {
    service: entry.service.name,
    table: entry.table.name,
    where: whereToExpr(index, entry, args.where as Args | undefined),
    groupBy,
    aggregates,
    orderBy: groupBy.map((g) => ({ field: g.column, direction: 'asc' as const })),
    limit: count(args.limit, 'limit'),
    offset: count(args.offset, 'offset') ?? 0,
  };
}

/** A flat aggregate row (`count`, `sum:milliseconds`, …) → `{ count, sum: { milliseconds } }` with exact types. */
export function shapeAggregate(entry: TableEntry, row: Row): Row {
  const out: Record<string, unknown> = { count: Number(row.count ?? 0), sum: {}, avg: {}, min: {}, max: {} };
  for (const [key, value] of Object.entries(row)) {
    const colon = key.indexOf(':');
    if (colon < 0) continue;
    const fn = key.slice(0, colon);
    const name = key.slice(colon + 1);
    const field = entry.fieldsByGraphql.get(name);
    if (!field || !(fn in out) || fn === 'count') continue;
    const scalar = scalarOf(field);
    const resultType = fn === 'sum' ? sumType(scalar) : fn === 'avg' ? avgType(scalar) : scalar;
    (out[fn] as Row)[name] =
      value === null || value === undefined
        ? null
        : resultType === 'Float'
          ? Number(value)
          : resultType === 'Decimal' && fn !== 'avg' && typeof value === 'number' && field.scale !== null
            ? // SQLite keeps NUMERIC(10,2) as REAL: `2328.6` becomes `2328.60`, as PostgreSQL and MySQL say.
              value.toFixed(field.scale)
            : fn === 'sum' || fn === 'avg'
              ? String(value)
              : value;
  }
  return out;
}

/** `pk1 = ? AND pk2 = ?` from by-key arguments (`track(trackId: 1)`, `chinook_updateTrack(trackId: 1, …)`). */
export function primaryKeyFilter(entry: TableEntry, args: Args): Expr {
  return {
    kind: 'and',
    items: entry.table.primaryKey.map((column) => {
      const field = entry.fields.get(column);
      return {
        kind: 'compare',
        field: column,
        op: 'eq',
        value: args[field?.graphqlName ?? column] as Scalar,
      };
    }),
  };
}
