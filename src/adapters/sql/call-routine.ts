// A RoutineModel + argument values → the statements that call it (dreamfactory-compat.md §11.2, §11.4) and
// the RoutineResult they give back. Every value is bound; only identifiers from the model (quoted whole) and
// PostgreSQL type names from the catalog (checked against a type grammar) are written into the SQL text.
//
// PostgreSQL (one statement):
//   procedure                       CALL p($1::int, NULL::numeric)       OUT/INOUT values: the one row → out
//   set / row-returning function    SELECT * FROM f($1::int)             rows → resultSets[0] (a function with
//                                                                        OUT parameters and no SETOF: out)
//   scalar function                 SELECT f($1::int) AS output          → value
// MySQL / MariaDB (one connection, up to three statements):
//   SET @junction_p2 = ?, …         INOUT values
//   CALL p(?, @junction_p2, @junction_p3)                                each result set → resultSets
//   SELECT @junction_p2 AS p2, …    OUT/INOUT values → out
//   scalar function                 SELECT f(?) AS output                → value
import type { Knex } from 'knex';
import { ApiError } from '../../errors/index.js';
import type { ExecStats, RoutineResult } from '../../executor/data-source.js';
import type { Row } from '../../ir/types.js';
import { paramKey, returnsRows } from '../../model/routines.js';
import type { ParamModel, RoutineModel } from '../../model/types.js';
import { observed, type StatementReporting } from '../../observability/statements.js';
import { DIALECTS } from './capabilities.js';
import { translateDbError } from './db-errors.js';
import { runStatement } from './run.js';

export type RoutineArgs = Record<string, unknown>;

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** The value given for `param`: by its key, else by its name in any case; undefined when none was given. */
export function argumentFor(args: RoutineArgs, param: ParamModel): unknown {
  const key = paramKey(param);
  if (Object.hasOwn(args, key)) return args[key];
  const lower = key.toLowerCase();
  const found = Object.keys(args).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : args[found];
}

const isOut = (p: ParamModel) => p.mode !== 'IN';

// ---------------------------------------------------------------------------------------------- PostgreSQL

const IDENT = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")`;
const WORDS = String.raw`${IDENT}(?: ${IDENT})*`;
/** `integer`, `character varying`, `public.mood`, `"MyType"`, `numeric(10,2)`, `timestamp(3) with time zone`, `text[]`. */
const PG_TYPE = new RegExp(
  String.raw`^(?:${IDENT}\.)?${WORDS}(?:\(\d+(?:, ?\d+)?\))?(?: ${WORDS})?(?:\[\])*$`,
);

/** `::type` for a catalog type name (so overloads and untyped values resolve); nothing for anything odd. */
function pgCast(dbType: string): string {
  return PG_TYPE.test(dbType) ? `::${dbType}` : '';
}

export interface CompiledCall {
  text: string;
  bindings: unknown[];
}

/**
 * The PostgreSQL call of `routine`. Functions take their IN/INOUT parameters; procedures all of them (PG ≥ 14
 * wants an argument for each OUT parameter: NULL). A missing argument is left out when its parameter has a
 * default and no later argument is given (PostgreSQL then applies the default), and is NULL otherwise.
 */
export function compilePostgresCall(routine: RoutineModel, args: RoutineArgs): CompiledCall {
  const quote = DIALECTS.postgres.quote;
  const passed =
    routine.kind === 'procedure' ? routine.params : routine.params.filter((p) => p.mode !== 'OUT');
  const given = passed.map((p) => (p.mode === 'OUT' ? undefined : argumentFor(args, p)));
  let count = passed.length;
  while (count > 0) {
    const p = passed[count - 1]!;
    if (p.mode === 'OUT' || given[count - 1] !== undefined || p.default === null) break;
    count -= 1;
  }
  const bindings: unknown[] = [];
  const list = passed.slice(0, count).map((p, i) => {
    if (p.mode === 'OUT') return `NULL${pgCast(p.dbType)}`;
    bindings.push(given[i] ?? null);
    return `$${bindings.length}${pgCast(p.dbType)}`;
  });
  const call = `${quote(routine.name)}(${list.join(', ')})`;
  const text =
    routine.kind === 'procedure'
      ? `CALL ${call}`
      : returnsRows(routine)
        ? `SELECT * FROM ${call}`
        : `SELECT ${call} AS output`;
  return { text, bindings };
}

export async function callPostgres(
  db: Knex,
  routine: RoutineModel,
  args: RoutineArgs,
  stats: ExecStats,
  reporting?: StatementReporting,
): Promise<RoutineResult> {
  const statement = compilePostgresCall(routine, args);
  stats.statements += 1;
  let rows: Row[];
  try {
    const text = () => ({ sql: statement.text, bindings: statement.bindings });
    const result = await observed(
      reporting,
      { dialect: 'postgres', request: stats.request, text },
      () => runStatement(db, 'postgres', statement),
      (done) => done.count,
    );
    rows = result.rows as Row[];
  } catch (error) {
    throw callError(error);
  }
  const outs = routine.params.filter(isOut);
  if (routine.kind === 'procedure') return { resultSets: [], out: outValues(outs, rows[0]) };
  if (!returnsRows(routine)) {
    // `void` functions answer with an empty text; they have no value to give.
    const value = routine.returnDbType === 'void' ? null : (rows[0]?.output ?? null);
    return { resultSets: [], out: {}, value };
  }
  // A function with OUT parameters and no SETOF returns exactly one row: its OUT values.
  if (!routine.returnsSet && outs.length > 0) return { resultSets: [], out: outValues(outs, rows[0]) };
  return { resultSets: [rows], out: {} };
}

/**
 * Driver error → ApiError. PostgreSQL's "no such function" (42883, elsewhere a value's fault) means here the
 * routine is gone or changed since introspection: the database's problem, not the client's.
 */
function callError(error: unknown): ApiError {
  if ((error as { code?: unknown } | null)?.code === '42883') {
    return new ApiError('DATABASE_ERROR', 'The database could not run the request.', { cause: error });
  }
  return translateDbError(error);
}

/** The row's values in column order are the OUT/INOUT parameters' values in position order. */
function outValues(outs: ParamModel[], row: Row | undefined): Row {
  const values = row ? Object.values(row) : [];
  return Object.fromEntries(outs.map((p, i) => [paramKey(p), values[i] ?? null]));
}

// ------------------------------------------------------------------------------------------- MySQL/MariaDB

interface MysqlConnection {
  query(
    options: { sql: string; values: unknown[] },
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

function query(
  conn: MysqlConnection,
  sql: string,
  values: unknown[],
  stats: ExecStats,
  reporting?: StatementReporting,
): Promise<unknown> {
  stats.statements += 1;
  const details = { dialect: 'mysql', request: stats.request, text: () => ({ sql, bindings: values }) };
  return observed(
    reporting,
    details,
    () =>
      new Promise((resolve, reject) => {
        conn.query({ sql, values }, (error, result) => (error ? reject(error) : resolve(result)));
      }),
    () => null,
  );
}

/**
 * mysql2 writes an array as a list (`1, 2`) and an object as `a = 1, b = 2`, which would shift the
 * arguments after it: both are sent as their JSON text instead.
 */
function mysqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

const variable = (p: ParamModel) => `@junction_p${p.position}`;

export async function callMysql(
  db: Knex,
  routine: RoutineModel,
  args: RoutineArgs,
  stats: ExecStats,
  reporting?: StatementReporting,
): Promise<RoutineResult> {
  const quote = DIALECTS.mysql.quote;
  const client = db.client as PoolClient;
  let conn: MysqlConnection;
  try {
    conn = (await client.acquireConnection()) as MysqlConnection;
  } catch (error) {
    throw translateDbError(error);
  }
  try {
    if (routine.kind === 'function') {
      const values = routine.params.map((p) => mysqlValue(argumentFor(args, p)));
      const placeholders = values.map(() => '?').join(', ');
      const rows = (await query(
        conn,
        `SELECT ${quote(routine.name)}(${placeholders}) AS output`,
        values,
        stats,
        reporting,
      )) as Row[];
      return { resultSets: [], out: {}, value: rows[0]?.output ?? null };
    }
    const inouts = routine.params.filter((p) => p.mode === 'INOUT');
    if (inouts.length > 0) {
      const sets = inouts.map((p) => `${variable(p)} = ?`).join(', ');
      await query(
        conn,
        `SET ${sets}`,
        inouts.map((p) => mysqlValue(argumentFor(args, p))),
        stats,
        reporting,
      );
    }
    const values: unknown[] = [];
    const list = routine.params.map((p) => {
      if (p.mode !== 'IN') return variable(p);
      values.push(mysqlValue(argumentFor(args, p)));
      return '?';
    });
    const result = await query(
      conn,
      `CALL ${quote(routine.name)}(${list.join(', ')})`,
      values,
      stats,
      reporting,
    );
    // Each SELECT of the procedure is an array of rows; the status of the CALL itself (ResultSetHeader) is not.
    const resultSets = Array.isArray(result) ? (result.filter((part) => Array.isArray(part)) as Row[][]) : [];
    const outs = routine.params.filter(isOut);
    if (outs.length === 0) return { resultSets, out: {} };
    const select = outs.map((p) => `${variable(p)} AS p${p.position}`).join(', ');
    const [row] = (await query(conn, `SELECT ${select}`, [], stats, reporting)) as Row[];
    return {
      resultSets,
      out: Object.fromEntries(outs.map((p) => [paramKey(p), row?.[`p${p.position}`] ?? null])),
    };
  } catch (error) {
    throw translateDbError(error);
  } finally {
    await client.releaseConnection(conn);
  }
}
