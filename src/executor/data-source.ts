// The contract between the executor and a database adapter: IR in, plain rows out. SQL and MongoDB adapters
// implement it; the executor never sees SQL. Every statement an adapter runs is counted in `stats`.
import type { AggregateQuery, Expr, ReadQuery, Row, Scalar } from '../ir/types.js';
import type { RelationModel, RoutineModel } from '../model/types.js';

export interface ExecStats {
  statements: number;
  /** The HTTP request these statements run for: statement observers (metrics, traces) key on it. */
  request?: RequestTag;
  /**
   * Set by the server (src/cache/scope.ts): who may share this request's cached read results (its role)
   * and whether it asked for fresh ones (REST `refresh=true`). Absent: the result cache is not used.
   */
  cache?: CacheDirective;
}

export interface CacheDirective {
  scope: string;
  refresh: boolean;
}

/** Identifies one request in flight; observers keep per-request state in WeakMaps keyed by this object. */
export interface RequestTag {
  readonly id: string;
}

export interface DataSource {
  /** The rows of a root read (its `relations` are the executor's business, not the source's). */
  read(query: ReadQuery, stats: ExecStats): Promise<Row[]>;
  /**
   * The rows of `query.table` related through `relation` to any of the parent `keys`, each carrying its
   * parent's key under `__p0…`. One statement for all parents; `perParent` applies limit/offset per parent.
   */
  readRelated(
    relation: RelationModel,
    query: ReadQuery,
    keys: Scalar[][],
    perParent: boolean,
    stats: ExecStats,
    /** Database types of the parent key columns, so the database can type a list of keys. */
    keyTypes?: string[],
  ): Promise<Row[]>;
  count(query: Pick<ReadQuery, 'table' | 'where'>, stats: ExecStats): Promise<number>;
  aggregate(query: AggregateQuery, stats: ExecStats): Promise<Row[]>;
  /** Aggregates per parent key (`__p0…`) over a relation. */
  aggregateRelated(
    relation: RelationModel,
    query: AggregateQuery,
    keys: Scalar[][],
    stats: ExecStats,
  ): Promise<Row[]>;
  /** Distinct tuples of `fields` over rows matching `where`, at most `limit` of them (`__p0…` per tuple). */
  distinctKeys(
    table: string,
    fields: string[],
    where: Expr | null,
    limit: number,
    stats: ExecStats,
  ): Promise<Row[]>;

  /**
   * Whether `transaction` really is all-or-nothing (MongoDB only on a replica set); absent means yes.
   * REST's rollback=true asks before it promises a client anything.
   */
  canRollback?(): Promise<boolean>;
  /**
   * Calls a stored procedure or function with the IN/INOUT values in `args`, every value bound. `args` is
   * keyed by parameter name (matched case-insensitively when no key is exact), `$<position>` for an unnamed
   * PostgreSQL parameter (model/routines.ts paramKey). A missing argument gets the parameter's default where
   * PostgreSQL has one and no later argument is given, else NULL. Values come back as the driver reads them
   * (numeric/decimal and MySQL's OUT integers as text): callers cast. Database errors are ApiErrors whose
   * driver text stays in `cause`. Absent where the database has no routines (SQLite, MongoDB).
   */
  callRoutine?(
    routine: RoutineModel,
    args: Record<string, unknown>,
    stats: ExecStats,
  ): Promise<RoutineResult>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: DataSource) => Promise<T>): Promise<T>;
  /** Inserts rows; returns, per row and in order, the `returning` columns (generated keys included). */
  insert(table: string, rows: Row[], returning: string[], stats: ExecStats): Promise<Row[]>;
  update(table: string, set: Row, where: Expr, stats: ExecStats): Promise<number>;
  delete(table: string, where: Expr, stats: ExecStats): Promise<number>;
  /** Insert, or on a clash of `conflict` update the `update` columns (one statement where the database can). */
  upsert(table: string, values: Row, conflict: string[], update: string[], stats: ExecStats): Promise<void>;
}

/**
 * A database without RETURNING (MySQL) cannot hand back generated columns: `insert` then returns the input
 * row plus its auto-increment value under this key, and the executor reads anything else it needs.
 */
export const GENERATED_ID = '__generated_id';

/** The output key under which related rows carry their parent's key column `i`. */
export const parentKey = (i: number): string => `__p${i}`;

/** What a routine call gave back: its result sets (empty ones kept), OUT/INOUT values by name, a scalar. */
export interface RoutineResult {
  /**
   * MySQL procedures: one per SELECT the procedure ran, in order. PostgreSQL: the rows of a set-returning
   * function or of one returning a table/record type (one set). Empty for procedures on PostgreSQL and for
   * scalar functions.
   */
  resultSets: Row[][];
  /**
   * OUT and INOUT parameter values, keyed like `args` (empty when it has none). A PostgreSQL function with
   * OUT parameters and no SETOF returns exactly one row: that row is given here, not in resultSets.
   */
  out: Row;
  /** A scalar function's value (`SELECT fn(...) AS output`; null for a void function); undefined otherwise. */
  value?: unknown;
}
