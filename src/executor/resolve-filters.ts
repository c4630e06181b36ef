// Expr with cross-service `related` conditions → Expr the table's own database can run: each such condition
// is evaluated first on the other database (one statement: the distinct keys it matches) and replaced by a
// key list. Same-service conditions stay as they are and become EXISTS subqueries in SQL (MongoDB has none:
// its conditions become key lists too).
import { ApiError } from '../errors/index.js';
import type { Expr } from '../ir/types.js';
import type { ExecContext } from './context.js';
import { parentKey } from './data-source.js';

/** Beyond this many matching keys a cross-service filter is refused rather than sent as a huge IN list. */
export const MAX_CROSS_SERVICE_KEYS = 10_000;

export async function resolveFilters(expr: Expr | null, ctx: ExecContext): Promise<Expr | null> {
  if (expr === null) return null;
  switch (expr.kind) {
    case 'and':
    case 'or': {
      const items = await Promise.all(expr.items.map((item) => resolveFilters(item, ctx)));
      return { ...expr, items: items as Expr[] };
    }
    case 'not':
      return { kind: 'not', item: (await resolveFilters(expr.item, ctx)) as Expr };
    case 'related': {
      const where = await resolveFilters(expr.where, ctx);
      if (!expr.relation.crossService && !cannotJoin(expr.relation.refService, ctx))
        return { ...expr, where };
      return crossServiceKeys({ ...expr, where }, ctx);
    }
    default:
      return expr;
  }
}

/** MongoDB has no join inside a find: its related filters become key lists even within one service. */
function cannotJoin(service: string, ctx: ExecContext): boolean {
  return ctx.index.findService(service)?.type === 'mongodb';
}

async function crossServiceKeys(expr: Extract<Expr, { kind: 'related' }>, ctx: ExecContext): Promise<Expr> {
  const rel = expr.relation;
  // "every related row matches" = "no related row fails": find the keys of rows that fail.
  const farWhere: Expr | null =
    expr.quantifier === 'every' ? (expr.where ? { kind: 'not', item: expr.where } : null) : expr.where;
  if (expr.quantifier === 'every' && farWhere === null) return { kind: 'const', value: true };
  const rows = await ctx
    .source(rel.refService)
    .distinctKeys(rel.refTable, rel.refFields, farWhere, MAX_CROSS_SERVICE_KEYS + 1, ctx.stats);
  if (rows.length > MAX_CROSS_SERVICE_KEYS) {
    throw new ApiError(
      'BAD_REQUEST',
      `The filter on related records in service '${rel.refService}' matches more than ${MAX_CROSS_SERVICE_KEYS} records; narrow it down.`,
    );
  }
  const keys = rows.map((row) => rel.refFields.map((_, i) => row[parentKey(i)] as string | number));
  const matched: Expr = { kind: 'keys', fields: rel.fields, keys, negate: false };
  if (expr.quantifier === 'some') return matched;
  // A row whose own key is NULL relates to nothing, so it has "none" (and vacuously "every").
  const nullKey: Expr = {
    kind: 'or',
    items: rel.fields.map((field) => ({ kind: 'isNull', field, isNull: true })),
  };
  return { kind: 'or', items: [nullKey, { kind: 'not', item: matched }] };
}
