// PostgreSQL catalog (pg_catalog, one schema) → RawCatalog. Five bulk queries (the fifth, for procedures and
// functions, in routines-postgres.ts), whatever the table count.
import type { Knex } from 'knex';
import type { RawCatalog, RawColumn, RawForeignKey, RawKey, RawTable } from './catalog.js';
import { groupBy, lowerType, parseTypeParams, sortTables } from './common.js';
import { introspectPostgresRoutines } from './routines-postgres.js';

// Ordinary, partitioned, foreign tables; views and materialized views. Partitions are reached through
// their parent, so they are left out (relispartition).
const RELATIONS = `c.relkind in ('r', 'p', 'f', 'v', 'm') and not c.relispartition`;

const TABLES_SQL = `
  select c.relname as name, c.relkind as kind, d.description as comment
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_description d
    on d.objoid = c.oid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = 0
  where n.nspname = ? and ${RELATIONS}`;

const COLUMNS_SQL = `
  select c.relname as table, a.attname as name,
    pg_catalog.format_type(a.atttypid, a.atttypmod) as db_type,
    not a.attnotnull as nullable,
    pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) as default,
    a.attidentity <> '' as identity,
    a.attidentity = 'a' as identity_always,
    a.attgenerated <> '' as generated,
    d.description as comment
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  left join pg_catalog.pg_description d
    on d.objoid = a.attrelid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = a.attnum
  where n.nspname = ? and ${RELATIONS} and a.attnum > 0 and not a.attisdropped
  order by c.relname, a.attnum`;

// Key columns of every index in key order; expression columns (attnum 0) find no attribute and drop out,
// which the caller detects by comparing with key_count.
const INDEXES_SQL = `
  select t.relname as table, i.relname as name, x.indisprimary as primary, x.indisunique as unique,
    x.indpred is not null as partial, x.indnkeyatts as key_count,
    array(
      select a.attname from unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
      where k.ord <= x.indnkeyatts order by k.ord
    )::text[] as columns
  from pg_catalog.pg_index x
  join pg_catalog.pg_class i on i.oid = x.indexrelid
  join pg_catalog.pg_class t on t.oid = x.indrelid
  join pg_catalog.pg_namespace n on n.oid = t.relnamespace
  where n.nspname = ? and not t.relispartition
  order by t.relname, i.relname`;

// conparentid = 0 skips the per-partition copies PostgreSQL adds for keys that reference partitioned tables.
const FOREIGN_KEYS_SQL = `
  select t.relname as table, con.conname as name,
    array(
      select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord
    )::text[] as columns,
    rn.nspname as ref_schema, r.relname as ref_table,
    array(
      select a.attname from unnest(con.confkey) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord
    )::text[] as ref_columns,
    con.confupdtype as on_update, con.confdeltype as on_delete
  from pg_catalog.pg_constraint con
  join pg_catalog.pg_class t on t.oid = con.conrelid
  join pg_catalog.pg_namespace n on n.oid = t.relnamespace
  join pg_catalog.pg_class r on r.oid = con.confrelid
  join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
  where n.nspname = ? and con.contype = 'f' and con.conparentid = 0 and not t.relispartition
  order by t.relname, con.conname`;

const RULES: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

interface TableRow {
  name: string;
  kind: string;
  comment: string | null;
}
interface ColumnRow {
  table: string;
  name: string;
  db_type: string;
  nullable: boolean;
  default: string | null;
  identity: boolean;
  identity_always: boolean;
  generated: boolean;
  comment: string | null;
}
interface IndexRow {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  partial: boolean;
  key_count: number;
  columns: string[];
}
interface ForeignKeyRow {
  table: string;
  name: string;
  columns: string[];
  ref_schema: string;
  ref_table: string;
  ref_columns: string[];
  on_update: string;
  on_delete: string;
}

async function rows<T>(db: Knex, sql: string, bindings: readonly string[]): Promise<T[]> {
  const result = (await db.raw(sql, bindings)) as { rows: T[] };
  return result.rows;
}

export async function introspectPostgres(
  db: Knex,
  schema: string,
  onProgress: (msg: string) => void = () => {},
): Promise<RawCatalog> {
  const [info] = await rows<{ database: string; version: string }>(
    db,
    `select current_database() as database, current_setting('server_version') as version`,
    [],
  );
  onProgress(`reading tables and views of schema "${schema}"`);
  const tableRows = await rows<TableRow>(db, TABLES_SQL, [schema]);
  onProgress(`reading columns of ${tableRows.length} tables`);
  const columns = groupBy(await rows<ColumnRow>(db, COLUMNS_SQL, [schema]), (r) => r.table);
  onProgress('reading keys and indexes');
  const indexes = groupBy(await rows<IndexRow>(db, INDEXES_SQL, [schema]), (r) => r.table);
  onProgress('reading foreign keys');
  const foreignKeys = groupBy(await rows<ForeignKeyRow>(db, FOREIGN_KEYS_SQL, [schema]), (r) => r.table);
  onProgress('reading procedures and functions');
  const routines = await introspectPostgresRoutines(db, schema);

  const tables = tableRows.map((t) =>
    toTable(t, columns.get(t.name) ?? [], indexes.get(t.name) ?? [], foreignKeys.get(t.name) ?? [], schema),
  );
  return {
    dialect: 'postgres',
    database: info?.database ?? '',
    schema,
    serverVersion: info?.version ?? '',
    tables: sortTables(tables),
    routines,
  };
}

function toTable(
  t: TableRow,
  columnRows: ColumnRow[],
  indexRows: IndexRow[],
  fkRows: ForeignKeyRow[],
  schema: string,
): RawTable {
  const primaryKey: string[] = [];
  const uniqueKeys: RawKey[] = [];
  const indexes: RawKey[] = [];
  for (const ix of indexRows) {
    if (ix.columns.length !== Number(ix.key_count)) continue; // expression index: no column list to offer
    const key = { name: ix.name, columns: ix.columns };
    if (ix.primary) primaryKey.push(...ix.columns);
    else if (ix.unique && !ix.partial) uniqueKeys.push(key);
    else indexes.push(key);
  }
  return {
    name: t.name,
    kind: t.kind === 'v' || t.kind === 'm' ? 'view' : 'table',
    comment: t.comment,
    columns: columnRows.map(toColumn),
    primaryKey,
    uniqueKeys,
    indexes,
    foreignKeys: fkRows.map((fk) => toForeignKey(fk, schema)),
  };
}

function toColumn(c: ColumnRow): RawColumn {
  const dbType = lowerType(c.db_type);
  return {
    name: c.name,
    dbType,
    nullable: c.nullable,
    // A generated column's expression lives in pg_attrdef too, but it is not a default.
    default: c.generated ? null : c.default,
    ...parseTypeParams(dbType),
    autoIncrement: c.identity || (c.default?.startsWith('nextval(') ?? false),
    generated: c.generated,
    // GENERATED ALWAYS AS IDENTITY refuses client values (without OVERRIDING SYSTEM VALUE).
    ...(c.identity_always ? { generatedAlways: true } : {}),
    comment: c.comment,
  };
}

function toForeignKey(fk: ForeignKeyRow, schema: string): RawForeignKey {
  return {
    name: fk.name,
    columns: fk.columns,
    refTable: fk.ref_schema === schema ? fk.ref_table : `${fk.ref_schema}.${fk.ref_table}`,
    refColumns: fk.ref_columns,
    onUpdate: RULES[fk.on_update] ?? 'NO ACTION',
    onDelete: RULES[fk.on_delete] ?? 'NO ACTION',
  };
}
