// RoutineResult + the call's options → DreamFactory's response body (compat §11.3).
// Procedures: one non-empty result set → its rows; several → an array of them (empty ones dropped); none →
// `[]`; bare unless `wrapper` names a key. With OUT/INOUT parameters: an object of the rows under `wrapper`
// (default `resource`, left out when there are none) plus each OUT value cast to its parameter's type; a
// one-row result set whose columns name OUT parameters is read as their values, not returned as data.
// Functions: a scalar function's value, cast to its return type, as a bare JSON value; rows otherwise (one
// row of its OUT values for a function with OUT parameters and no SETOF; null for void); `wrapper` is not
// applied. `returns=<type>` (not TABLE) turns the first column of the first row into a
// scalar; `schema` ({"column":"type"}) casts those columns in every row, and the OUT values.
import type { Row } from '../../ir/types.js';
import type { RoutineModel } from '../../model/types.js';
import type { RoutineResult } from '../../executor/data-source.js';
import { paramKey } from '../../model/routines.js';
import { formatValue, jsonSafe, setKey, toClient } from './values.js';

export interface ResultOptions {
  /** `returns`: a scalar type; null or `TABLE`: rows. */
  returns: string | null;
  /** `wrapper`: the key the rows go under. */
  wrapper: string | null;
  /** `schema` (body only): column → type. */
  schema: Record<string, string> | null;
}

export function formatProcedureResult(
  routine: RoutineModel,
  result: RoutineResult,
  options: ResultOptions,
): unknown {
  const outParams = routine.params.filter((p) => p.mode === 'OUT' || p.mode === 'INOUT');
  const outValues = lowerKeys(result.out);
  const kept: Row[][] = [];
  for (const set of result.resultSets) {
    if (set.length === 0) continue;
    const row = set.length === 1 ? lowerKeys(set[0] as Row) : null;
    const consumed = row !== null && outParams.some((p) => Object.hasOwn(row, p.name.toLowerCase()));
    if (consumed) {
      for (const p of outParams) {
        const key = p.name.toLowerCase();
        if (Object.hasOwn(row, key) && !Object.hasOwn(outValues, key)) setKey(outValues, key, row[key]);
      }
      continue;
    }
    kept.push(set);
  }
  const data = shaped(kept, options);
  if (outParams.length === 0) {
    if (!options.wrapper || phpEmpty(data)) return data;
    const wrapped: Record<string, unknown> = {};
    setKey(wrapped, options.wrapper, data);
    return wrapped;
  }
  const body: Record<string, unknown> = {};
  if (!phpEmpty(data)) setKey(body, options.wrapper || 'resource', data);
  for (const p of outParams) {
    const key = paramKey(p);
    const lower = key.toLowerCase();
    let value = toClient(Object.hasOwn(outValues, lower) ? outValues[lower] : null, p.type);
    const schema = options.schema;
    if (schema && Object.hasOwn(schema, key)) value = formatValue(value, schema[key] as string);
    setKey(body, key, value);
  }
  return body;
}

export function formatFunctionResult(
  routine: RoutineModel,
  result: RoutineResult,
  options: ResultOptions,
): unknown {
  const kept = result.resultSets.filter((set) => set.length > 0);
  if (isScalarFunction(routine)) {
    const raw = result.value !== undefined ? result.value : firstValue(kept);
    const value = toClient(raw, routine.returnType);
    return wantsScalar(options) ? formatValue(value, options.returns as string) : value;
  }
  if (routine.returnDbType?.trim().toLowerCase() === 'void') return null;
  // A function with OUT parameters and no SETOF answers one row: its OUT values, cast to their types.
  const outs = routine.params.filter((p) => p.mode !== 'IN');
  if (kept.length === 0 && outs.length > 0 && Object.keys(result.out).length > 0) {
    const values = lowerKeys(result.out);
    const row: Row = {};
    for (const p of outs) {
      const key = paramKey(p).toLowerCase();
      setKey(row, paramKey(p), toClient(Object.hasOwn(values, key) ? values[key] : null, p.type));
    }
    kept.push([row]);
  }
  return shaped(kept, options);
}

/** A function whose single value is the answer (`SELECT fn(…)`), not a set of rows. */
export function isScalarFunction(routine: RoutineModel): boolean {
  return routine.kind === 'function' && routine.returnType !== null && !routine.returnsSet;
}

/** The non-empty sets as rows / array of row arrays / `[]`, then `returns` and `schema` applied. */
function shaped(kept: Row[][], options: ResultOptions): unknown {
  if (wantsScalar(options)) return formatValue(firstValue(kept), options.returns as string);
  const sets = kept.map((set) => set.map((row) => castRow(jsonSafe(row) as Row, options.schema)));
  return sets.length === 1 ? sets[0] : sets;
}

function wantsScalar(options: ResultOptions): boolean {
  return (
    options.returns !== null &&
    options.returns.trim() !== '' &&
    options.returns.trim().toUpperCase() !== 'TABLE'
  );
}

/** The first column of the first row of the first non-empty set; null when there is none. */
function firstValue(kept: Row[][]): unknown {
  const row = kept[0]?.[0];
  if (!row) return null;
  const [first] = Object.values(row);
  return first === undefined ? null : first;
}

function castRow(row: Row, schema: Record<string, string> | null): Row {
  if (!schema) return row;
  const out: Row = { ...row };
  for (const [column, type] of Object.entries(schema)) {
    if (Object.hasOwn(out, column)) setKey(out, column, formatValue(out[column], type));
  }
  return out;
}

function lowerKeys(row: Row): Row {
  const out = Object.create(null) as Row;
  for (const [key, value] of Object.entries(row)) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(out, lower)) setKey(out, lower, value);
  }
  return out;
}

/** PHP's empty(): null, false, 0, "", "0" and [] (DreamFactory leaves such results unwrapped). */
function phpEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === false ||
    value === 0 ||
    value === '' ||
    value === '0' ||
    (Array.isArray(value) && value.length === 0)
  );
}
