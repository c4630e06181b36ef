// MySQL / MariaDB information_schema (the connection's current database) → RawCatalog. Four bulk queries, and
// two for procedures and functions (routines-mysql.ts).
import type { Knex } from 'knex';
import { ApiError } from '../errors/index.js';
import type { RawCatalog, RawColumn, RawForeignKey, RawKey, RawTable } from './catalog.js';
import { groupBy, lowerType, normaliseRule, parseTypeParams, sortTables } from './common.js';
import { introspectMysqlRoutines } from './routines-mysql.js';

// Aliases are lower-case so MySQL 8 (which upper-cases information_schema names) and MariaDB agree.
// SEQUENCE (MariaDB) and SYSTEM VIEW are not tables one can serve; SYSTEM VERSIONED tables are.
const TABLES_SQL = `
  select table_name as name, table_type as type, table_comment as comment
  from information_schema.tables
  where table_schema = ? and table_type in ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')`;

const COLUMNS_SQL = `
  select table_name as \`table\`, column_name as name, column_type as db_type, is_nullable as nullable,
    column_default as \`default\`, extra, column_comment as comment
  from information_schema.columns
  where table_schema = ?
  order by table_name, ordinal_position`;

const INDEXES_SQL = `
  select table_name as \`table\`, index_name as name, non_unique, column_name as \`column\`
  from information_schema.statistics
  where table_schema = ?
  order by table_name, index_name, seq_in_index`;

const FOREIGN_KEYS_SQL = `
  select k.table_name as \`table\`, k.constraint_name as name, k.column_name as \`column\`,
    k.referenced_table_schema as ref_schema, k.referenced_table_name as ref_table,
    k.referenced_column_name as ref_column, r.update_rule as on_update, r.delete_rule as on_delete
  from information_schema.key_column_usage k
  join information_schema.referential_constraints r
    on r.constraint_schema = k.constraint_schema and r.constraint_name = k.constraint_name
    and r.table_name = k.table_name
  where k.table_schema = ? and k.referenced_table_name is not null
  order by k.table_name, k.constraint_name, k.ordinal_position`;

interface TableRow {
  name: string;
  type: string;
  comment: string | null;
}
interface ColumnRow {
  table: string;
  name: string;
  db_type: string;
  nullable: string;
  default: string | null;
  extra: string | null;
  comment: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  /** A string or a number depending on server and driver settings (BIGINT). */
  non_unique: string | number;
  /** Null for a functional key part (MySQL 8). */
  column: string | null;
}
interface ForeignKeyRow {
  table: string;
  name: string;
  column: string;
  ref_schema: string;
  ref_table: string;
  ref_column: string;
  on_update: string;
  on_delete: string;
}

async function rows<T>(db: Knex, sql: string, bindings: readonly string[]): Promise<T[]> {
  const [result] = (await db.raw(sql, bindings)) as [T[], unknown];
  return result;
}

export async function introspectMysql(
  db: Knex,
  onProgress: (msg: string) => void = () => {},
): Promise<RawCatalog> {
  const [info] = await rows<{ db: string | null; version: string }>(
    db,
    'select database() as db, version() as version',
    [],
  );
  const database = info?.db;
  if (!database) {
    throw new ApiError(
      'INTROSPECTION_FAILED',
      'No database selected: name one in the connection, e.g. mysql://user@host:3306/mydb.',
    );
  }
  onProgress(`reading tables and views of database "${database}"`);
  const tableRows = await rows<TableRow>(db, TABLES_SQL, [database]);
  onProgress(`reading columns of ${tableRows.length} tables`);
  const columns = groupBy(await rows<ColumnRow>(db, COLUMNS_SQL, [database]), (r) => r.table);
  onProgress('reading keys and indexes');
  const indexes = groupBy(await rows<IndexRow>(db, INDEXES_SQL, [database]), (r) => r.table);
  onProgress('reading foreign keys');
  const foreignKeys = groupBy(await rows<ForeignKeyRow>(db, FOREIGN_KEYS_SQL, [database]), (r) => r.table);
  onProgress('reading procedures and functions');
  const routines = await introspectMysqlRoutines(db, database);

  const tables = tableRows.map((t) =>
    toTable(t, columns.get(t.name) ?? [], indexes.get(t.name) ?? [], foreignKeys.get(t.name) ?? [], database),
  );
  return {
    dialect: 'mysql',
    database,
    schema: null,
    serverVersion: info.version,
    tables: sortTables(tables),
    routines,
  };
}

function toTable(
  t: TableRow,
  columnRows: ColumnRow[],
  indexRows: IndexRow[],
  fkRows: ForeignKeyRow[],
  database: string,
): RawTable {
  const isView = t.type === 'VIEW';
  const keys = toKeys(indexRows);
  return {
    name: t.name,
    kind: isView ? 'view' : 'table',
    // Views carry the literal comment 'VIEW'.
    comment: isView || !t.comment ? null : t.comment,
    columns: columnRows.map(toColumn),
    ...keys,
    foreignKeys: [...groupBy(fkRows, (r) => r.name).values()].map((parts) => toForeignKey(parts, database)),
  };
}

function toKeys(indexRows: IndexRow[]): Pick<RawTable, 'primaryKey' | 'uniqueKeys' | 'indexes'> {
  let primaryKey: string[] = [];
  const uniqueKeys: RawKey[] = [];
  const indexes: RawKey[] = [];
  for (const [name, parts] of groupBy(indexRows, (r) => r.name)) {
    const columns = parts.map((p) => p.column);
    if (columns.some((c) => c === null)) continue; // functional index: no column list to offer
    const key = { name, columns: columns as string[] };
    if (name === 'PRIMARY') primaryKey = key.columns;
    else if (Number(parts[0]?.non_unique) === 0) uniqueKeys.push(key);
    else indexes.push(key);
  }
  return { primaryKey, uniqueKeys, indexes };
}

const GENERATED = /\b(VIRTUAL|STORED|PERSISTENT)\b/i;

function toColumn(c: ColumnRow): RawColumn {
  const dbType = lowerType(c.db_type);
  const generated = GENERATED.test(c.extra ?? '');
  return {
    name: c.name,
    dbType,
    nullable: c.nullable === 'YES',
    // MariaDB spells "no default" on a nullable column as the text NULL (and quotes string literals).
    default: generated || c.default === null || c.default === 'NULL' ? null : c.default,
    ...parseTypeParams(dbType),
    autoIncrement: /auto_increment/i.test(c.extra ?? ''),
    generated,
    // DreamFactory reports such columns as timestamp_on_update.
    onUpdateCurrentTimestamp: /on update current_timestamp/i.test(c.extra ?? ''),
    comment: c.comment ? c.comment : null,
  };
}

function toForeignKey(parts: ForeignKeyRow[], database: string): RawForeignKey {
  const first = parts[0];
  if (!first) throw new Error('foreign key without columns');
  return {
    name: first.name,
    columns: parts.map((p) => p.column),
    refTable: first.ref_schema === database ? first.ref_table : `${first.ref_schema}.${first.ref_table}`,
    refColumns: parts.map((p) => p.ref_column),
    onUpdate: normaliseRule(first.on_update),
    onDelete: normaliseRule(first.on_delete),
  };
}
