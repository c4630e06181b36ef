// ReadQuery (IR) → rows with related rows attached. The root is one statement; each relation level is one
// batched statement for all parents at that level (through a per-request DataLoader), whatever the number
// of parents, and cross-service relations go through the same path on the other service's DataSource.
import DataLoader from 'dataloader';
import type { AggregateQuery, ReadQuery, RelationAggregate, RelationRead, Row, Scalar } from '../ir/types.js';
import { authorizeAggregate, authorizeRead } from '../auth/authorize.js';
import type { RelationModel } from '../model/types.js';
import type { ExecContext } from './context.js';
import { parentKey } from './data-source.js';
import { distinctKeys, keyString, rowKey } from './keys.js';
import { ensureColumns, withStitchKeys } from '../ir/select.js';
import { resolveFilters } from './resolve-filters.js';

/** Runs a read as the context's principal: the authorize stage first (access, row filters, hidden columns). */
export async function executeRead(request: ReadQuery, ctx: ExecContext): Promise<Row[]> {
  const query = authorizeRead(ctx.index, ctx.principal, request);
  const prepared = withStitchKeys({ ...query, where: await resolveFilters(query.where, ctx) });
  const rows = await ctx.source(query.service).read(prepared, ctx.stats);
  await attachRelations(rows, prepared, ctx);
  return rows;
}

export async function executeCount(
  query: Pick<ReadQuery, 'service' | 'table' | 'where'>,
  ctx: ExecContext,
): Promise<number> {
  // A count sees exactly the rows a read would: the same authorize stage, on an empty selection.
  const read: ReadQuery = {
    ...query,
    select: [],
    orderBy: [],
    limit: null,
    offset: 0,
    relations: [],
    relationAggregates: [],
  };
  const where = await resolveFilters(authorizeRead(ctx.index, ctx.principal, read).where, ctx);
  return ctx.source(query.service).count({ table: query.table, where }, ctx.stats);
}

export async function executeAggregate(request: AggregateQuery, ctx: ExecContext): Promise<Row[]> {
  const query = authorizeAggregate(ctx.index, ctx.principal, request);
  const where = await resolveFilters(query.where, ctx);
  return ctx.source(query.service).aggregate({ ...query, where }, ctx.stats);
}

/** Attaches every relation read and relation aggregate of `query` to `rows` (which `query` produced). */
async function attachRelations(rows: Row[], query: ReadQuery, ctx: ExecContext): Promise<void> {
  if (rows.length === 0 && query.relations.length === 0) return;
  await Promise.all([
    ...query.relations.map((read) =>
      isolated(rows, query, read.relation, read.as, ctx, () => attachRelation(rows, query, read, ctx)),
    ),
    ...query.relationAggregates.map((agg) =>
      isolated(rows, query, agg.relation, agg.as, ctx, () => attachAggregate(rows, query, agg, ctx)),
    ),
  ]);
}

/**
 * With ctx.partialRelations, a relation into another service that fails puts its error where the related
 * rows would be (GraphQL resolvers return it, which makes that field null with the error at its path);
 * otherwise, and within one service, the error fails the whole read.
 */
async function isolated(
  rows: Row[],
  query: ReadQuery,
  relation: RelationModel,
  as: string,
  ctx: ExecContext,
  attach: () => Promise<void>,
): Promise<void> {
  if (!ctx.partialRelations || relation.refService === query.service) return attach();
  try {
    await attach();
  } catch (error) {
    for (const row of rows) row[as] = error as Row[keyof Row];
  }
}

async function attachRelation(
  rows: Row[],
  parentQuery: ReadQuery,
  read: RelationRead,
  ctx: ExecContext,
): Promise<void> {
  const { aliases } = ensureColumns(parentQuery.select, read.relation.fields);
  const keys = distinctKeys(rows, aliases);
  const single = read.relation.type === 'belongs_to' || read.relation.type === 'has_one';
  const child = withStitchKeys({ ...read.query, where: await resolveFilters(read.query.where, ctx) });
  const groups =
    keys.size === 0 ? new Map<string, Row[]>() : await loadGroups(read, child, [...keys.values()], ctx);
  const children: Row[] = [];
  const seen = new Set<Row>();
  for (const row of rows) {
    const tuple = rowKey(row, aliases);
    const related = tuple === null ? [] : (groups.get(keyString(tuple)) ?? []);
    row[read.as] = single ? (related[0] ?? read.emptySingle) : related;
    for (const r of single ? related.slice(0, 1) : related) {
      if (!seen.has(r)) {
        seen.add(r);
        children.push(r);
      }
    }
  }
  if (child.relations.length > 0 || child.relationAggregates.length > 0)
    await attachRelations(children, child, ctx);
}

/** Related rows grouped by parent key string; one statement per relation level per distinct child query. */
async function loadGroups(
  read: RelationRead,
  child: ReadQuery,
  keys: Scalar[][],
  ctx: ExecContext,
): Promise<Map<string, Row[]>> {
  const source = ctx.source(read.relation.refService);
  const width = read.relation.fields.length;
  const group = (rows: Row[]) => {
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const k = keyString(Array.from({ length: width }, (_, i) => row[parentKey(i)]));
      const list = groups.get(k);
      if (list) list.push(row);
      else groups.set(k, [row]);
    }
    return groups;
  };
  if (read.limitScope === 'global') {
    // DreamFactory's limit spans all parents (Q9): one statement over exactly these parents, no batching.
    return group(await source.readRelated(read.relation, child, keys, false, ctx.stats));
  }
  const keyTypes = parentKeyTypes(read.relation, ctx);
  const loader = loaderFor(read, child, ctx, async (batch) => {
    const groups = group(await source.readRelated(read.relation, child, batch, true, ctx.stats, keyTypes));
    return batch.map((tuple) => groups.get(keyString(tuple)) ?? []);
  });
  const lists = await loader.loadMany(keys.map((tuple) => tuple as unknown as string));
  const result = new Map<string, Row[]>();
  keys.forEach((tuple, i) => {
    const list = lists[i];
    if (list instanceof Error) throw list;
    result.set(keyString(tuple), list ?? []);
  });
  return result;
}

/** A relation inside a signature: its identity, not the whole model object (which is large). */
function relationId(relation: RelationModel): string {
  return `${relation.refService}.${relation.refTable}.${relation.type}.${relation.source}`;
}

function relationsById(key: string, value: unknown): unknown {
  return key === 'relation' ? relationId(value as RelationModel) : value;
}

/** Database types of the columns holding the parent key on the far side (the junction for many_many). */
function parentKeyTypes(relation: RelationModel, ctx: ExecContext): string[] {
  const junction = relation.junction;
  const entry = junction ? ctx.index.entry(junction.service, junction.table) : ctx.index.target(relation);
  const columns = junction ? junction.fields : relation.refFields;
  return columns.map((column) => entry.fields.get(column)?.dbType ?? 'text');
}

function loaderFor(
  read: RelationRead,
  child: ReadQuery,
  ctx: ExecContext,
  batch: (keys: Scalar[][]) => Promise<Row[][]>,
): DataLoader<string, Row[]> {
  const signature = `${relationId(read.relation)}|${JSON.stringify(child, relationsById)}`;
  let loader = ctx.loaders.get(signature);
  if (!loader) {
    loader = new DataLoader<string, Row[]>((tuples) => batch(tuples as unknown as Scalar[][]), {
      cacheKeyFn: (tuple) => keyString(tuple as unknown as Scalar[]),
    });
    ctx.loaders.set(signature, loader);
  }
  return loader;
}

async function attachAggregate(
  rows: Row[],
  parentQuery: ReadQuery,
  agg: RelationAggregate,
  ctx: ExecContext,
): Promise<void> {
  const { aliases } = ensureColumns(parentQuery.select, agg.relation.fields);
  const keys = distinctKeys(rows, aliases);
  const where = await resolveFilters(agg.query.where, ctx);
  const results =
    keys.size === 0
      ? []
      : await ctx
          .source(agg.relation.refService)
          .aggregateRelated(agg.relation, { ...agg.query, where }, [...keys.values()], ctx.stats);
  const width = agg.relation.fields.length;
  const byKey = new Map(
    results.map((r) => [keyString(Array.from({ length: width }, (_, i) => r[parentKey(i)])), r]),
  );
  for (const row of rows) {
    const tuple = rowKey(row, aliases);
    row[agg.as] = (tuple && byKey.get(keyString(tuple))) ?? emptyAggregate(agg.query);
  }
}

/** What count/sum/… are over no rows: 0 for count, null for the others (as SQL says). */
function emptyAggregate(query: AggregateQuery): Row {
  return Object.fromEntries(query.aggregates.map((a) => [a.as, a.fn === 'count' ? 0 : null]));
}
