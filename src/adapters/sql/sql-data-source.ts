// DataSource over one knex pool: compiles IR with the shared compiler and runs it, one counted statement at a
// time. Key lists too long for one statement's bind parameters are split into several statements.
import type { Knex } from 'knex';
import { GENERATED_ID, type DataSource, type ExecStats } from '../../executor/data-source.js';
import type { AggregateQuery, Expr, ReadQuery, Row, Scalar } from '../../ir/types.js';
import type { RelationModel } from '../../model/types.js';
import type { SqlCapabilities } from './capabilities.js';
import { compileDelete, compileInsert, compileUpdate, compileUpsert } from './compile-write.js';
import {
  compileAggregate,
  compileCount,
  compileDistinct,
  compileRead,
  compileRelated,
} from './compile-read.js';
import { translateDbError } from './db-errors.js';

export class SqlDataSource implements DataSource {
  constructor(
    private readonly db: () => Knex,
    private readonly caps: SqlCapabilities,
  ) {}

  read(query: ReadQuery, stats: ExecStats): Promise<Row[]> {
    return this.run(compileRead(this.db(), this.caps, query), stats);
  }

  async readRelated(
    relation: RelationModel,
    query: ReadQuery,
    keys: Scalar[][],
    perParent: boolean,
    stats: ExecStats,
  ): Promise<Row[]> {
    const chunks = this.chunk(keys);
    if (chunks.length === 1)
      return this.run(compileRelated(this.db(), this.caps, relation, query, keys, perParent), stats);
    const parts = await Promise.all(
      chunks.map((part) =>
        this.run(compileRelated(this.db(), this.caps, relation, query, part, perParent), stats),
      ),
    );
    return parts.flat();
  }

  async count(query: Pick<ReadQuery, 'table' | 'where'>, stats: ExecStats): Promise<number> {
    const rows = await this.run(compileCount(this.db(), this.caps, query), stats);
    return Number(rows[0]?.n ?? 0);
  }

  aggregate(query: AggregateQuery, stats: ExecStats): Promise<Row[]> {
    return this.run(compileAggregate(this.db(), this.caps, query), stats);
  }

  async aggregateRelated(
    relation: RelationModel,
    query: AggregateQuery,
    keys: Scalar[][],
    stats: ExecStats,
  ): Promise<Row[]> {
    const parts = await Promise.all(
      this.chunk(keys).map((part) =>
        this.run(compileAggregate(this.db(), this.caps, query, { relation, keys: part }), stats),
      ),
    );
    return parts.flat();
  }

  distinctKeys(
    table: string,
    fields: string[],
    where: Expr | null,
    limit: number,
    stats: ExecStats,
  ): Promise<Row[]> {
    return this.run(compileDistinct(this.db(), this.caps, table, fields, where, limit), stats);
  }

  transaction<T>(work: (tx: DataSource) => Promise<T>): Promise<T> {
    return this.db().transaction((trx) => work(new SqlDataSource(() => trx, this.caps)));
  }

  async insert(table: string, rows: Row[], returning: string[], stats: ExecStats): Promise<Row[]> {
    if (rows.length === 0) return [];
    if (this.caps.returning) {
      const qb = compileInsert(this.db(), this.caps, table, rows, returning);
      if (returning.length > 0) return this.run(qb, stats);
      // Without RETURNING the drivers answer with a status object or a rowid, not rows: report empty ones.
      await this.run(qb, stats);
      return rows.map(() => ({}));
    }
    // Without RETURNING each row is its own statement, so its generated id is known (MySQL's insertId).
    const out: Row[] = [];
    for (const row of rows) {
      const result = await this.run(compileInsert(this.db(), this.caps, table, [row], []), stats);
      out.push({ ...row, [GENERATED_ID]: (result as unknown as number[])[0] ?? null });
    }
    return out;
  }

  async update(table: string, set: Row, where: Expr, stats: ExecStats): Promise<number> {
    return Number(await this.run(compileUpdate(this.db(), this.caps, table, set, where), stats));
  }

  async delete(table: string, where: Expr, stats: ExecStats): Promise<number> {
    return Number(await this.run(compileDelete(this.db(), this.caps, table, where), stats));
  }

  async upsert(
    table: string,
    values: Row,
    conflict: string[],
    update: string[],
    stats: ExecStats,
  ): Promise<void> {
    await this.run(compileUpsert(this.db(), table, values, conflict, update), stats);
  }

  /** Leaves room for the bindings of the query's own filter. */
  private chunk(keys: Scalar[][]): Scalar[][][] {
    const width = Math.max(1, keys[0]?.length ?? 1);
    const size = Math.max(1, Math.floor((this.caps.maxBindParams - 1000) / width));
    if (keys.length <= size) return [keys];
    const chunks: Scalar[][][] = [];
    for (let i = 0; i < keys.length; i += size) chunks.push(keys.slice(i, i + size));
    return chunks;
  }

  private async run(qb: Knex.QueryBuilder, stats: ExecStats): Promise<Row[]> {
    stats.statements += 1;
    try {
      return (await qb) as Row[];
    } catch (error) {
      throw translateDbError(error);
    }
  }
}
