// Single-record IR operations for front-ends whose writes go record by record (DreamFactory's batches and
// nested writes): insert one row, find/update/delete rows matching an Expr. They run on whatever DataSource
// they are given — a transaction or the pool — and count their statements like every other operation.
import type { Expr, Row, Scalar } from '../ir/types.js';
import type { TableModel } from '../model/types.js';
import type { ExecContext } from './context.js';
import type { DataSource } from './data-source.js';
import { insertRow, keyFilter } from './execute-write.js';

export interface RecordOps {
  readonly source: DataSource;
  insert(table: TableModel, values: Row, needed: string[]): Promise<Row>;
  find(table: TableModel, where: Expr, columns: string[], limit?: number | null): Promise<Row[]>;
  update(table: TableModel, set: Row, where: Expr): Promise<number>;
  delete(table: TableModel, where: Expr): Promise<number>;
}

export function recordOps(source: DataSource, ctx: ExecContext): RecordOps {
  return {
    source,
    insert: (table, values, needed) => insertRow(source, ctx, table, values, needed),
    find: (table, where, columns, limit = null) =>
      source.read(
        {
          service: '',
          table: table.name,
          select: columns.map((column) => ({ column, as: column })),
          where,
          orderBy: table.primaryKey.map((field) => ({ field, direction: 'asc' as const })),
          limit,
          offset: 0,
          relations: [],
          relationAggregates: [],
        },
        ctx.stats,
      ),
    update: (table, set, where) => source.update(table.name, set, where, ctx.stats),
    delete: (table, where) => source.delete(table.name, where, ctx.stats),
  };
}

/** `col = value AND …` for the given column values. */
export function equalsAll(values: Row): Expr {
  const items: Expr[] = Object.entries(values).map(([field, value]) =>
    value === null
      ? { kind: 'isNull', field, isNull: true }
      : { kind: 'compare', field, op: 'eq', value: value as Scalar },
  );
  return items.length === 1 ? (items[0] as Expr) : { kind: 'and', items };
}

export { keyFilter };
