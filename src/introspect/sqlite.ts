// SQLite schema (main database, via pragma table-valued functions) → RawCatalog. SQLite is in-process,
// so a few bound pragma queries per table cost microseconds; there are no comments to read.
import { basename } from 'node:path';
import type { Knex } from 'knex';
import type { RawCatalog, RawColumn, RawForeignKey, RawKey, RawTable } from './catalog.js';
import { groupBy, lowerType, normaliseRule, parseTypeParams, sortTables } from './common.js';

// `shadow` tables belong to virtual tables (FTS indexes) and are not served; sqlite_% are internal.
const TABLES_SQL = `
  select name, type, wr from pragma_table_list
  where schema = 'main' and type in ('table', 'view', 'virtual') and name not like 'sqlite\\_%' escape '\\'`;

interface TableRow {
  name: string;
  type: string;
  /** 1 for WITHOUT ROWID tables, where INTEGER PRIMARY KEY is an ordinary column. */
  wr: number;
}
interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  /** Position in the primary key, 1-based; 0 when not part of it. */
  pk: number;
  /** 1 hidden column of a virtual table, 2 virtual generated, 3 stored generated. */
  hidden: number;
}
interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  /** Null when the constraint names no columns and so means the parent's primary key. */
  to: string | null;
  on_update: string;
  on_delete: string;
}
interface IndexRow {
  name: string;
  unique: number;
  /** `pk` for the primary key's own index, `u` for UNIQUE constraints, `c` for CREATE INDEX. */
  origin: string;
  partial: number;
}

async function rows<T>(db: Knex, sql: string, bindings: readonly string[] = []): Promise<T[]> {
  return (await db.raw(sql, bindings)) as T[];
}

export async function introspectSqlite(
  db: Knex,
  onProgress: (msg: string) => void = () => {},
): Promise<RawCatalog> {
  const [version] = await rows<{ version: string }>(db, 'select sqlite_version() as version');
  const [file] = await rows<{ file: string }>(
    db,
    `select file from pragma_database_list where name = 'main'`,
  );
  onProgress('reading tables and views');
  const tableRows = await rows<TableRow>(db, TABLES_SQL);
  onProgress(`reading columns, keys and indexes of ${tableRows.length} tables`);
  const tables: RawTable[] = [];
  for (const t of tableRows) tables.push(await readTable(db, t));
  resolveReferences(tables, onProgress);
  return {
    dialect: 'sqlite',
    database: file?.file ? basename(file.file) : ':memory:',
    schema: null,
    serverVersion: version?.version ?? '',
    tables: sortTables(tables),
  };
}

async function readTable(db: Knex, t: TableRow): Promise<RawTable> {
  const columnRows = (await rows<ColumnRow>(db, 'select * from pragma_table_xinfo(?)', [t.name])).filter(
    (c) => c.hidden !== 1,
  );
  const primaryKey = columnRows
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  // A lone INTEGER PRIMARY KEY of a rowid table is an alias for the rowid: SQLite assigns it on insert.
  const rowidAlias =
    t.type === 'table' && !t.wr && primaryKey.length === 1
      ? columnRows.find((c) => c.pk === 1 && c.type.toUpperCase() === 'INTEGER')?.name
      : undefined;
  // SQLite numbers foreign keys from the last declared one: descending ids give declaration order.
  const fkRows = await rows<ForeignKeyRow>(
    db,
    'select * from pragma_foreign_key_list(?) order by id desc, seq',
    [t.name],
  );
  return {
    name: t.name,
    kind: t.type === 'view' ? 'view' : 'table',
    comment: null,
    columns: columnRows.map((c) => toColumn(c, c.name === rowidAlias)),
    primaryKey,
    ...(await readIndexes(db, t.name)),
    foreignKeys: [...groupBy(fkRows, (r) => String(r.id)).values()].map((parts) =>
      toForeignKey(t.name, parts),
    ),
  };
}

function toColumn(c: ColumnRow, rowidAlias: boolean): RawColumn {
  const dbType = lowerType(c.type);
  return {
    name: c.name,
    dbType,
    nullable: !c.notnull && !rowidAlias,
    default: c.dflt_value,
    ...parseTypeParams(dbType),
    autoIncrement: rowidAlias,
    generated: c.hidden === 2 || c.hidden === 3,
    comment: null,
  };
}

async function readIndexes(db: Knex, table: string): Promise<Pick<RawTable, 'uniqueKeys' | 'indexes'>> {
  const uniqueKeys: RawKey[] = [];
  const indexes: RawKey[] = [];
  const list = await rows<IndexRow>(db, 'select * from pragma_index_list(?) order by name', [table]);
  for (const ix of list) {
    if (ix.origin === 'pk') continue; // the primary key is read from the columns
    const parts = await rows<{ name: string | null }>(
      db,
      'select name from pragma_index_info(?) order by seqno',
      [ix.name],
    );
    if (parts.some((p) => p.name === null)) continue; // expression index: no column list to offer
    const key = { name: ix.name, columns: parts.map((p) => p.name as string) };
    if (ix.unique && !ix.partial) uniqueKeys.push(key);
    else indexes.push(key);
  }
  return { uniqueKeys, indexes };
}

function toForeignKey(table: string, parts: ForeignKeyRow[]): RawForeignKey {
  const first = parts[0];
  if (!first) throw new Error('foreign key without columns');
  const columns = parts.map((p) => p.from);
  return {
    // SQLite does not report constraint names; this one is stable and unique within the table.
    name: `fk_${table}_${columns.join('_')}`,
    columns,
    refTable: first.table,
    // Empty when `REFERENCES parent` names no columns: filled in from the parent's primary key below.
    refColumns: parts.every((p) => p.to !== null) ? parts.map((p) => p.to as string) : [],
    onUpdate: normaliseRule(first.on_update),
    onDelete: normaliseRule(first.on_delete),
  };
}

/**
 * Names are case-insensitive in SQLite: the parent is spelled as its CREATE TABLE spells it. `REFERENCES parent`
 * without columns means the parent's primary key; a key whose columns cannot be known is dropped.
 */
function resolveReferences(tables: RawTable[], onProgress: (msg: string) => void): void {
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  for (const table of tables) {
    table.foreignKeys = table.foreignKeys.filter((fk) => {
      const parent = byName.get(fk.refTable.toLowerCase());
      if (parent) fk.refTable = parent.name;
      if (fk.refColumns.length > 0) return true;
      if (parent && parent.primaryKey.length === fk.columns.length) {
        fk.refColumns = [...parent.primaryKey];
        return true;
      }
      onProgress(
        `sqlite: skipped foreign key ${fk.name}: cannot tell which columns of ${fk.refTable} it references`,
      );
      return false;
    });
  }
}
