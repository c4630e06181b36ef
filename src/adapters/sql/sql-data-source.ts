// DataSource over one knex pool (or transaction): compiles IR with the shared compiler and runs each statement
// on the driver directly, counting it. Key lists too long for one statement's bind parameters are split.
import type { Knex } from 'knex';
import {
  GENERATED_ID,
  type DataSource,
  type ExecStats,
  type RoutineResult,
} from '../../executor/data-source.js';
import type { Dialect } from '../../introspect/catalog.js';
import type { AggregateQuery, Expr, ReadQuery, Row, Scalar } from '../../ir/types.js';
import type { RelationModel, RoutineModel } from '../../model/types.js';
import { callMysql, callPostgres } from './call-routine.js';
import { DIALECTS, type SqlDialect } from './capabilities.js';
import {
  compileAggregate,
  compileCount,
  compileDistinct,
  compileRead,
  compileRelated,
} from './compile-read.js';
import { compileDelete, compileInsert, compileUpdate, compileUpsert } from './compile-write.js';
import { translateDbError } from './db-errors.js';
import { runStatement } from './run.js';
import type { Statement } from './sql-text.js';
import { observed, type StatementReporting } from '../../observability/statements.js';

type SqlDialectName = Exclude<Dialect, 'mongodb'>;

export class SqlDataSource implements DataSource {
  private readonly dialect: SqlDialect;
  /** Stored procedures and functions (call-routine.ts); SQLite has none, so there it stays undefined. */
  readonly callRoutine?: (
    routine: RoutineModel,
    args: Record<string, unknown>,
    stats: ExecStats,
  ) => Promise<RoutineResult>;

  constructor(
    private readonly db: () => Knex,
    private readonly name: SqlDialectName,
    /** Where executed statements are reported (metrics, traces); absent: nowhere. */
    private readonly reporting?: StatementReporting,
  ) {
    this.dialect = DIALECTS[name];
    if (name === 'postgres')
      this.callRoutine = (routine, args, stats) =>
        callPostgres(this.db(), routine, args, stats, this.reporting);
    if (name === 'mysql')
      this.callRoutine = (routine, args, stats) => callMysql(this.db(), routine, args, stats, this.reporting);
  }

  read(query: ReadQuery, stats: ExecStats): Promise<Row[]> {
    return this.rows(compileRead(this.dialect, query), stats);
  }

  async readRelated(
    relation: RelationModel,
    query: ReadQuery,
    keys: Scalar[][],
    perParent: boolean,
    stats: ExecStats,
    keyTypes?: string[],
  ): Promise<Row[]> {
    const parts = await Promise.all(
      this.chunk(keys).map((part) =>
        this.rows(compileRelated(this.dialect, relation, query, part, perParent, keyTypes), stats),
      ),
    );
    return parts.length === 1 ? (parts[0] as Row[]) : parts.flat();
  }

  async count(query: Pick<ReadQuery, 'table' | 'where'>, stats: ExecStats): Promise<number> {
    const rows = await this.rows(compileCount(this.dialect, query), stats);
    return Number(rows[0]?.n ?? 0);
  }

  aggregate(query: AggregateQuery, stats: ExecStats): Promise<Row[]> {
    return this.rows(compileAggregate(this.dialect, query), stats);
  }

  async aggregateRelated(
    relation: RelationModel,
    query: AggregateQuery,
    keys: Scalar[][],
    stats: ExecStats,
  ): Promise<Row[]> {
    const parts = await Promise.all(
      this.chunk(keys).map((part) =>
        this.rows(compileAggregate(this.dialect, query, { relation, keys: part }), stats),
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
    return this.rows(compileDistinct(this.dialect, table, fields, where, limit), stats);
  }

  transaction<T>(work: (tx: DataSource) => Promise<T>): Promise<T> {
    return this.db().transaction((trx) => work(new SqlDataSource(() => trx, this.name, this.reporting)));
  }

  async insert(table: string, rows: Row[], returning: string[], stats: ExecStats): Promise<Row[]> {
    if (rows.length === 0) return [];
    const caps = this.dialect.caps;
    const quote = this.dialect.quote;
    if (caps.returning) {
      const qb = compileInsert(this.db(), caps, quote, table, rows, returning);
      if (returning.length > 0) return this.build(qb, stats);
      // Without RETURNING the drivers answer with a status object or a rowid, not rows: report empty ones.
      await this.build(qb, stats);
      return rows.map(() => ({}));
    }
    // Without RETURNING each row is its own statement, so its generated id is known (MySQL's insertId).
    const out: Row[] = [];
    for (const row of rows) {
      const result = await this.build(compileInsert(this.db(), caps, quote, table, [row], []), stats);
      out.push({ ...row, [GENERATED_ID]: (result as unknown as number[])[0] ?? null });
    }
    return out;
  }

  async update(table: string, set: Row, where: Expr, stats: ExecStats): Promise<number> {
    return (await this.run(compileUpdate(this.dialect, table, set, where), stats)).count;
  }

  async delete(table: string, where: Expr, stats: ExecStats): Promise<number> {
    return (await this.run(compileDelete(this.dialect, table, where), stats)).count;
  }

  async upsert(
    table: string,
    values: Row,
    conflict: string[],
    update: string[],
    stats: ExecStats,
  ): Promise<void> {
    await this.build(compileUpsert(this.db(), this.dialect.quote, table, values, conflict, update), stats);
  }

  /** Leaves room for the bindings of the query's own filter (arrays are one parameter however long). */
  private chunk(keys: Scalar[][]): Scalar[][][] {
    const width = Math.max(1, keys[0]?.length ?? 1);
    if (this.dialect.caps.arrayParams && width === 1) return [keys];
    const size = Math.max(1, Math.floor((this.dialect.caps.maxBindParams - 1000) / width));
    if (keys.length <= size) return [keys];
    const chunks: Scalar[][][] = [];
    for (let i = 0; i < keys.length; i += size) chunks.push(keys.slice(i, i + size));
    return chunks;
  }

  private async rows(statement: Statement, stats: ExecStats): Promise<Row[]> {
    return (await this.run(statement, stats)).rows;
  }

  private async run(statement: Statement, stats: ExecStats) {
    stats.statements += 1;
    try {
      return await observed(
        this.reporting,
        {
          dialect: this.name,
          request: stats.request,
          text: () => ({ sql: statement.text, bindings: statement.bindings }),
        },
        () => runStatement(this.db(), this.name, statement),
        (result) => result.count,
      );
    } catch (error) {
      throw translateDbError(error);
    }
  }

  /** Inserts and upserts go through knex's builder (dialect-specific multi-row and conflict forms). */
  private async build(qb: Knex.QueryBuilder, stats: ExecStats): Promise<Row[]> {
    stats.statements += 1;
    try {
      return await observed(
        this.reporting,
        { dialect: this.name, request: stats.request, text: () => qb.toSQL() },
        async () => (await qb) as Row[],
        (rows) => (Array.isArray(rows) ? rows.length : null),
      );
    } catch (error) {
      throw translateDbError(error);
    }
  }
}
