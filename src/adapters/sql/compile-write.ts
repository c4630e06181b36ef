// Write IR pieces → SQL statements. Updates and deletes are written as text like reads (the table's own name
// is its alias, which UPDATE and DELETE accept everywhere); inserts and upserts use knex's builder, which
// knows each dialect's multi-row, RETURNING and ON CONFLICT forms.
import type { Knex } from 'knex';
import type { Expr, Row } from '../../ir/types.js';
import type { SqlCapabilities, SqlDialect } from './capabilities.js';
import { whereSql } from './compile-where.js';
import { SqlText, type Statement } from './sql-text.js';

export function compileInsert(
  db: Knex,
  caps: SqlCapabilities,
  quote: (name: string) => string,
  name: string,
  rows: Row[],
  returning: string[],
): Knex.QueryBuilder {
  const qb = db.insert(rows).into(db.raw(quote(name)));
  return caps.returning && returning.length > 0 ? qb.returning(returning) : qb;
}

export function compileUpdate(d: SqlDialect, name: string, set: Row, where: Expr): Statement {
  const s = new SqlText(d);
  const assignments = Object.entries(set).map(([column, value]) => `${s.id(column)} = ${s.bind(value)}`);
  s.text = `update ${s.id(name)} set ${assignments.join(', ')} where ${whereSql(s, where, name)}`;
  return s;
}

export function compileDelete(d: SqlDialect, name: string, where: Expr): Statement {
  const s = new SqlText(d);
  s.text = `delete from ${s.id(name)} where ${whereSql(s, where, name)}`;
  return s;
}

export function compileUpsert(
  db: Knex,
  quote: (name: string) => string,
  name: string,
  values: Row,
  conflict: string[],
  update: string[],
): Knex.QueryBuilder {
  const insert = db
    .insert(values)
    .into(db.raw(quote(name)))
    .onConflict(conflict);
  return update.length > 0 ? insert.merge(update) : insert.ignore();
}
