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
  /** Stored procedures and functions (PostgreSQL, MySQL/MariaDB), sorted like tables; absent elsewhere. */
  routines?: RawRoutine[];
}

/**
 * A stored procedure or function. PostgreSQL ≥ 11: `prokind` p → procedure, f → function (aggregates and
 * window functions are left out); MySQL: information_schema.ROUTINES.ROUTINE_TYPE.
 */
export interface RawRoutine {
  name: string;
  kind: 'procedure' | 'function';
  comment: string | null;
  /** In position order; OUT parameters included (DreamFactory counts them for positional calls). */
  params: RawParam[];
  /** The function's return type as the database prints it (`integer`, `setof record`, `void`); null for procedures. */
  returnType: string | null;
  /** Returns a set of rows (PostgreSQL SETOF / RETURNS TABLE). */
  returnsSet: boolean;
  /**
   * The columns of each returned row, when the database says (PostgreSQL functions only): the RETURNS TABLE
   * columns, else the OUT/INOUT parameters, else the columns of a table/composite return type (SETOF album).
   */
  returnColumns: RawReturnColumn[];
  /**
   * Whether calling it can change data: PostgreSQL `provolatile` v (volatile) vs s/i (stable, immutable);
   * MySQL `SQL_DATA_ACCESS` MODIFIES SQL DATA vs the rest. Procedures are always treated as writing.
   */
  readOnly: boolean;
}

export interface RawParam {
  /** May be empty for an unnamed PostgreSQL parameter (then `$n` by position). */
  name: string;
  /** 1-based. */
  position: number;
  mode: 'IN' | 'OUT' | 'INOUT';
  dbType: string;
  length: number | null;
  precision: number | null;
  scale: number | null;
  /** The default expression as the database stores it, or null (PostgreSQL only; MySQL has none). */
  default: string | null;
}

export interface RawReturnColumn {
  name: string;
  dbType: string;
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
  /** MongoDB sub-documents whose sampled values share one shape: their fields (GraphQL object types). */
  shape?: RawShapeField[];
}

export interface RawShapeField {
  name: string;
  /** A MongoDB BSON type name, as for RawColumn.dbType. */
  dbType: string;
  shape?: RawShapeField[];
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
