// Write IR pieces → SQL statements (knex builders): insert, update and delete by filter, upsert. Filters are
// compiled with the table's own name as alias, which UPDATE and DELETE accept on every dialect.
import type { Knex } from 'knex';
import type { Expr, Row } from '../../ir/types.js';
import type { SqlCapabilities } from './capabilities.js';
import { context } from './compile-read.js';
import { applyWhere } from './compile-where.js';
import { quote } from './identifiers.js';

function table(db: Knex, name: string): Knex.QueryBuilder {
  return db(db.raw(quote(db, name)));
}

export function compileInsert(
  db: Knex,
  caps: SqlCapabilities,
  name: string,
  rows: Row[],
  returning: string[],
): Knex.QueryBuilder {
  const qb = db.insert(rows).into(db.raw(quote(db, name)));
  return caps.returning && returning.length > 0 ? qb.returning(returning) : qb;
}

export function compileUpdate(
  db: Knex,
  caps: SqlCapabilities,
  name: string,
  set: Row,
  where: Expr,
): Knex.QueryBuilder {
  const qb = table(db, name).update(set);
  applyWhere(context(db, caps), qb, where, name);
  return qb;
}

export function compileDelete(db: Knex, caps: SqlCapabilities, name: string, where: Expr): Knex.QueryBuilder {
  const qb = table(db, name);
  applyWhere(context(db, caps), qb, where, name);
  return qb.del();
}

export function compileUpsert(
  db: Knex,
  name: string,
  values: Row,
  conflict: string[],
  update: string[],
): Knex.QueryBuilder {
  const insert = db
    .insert(values)
    .into(db.raw(quote(db, name)))
    .onConflict(conflict);
  return update.length > 0 ? insert.merge(update) : insert.ignore();
}
