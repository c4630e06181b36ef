// MySQL / MariaDB information_schema.ROUTINES + PARAMETERS (one database) → RawRoutine[], in two catalog
// queries. MySQL keeps no parameter defaults and no result-set shapes, so those stay empty; a function's
// return value is PARAMETERS' row 0 and is read from ROUTINES instead.
import type { Knex } from 'knex';
import type { RawParam, RawRoutine } from './catalog.js';
import { groupBy, lowerType } from './common.js';
import { sortRoutines } from './routines-common.js';

// Aliases are lower-case so MySQL 8 (which upper-cases information_schema names) and MariaDB agree.
const ROUTINES_SQL = `
  select routine_name as name, routine_type as type, dtd_identifier as return_type,
    sql_data_access as data_access, routine_comment as comment
  from information_schema.routines
  where routine_schema = ? and routine_type in ('PROCEDURE', 'FUNCTION')`;

// DTD_IDENTIFIER is the full type (`decimal(10,2)`, `varchar(120)`); DATA_TYPE only its name.
const PARAMETERS_SQL = `
  select specific_name as name, routine_type as type, ordinal_position as position,
    parameter_mode as mode, parameter_name as param, dtd_identifier as db_type,
    character_maximum_length as length, numeric_precision as \`precision\`, numeric_scale as scale
  from information_schema.parameters
  where specific_schema = ? and ordinal_position > 0
  order by specific_name, ordinal_position`;

interface RoutineRow {
  name: string;
  type: 'PROCEDURE' | 'FUNCTION';
  return_type: string | null;
  data_access: string | null;
  comment: string | null;
}

/** Numbers may arrive as strings (BIGINT columns, with bigNumberStrings). */
interface ParameterRow {
  name: string;
  type: string;
  position: number | string;
  /** IN, OUT or INOUT; a function's parameters may report null (they are all IN). */
  mode: string | null;
  param: string | null;
  db_type: string;
  length: number | string | null;
  precision: number | string | null;
  scale: number | string | null;
}

async function rows<T>(db: Knex, sql: string, bindings: readonly string[]): Promise<T[]> {
  const [result] = (await db.raw(sql, bindings)) as [T[], unknown];
  return result;
}

export async function introspectMysqlRoutines(db: Knex, database: string): Promise<RawRoutine[]> {
  const routineRows = await rows<RoutineRow>(db, ROUTINES_SQL, [database]);
  if (routineRows.length === 0) return [];
  const params = groupBy(await rows<ParameterRow>(db, PARAMETERS_SQL, [database]), (r) =>
    key(r.type, r.name),
  );
  return sortRoutines(routineRows.map((r) => toRoutine(r, params.get(key(r.type, r.name)) ?? [])));
}

/** A procedure and a function may share a name. */
const key = (type: string, name: string) => `${type.toUpperCase()} ${name}`;

function toRoutine(row: RoutineRow, paramRows: ParameterRow[]): RawRoutine {
  const isFunction = row.type === 'FUNCTION';
  return {
    name: row.name,
    kind: isFunction ? 'function' : 'procedure',
    comment: row.comment ? row.comment : null,
    params: paramRows.map(toParam),
    returnType: isFunction && row.return_type ? lowerType(row.return_type) : null,
    returnsSet: false,
    returnColumns: [],
    // CONTAINS SQL (the default), NO SQL and READS SQL DATA all promise not to write.
    readOnly: isFunction && row.data_access?.toUpperCase() !== 'MODIFIES SQL DATA',
  };
}

function toParam(row: ParameterRow): RawParam {
  const mode = row.mode?.toUpperCase();
  return {
    name: row.param ?? '',
    position: Number(row.position),
    mode: mode === 'OUT' || mode === 'INOUT' ? mode : 'IN',
    dbType: lowerType(row.db_type),
    length: numberOrNull(row.length),
    precision: numberOrNull(row.precision),
    scale: numberOrNull(row.scale),
    default: null,
  };
}

function numberOrNull(value: number | string | null): number | null {
  return value === null || value === '' ? null : Number(value);
}
