// A schema change in neutral terms: what `_schema` writes ask for (tables, columns, keys, indexes, drops),
// already parsed from DreamFactory's field format and checked against the model. The SQL adapters turn it
// into each database's DDL (src/adapters/sql/ddl.ts); nothing here knows a dialect.

/** The column types a definition may use: DreamFactory's simple types that map to portable DDL. */
export const COLUMN_TYPES = [
  'id',
  'reference',
  'string',
  'text',
  'integer',
  'bigint',
  'boolean',
  'decimal',
  'money',
  'double',
  'float',
  'date',
  'time',
  'datetime',
  'timestamp',
  'timestamp_on_create',
  'binary',
  'uuid',
  'json',
] as const;

export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Default values a client may ask for: a literal, or one of the few portable expressions (never raw SQL). */
export type ColumnDefault =
  | { kind: 'value'; value: string | number | boolean | null }
  | { kind: 'expression'; expression: 'CURRENT_TIMESTAMP' | 'CURRENT_DATE' | 'CURRENT_TIME' };

/** What a `reference` column copies its type from: a column already in the database, or an `id` column. */
export type ReferenceType = { kind: 'column'; dbType: string; simpleType: string } | { kind: 'id' };

export interface ForeignKeyDef {
  column: string;
  refTable: string;
  refField: string;
  onDelete: ReferentialAction | null;
  onUpdate: ReferentialAction | null;
}

export const REFERENTIAL_ACTIONS = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION', 'SET DEFAULT'] as const;
export type ReferentialAction = (typeof REFERENTIAL_ACTIONS)[number];

export interface ColumnDef {
  name: string;
  type: ColumnType;
  length: number | null;
  precision: number | null;
  scale: number | null;
  allowNull: boolean;
  /** Absent: no default. */
  default: ColumnDefault | null;
  isUnique: boolean;
  isIndex: boolean;
  /** `reference` columns only: the type of the column they point at. */
  refType: ReferenceType | null;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  /** Column names; an `id` column is the key on its own. Empty: no primary key. */
  primaryKey: string[];
  foreignKeys: ForeignKeyDef[];
}

/** Changes to one existing table: new columns (with their keys) and columns whose definition changes. */
export interface AlterTableDef {
  table: string;
  add: ColumnDef[];
  change: ColumnDef[];
  foreignKeys: ForeignKeyDef[];
}

export type SchemaChange =
  | { kind: 'create'; tables: TableDef[] }
  | { kind: 'alter'; tables: AlterTableDef[] }
  | { kind: 'drop_table'; table: string }
  | { kind: 'drop_field'; table: string; field: string };
