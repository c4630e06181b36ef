// Resolvers of the routine fields (plan: routines-sdl): GraphQL arguments → the IN/INOUT values by parameter
// name → DataSource.callRoutine (the adapter binds every value; no SQL here) → the field's value: a scalar,
// typed rows, or a mutation result with OUT values and the raw result sets. The role is checked again here,
// although its schema only has the routines it may call.
import type { GraphQLFieldResolver } from 'graphql';
import { routineCallVerb, routineComponent } from '../auth/role-view.js';
import { isAllowed } from '../auth/roles.js';
import type { Principal } from '../auth/types.js';
import { ApiError } from '../errors/index.js';
import type { ExecContext } from '../executor/context.js';
import type { RoutineResult } from '../executor/data-source.js';
import type { Row } from '../ir/types.js';
import type { ModelIndex } from '../model/model-index.js';
import { paramKey } from '../model/routines.js';
import type { ReturnColumnModel } from '../model/types.js';
import { principalOf, type GraphqlContext } from './resolvers.js';
import { routineFields, type RoutineField } from './routines-sdl.js';
import { routineWithScripts } from './event-scripts.js';
import { namespaceType } from './sdl.js';

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Args>;

export interface RoutineResolvers {
  /** Namespace type name → its routine query fields. */
  namespaces: Record<string, Record<string, Resolver>>;
  mutations: Record<string, Resolver>;
}

export function buildRoutineResolvers(
  index: ModelIndex,
  exec: (ctx: GraphqlContext) => ExecContext,
): RoutineResolvers {
  const out: RoutineResolvers = { namespaces: {}, mutations: {} };
  for (const plan of routineFields(index)) {
    const resolve: Resolver = async (_parent, args, ctx) => {
      authorizeCall(principalOf(ctx), plan);
      const context = exec(ctx);
      const source = context.source(plan.service.name);
      if (!source.callRoutine) {
        throw new ApiError('NOT_SUPPORTED', `Service ${plan.service.name} cannot call stored routines.`);
      }
      const verb = routineCallVerb(plan.routine);
      const target = {
        service: plan.service.name,
        component: routineComponent(plan.routine),
        verb: verb === 'GET' ? ('get' as const) : ('post' as const),
      };
      const call = source.callRoutine.bind(source);
      const result = await routineWithScripts(ctx, context, target, callArguments(plan, args), (values) =>
        call(plan.routine, values, context.stats),
      );
      return plan.root === 'query' ? queryValue(plan, result) : mutationValue(plan, result);
    };
    if (plan.root === 'mutation') out.mutations[plan.field] = resolve;
    else (out.namespaces[namespaceType(plan.service)] ??= {})[plan.field] = resolve;
  }
  return out;
}

/** Query fields need GET on `_func/{name}`, mutations POST on `_proc/{name}` or `_func/{name}`. */
function authorizeCall(principal: Principal, plan: RoutineField): void {
  if (principal.kind === 'open') return;
  const verb = routineCallVerb(plan.routine);
  const component = routineComponent(plan.routine);
  if (isAllowed(principal.role, plan.service.name, component, verb)) return;
  throw new ApiError(
    'FORBIDDEN',
    `Access Forbidden. ${verb} access to component '${component.toLowerCase()}' of service '${plan.service.name}' is not allowed by this user's role.`,
  );
}

/**
 * The values the client gave, by parameter key (its name; `$n` for an unnamed PostgreSQL parameter). An argument left out is left out (the parameter's default,
 * or NULL, applies); an explicit null is bound as NULL.
 */
function callArguments(plan: RoutineField, args: Args): Args {
  const values: Args = {};
  for (const param of plan.inputs) {
    if (Object.hasOwn(args, param.graphqlName)) values[paramKey(param)] = args[param.graphqlName];
  }
  return values;
}

function queryValue(plan: RoutineField, result: RoutineResult): unknown {
  const { output } = plan;
  switch (output.kind) {
    case 'scalar':
      return result.value ?? null;
    case 'rows':
      return typedRows(output.columns, plan.rowType, result.resultSets[0] ?? []);
    case 'row':
      return oneRow(output.columns, plan.rowType, result);
    case 'json':
      return jsonValue(result.value ?? result.resultSets[0]?.[0] ?? null);
    case 'none':
      return null;
  }
}

function mutationValue(plan: RoutineField, result: RoutineResult): Row {
  const value: Row = {
    resultSets: result.resultSets.map((rows) => rows.map((row) => jsonValue(row) as Row)),
  };
  for (const { param, field } of plan.outputs) value[field] = lookup(result.out, paramKey(param));
  const { output } = plan;
  if (output.kind === 'scalar') value.value = result.value ?? null;
  if (output.kind === 'json') value.value = jsonValue(result.value ?? result.resultSets[0]?.[0] ?? null);
  if (output.kind === 'row') value.value = oneRow(output.columns, plan.rowType, result);
  if (output.kind === 'rows')
    value.rows = typedRows(output.columns, plan.rowType, result.resultSets[0] ?? []);
  return value;
}

/** Rows keyed by the columns' GraphQL names (typed rows), or as JSON objects when the columns are unknown. */
function typedRows(columns: ReturnColumnModel[], rowType: string | null, rows: Row[]): Row[] {
  if (!rowType) return rows.map((row) => jsonValue(row) as Row);
  return rows.map((row) => {
    const typed: Row = {};
    for (const column of columns) typed[column.graphqlName] = lookup(row, column.name);
    return typed;
  });
}

/** A single-row function's row: its first result row, or (PostgreSQL OUT parameters) its OUT values. */
function oneRow(columns: ReturnColumnModel[], rowType: string | null, result: RoutineResult): Row | null {
  const row = result.resultSets[0]?.[0] ?? (Object.keys(result.out).length > 0 ? result.out : null);
  if (row === null) return null;
  return typedRows(columns, rowType, [row])[0] ?? null;
}

/** A column's value by its database name; drivers may change the case of names they did not quote. */
function lookup(row: Row, name: string): unknown {
  if (Object.hasOwn(row, name)) return row[name];
  const lower = name.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? null : row[key];
}

/** Driver values as JSON can carry them: 64-bit integers as strings, bytes as base64, dates as ISO text. */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}
