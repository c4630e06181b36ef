// SchemaChange (neutral, checked against the model) → DDL through knex's schema builder, run on one SQL
// service. PostgreSQL and SQLite run the whole change in one transaction; MySQL/MariaDB commit each DDL
// statement on their own, so there the caller has validated everything first and a failed multi-table create
// drops the tables it had already made.
import type { Knex } from 'knex';
import { ApiError } from '../../errors/index.js';
import type { Dialect } from '../../introspect/catalog.js';
import type {
  AlterTableDef,
  ColumnDef,
  ForeignKeyDef,
  SchemaChange,
  TableDef,
} from '../../model/schema-change.js';

type SqlDialectName = Exclude<Dialect, 'mongodb'>;

/** Whether DDL can be rolled back on this database (MySQL commits each statement implicitly). */
export function transactionalDdl(dialect: SqlDialectName): boolean {
  return dialect !== 'mysql';
}

export async function applySchemaChange(
  db: Knex,
  dialect: SqlDialectName,
  schema: string | null,
  change: SchemaChange,
): Promise<void> {
  try {
    if (transactionalDdl(dialect)) {
      await db.transaction(async (trx) => run(trx, dialect, schema, change));
    } else {
      await run(db, dialect, schema, change);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      'SCHEMA_REJECTED',
      transactionalDdl(dialect)
        ? 'The database refused the schema change; nothing was changed.'
        : 'The database refused the schema change.',
      { cause: error },
    );
  }
}

async function run(
  db: Knex,
  dialect: SqlDialectName,
  schema: string | null,
  change: SchemaChange,
): Promise<void> {
  const builder = () => (schema ? db.schema.withSchema(schema) : db.schema);
  switch (change.kind) {
    case 'create': {
      const made: string[] = [];
      try {
        for (const table of change.tables) {
          await builder().createTable(table.name, (t) => defineTable(t, db, dialect, table));
          made.push(table.name);
        }
      } catch (error) {
        // MySQL: no transaction to roll back, so the tables made before the failure are dropped again.
        if (!transactionalDdl(dialect))
          for (const name of made.reverse())
            await builder()
              .dropTableIfExists(name)
              .catch(() => undefined);
        throw error;
      }
      return;
    }
    case 'alter':
      for (const table of change.tables)
        await builder().alterTable(table.table, (t) => alterTable(t, db, dialect, table));
      return;
    case 'drop_table':
      await builder().dropTable(change.table);
      return;
    case 'drop_field':
      await builder().alterTable(change.table, (t) => {
        t.dropColumn(change.field);
      });
      return;
  }
}

function defineTable(t: Knex.CreateTableBuilder, db: Knex, dialect: SqlDialectName, table: TableDef): void {
  for (const column of table.columns) defineColumn(t, db, dialect, column, table.primaryKey);
  // An `id` column is its own key (increments); a composite or non-id key is declared once here.
  const hasId = table.columns.some((c) => c.type === 'id');
  if (!hasId && table.primaryKey.length > 0) t.primary(table.primaryKey);
  for (const key of table.foreignKeys) foreignKey(t, key);
}

function alterTable(
  t: Knex.AlterTableBuilder,
  db: Knex,
  dialect: SqlDialectName,
  table: AlterTableDef,
): void {
  for (const column of table.add) defineColumn(t, db, dialect, column, []);
  for (const column of table.change) defineColumn(t, db, dialect, column, []).alter();
  for (const key of table.foreignKeys) foreignKey(t, key);
}

function foreignKey(t: Knex.TableBuilder, key: ForeignKeyDef): void {
  const reference = t.foreign(key.column).references(key.refField).inTable(key.refTable);
  if (key.onDelete) reference.onDelete(key.onDelete);
  if (key.onUpdate) reference.onUpdate(key.onUpdate);
}

function defineColumn(
  t: Knex.TableBuilder,
  db: Knex,
  dialect: SqlDialectName,
  column: ColumnDef,
  primaryKey: string[],
): Knex.ColumnBuilder {
  const built = columnOfType(t, dialect, column);
  if (column.type === 'id') return built;
  if (column.allowNull && !primaryKey.includes(column.name)) built.nullable();
  else built.notNullable();
  const fallback = column.default;
  if (fallback?.kind === 'value') built.defaultTo(fallback.value);
  if (fallback?.kind === 'expression') built.defaultTo(db.raw(fallback.expression));
  if (column.type === 'timestamp_on_create' && !fallback) built.defaultTo(db.raw('CURRENT_TIMESTAMP'));
  if (column.isUnique) built.unique();
  else if (column.isIndex) built.index();
  return built;
}

/** Plain portable types; `reference` copies the referenced column's type so the key can be declared. */
function columnOfType(t: Knex.TableBuilder, dialect: SqlDialectName, c: ColumnDef): Knex.ColumnBuilder {
  switch (c.type) {
    case 'id':
      return t.increments(c.name, { primaryKey: true });
    case 'reference':
      return referenceColumn(t, dialect, c);
    case 'string':
      return t.string(c.name, c.length ?? 255);
    case 'text':
      return t.text(c.name);
    case 'integer':
      return t.integer(c.name);
    case 'bigint':
      return t.bigInteger(c.name);
    case 'boolean':
      return t.boolean(c.name);
    case 'decimal':
      return t.decimal(c.name, c.precision ?? c.length ?? 10, c.scale ?? 0);
    case 'money':
      return t.decimal(c.name, c.precision ?? 19, c.scale ?? 4);
    case 'double':
      return t.double(c.name);
    case 'float':
      return t.float(c.name);
    case 'date':
      return t.date(c.name);
    case 'time':
      return t.time(c.name);
    case 'datetime':
      return t.datetime(c.name, { useTz: false });
    case 'timestamp':
    case 'timestamp_on_create':
      return t.timestamp(c.name, { useTz: false });
    case 'binary':
      return t.binary(c.name);
    case 'uuid':
      return t.uuid(c.name);
    case 'json':
      return t.json(c.name);
  }
}

/** Types a referenced column may have, as introspection printed them: copied verbatim only when this plain. */
const PLAIN_DB_TYPE = /^[a-z][a-z ]*(\(\d+(,\s*\d+)?\))?( unsigned)?$/i;

function referenceColumn(t: Knex.TableBuilder, dialect: SqlDialectName, c: ColumnDef): Knex.ColumnBuilder {
  const ref = c.refType;
  // knex's increments is `int unsigned` on MySQL, `serial` (integer) on PostgreSQL, INTEGER on SQLite.
  if (!ref || ref.kind === 'id') {
    const column = t.integer(c.name);
    return dialect === 'mysql' ? column.unsigned() : column;
  }
  if (PLAIN_DB_TYPE.test(ref.dbType)) return t.specificType(c.name, normaliseSerial(ref.dbType));
  return ref.simpleType === 'bigint' ? t.bigInteger(c.name) : t.integer(c.name);
}

/** PostgreSQL's serial types are integers with a sequence; a referencing column is the bare integer. */
function normaliseSerial(dbType: string): string {
  const lower = dbType.toLowerCase();
  if (lower === 'serial') return 'integer';
  if (lower === 'bigserial') return 'bigint';
  if (lower === 'smallserial') return 'smallint';
  return dbType;
}
