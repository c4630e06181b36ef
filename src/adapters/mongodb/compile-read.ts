// IR reads → MongoDB find options and aggregation pipelines. Output keys inside pipelines are generated
// (`g0`, `a0`, `k0`), never client aliases, and renamed in JS afterwards: a client's alias can hold any text.
import type { Document, Filter, Sort } from 'mongodb';
import { ApiError } from '../../errors/index.js';
import type { AggregateItem, AggregateQuery, OrderItem, SelectItem } from '../../ir/types.js';
import { field } from './compile-filter.js';

export function projection(select: SelectItem[], extra: string[] = []): Document {
  const out: Document = { _id: 0 };
  for (const name of [...select.map((s) => s.column), ...extra]) out[field(name)] = 1;
  return out;
}

/**
 * MongoDB puts null and missing values first ascending and last descending. An order that asks otherwise
 * needs a computed "is null" key, which only a pipeline can sort by: null then.
 */
export function plainSort(order: OrderItem[]): Sort | null {
  const natural = order.every(
    (item) => item.nulls === undefined || item.nulls === (item.direction === 'asc' ? 'first' : 'last'),
  );
  if (!natural) return null;
  const sort: Record<string, 1 | -1> = {};
  for (const item of order) sort[field(item.field)] = item.direction === 'asc' ? 1 : -1;
  return sort;
}

/** `$addFields` + `$sort` stages for an order with explicit NULLS placement. */
export function sortStages(order: OrderItem[]): Document[] {
  const flags: Document = {};
  const sort: Record<string, 1 | -1> = {};
  order.forEach((item, i) => {
    const name = field(item.field);
    if (item.nulls !== undefined) {
      flags[`__n${i}`] = { $cond: [{ $eq: [{ $ifNull: [`$${name}`, null] }, null] }, 1, 0] };
      sort[`__n${i}`] = item.nulls === 'first' ? -1 : 1;
    }
    sort[name] = item.direction === 'asc' ? 1 : -1;
  });
  return Object.keys(flags).length > 0 ? [{ $addFields: flags }, { $sort: sort }] : [{ $sort: sort }];
}

export function pageStages(limit: number | null, offset: number): Document[] {
  const stages: Document[] = [];
  if (offset > 0) stages.push({ $skip: offset });
  if (limit !== null) stages.push({ $limit: limit });
  return stages;
}

/**
 * One `$group` for an aggregate query: groups under `_id.g{i}` (parent keys first under `_id.p{i}`),
 * aggregates under `a{i}`, plus what JS needs to finish them (`c{i}`: non-null counts, for SQL's NULL sums).
 */
export function aggregatePipeline(
  match: Filter<Document>,
  query: AggregateQuery,
  parentFields: string[] = [],
): Document[] {
  const id: Document = {};
  parentFields.forEach((f, i) => (id[`p${i}`] = `$${field(f)}`));
  query.groupBy.forEach((g, i) => (id[`g${i}`] = `$${field(g.column)}`));
  const group: Document = { _id: Object.keys(id).length > 0 ? id : null };
  query.aggregates.forEach((agg, i) => Object.assign(group, accumulators(agg, i)));
  const stages: Document[] = [{ $match: match }, { $group: group }];
  if (query.orderBy.length > 0) {
    const sort: Record<string, 1 | -1> = {};
    for (const item of query.orderBy) {
      const at = query.groupBy.findIndex((g) => g.column === item.field || g.as === item.field);
      if (at < 0)
        throw new ApiError('BAD_REQUEST', `Cannot order groups by '${item.field}': it is not grouped.`);
      sort[`_id.g${at}`] = item.direction === 'asc' ? 1 : -1;
    }
    stages.push({ $sort: sort });
  }
  stages.push(...pageStages(query.limit, query.offset));
  return stages;
}

function accumulators(agg: AggregateItem, i: number): Document {
  if (agg.field === null) return { [`a${i}`]: { $sum: 1 } };
  const ref = `$${field(agg.field)}`;
  const present = { $cond: [{ $eq: [{ $ifNull: [ref, null] }, null] }, 0, 1] };
  switch (agg.fn) {
    case 'count':
      return agg.distinct ? { [`a${i}`]: { $addToSet: ref } } : { [`a${i}`]: { $sum: present } };
    case 'sum':
      return { [`a${i}`]: { $sum: ref }, [`c${i}`]: { $sum: present } };
    case 'avg':
      return { [`a${i}`]: { $avg: ref } };
    case 'min':
      return { [`a${i}`]: { $min: ref } };
    case 'max':
      return { [`a${i}`]: { $max: ref } };
  }
}

/** A `$group` result → the executor's row: groups and aggregates under their aliases, SQL's NULL rules. */
export function aggregateRow(
  doc: Document,
  query: AggregateQuery,
  parentCount: number,
  out: (value: unknown) => unknown,
): Record<string, unknown> {
  const id = (doc._id ?? {}) as Document;
  const row: Record<string, unknown> = {};
  for (let i = 0; i < parentCount; i++) row[`__p${i}`] = out(id[`p${i}`]);
  query.groupBy.forEach((g, i) => (row[g.as] = out(id[`g${i}`])));
  query.aggregates.forEach((agg, i) => {
    const value = doc[`a${i}`];
    if (agg.fn === 'count' && agg.distinct) {
      row[agg.as] = Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).length : 0;
    } else if (agg.fn === 'sum') {
      row[agg.as] = doc[`c${i}`] === 0 ? null : out(value);
    } else {
      row[agg.as] = value === undefined ? null : out(value);
    }
  });
  return row;
}

/** What an aggregate over no rows at all gives in SQL: count 0, every other aggregate NULL. */
export function emptyAggregateRow(query: AggregateQuery): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const agg of query.aggregates) row[agg.as] = agg.fn === 'count' ? 0 : null;
  return row;
}
