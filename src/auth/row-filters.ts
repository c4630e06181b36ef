// A role's row filters (DreamFactory's `filters` + `filter_op`, compat §10.4) → one IR Expr for a table.
// Values may use lookups of the principal (`{app.name}`, `{role.name}`, `{user.id}`, `{user.email}`),
// substituted before typing.
import { ApiError } from '../errors/index.js';
import type { CompareOp, Expr, Scalar } from '../ir/types.js';
import type { TableEntry } from '../model/model-index.js';
import type { FieldModel } from '../model/types.js';
import type { RoleAccessConfig } from './types.js';

const COMPARE: Record<string, CompareOp> = {
  '=': 'eq',
  '!=': 'neq',
  '<>': 'neq',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};
const NUMBER_TYPES = new Set(['id', 'reference', 'integer', 'bigint', 'decimal', 'float', 'double', 'money']);

export type Lookup = (name: string) => string | undefined;

/** `{app.name}` → the principal's value; an unknown lookup makes the condition match nothing (fail closed). */
function substitute(value: string, lookup: Lookup): string | null {
  let unknown = false;
  const out = value.replace(/\{([a-z_]+\.[a-z_]+)\}/gi, (_, name: string) => {
    const found = lookup(name.toLowerCase());
    if (found === undefined) unknown = true;
    return found ?? '';
  });
  return unknown ? null : out;
}

export function rowFilter(entry: TableEntry, entries: RoleAccessConfig[], lookup: Lookup): Expr | null {
  const perEntry: Expr[] = [];
  for (const access of entries) {
    if (access.filters.length === 0) continue;
    const items = access.filters.map((f): Expr => {
      const value = substitute(f.value, lookup);
      return value === null ? { kind: 'const', value: false } : condition(entry, f.field, f.operator, value);
    });
    perEntry.push(
      items.length === 1 ? (items[0] as Expr) : { kind: access.filterOp === 'OR' ? 'or' : 'and', items },
    );
  }
  if (perEntry.length === 0) return null;
  return perEntry.length === 1 ? (perEntry[0] as Expr) : { kind: 'and', items: perEntry };
}

function condition(entry: TableEntry, name: string, operator: string, raw: string): Expr {
  const field = entry.table.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  // A filter on a column this table lacks matches nothing: fail closed, never open.
  if (!field) return { kind: 'const', value: false };
  const op = operator.trim().toUpperCase();
  if (COMPARE[op])
    return { kind: 'compare', field: field.name, op: COMPARE[op] as CompareOp, value: typed(field, raw) };
  if (op === 'IN' || op === 'NOT IN') {
    const values = raw
      .replace(/^\(|\)$/g, '')
      .split(',')
      .map((v) => typed(field, v.trim()));
    return { kind: 'in', field: field.name, values, negate: op === 'NOT IN' };
  }
  if (op === 'IS NULL' || op === 'IS NOT NULL')
    return { kind: 'isNull', field: field.name, isNull: op === 'IS NULL' };
  if (op === 'STARTS WITH')
    return { kind: 'match', field: field.name, op: 'startsWith', value: raw, caseInsensitive: false };
  if (op === 'ENDS WITH')
    return { kind: 'match', field: field.name, op: 'endsWith', value: raw, caseInsensitive: false };
  if (op === 'CONTAINS')
    return { kind: 'match', field: field.name, op: 'contains', value: raw, caseInsensitive: false };
  throw new ApiError('INTERNAL', `unknown row filter operator ${operator}`);
}

function typed(field: FieldModel, raw: string): Scalar {
  const value = raw.trim().replace(/^'(.*)'$|^"(.*)"$/, '$1$2');
  if (NUMBER_TYPES.has(field.type) && /^-?\d+(\.\d+)?$/.test(value))
    return field.type === 'decimal' || field.type === 'bigint' ? value : Number(value);
  if (field.type === 'boolean') return /^(true|1|yes|on)$/i.test(value);
  return value;
}

/**
 * Does a row being written satisfy a row-filter Expr? With `partial` (an update) a condition on a column the
 * write does not set counts as satisfied (the stored row already passed the filter to be updatable).
 */
export function satisfies(expr: Expr, row: Record<string, unknown>, partial: boolean): boolean {
  const value = (field: string) => (row[field] === undefined ? null : row[field]);
  const unknown = (field: string) => partial && !(field in row);
  switch (expr.kind) {
    case 'const':
      return expr.value;
    case 'and':
      return expr.items.every((item) => satisfies(item, row, partial));
    case 'or':
      return expr.items.some((item) => satisfies(item, row, partial));
    case 'not':
      return !satisfies(expr.item, row, false);
    case 'compare':
      return unknown(expr.field) || compare(value(expr.field), expr.op, expr.value);
    case 'in':
      return (
        unknown(expr.field) || expr.values.some((v) => compare(value(expr.field), 'eq', v)) !== expr.negate
      );
    case 'isNull':
      return unknown(expr.field) || (value(expr.field) === null) === expr.isNull;
    case 'match': {
      if (unknown(expr.field)) return true;
      const text = value(expr.field);
      if (text === null) return false;
      const s = String(text);
      return expr.op === 'startsWith'
        ? s.startsWith(expr.value)
        : expr.op === 'endsWith'
          ? s.endsWith(expr.value)
          : s.includes(expr.value);
    }
    default:
      // Row filters are built from the operators above only; anything else fails closed.
      return false;
  }
}

function compare(actual: unknown, op: CompareOp, expected: Scalar): boolean {
  if (actual === null || expected === null) return false;
  const numeric =
    typeof actual === 'number' ||
    typeof expected === 'number' ||
    (/^-?\d+(\.\d+)?$/.test(String(actual)) && /^-?\d+(\.\d+)?$/.test(String(expected)));
  const a = numeric ? Number(actual) : String(actual);
  const b = numeric ? Number(expected) : String(expected);
  switch (op) {
    case 'eq':
      return a === b;
    case 'neq':
      return a !== b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}
