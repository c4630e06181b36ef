// Resolvers for the generated schema. Root list/by-key/connection/aggregate fields turn their whole
// selection into IR and run it through the executor; relation fields only read what the executor attached.
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import type { IResolvers } from '@graphql-tools/utils';
import type { Principal } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { DataSource, ExecStats } from '../executor/data-source.js';
import { createExecContext, type ExecContext } from '../executor/context.js';
import { executeAggregate, executeCount, executeRead } from '../executor/execute-read.js';
import type { Row } from '../ir/types.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import { pageResult, planPage, type PageArgs } from './connection.js';
import { buildMutationResolvers } from './mutation-resolvers.js';
import { buildRoutineResolvers } from './routine-resolvers.js';
import { aggregateField, connectionField, enumValue, groupByField } from './names.js';
import { SCALARS } from './scalars.js';
import { namespaceType } from './sdl.js';
import { subFields } from './selection.js';
import {
  aggregateQuery,
  primaryKeyFilter,
  readQuery,
  relationKey,
  shapeAggregate,
  type Args,
} from './to-ir.js';
import { whereToExpr } from './where.js';
import type { ScriptScope } from '../scripts/operation.js';
import { readWithScripts, withPreScripts } from './event-scripts.js';
import { writtenArgument, type RawVariables } from './written-order.js';

export interface GraphqlContext extends RawVariables {
  /** Created per HTTP request; the response reports it (X-Junction-Sql-Statements). */
  stats: ExecStats;
  /** Who the request runs as, or why its credentials were refused. */
  principal: Principal | ApiError;
  /** The executor state of this request, created on first use by the schema that runs it. */
  junctionExec?: ExecContext;
  /** Event scripts (src/scripts); absent: none configured. */
  scripts?: ScriptScope;
}

type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Args>;

const NAMESPACE = Object.freeze({});

/** The principal of a request; credential problems surface as the field's error. */
export function principalOf(ctx: GraphqlContext): Principal {
  if (ctx.principal instanceof ApiError) throw ctx.principal;
  return ctx.principal;
}

/** A relation field's value was attached by the executor under `$<response key>`. */
const attached: Resolver = (parent, _args, _ctx, info) =>
  (parent as Row)[relationKey(info.path.key as string)];

export function buildResolvers(
  index: ModelIndex,
  sourceOf: (service: string) => DataSource,
  execIndex: ModelIndex = index,
): IResolvers {
  const exec = (ctx: GraphqlContext): ExecContext => {
    ctx.junctionExec ??= {
      ...createExecContext(execIndex, sourceOf, principalOf(ctx)),
      stats: ctx.stats,
      // A dead secondary source nulls only its own fields (errors at their paths), not the whole query.
      partialRelations: true,
    };
    return ctx.junctionExec;
  };
  const resolvers: IResolvers = { ...SCALARS, Query: {} };
  for (const service of index.model.services) {
    (resolvers.Query as Record<string, Resolver>)[service.graphqlName] = () => NAMESPACE;
    const namespace: Record<string, Resolver> = {};
    for (const table of service.tables) {
      const entry = index.entry(service.name, table.name);
      Object.assign(namespace, rootFields(index, entry, exec));
      resolvers[table.graphql.type] = tableFields(index, entry);
    }
    resolvers[namespaceType(service)] = namespace;
  }
  const routines = buildRoutineResolvers(index, exec);
  for (const [type, fields] of Object.entries(routines.namespaces))
    Object.assign(resolvers[type] as Record<string, Resolver>, fields);
  const mutations = { ...buildMutationResolvers(index, exec), ...routines.mutations };
  if (Object.keys(mutations).length > 0) resolvers.Mutation = mutations;
  return resolvers;
}

function tableFields(index: ModelIndex, entry: TableEntry): Record<string, Resolver> {
  const fields: Record<string, Resolver> = {};
  for (const rel of entry.table.relations) {
    if (!rel.graphqlName) continue;
    fields[rel.graphqlName] = attached;
    if (rel.type === 'has_many' || rel.type === 'many_many') {
      const far = index.target(rel);
      fields[aggregateField(rel.graphqlName)] = (parent, _args, _ctx, info) => {
        const value = (parent as Row)[relationKey(info.path.key as string)];
        // The other service failed (executor partialRelations): this field's error, not a shaped aggregate.
        return value instanceof Error ? value : shapeAggregate(far, value as Row);
      };
    }
  }
  return fields;
}

function rootFields(
  index: ModelIndex,
  entry: TableEntry,
  exec: (ctx: GraphqlContext) => ExecContext,
): Record<string, Resolver> {
  const { graphql } = entry.table;
  const fields: Record<string, Resolver> = {
    [graphql.list]: (_p, given, ctx, info) =>
      readWithScripts(ctx, exec(ctx), entry, given, async (args, onExec) => {
        const query = readQuery(index, entry, args, info.fieldNodes, withRaw(info, ctx));
        return { rows: await executeRead(query, onExec), select: query.select };
      }),
    [connectionField(graphql.list)]: (_p, given, ctx, info) =>
      withPreScripts(ctx, exec(ctx), entry, given, (args, onExec) =>
        connection(index, entry, args, withRaw(info, ctx), onExec),
      ),
    [aggregateField(graphql.list)]: (_p, given, ctx, info) =>
      withPreScripts(ctx, exec(ctx), entry, given, async (args, onExec) => {
        const query = aggregateQuery(index, entry, args, info.fieldNodes, info, []);
        const rows = await executeAggregate(query, onExec);
        return shapeAggregate(entry, rows[0] ?? { count: 0 });
      }),
    [groupByField(graphql.list)]: (_p, given, ctx, info) =>
      withPreScripts(ctx, exec(ctx), entry, given, async (args, onExec) => {
        const byColumn = new Map(entry.table.fields.map((f) => [enumValue(f.graphqlName), f]));
        const groupBy = (args.by as string[]).map((value) => {
          const field = byColumn.get(value);
          return { column: field?.name ?? value, as: `key:${field?.graphqlName ?? value}` };
        });
        const rows = await executeAggregate(
          aggregateQuery(index, entry, args, info.fieldNodes, info, groupBy),
          onExec,
        );
        return rows.map((row) => ({ ...shapeAggregate(entry, row), key: groupKey(row) }));
      }),
  };
  if (graphql.byKey) {
    fields[graphql.byKey] = async (_p, given, ctx, info) => {
      const rows = await readWithScripts(ctx, exec(ctx), entry, given, async (args, onExec) => {
        const where = primaryKeyFilter(entry, args);
        const query = { ...readQuery(index, entry, {}, info.fieldNodes, info), where, limit: 1 };
        return { rows: await executeRead(query, onExec), select: query.select };
      });
      return rows[0] ?? null;
    };
  }
  return fields;
}

/** The resolve info plus the request's raw variables, which keep the key order the client wrote. */
function withRaw(info: GraphQLResolveInfo, ctx: GraphqlContext): GraphQLResolveInfo & RawVariables {
  return { ...info, rawVariables: ctx.rawVariables ?? null };
}

function groupKey(row: Row): Row {
  const key: Row = {};
  for (const [name, value] of Object.entries(row)) if (name.startsWith('key:')) key[name.slice(4)] = value;
  return key;
}

async function connection(
  index: ModelIndex,
  entry: TableEntry,
  args: Args,
  info: GraphQLResolveInfo,
  ctx: ExecContext,
) {
  const top = subFields(info.fieldNodes, info);
  const nodeFields = [...(top.get('nodes') ?? [])];
  for (const edge of top.get('edges') ?? []) nodeFields.push(...(subFields([edge], info).get('node') ?? []));
  for (const [key, group] of top) {
    const name = group[0]?.name.value;
    if (key !== 'nodes' && name === 'nodes') nodeFields.push(...group);
    if (key !== 'edges' && name === 'edges')
      for (const edge of group) nodeFields.push(...(subFields([edge], info).get('node') ?? []));
  }
  const orderBy = writtenArgument(info.fieldNodes[0], 'orderBy', info, args.orderBy);
  const base = readQuery(index, entry, { where: args.where, orderBy }, [], info);
  const page = planPage(entry, base, args as PageArgs);
  const query = { ...page.query };
  // The node selection is added after planning so the cursor's columns are read either way.
  const withNodes = readQuery(index, entry, {}, nodeFields, info);
  query.select = [
    ...withNodes.select,
    ...query.select.filter((s) => !withNodes.select.some((w) => w.as === s.as)),
  ];
  query.relations = withNodes.relations;
  query.relationAggregates = withNodes.relationAggregates;
  const wantsTotal = [...top.values()].some((group) => group[0]?.name.value === 'totalCount');
  const [rows, total] = await Promise.all([
    executeRead(query, ctx),
    wantsTotal
      ? executeCount(
          {
            service: entry.service.name,
            table: entry.table.name,
            where: whereToExpr(index, entry, args.where as Args),
          },
          ctx,
        )
      : Promise.resolve(0),
  ]);
  return { ...pageResult(page, rows, args as PageArgs), totalCount: total };
}
