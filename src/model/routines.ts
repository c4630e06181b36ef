// RawRoutine[] → RoutineModel[] (dreamfactory-compat.md §11): DreamFactory labels, simple types of parameters
// and results, and GraphQL names. Names are given once the tables have theirs, because a routine must not
// take a field name the service's tables already use.
//
// GraphQL naming rule: a routine's field is its name in camelCase (`album_count` → `albumCount`), a parameter's
// its name in camelCase (`argN` for an unnamed PostgreSQL parameter at position N). When the routine's name is
// already a field of the service — a table's list, connection, aggregate, groupBy or by-key field, a table's
// insert/update/delete/upsert mutation, or an earlier routine (case-insensitive order; MySQL lets a procedure
// and a function share a name, PostgreSQL overloads a name) — it gets its kind as a suffix
// (`albumsFunction`, `touchProcedure`), then 2, 3, … if that is taken too.
import type { RawParam, RawReturnColumn, RawRoutine } from '../introspect/catalog.js';
import { dfLabel } from './df-names.js';
import { fieldName, pascal, uniqueName } from './graphql-names.js';
import { simpleTypeOf } from './simple-types.js';
import type { ParamModel, ReturnColumnModel, RoutineModel, ServiceModel, TableModel } from './types.js';

/** Routines of one catalog with types and labels; GraphQL names are left empty for nameRoutines. */
export function buildRoutines(raw: readonly RawRoutine[] | undefined): RoutineModel[] {
  return [...(raw ?? [])].sort(byName).map(buildRoutine);
}

/** As introspection sorts them (a cache file may have been edited): case-insensitive, procedures first. */
function byName(a: RawRoutine, b: RawRoutine): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return (a.kind === 'procedure' ? 0 : 1) - (b.kind === 'procedure' ? 0 : 1);
}

function buildRoutine(raw: RawRoutine): RoutineModel {
  return {
    name: raw.name,
    kind: raw.kind,
    label: dfLabel(raw.name),
    description: raw.comment,
    params: raw.params.map(buildParam),
    returnType: isScalarFunction(raw) ? simpleTypeOf(raw.returnType ?? '') : null,
    returnDbType: raw.kind === 'function' ? raw.returnType : null,
    returnsSet: raw.returnsSet,
    returnColumns: raw.returnColumns.map(buildReturnColumn),
    readOnly: raw.kind === 'function' && raw.readOnly,
    graphqlName: '',
  };
}

/** A function whose result is one value: not a set, not a row (OUT parameters, a table type), not void. */
function isScalarFunction(raw: RawRoutine): boolean {
  if (raw.kind !== 'function' || raw.returnsSet || raw.returnColumns.length > 0) return false;
  const type = (raw.returnType ?? '').trim().toLowerCase();
  return type !== '' && type !== 'void' && type !== 'record';
}

/**
 * Whether a call returns rows (`SELECT * FROM fn(…)` on PostgreSQL) rather than one value (`SELECT fn(…)`):
 * set-returning functions and functions returning a row (OUT parameters, a table or record type).
 */
export function returnsRows(routine: RoutineModel): boolean {
  if (routine.kind !== 'function') return false;
  return (
    routine.returnsSet || routine.returnColumns.length > 0 || routine.returnDbType?.toLowerCase() === 'record'
  );
}

function buildParam(raw: RawParam): ParamModel {
  return { ...raw, type: simpleTypeOf(raw.dbType), graphqlName: '' };
}

function buildReturnColumn(raw: RawReturnColumn): ReturnColumnModel {
  return { ...raw, type: simpleTypeOf(raw.dbType), graphqlName: '' };
}

/**
 * The key of a parameter's value in the `args` of DataSource.callRoutine: its name, or `$<position>` for an
 * unnamed PostgreSQL parameter.
 */
export function paramKey(param: Pick<ParamModel, 'name' | 'position'>): string {
  return param.name === '' ? `$${param.position}` : param.name;
}

/** Gives the service's routines, their parameters and result columns their GraphQL names (rule above). */
export function nameRoutines(service: ServiceModel): ServiceModel {
  if (service.routines.length === 0) return service;
  const taken = tableFieldNames(service.tables);
  const routines = service.routines.map((routine): RoutineModel => {
    const base = fieldName(routine.name, 'routine');
    const graphqlName = taken.has(base)
      ? uniqueName(`${base}${pascal(routine.kind)}`, taken)
      : uniqueName(base, taken);
    const paramNames = new Set<string>();
    const columnNames = new Set<string>();
    return {
      ...routine,
      graphqlName,
      params: routine.params.map((p) => ({
        ...p,
        graphqlName: uniqueName(p.name === '' ? `arg${p.position}` : fieldName(p.name, 'arg'), paramNames),
      })),
      returnColumns: routine.returnColumns.map((c) => ({
        ...c,
        graphqlName: uniqueName(fieldName(c.name, `column${columnNames.size + 1}`), columnNames),
      })),
    };
  });
  return { ...service, routines };
}

/**
 * Every field name the service's tables use in its query namespace (src/graphql/sdl.ts: list, `…Connection`,
 * `…Aggregate`, `…GroupBy`, by-key) and every mutation name they may use without the service prefix
 * (src/graphql/mutation-sdl.ts mutationNames: insert/update/delete/upsert + singular or plural type).
 */
function tableFieldNames(tables: readonly TableModel[]): Set<string> {
  const taken = new Set<string>();
  for (const table of tables) {
    const { list, byKey, type } = table.graphql;
    for (const name of [list, `${list}Connection`, `${list}Aggregate`, `${list}GroupBy`, byKey]) {
      if (name) taken.add(name);
    }
    const single = pascal(byKey ?? type);
    for (const noun of [single, `${single}One`, pascal(list)]) {
      for (const verb of ['insert', 'update', 'delete', 'upsert']) taken.add(`${verb}${noun}`);
    }
  }
  return taken;
}
