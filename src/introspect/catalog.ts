// RawCatalog: what one database says about itself, in its own names. Produced by introspect/<dialect>,
// consumed by model/build-model. Plain JSON data so it can be written to the schema cache as is.

export type Dialect = 'postgres' | 'mysql' | 'sqlite' | 'mongodb';

export interface RawCatalog {
  dialect: Dialect;
  /** Database (PostgreSQL/MySQL) or file name (SQLite) that was read. */
  database: string;
  /** PostgreSQL schema that was read; null elsewhere. */
  schema: string | null;
  serverVersion: string;
  /** Sorted by name (case-insensitive) so the cache and golden files are stable. */
  tables: RawTable[];
}

export interface RawTable {
  /** Unqualified name as the database spells it. */
  name: string;
  kind: 'table' | 'view';
  comment: string | null;
  /** In the table's column order. */
  columns: RawColumn[];
  /** Column names in key order; empty when the table has none. */
  primaryKey: string[];
  uniqueKeys: RawKey[];
  /** Non-unique indexes (unique ones are in uniqueKeys). */
  indexes: RawKey[];
  foreignKeys: RawForeignKey[];
}

export interface RawColumn {
  name: string;
  /** The full type as the database prints it, lower-cased: `varchar(160)`, `numeric(10,2)`, `int(11)`, `integer`. */
  dbType: string;
  nullable: boolean;
  /** The default expression as the database stores it (`nextval(...)`, `'abc'::text`, `0`), or null. */
  default: string | null;
  length: number | null;
  precision: number | null;
  scale: number | null;
  /** serial / identity / AUTO_INCREMENT / SQLite rowid alias. */
  autoIncrement: boolean;
  /** Computed (generated) columns cannot be written. */
  generated: boolean;
  /** PostgreSQL `GENERATED ALWAYS AS IDENTITY`: the database always makes the value, so clients cannot write it. */
  generatedAlways?: boolean;
  /** MySQL `ON UPDATE CURRENT_TIMESTAMP` (DreamFactory's timestamp_on_update); absent elsewhere. */
  onUpdateCurrentTimestamp?: boolean;
  comment: string | null;
}

export interface RawKey {
  name: string;
  columns: string[];
}

export interface RawForeignKey {
  name: string;
  /** Local columns, in the constraint's order. */
  columns: string[];
  /** Referenced table, unqualified when in the same schema; `schema.table` otherwise (PostgreSQL). */
  refTable: string;
  refColumns: string[];
  /** As the database reports them, upper-case: `NO ACTION`, `CASCADE`, `SET NULL`, `RESTRICT`, `SET DEFAULT`. */
  onUpdate: string;
  onDelete: string;
}
