// IR Expr → a SQL boolean expression in one SqlText. Values are always bound; identifiers are quoted whole.
// `related` conditions become EXISTS subqueries (same-service only: the executor turns cross-service ones
// into `keys` first, since two databases cannot be joined).
import { ApiError } from '../../errors/index.js';
import type { Expr, MatchOp, Scalar } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import type { SqlText } from './sql-text.js';

const COMPARE: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const TRUE = '1 = 1';
const FALSE = '1 = 0';

export function whereSql(s: SqlText, expr: Expr, alias: string): string {
  switch (expr.kind) {
    case 'and':
      return expr.items.length === 0
        ? TRUE
        : `(${expr.items.map((item) => whereSql(s, item, alias)).join(' and ')})`;
    case 'or':
      return expr.items.length === 0
        ? FALSE
        : `(${expr.items.map((item) => whereSql(s, item, alias)).join(' or ')})`;
    case 'not':
      return `not (${whereSql(s, expr.item, alias)})`;
    case 'const':
      return expr.value ? TRUE : FALSE;
    case 'compare': {
      const col = s.col(alias, expr.field);
      if (expr.value === null) {
        // `= null` matches nothing in SQL; clients mean "is null" (and `<> null`, "is not null").
        return expr.op === 'eq' ? `${col} is null` : expr.op === 'neq' ? `${col} is not null` : FALSE;
      }
      return `${col} ${COMPARE[expr.op] as string} ${s.bind(expr.value)}`;
    }
    case 'between': {
      const col = s.col(alias, expr.field);
      return `${col} between ${s.bind(expr.low)} and ${s.bind(expr.high)}`;
    }
    case 'isNull':
      return `${s.col(alias, expr.field)} ${expr.isNull ? 'is null' : 'is not null'}`;
    case 'in':
      return inSql(
        s,
        [s.col(alias, expr.field)],
        expr.values.map((v) => [v]),
        expr.negate,
      );
    case 'keys':
      return inSql(
        s,
        expr.fields.map((f) => s.col(alias, f)),
        expr.keys,
        expr.negate,
      );
    case 'match':
      return matchSql(s, s.col(alias, expr.field), expr.op, expr.value, expr.caseInsensitive);
    case 'related':
      return relatedSql(s, expr, alias);
  }
}

/**
 * `col = any(?)` with one array (PostgreSQL: one prepared statement for any list length), else
 * `(a, b) in ((?, ?), …)`. NULLs in a key never match, as in a join.
 */
export function inSql(s: SqlText, columns: string[], tuples: Scalar[][], negate: boolean): string {
  if (tuples.length === 0) return negate ? TRUE : FALSE;
  if (columns.length === 1) {
    const col = columns[0] as string;
    if (s.dialect.caps.arrayParams) {
      const values = s.bind(tuples.map((t) => t[0] ?? null));
      return negate ? `${col} <> all(${values})` : `${col} = any(${values})`;
    }
    return `${col} ${negate ? 'not in' : 'in'} (${tuples.map((t) => s.bind(t[0] ?? null)).join(', ')})`;
  }
  const rows = tuples.map((t) => `(${columns.map((_, i) => s.bind(t[i] ?? null)).join(', ')})`);
  return `(${columns.join(', ')}) ${negate ? 'not in' : 'in'} (${s.dialect.caps.rowValuesKeyword}${rows.join(', ')})`;
}

/** LIKE with `!` as the escape character: a plain substring's `%` and `_` then match only themselves. */
function matchSql(s: SqlText, col: string, op: MatchOp, value: string, insensitive: boolean): string {
  // SQLite's LIKE stops reading a pattern at a NUL (so `%\0zzz%` matched every row); PostgreSQL rejects NUL in
  // text. Refused alike everywhere.
  if (value.includes('\0'))
    throw new ApiError('BAD_REQUEST', 'Invalid pattern: it contains the NUL character.');
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
  // A raw pattern ending in an unpaired `\` (the default escape of PostgreSQL and MySQL) is an error on
  // PostgreSQL (22025, "LIKE pattern must not end with escape character"): refused alike everywhere.
  if (escape === '' && /(^|[^\\])(\\\\)*\\$/.test(value))
    throw new ApiError('BAD_REQUEST', 'Invalid LIKE pattern: it ends with the escape character \\.');
  const not = op === 'notLike' ? 'not ' : '';
  if (op === 'ilike' || insensitive) {
    return s.dialect.caps.ilike
      ? `${col} ${not}ilike ${s.bind(pattern)}${escape}`
      : `lower(${col}) ${not}like lower(${s.bind(pattern)})${escape}`;
  }
  return `${col} ${not}like ${s.bind(pattern)}${escape}`;
}

function relatedSql(s: SqlText, expr: Extract<Expr, { kind: 'related' }>, alias: string): string {
  const rel = expr.relation;
  if (rel.crossService)
    throw new ApiError(
      'INTERNAL',
      'cross-service relation filters must be resolved to keys before compiling',
    );
  if (expr.quantifier === 'every' && expr.where === null) return TRUE;
  const { from, far, correlation } = relatedFrom(s, rel, alias);
  let condition = correlation;
  if (expr.where) {
    const inner = whereSql(s, expr.where, far);
    condition += expr.quantifier === 'every' ? ` and not (${inner})` : ` and ${inner}`;
  }
  return `${expr.quantifier === 'some' ? 'exists' : 'not exists'} (select 1 from ${from} where ${condition})`;
}

/** FROM far [JOIN junction] and the condition tying it to the outer row: the correlated half of EXISTS. */
function relatedFrom(
  s: SqlText,
  rel: RelationModel,
  outer: string,
): { from: string; far: string; correlation: string } {
  const far = s.alias();
  if (!rel.junction) {
    const correlation = rel.refFields
      .map((f, i) => `${s.col(far, f)} = ${s.col(outer, rel.fields[i] as string)}`)
      .join(' and ');
    return { from: s.table(rel.refTable, far), far, correlation };
  }
  const j = s.alias();
  const junction = rel.junction;
  const on = junction.refFields
    .map((f, i) => `${s.col(j, f)} = ${s.col(far, rel.refFields[i] as string)}`)
    .join(' and ');
  const correlation = junction.fields
    .map((f, i) => `${s.col(j, f)} = ${s.col(outer, rel.fields[i] as string)}`)
    .join(' and ');
  return {
    from: `${s.table(rel.refTable, far)} join ${s.table(junction.table, j)} on ${on}`,
    far,
    correlation,
  };
}
