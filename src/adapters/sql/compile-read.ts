// IR reads → SQL statements (knex builders): the root read, the batched read of a relation level for many
// parents at once (with per-parent limits by window function), counts and aggregates. One statement each.
import type { Knex } from 'knex';
import type { AggregateQuery, OrderItem, ReadQuery, Scalar, SelectItem } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import type { SqlCapabilities } from './capabilities.js';
import { applyIn, applyWhere, nextAlias, type CompileContext } from './compile-where.js';
import { columnSql, quote } from './identifiers.js';

/** Output keys carrying a related row's parent key (`__p0`, `__p1` for composite keys). */
export const parentKeyAlias = (i: number): string => `__p${i}`;
const ROW_NUMBER = '__rn';

export function context(db: Knex, caps: SqlCapabilities): CompileContext {
  return { db, caps, aliases: -1 };
}

function selectList(c: CompileContext, alias: string, items: SelectItem[]): string[] {
  return items.map((item) => `${columnSql(c.db, alias, item.column)} as ${quote(c.db, item.as)}`);
}

function orderSql(c: CompileContext, alias: string, items: OrderItem[]): string[] {
  return items.flatMap((item) => {
    const col = columnSql(c.db, alias, item.field);
    if (!item.nulls) return [`${col} ${item.direction}`];
    if (c.caps.nullsOrdering) return [`${col} ${item.direction} nulls ${item.nulls}`];
    return [`${col} is null ${item.nulls === 'first' ? 'desc' : 'asc'}`, `${col} ${item.direction}`];
  });
}

function from(c: CompileContext, table: string, alias: string): Knex.Raw {
  return c.db.raw(`${quote(c.db, table)} as ${quote(c.db, alias)}`);
}

export function compileRead(db: Knex, caps: SqlCapabilities, query: ReadQuery): Knex.QueryBuilder {
  const c = context(db, caps);
  const t = nextAlias(c);
  const qb = db.select(db.raw(selectList(c, t, query.select).join(', '))).from(from(c, query.table, t));
  if (query.where) applyWhere(c, qb, query.where, t);
  const order = orderSql(c, t, query.orderBy);
  if (order.length > 0) qb.orderByRaw(order.join(', '));
  if (query.limit !== null) qb.limit(query.limit);
  if (query.offset > 0) qb.offset(query.offset);
  return qb;
}

export function compileCount(
  db: Knex,
  caps: SqlCapabilities,
  query: Pick<ReadQuery, 'table' | 'where'>,
): Knex.QueryBuilder {
  const c = context(db, caps);
  const t = nextAlias(c);
  const qb = db.select(db.raw('count(*) as n')).from(from(c, query.table, t));
  if (query.where) applyWhere(c, qb, query.where, t);
  return qb;
}

/**
 * The rows of `query.table` related to the given parent keys, each carrying its parent key as `__p0…`.
 * With a per-parent limit the rows are numbered within each parent and cut in SQL, so "the first 10 tracks
 * of each playlist" is still one statement.
 */
export function compileRelated(
  db: Knex,
  caps: SqlCapabilities,
  relation: RelationModel,
  query: ReadQuery,
  keys: Scalar[][],
  perParent: boolean,
): Knex.QueryBuilder {
  const c = context(db, caps);
  const t = nextAlias(c);
  const { parentColumns, qb } = relatedBase(c, relation, t, query.table);
  const parents = parentColumns.map((col, i) => `${col} as ${quote(db, parentKeyAlias(i))}`);
  applyIn(c, qb, parentColumns, keys, false);
  if (query.where) applyWhere(c, qb, query.where, t);
  const order = orderSql(c, t, query.orderBy);
  const windowed = perParent && (query.limit !== null || query.offset > 0);
  if (!windowed) {
    qb.select(db.raw([...selectList(c, t, query.select), ...parents].join(', ')));
    if (order.length > 0) qb.orderByRaw(order.join(', '));
    if (query.limit !== null) qb.limit(query.limit);
    if (query.offset > 0) qb.offset(query.offset);
    return qb;
  }
  const over = `row_number() over (partition by ${parentColumns.join(', ')}${order.length > 0 ? ` order by ${order.join(', ')}` : ''}) as ${quote(db, ROW_NUMBER)}`;
  qb.select(db.raw([...selectList(c, t, query.select), ...parents, over].join(', ')));
  const w = nextAlias(c);
  const rn = `${quote(db, w)}.${quote(db, ROW_NUMBER)}`;
  const outer = db.select(db.raw(`${quote(db, w)}.*`)).from(qb.as(w));
  outer.whereRaw(`${rn} > ?`, [query.offset]);
  if (query.limit !== null) outer.whereRaw(`${rn} <= ?`, [query.offset + query.limit]);
  outer.orderByRaw(
    `${parents.map((_, i) => `${quote(db, w)}.${quote(db, parentKeyAlias(i))}`).join(', ')}, ${rn}`,
  );
  return outer;
}

/** FROM far [JOIN junction]: the parent key lives on the far table, or on the junction for many_many. */
function relatedBase(c: CompileContext, relation: RelationModel, t: string, table: string) {
  const { db } = c;
  const qb = db.queryBuilder().from(from(c, table, t));
  if (!relation.junction) {
    return { qb, parentColumns: relation.refFields.map((f) => columnSql(db, t, f)) };
  }
  const j = nextAlias(c);
  const junction = relation.junction;
  const on = junction.refFields.map(
    (f, i) => `${columnSql(db, j, f)} = ${columnSql(db, t, relation.refFields[i] as string)}`,
  );
  qb.joinRaw(`join ${quote(db, junction.table)} as ${quote(db, j)} on ${on.join(' and ')}`);
  return { qb, parentColumns: junction.fields.map((f) => columnSql(db, j, f)) };
}

export function compileAggregate(
  db: Knex,
  caps: SqlCapabilities,
  query: AggregateQuery,
  related?: { relation: RelationModel; keys: Scalar[][] },
): Knex.QueryBuilder {
  const c = context(db, caps);
  const t = nextAlias(c);
  let qb: Knex.QueryBuilder;
  let groups = query.groupBy.map((g) => columnSql(db, t, g.column));
  const select = selectList(c, t, query.groupBy);
  if (related) {
    const base = relatedBase(c, related.relation, t, query.table);
    qb = base.qb;
    applyIn(c, qb, base.parentColumns, related.keys, false);
    select.push(...base.parentColumns.map((col, i) => `${col} as ${quote(db, parentKeyAlias(i))}`));
    groups = [...base.parentColumns, ...groups];
  } else {
    qb = db.queryBuilder().from(from(c, query.table, t));
  }
  for (const agg of query.aggregates) {
    const arg = agg.field === null ? '*' : `${agg.distinct ? 'distinct ' : ''}${columnSql(db, t, agg.field)}`;
    select.push(`${agg.fn}(${arg}) as ${quote(db, agg.as)}`);
  }
  qb.select(db.raw(select.join(', ')));
  if (query.where) applyWhere(c, qb, query.where, t);
  if (groups.length > 0) qb.groupByRaw(groups.join(', '));
  const order = orderSql(c, t, query.orderBy);
  if (order.length > 0) qb.orderByRaw(order.join(', '));
  if (query.limit !== null) qb.limit(query.limit);
  if (query.offset > 0) qb.offset(query.offset);
  return qb;
}

/** Distinct key tuples of the rows matching `where`: how a cross-service filter becomes an IN list. */
export function compileDistinct(
  db: Knex,
  caps: SqlCapabilities,
  table: string,
  fields: string[],
  where: ReadQuery['where'],
  limit: number,
): Knex.QueryBuilder {
  const c = context(db, caps);
  const t = nextAlias(c);
  const qb = db
    .distinct(
      db.raw(fields.map((f, i) => `${columnSql(db, t, f)} as ${quote(db, parentKeyAlias(i))}`).join(', ')),
    )
    .from(from(c, table, t));
  for (const f of fields) qb.whereRaw(`${columnSql(db, t, f)} is not null`);
  if (where) applyWhere(c, qb, where, t);
  return qb.limit(limit);
}
