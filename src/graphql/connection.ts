// Connection arguments (first/after, last/before) → a ReadQuery with keyset pagination, and rows → edges.
// The order is made total by appending the primary key, and NULL placement is made explicit, so a cursor
// (the row's order values) names one position exactly and stays valid when rows are added before it.
import { ApiError } from '../errors/index.js';
import type { Expr, OrderItem, ReadQuery, Row, Scalar } from '../ir/types.js';
import { ensureColumns } from '../ir/select.js';
import type { TableEntry } from '../model/model-index.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PagePlan {
  query: ReadQuery;
  /** Output keys holding each order value, in order. */
  cursorKeys: string[];
  size: number | null;
  backwards: boolean;
}

/** Total, explicit order: the requested keys, then the primary key (or all columns for a keyless view). */
export function totalOrder(entry: TableEntry, requested: OrderItem[]): OrderItem[] {
  const keys =
    entry.table.primaryKey.length > 0 ? entry.table.primaryKey : entry.table.fields.map((f) => f.name);
  const items = [...requested];
  for (const field of keys)
    if (!items.some((i) => i.field === field)) items.push({ field, direction: 'asc' });
  // Without an explicit NULL position the databases disagree (PostgreSQL: last; MySQL, SQLite: first).
  return items.map((i) => ({ ...i, nulls: i.nulls ?? (i.direction === 'asc' ? 'last' : 'first') }));
}

export function planPage(entry: TableEntry, base: ReadQuery, args: PageArgs): PagePlan {
  if (isSet(args.first) && isSet(args.last))
    throw new ApiError('BAD_REQUEST', 'Use first/after or last/before, not both.');
  for (const [name, value] of [
    ['first', args.first],
    ['last', args.last],
  ] as const) {
    if (isSet(value) && (!Number.isInteger(value) || (value as number) < 0)) {
      throw new ApiError('BAD_REQUEST', `${name} must be a whole number of 0 or more.`);
    }
  }
  const backwards = isSet(args.last) || (isSet(args.before) && !isSet(args.first));
  const forward = totalOrder(entry, base.orderBy);
  const order = backwards ? forward.map(reverse) : forward;
  const { select, aliases } = ensureColumns(
    base.select,
    order.map((o) => o.field),
  );
  const cursor = backwards ? args.before : args.after;
  const conditions: Expr[] = base.where ? [base.where] : [];
  if (isSet(cursor)) conditions.push(afterCursor(order, decodeCursor(cursor as string, order.length)));
  // A before-cursor while paging forward (or after while backward) bounds the other end.
  const other = backwards ? args.after : args.before;
  if (isSet(other))
    conditions.push(afterCursor(order.map(reverse), decodeCursor(other as string, order.length)));
  const size = (backwards ? args.last : args.first) ?? null;
  return {
    query: {
      ...base,
      select,
      orderBy: order,
      where:
        conditions.length === 0
          ? null
          : conditions.length === 1
            ? (conditions[0] as Expr)
            : { kind: 'and', items: conditions },
      limit: size === null ? base.limit : size + 1,
      offset: 0,
    },
    cursorKeys: aliases,
    size,
    backwards,
  };
}

export function pageResult(plan: PagePlan, fetched: Row[], args: PageArgs) {
  const more = plan.size !== null && fetched.length > plan.size;
  const rows = more ? fetched.slice(0, plan.size as number) : fetched;
  if (plan.backwards) rows.reverse();
  const edges = rows.map((node) => ({
    cursor: encodeCursor(plan.cursorKeys.map((k) => node[k] as Scalar)),
    node,
  }));
  return {
    edges,
    nodes: rows,
    pageInfo: {
      hasNextPage: plan.backwards ? isSet(args.before) : more,
      hasPreviousPage: plan.backwards ? more : isSet(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function reverse(item: OrderItem): OrderItem {
  return {
    field: item.field,
    direction: item.direction === 'asc' ? 'desc' : 'asc',
    nulls: item.nulls === 'first' ? 'last' : 'first',
  };
}

/** Rows strictly after `values` in `order`: OR over i of (all earlier keys equal AND key i after). */
export function afterCursor(order: OrderItem[], values: Scalar[]): Expr {
  const branches: Expr[] = order.map((item, i) => {
    const equal: Expr[] = order.slice(0, i).map((o, j) => equalTo(o.field, values[j] ?? null));
    return { kind: 'and', items: [...equal, strictlyAfter(item, values[i] ?? null)] };
  });
  return { kind: 'or', items: branches };
}

function equalTo(field: string, value: Scalar): Expr {
  return value === null
    ? { kind: 'isNull', field, isNull: true }
    : { kind: 'compare', field, op: 'eq', value };
}

function strictlyAfter(item: OrderItem, value: Scalar): Expr {
  if (value === null) {
    // NULLs first: every non-null value comes after; NULLs last: nothing does.
    return item.nulls === 'first'
      ? { kind: 'isNull', field: item.field, isNull: false }
      : { kind: 'const', value: false };
  }
  const beyond: Expr = {
    kind: 'compare',
    field: item.field,
    op: item.direction === 'asc' ? 'gt' : 'lt',
    value,
  };
  if (item.nulls === 'last')
    return { kind: 'or', items: [beyond, { kind: 'isNull', field: item.field, isNull: true }] };
  return beyond;
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

export function encodeCursor(values: Scalar[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): Scalar[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    ) {
      return values as Scalar[];
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    'BAD_REQUEST',
    'Invalid cursor: use a cursor returned by this field with the same orderBy.',
  );
}
