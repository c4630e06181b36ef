// IR reads → SQL statements: the root read, the batched read of a relation level for many parents at once
// (per-parent limits by LATERAL join where the database has it, else by window function), counts and
// aggregates. One statement each, written as text with bound values (no query-builder on the hot path).
import type { AggregateQuery, OrderItem, ReadQuery, Scalar, SelectItem } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import type { SqlDialect } from './capabilities.js';
import { inSql, whereSql } from './compile-where.js';
import { SqlText, type Statement } from './sql-text.js';

/** Output keys carrying a related row's parent key (`__p0`, `__p1` for composite keys). */
export const parentKeyAlias = (i: number): string => `__p${i}`;
const ROW_NUMBER = '__rn';

function selectList(s: SqlText, alias: string, items: SelectItem[]): string[] {
  return items.map((item) => `${s.col(alias, item.column)} as ${s.id(item.as)}`);
}

function orderSql(s: SqlText, alias: string, items: OrderItem[]): string {
  return items
    .flatMap((item) => {
      const col = s.col(alias, item.field);
      if (!item.nulls) return [`${col} ${item.direction}`];
      if (s.dialect.caps.nullsOrdering) return [`${col} ${item.direction} nulls ${item.nulls}`];
      return [`${col} is null ${item.nulls === 'first' ? 'desc' : 'asc'}`, `${col} ${item.direction}`];
    })
    .join(', ');
}

/** ` order by … limit ? offset ?` in that order (placeholders are numbered left to right). */
function tail(s: SqlText, alias: string, order: OrderItem[], limit: number | null, offset: number): string {
  let text = '';
  const orderText = orderSql(s, alias, order);
  if (orderText) text += ` order by ${orderText}`;
  if (limit !== null) text += ` limit ${s.bind(limit)}`;
  else if (offset > 0) text += ` limit ${s.bind(NO_LIMIT)}`;
  if (offset > 0) text += ` offset ${s.bind(offset)}`;
  return text;
}

/** MySQL and SQLite need a LIMIT before OFFSET: the largest one both accept. */
const NO_LIMIT = 2 ** 53 - 1;

function done(s: SqlText, text: string): Statement {
  s.text = text;
  return s;
}

export function compileRead(d: SqlDialect, query: ReadQuery): Statement {
  const s = new SqlText(d);
  const t = s.alias();
  let text = `select ${selectList(s, t, query.select).join(', ')} from ${s.table(query.table, t)}`;
  if (query.where) text += ` where ${whereSql(s, query.where, t)}`;
  return done(s, text + tail(s, t, query.orderBy, query.limit, query.offset));
}

export function compileCount(d: SqlDialect, query: Pick<ReadQuery, 'table' | 'where'>): Statement {
  const s = new SqlText(d);
  const t = s.alias();
  let text = `select count(*) as n from ${s.table(query.table, t)}`;
  if (query.where) text += ` where ${whereSql(s, query.where, t)}`;
  return done(s, text);
}

/** FROM far [JOIN junction]: the parent key lives on the far table, or on the junction for many_many. */
function relatedFrom(
  s: SqlText,
  relation: RelationModel,
  t: string,
  table: string,
): { from: string; parents: string[] } {
  if (!relation.junction)
    return { from: s.table(table, t), parents: relation.refFields.map((f) => s.col(t, f)) };
  const j = s.alias();
  const junction = relation.junction;
  const on = junction.refFields
    .map((f, i) => `${s.col(j, f)} = ${s.col(t, relation.refFields[i] as string)}`)
    .join(' and ');
  return {
    from: `${s.table(table, t)} join ${s.table(junction.table, j)} on ${on}`,
    parents: junction.fields.map((f) => s.col(j, f)),
  };
}

/**
 * The rows of `query.table` related to the given parent keys, each carrying its parent key as `__p0…`.
 * With a per-parent limit, "the first 10 tracks of each playlist" is still one statement: a LATERAL join
 * over the parent keys (reads 10 rows per parent), or rows numbered within each parent and cut.
 * `keyTypes` (the key columns' database types) lets PostgreSQL type the array of keys.
 */
export function compileRelated(
  d: SqlDialect,
  relation: RelationModel,
  query: ReadQuery,
  keys: Scalar[][],
  perParent: boolean,
  keyTypes: string[] = [],
): Statement {
  const s = new SqlText(d);
  const windowed = perParent && (query.limit !== null || query.offset > 0);
  if (windowed && d.caps.lateral && relation.fields.length === 1 && keyTypes.length === 1) {
    return lateralRelated(s, relation, query, keys, keyTypes[0] as string);
  }
  const t = s.alias();
  const { from, parents } = relatedFrom(s, relation, t, query.table);
  const columns = [
    ...selectList(s, t, query.select),
    ...parents.map((col, i) => `${col} as ${s.id(parentKeyAlias(i))}`),
  ];
  let where = inSql(s, parents, keys, false);
  if (query.where) where += ` and ${whereSql(s, query.where, t)}`;
  if (!windowed)
    return done(
      s,
      `select ${columns.join(', ')} from ${from} where ${where}` +
        tail(s, t, query.orderBy, query.limit, query.offset),
    );
  const orderText = orderSql(s, t, query.orderBy);
  const over = `row_number() over (partition by ${parents.join(', ')}${orderText ? ` order by ${orderText}` : ''}) as ${s.id(ROW_NUMBER)}`;
  const inner = `select ${[...columns, over].join(', ')} from ${from} where ${where}`;
  const w = s.alias();
  const rn = s.col(w, ROW_NUMBER);
  let text = `select ${s.id(w)}.* from (${inner}) as ${s.id(w)} where ${rn} > ${s.bind(query.offset)}`;
  if (query.limit !== null) text += ` and ${rn} <= ${s.bind(query.offset + query.limit)}`;
  const parentOrder = parents.map((_, i) => s.col(w, parentKeyAlias(i)));
  return done(s, `${text} order by ${[...parentOrder, rn].join(', ')}`);
}

/** `unnest(keys) as p(k) cross join lateral (… where parent = p.k order by … limit n)`. */
function lateralRelated(
  s: SqlText,
  relation: RelationModel,
  query: ReadQuery,
  keys: Scalar[][],
  keyType: string,
): Statement {
  const p = s.alias();
  const head = `select ${s.id('x')}.* from unnest(${s.bind(keys.map((k) => k[0] ?? null))}::${keyType}[]) as ${s.id(p)}(${s.id('k')}) cross join lateral (`;
  const t = s.alias();
  const { from, parents } = relatedFrom(s, relation, t, query.table);
  const key = s.col(p, 'k');
  const columns = [...selectList(s, t, query.select), `${key} as ${s.id(parentKeyAlias(0))}`];
  let inner = `select ${columns.join(', ')} from ${from} where ${parents[0] as string} = ${key}`;
  if (query.where) inner += ` and ${whereSql(s, query.where, t)}`;
  inner += tail(s, t, query.orderBy, query.limit, query.offset);
  return done(s, `${head}${inner}) as ${s.id('x')}`);
}

export function compileAggregate(
  d: SqlDialect,
  query: AggregateQuery,
  related?: { relation: RelationModel; keys: Scalar[][] },
): Statement {
  const s = new SqlText(d);
  const t = s.alias();
  const select = selectList(s, t, query.groupBy);
  let groups = query.groupBy.map((g) => s.col(t, g.column));
  let from = s.table(query.table, t);
  const conditions: string[] = [];
  if (related) {
    const base = relatedFrom(s, related.relation, t, query.table);
    from = base.from;
    select.push(...base.parents.map((col, i) => `${col} as ${s.id(parentKeyAlias(i))}`));
    groups = [...base.parents, ...groups];
  }
  for (const agg of query.aggregates) {
    const arg = agg.field === null ? '*' : `${agg.distinct ? 'distinct ' : ''}${s.col(t, agg.field)}`;
    select.push(`${agg.fn}(${arg}) as ${s.id(agg.as)}`);
  }
  if (related)
    conditions.push(inSql(s, groups.slice(0, related.relation.fields.length), related.keys, false));
  if (query.where) conditions.push(whereSql(s, query.where, t));
  let text = `select ${select.join(', ')} from ${from}`;
  if (conditions.length > 0) text += ` where ${conditions.join(' and ')}`;
  if (groups.length > 0) text += ` group by ${groups.join(', ')}`;
  return done(s, text + tail(s, t, query.orderBy, query.limit, query.offset));
}

/** Distinct key tuples of the rows matching `where`: how a cross-service filter becomes an IN list. */
export function compileDistinct(
  d: SqlDialect,
  table: string,
  fields: string[],
  where: ReadQuery['where'],
  limit: number,
): Statement {
  const s = new SqlText(d);
  const t = s.alias();
  const columns = fields.map((f, i) => `${s.col(t, f)} as ${s.id(parentKeyAlias(i))}`);
  const conditions = fields.map((f) => `${s.col(t, f)} is not null`);
  if (where) conditions.push(whereSql(s, where, t));
  return done(
    s,
    `select distinct ${columns.join(', ')} from ${s.table(table, t)} where ${conditions.join(' and ')} limit ${s.bind(limit)}`,
  );
}
