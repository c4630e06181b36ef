// IR Expr → knex WHERE clauses on a query builder. Values are always bound; identifiers are quoted whole.
// `related` conditions become EXISTS subqueries (same-service only: the executor turns cross-service ones
// into `keys` first, since two databases cannot be joined).
import type { Knex } from 'knex';
import { ApiError } from '../../errors/index.js';
import type { Expr, MatchOp, Scalar } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import type { SqlCapabilities } from './capabilities.js';
import { columnSql, quote } from './identifiers.js';

export interface CompileContext {
  db: Knex;
  caps: SqlCapabilities;
  /** Next table alias number; subqueries take fresh aliases so column references never clash. */
  aliases: number;
}

export function nextAlias(c: CompileContext): string {
  c.aliases += 1;
  return `t${c.aliases}`;
}

const COMPARE: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

export function applyWhere(c: CompileContext, qb: Knex.QueryBuilder, expr: Expr, alias: string): void {
  switch (expr.kind) {
    case 'and':
      if (expr.items.length === 0) return;
      qb.where((b) => {
        for (const item of expr.items) applyWhere(c, b, item, alias);
      });
      return;
    case 'or':
      if (expr.items.length === 0) {
        qb.whereRaw('1 = 0');
        return;
      }
      qb.where((b) => {
        for (const item of expr.items) b.orWhere((bb) => applyWhere(c, bb, item, alias));
      });
      return;
    case 'not':
      qb.whereNot((b) => applyWhere(c, b, expr.item, alias));
      return;
    case 'const':
      qb.whereRaw(expr.value ? '1 = 1' : '1 = 0');
      return;
    case 'compare':
      if (expr.value === null) {
        // `= null` matches nothing in SQL; clients mean "is null" (and `<> null`, "is not null").
        if (expr.op === 'eq') qb.whereRaw(`${columnSql(c.db, alias, expr.field)} is null`);
        else if (expr.op === 'neq') qb.whereRaw(`${columnSql(c.db, alias, expr.field)} is not null`);
        else qb.whereRaw('1 = 0');
        return;
      }
      qb.whereRaw(`${columnSql(c.db, alias, expr.field)} ${COMPARE[expr.op] as string} ?`, [expr.value]);
      return;
    case 'between':
      qb.whereRaw(`${columnSql(c.db, alias, expr.field)} between ? and ?`, [expr.low, expr.high]);
      return;
    case 'isNull':
      qb.whereRaw(`${columnSql(c.db, alias, expr.field)} ${expr.isNull ? 'is null' : 'is not null'}`);
      return;
    case 'in':
      applyIn(
        c,
        qb,
        [columnSql(c.db, alias, expr.field)],
        expr.values.map((v) => [v]),
        expr.negate,
      );
      return;
    case 'keys':
      applyIn(
        c,
        qb,
        expr.fields.map((f) => columnSql(c.db, alias, f)),
        expr.keys,
        expr.negate,
      );
      return;
    case 'match':
      applyMatch(c, qb, columnSql(c.db, alias, expr.field), expr.op, expr.value, expr.caseInsensitive);
      return;
    case 'related':
      applyRelated(c, qb, expr, alias);
      return;
  }
}

/** `(a, b) in ((?, ?), …)`; NULLs in a key never match, as in a join. */
export function applyIn(
  c: CompileContext,
  qb: Knex.QueryBuilder,
  columns: string[],
  tuples: Scalar[][],
  negate: boolean,
): void {
  if (tuples.length === 0) {
    qb.whereRaw(negate ? '1 = 1' : '1 = 0');
    return;
  }
  const op = negate ? 'not in' : 'in';
  if (columns.length === 1) {
    const marks = tuples.map(() => '?').join(', ');
    qb.whereRaw(
      `${columns[0]} ${op} (${marks})`,
      tuples.map((t) => t[0] ?? null),
    );
    return;
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  qb.whereRaw(
    `(${columns.join(', ')}) ${op} (${c.caps.rowValuesKeyword}${tuples.map(() => tuple).join(', ')})`,
    tuples.flat(),
  );
}

/** LIKE with `!` as the escape character: a plain substring's `%` and `_` then match only themselves. */
function applyMatch(
  c: CompileContext,
  qb: Knex.QueryBuilder,
  colSql: string,
  op: MatchOp,
  value: string,
  insensitive: boolean,
): void {
  const escaped = value.replace(/[!%_]/g, (ch) => `!${ch}`);
  const pattern =
    op === 'contains'
      ? `%${escaped}%`
      : op === 'startsWith'
        ? `${escaped}%`
        : op === 'endsWith'
          ? `%${escaped}`
          : value;
  const escape = op === 'like' || op === 'notLike' || op === 'ilike' ? '' : " escape '!'";
  const not = op === 'notLike' ? 'not ' : '';
  if (op === 'ilike' || insensitive) {
    if (c.caps.ilike) qb.whereRaw(`${colSql} ${not}ilike ?${escape}`, [pattern]);
    else qb.whereRaw(`lower(${colSql}) ${not}like lower(?)${escape}`, [pattern]);
    return;
  }
  qb.whereRaw(`${colSql} ${not}like ?${escape}`, [pattern]);
}

function applyRelated(
  c: CompileContext,
  qb: Knex.QueryBuilder,
  expr: Extract<Expr, { kind: 'related' }>,
  alias: string,
): void {
  const rel = expr.relation;
  if (rel.crossService) {
    throw new ApiError(
      'INTERNAL',
      'cross-service relation filters must be resolved to keys before compiling',
    );
  }
  if (expr.quantifier === 'every' && expr.where === null) return;
  const sub = relatedExists(c, rel, alias);
  if (expr.where) {
    const where = expr.where;
    if (expr.quantifier === 'every') sub.query.whereNot((b) => applyWhere(c, b, where, sub.alias));
    else applyWhere(c, sub.query, where, sub.alias);
  }
  if (expr.quantifier === 'some') qb.whereExists(sub.query);
  else qb.whereNotExists(sub.query);
}

/** `select 1 from far [join junction] where far/junction key = outer key`: the correlated half of EXISTS. */
function relatedExists(
  c: CompileContext,
  rel: RelationModel,
  outer: string,
): { query: Knex.QueryBuilder; alias: string } {
  const { db } = c;
  const far = nextAlias(c);
  const query = db.select(db.raw('1')).from(db.raw(`${quote(db, rel.refTable)} as ${quote(db, far)}`));
  if (rel.junction) {
    const j = nextAlias(c);
    const junction = rel.junction;
    const on = junction.refFields.map(
      (f, i) => `${columnSql(db, j, f)} = ${columnSql(db, far, rel.refFields[i] as string)}`,
    );
    query.joinRaw(`join ${quote(db, junction.table)} as ${quote(db, j)} on ${on.join(' and ')}`);
    junction.fields.forEach((f, i) =>
      query.whereRaw(`${columnSql(db, j, f)} = ${columnSql(db, outer, rel.fields[i] as string)}`),
    );
  } else {
    rel.refFields.forEach((f, i) =>
      query.whereRaw(`${columnSql(db, far, f)} = ${columnSql(db, outer, rel.fields[i] as string)}`),
    );
  }
  return { query, alias: far };
}
