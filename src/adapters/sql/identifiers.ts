// Identifier quoting for the shared compiler. knex's `??` splits names on dots; database names may contain
// dots, quotes or spaces, so every identifier is quoted whole by the dialect's own quoting function.
import type { Knex } from 'knex';

interface QuotingClient {
  wrapIdentifierImpl(name: string): string;
}

export function quote(db: Knex, name: string): string {
  return (db.client as QuotingClient).wrapIdentifierImpl(name);
}

/** `"t0"."Column"` as a raw fragment. */
export function column(db: Knex, alias: string, name: string): Knex.Raw {
  return db.raw(`${quote(db, alias)}.${quote(db, name)}`);
}

export function columnSql(db: Knex, alias: string, name: string): string {
  return `${quote(db, alias)}.${quote(db, name)}`;
}

/** `"Track" as "t0"`. */
export function tableAs(db: Knex, table: string, alias: string): Knex.Raw {
  return db.raw(`${quote(db, table)} as ${quote(db, alias)}`);
}
