// GraphQL `where` and `orderBy` argument values → IR Expr and OrderItems, against one table's fields and
// relations. Unknown keys cannot arrive (the schema validated them); values arrive typed by the scalars.
import { ApiError } from '../errors/index.js';
import type { CompareOp, Expr, MatchOp, OrderItem, Scalar } from '../ir/types.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import type { FieldModel } from '../model/types.js';

type Input = Record<string, unknown>;

const COMPARE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']);
const MATCH = new Set(['like', 'notLike', 'ilike', 'contains', 'startsWith', 'endsWith']);

export function whereToExpr(
  index: ModelIndex,
  entry: TableEntry,
  where: Input | null | undefined,
): Expr | null {
  if (!where) return null;
  const items: Expr[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      const list = (value as Input[] | null) ?? [];
      items.push({ kind: key, items: list.map((w) => whereToExpr(index, entry, w) ?? TRUE) });
    } else if (key === 'not') {
      if (value !== null)
        items.push({ kind: 'not', item: whereToExpr(index, entry, value as Input) ?? TRUE });
    } else {
      const field = entry.fieldsByGraphql.get(key);
      if (field) items.push(...fieldConditions(field, value as Input | null));
      else items.push(...relationConditions(index, entry, key, value as Input | null));
    }
  }
  if (items.length === 0) return null;
  return items.length === 1 ? (items[0] as Expr) : { kind: 'and', items };
}

const TRUE: Expr = { kind: 'const', value: true };

function fieldConditions(field: FieldModel, filter: Input | null): Expr[] {
  if (filter === null) return [];
  const out: Expr[] = [];
  for (const [op, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const column = field.name;
    if (COMPARE.has(op)) {
      out.push({ kind: 'compare', field: column, op: op as CompareOp, value: value as Scalar });
    } else if (op === 'in' || op === 'nin') {
      if (value !== null)
        out.push({ kind: 'in', field: column, values: value as Scalar[], negate: op === 'nin' });
    } else if (op === 'isNull') {
      if (value !== null) out.push({ kind: 'isNull', field: column, isNull: value as boolean });
    } else if (op === 'between') {
      if (value !== null) {
        const range = value as { from: Scalar; to: Scalar };
        out.push({ kind: 'between', field: column, low: range.from, high: range.to });
      }
    } else if (MATCH.has(op)) {
      if (value !== null)
        out.push({
          kind: 'match',
          field: column,
          op: op as MatchOp,
          value: String(value),
          caseInsensitive: false,
        });
    }
  }
  return out;
}

function relationConditions(index: ModelIndex, entry: TableEntry, key: string, value: Input | null): Expr[] {
  const relation = entry.relationsByGraphql.get(key);
  if (!relation) throw new ApiError('BAD_REQUEST', `Unknown field '${key}' in where.`);
  const far = index.target(relation);
  if (relation.type === 'belongs_to' || relation.type === 'has_one') {
    // `artist: null` asks for rows without a related row.
    if (value === null) return [{ kind: 'related', relation, quantifier: 'none', where: null }];
    return [{ kind: 'related', relation, quantifier: 'some', where: whereToExpr(index, far, value) }];
  }
  if (value === null) return [];
  const out: Expr[] = [];
  for (const quantifier of ['some', 'none', 'every'] as const) {
    const sub = value[quantifier];
    if (sub !== undefined && sub !== null) {
      out.push({ kind: 'related', relation, quantifier, where: whereToExpr(index, far, sub as Input) });
    }
  }
  return out;
}

const DIRECTIONS: Record<string, Pick<OrderItem, 'direction' | 'nulls'>> = {
  ASC: { direction: 'asc' },
  DESC: { direction: 'desc' },
  ASC_NULLS_FIRST: { direction: 'asc', nulls: 'first' },
  ASC_NULLS_LAST: { direction: 'asc', nulls: 'last' },
  DESC_NULLS_FIRST: { direction: 'desc', nulls: 'first' },
  DESC_NULLS_LAST: { direction: 'desc', nulls: 'last' },
};

export function orderToItems(entry: TableEntry, orderBy: Input[] | Input | null | undefined): OrderItem[] {
  if (!orderBy) return [];
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const items: OrderItem[] = [];
  for (const object of list) {
    for (const [key, dir] of Object.entries(object ?? {})) {
      const field = entry.fieldsByGraphql.get(key);
      const direction = DIRECTIONS[String(dir)];
      if (!field || !direction || dir === null) continue;
      items.push({ field: field.name, ...direction });
    }
  }
  return items;
}
