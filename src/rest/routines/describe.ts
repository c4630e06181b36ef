// RoutineModel → DreamFactory's routine description (compat §11.1): `alias, name, label, description, native,
// return_type, return_schema, params[…], access` with params in position order and `access` the role's
// numeric verb mask; listings with `fields=*` show the same head without params, `access` as verb names.
import type { ParamModel, RoutineModel } from '../../model/types.js';

export function routineHead(routine: RoutineModel): Record<string, unknown> {
  return {
    alias: null,
    name: routine.name,
    label: routine.label,
    description: routine.description,
    native: [],
    // A scalar function's simple type; other functions say what the database says (`setof album`).
    return_type: routine.kind === 'function' ? (routine.returnType ?? routine.returnDbType) : null,
    return_schema: routine.returnColumns.map((column) => ({
      name: column.name,
      type: column.type,
      db_type: column.dbType,
    })),
  };
}

export function describeRoutine(routine: RoutineModel, access: number): Record<string, unknown> {
  const params = [...routine.params].sort((a, b) => a.position - b.position).map(describeParam);
  return { ...routineHead(routine), params, access };
}

function describeParam(param: ParamModel): Record<string, unknown> {
  return {
    name: param.name,
    position: param.position,
    param_type: param.mode,
    type: param.type,
    // DreamFactory reports the type name alone (`decimal`), the size in length/precision/scale.
    db_type: param.dbType.replace(/\s*\([^)]*\)/, ''),
    length: param.length,
    precision: param.precision,
    scale: param.scale,
    default: param.default,
  };
}
