// PostgreSQL pg_proc (one schema) → RawRoutine[]: procedures and functions with their parameters, return
// types and result columns, in one catalog query. Left out: aggregates and window functions, functions that
// belong to an extension, and functions no client can call (trigger/handler functions, pseudo-typed
// arguments such as `internal` or `anyelement`, which cannot be bound).
import type { Knex } from 'knex';
import type { RawParam, RawReturnColumn, RawRoutine } from './catalog.js';
import { sortRoutines } from './routines-common.js';

// Of the pseudo-typed results only void and record (rows, with OUT/TABLE columns) are callable. The argument
// types include OUT and TABLE columns (proallargtypes); without those, only the IN ones are in proargtypes.
const ROUTINES_SQL = `
  select p.proname as name, p.prokind as kind, d.description as comment,
    case when p.prokind = 'p' then null
      else (case when p.proretset then 'setof ' else '' end) || pg_catalog.format_type(p.prorettype, null)
    end as return_type,
    p.proretset as returns_set, p.provolatile as volatility,
    p.proargnames::text[] as arg_names, p.proargmodes::text[] as arg_modes,
    array(
      select pg_catalog.format_type(u.t, null)
      from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(t, ord) order by u.ord
    )::text[] as arg_types,
    p.pronargdefaults as n_defaults,
    pg_catalog.pg_get_function_arguments(p.oid) as arguments,
    array(
      select a.attname from pg_catalog.pg_attribute a
      where a.attrelid = rt.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum
    )::text[] as row_names,
    array(
      select pg_catalog.format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a
      where a.attrelid = rt.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum
    )::text[] as row_types
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_type rt on rt.oid = p.prorettype
  left join pg_catalog.pg_description d
    on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_proc'::regclass and d.objsubid = 0
  where n.nspname = ? and p.prokind in ('f', 'p')
    and (rt.typtype <> 'p' or rt.typname in ('void', 'record'))
    and not exists (
      select 1 from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) u(t)
      join pg_catalog.pg_type at on at.oid = u.t where at.typtype = 'p'
    )
    and not exists (
      select 1 from pg_catalog.pg_depend dep
      where dep.classid = 'pg_catalog.pg_proc'::regclass and dep.objid = p.oid and dep.deptype = 'e'
    )
  order by p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)`;

interface RoutineRow {
  name: string;
  kind: 'f' | 'p';
  comment: string | null;
  return_type: string | null;
  returns_set: boolean;
  volatility: 'i' | 's' | 'v';
  /** Null when no parameter is named; '' for an unnamed one among named ones. */
  arg_names: string[] | null;
  /** i, o, b (INOUT), v (VARIADIC), t (a RETURNS TABLE column); null when all are IN. */
  arg_modes: string[] | null;
  arg_types: string[];
  n_defaults: number;
  arguments: string;
  /** The columns of a composite return type (a table's row type); empty otherwise. */
  row_names: string[];
  row_types: string[];
}

const MODES: Record<string, RawParam['mode']> = { i: 'IN', v: 'IN', o: 'OUT', b: 'INOUT' };
const NO_TYPE_PARAMS = { length: null, precision: null, scale: null } as const;

export async function introspectPostgresRoutines(db: Knex, schema: string): Promise<RawRoutine[]> {
  const result = (await db.raw(ROUTINES_SQL, [schema])) as { rows: RoutineRow[] };
  return sortRoutines(result.rows.map(toRoutine));
}

function toRoutine(row: RoutineRow): RawRoutine {
  const params: RawParam[] = [];
  const tableColumns: RawReturnColumn[] = [];
  row.arg_types.forEach((dbType, i) => {
    const name = row.arg_names?.[i] ?? '';
    const mode = row.arg_modes?.[i] ?? 'i';
    if (mode === 't') {
      tableColumns.push({ name, dbType });
      return;
    }
    // PostgreSQL keeps no length or precision for parameters (numeric(10,2) is stored as numeric).
    const position = params.length + 1;
    params.push({ name, position, mode: MODES[mode] ?? 'IN', dbType, ...NO_TYPE_PARAMS, default: null });
  });
  applyDefaults(params, row.arguments, Number(row.n_defaults));
  const isFunction = row.kind === 'f';
  return {
    name: row.name,
    kind: isFunction ? 'function' : 'procedure',
    comment: row.comment,
    params,
    returnType: isFunction ? row.return_type : null,
    returnsSet: isFunction && row.returns_set,
    returnColumns: isFunction ? returnColumns(row, params, tableColumns) : [],
    readOnly: isFunction && row.volatility !== 'v',
  };
}

/**
 * RETURNS TABLE columns; else the OUT/INOUT parameters (the row a function with them returns); else the
 * columns of a composite return type (RETURNS SETOF album). Scalar results have none.
 */
function returnColumns(
  row: RoutineRow,
  params: RawParam[],
  tableColumns: RawReturnColumn[],
): RawReturnColumn[] {
  if (tableColumns.length > 0) return tableColumns;
  const outs = params.filter((p) => p.mode !== 'IN');
  if (outs.length > 0) return outs.map((p) => ({ name: p.name, dbType: p.dbType }));
  return row.row_names.map((name, i) => ({ name, dbType: row.row_types[i] ?? '' }));
}

/**
 * The last `count` input parameters have defaults; their expressions are read from
 * pg_get_function_arguments (`a integer, b text DEFAULT 'x'::text`), which lists every parameter but the
 * RETURNS TABLE columns, in order.
 */
function applyDefaults(params: RawParam[], argumentsText: string, count: number): void {
  if (count <= 0) return;
  const pieces = splitTopLevel(argumentsText, ',');
  const inputs = params.filter((p) => p.mode !== 'OUT');
  for (const param of inputs.slice(Math.max(0, inputs.length - count))) {
    const piece = pieces[param.position - 1] ?? '';
    const at = findTopLevel(piece, ' DEFAULT ');
    // '' would mean "has a default whose text could not be read": the call still leaves the argument out.
    param.default = at < 0 ? '' : piece.slice(at + ' DEFAULT '.length).trim();
  }
}

/** Splits on `separator` outside quotes ('…', "…"), parentheses and brackets. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let at = findTopLevel(text, separator);
  while (at >= 0) {
    parts.push(text.slice(start, at).trim());
    start = at + separator.length;
    const next = findTopLevel(text.slice(start), separator);
    at = next < 0 ? -1 : start + next;
  }
  const last = text.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/** The index of the first `needle` outside quotes, parentheses and brackets; -1 when there is none. */
function findTopLevel(text: string, needle: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== null) {
      if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = null;
      }
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (depth === 0 && text.startsWith(needle, i)) return i;
  }
  return -1;
}
