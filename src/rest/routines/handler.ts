// RestContext for `/_proc[/{name}]` and `/_func[/{name}]` → RestResponse (compat §11). GET without a name
// lists the procedures (functions) the role may access, or describes the ones named by `ids`; GET or POST
// with a name calls it. Only routines of the model can be called; the role must allow the verb on
// `_proc/{name}` (`_func/{name}`), checked here again on the name actually called, before its existence.
import { denied, principalLookup } from '../../auth/authorize.js';
import { routineComponent } from '../../auth/role-view.js';
import { allowedVerbs, isAllowed, verbMask } from '../../auth/roles.js';
import { ApiError } from '../../errors/index.js';
import type { RoutineResult } from '../../executor/data-source.js';
import type { RoutineModel, ServiceModel } from '../../model/types.js';
import { substituteLookups } from '../filter/values.js';
import { restLimits } from '../records/read.js';
import { naturalCaseCompare, verbsOf } from '../schema/handlers.js';
import type { RestContext, RestHandler, RestResponse, Verb } from '../types.js';
import { givenValues, parseCallPath, routineArguments } from './args.js';
import { describeRoutine, routineHead } from './describe.js';
import { formatFunctionResult, formatProcedureResult, type ResultOptions } from './results.js';

type Resource = '_proc' | '_func';
type Kind = RoutineModel['kind'];

/**
 * URL parameters that are options, credentials or transport switches, never a routine's parameters (any other
 * name that matches no parameter is ignored anyway).
 */
const RESERVED = new Set([
  'returns',
  'wrapper',
  'wrap',
  'api_key',
  'session_token',
  'method',
  '_method',
  'accept',
  'file',
  'refresh',
]);

export const routineHandler: RestHandler = async (ctx) => {
  const { verb, path } = ctx.request;
  const resource = path[0] as Resource;
  const kind: Kind = resource === '_proc' ? 'procedure' : 'function';
  // Inline arguments may hold `/` (`p('a/b')`): everything after the resource is the name and its arguments.
  const rest = path.slice(1).join('/');
  if (rest === '') {
    if (verb !== 'GET') throw unsupported(verb, resource, false);
    return ok(listRoutines(ctx, resource, kind));
  }
  if (verb !== 'GET' && verb !== 'POST') throw unsupported(verb, resource, true);
  return ok(await callRoutine(ctx, resource, kind, rest));
};

// ---- listing and descriptions ------------------------------------------------------------------------

function listRoutines(ctx: RestContext, resource: Resource, kind: Kind): unknown {
  const names = requestedNames(ctx, kind);
  if (names.length > 0) {
    const { maxIds } = restLimits(ctx);
    if (names.length > maxIds)
      throw new ApiError('BAD_REQUEST', `Too many ids in one request (at most ${maxIds}).`);
    return {
      resource: names.map((name) => {
        checkAccess(ctx, resource, name, 'GET');
        const routine = findRoutine(ctx.request.service, kind, name);
        return describeRoutine(routine, accessOf(ctx, routine));
      }),
    };
  }
  const { params, service } = ctx.request;
  const routines = service.routines
    .filter((routine) => routine.kind === kind && accessOf(ctx, routine) !== 0)
    .sort((a, b) => naturalCaseCompare(a.name, b.name));
  if (params.bool('as_list')) return { resource: routines.map((routine) => routine.name) };
  if (params.string('fields')?.trim() === '*')
    return {
      resource: routines.map((routine) => ({
        ...routineHead(routine),
        access: verbsOf(accessOf(ctx, routine)),
      })),
    };
  return { resource: routines.map((routine) => ({ name: routine.name })) };
}

/**
 * The names to describe: body `ids`, else URL `ids`, else a body record list (`{"resource":[…]}` or a bare
 * array) of names or `{"name":…}` objects. Empty: list instead.
 */
function requestedNames(ctx: RestContext, kind: Kind): string[] {
  const body = ctx.request.body;
  const object = plainObject(body);
  let ids: unknown = object?.ids;
  if (isEmpty(ids)) ids = ctx.request.params.string('ids');
  if (isEmpty(ids)) ids = Array.isArray(body) ? body : object?.resource;
  if (isEmpty(ids)) return [];
  const items = typeof ids === 'string' ? ids.split(',') : Array.isArray(ids) ? ids : [ids];
  const names: string[] = [];
  for (const item of items) {
    const name = isObject(item) ? item.name : item;
    if (typeof name === 'string' && name.trim() !== '') names.push(name.trim());
    else if (typeof name === 'number') names.push(String(name));
    else if (typeof item !== 'string')
      throw new ApiError(
        'BAD_REQUEST',
        `${kind === 'procedure' ? 'Procedure' : 'Function'} name can not be empty.`,
      );
  }
  return names;
}

/** The role's numeric verb mask on the routine's component (31 without access control). */
function accessOf(ctx: RestContext, routine: RoutineModel): number {
  const { principal } = ctx;
  if (principal.kind === 'open') return 31;
  return verbMask(allowedVerbs(principal.role, ctx.request.service.name, routineComponent(routine)));
}

/** The role must allow `verb` on `{resource}/{name}`; checked before the name is looked up (no oracle). */
function checkAccess(ctx: RestContext, resource: Resource, name: string, verb: Verb): void {
  const { principal } = ctx;
  if (principal.kind === 'open') return;
  const component = `${resource}/${name}`.toLowerCase();
  const service = ctx.request.service.name;
  if (!isAllowed(principal.role, service, component, verb)) throw denied(principal, verb, service, component);
}

/** Names match case-insensitively; the exact spelling wins when two differ only by case. */
export function findRoutine(service: ServiceModel, kind: Kind, name: string): RoutineModel {
  const routines = service.routines.filter((routine) => routine.kind === kind);
  const routine =
    routines.find((r) => r.name === name) ??
    routines.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (!routine)
    throw new ApiError(
      'NOT_FOUND',
      `${kind === 'procedure' ? 'Procedure' : 'Function'} '${name}' does not exist in the database.`,
    );
  return routine;
}

// ---- calls --------------------------------------------------------------------------------------------

async function callRoutine(ctx: RestContext, resource: Resource, kind: Kind, text: string): Promise<unknown> {
  const { service, verb, params } = ctx.request;
  const { name, inline } = parseCallPath(text);
  if (name === '') throw new ApiError('BAD_REQUEST', `Stored ${kind} name can not be empty.`);
  checkAccess(ctx, resource, name, verb);
  const routine = findRoutine(service, kind, name);
  const body = plainObject(ctx.request.body);
  const given = givenValues({
    body: body?.params,
    inline,
    query: params.entries().filter(([key]) => !RESERVED.has(key.toLowerCase())),
  });
  const args = routineArguments(routine, given, lookupsOf(ctx));
  const options = resultOptions(ctx, body);
  const source = ctx.exec.source(service.name);
  if (!source.callRoutine)
    throw new ApiError('NOT_SUPPORTED', `Stored ${kind}s are not available for service '${service.name}'.`);
  let result: RoutineResult;
  try {
    result = await source.callRoutine(routine, args, ctx.exec.stats);
  } catch (error) {
    throw callFailure(ctx, routine, error);
  }
  return kind === 'procedure'
    ? formatProcedureResult(routine, result, options)
    : formatFunctionResult(routine, result, options);
}

/** `{user.id}`-style lookups in string arguments (DreamFactory's Session::replaceLookups). */
function lookupsOf(ctx: RestContext): (text: string) => string {
  const { principal } = ctx;
  if (principal.kind === 'open') return (text) => text;
  const lookup = principalLookup(principal);
  return (text) => substituteLookups(text, lookup);
}

/** `returns` and `wrapper` from the body, else the URL; `schema` from the body only. */
function resultOptions(ctx: RestContext, body: Record<string, unknown> | null): ResultOptions {
  const option = (name: string): string | null => {
    const value = body?.[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    const query = ctx.request.params.string(name)?.trim();
    return query ? query : null;
  };
  const schema = plainObject(body?.schema);
  const types: Record<string, string> = {};
  for (const [column, type] of Object.entries(schema ?? {}))
    if (typeof type === 'string') Object.defineProperty(types, column, { value: type, enumerable: true });
  return {
    returns: option('returns'),
    wrapper: option('wrapper'),
    schema: schema ? types : null,
  };
}

/**
 * What a failed call answers: DreamFactory's 500 `Failed to call database stored procedure.` (`… function.`)
 * without the driver's text after it (security.md T17: that text goes to the log only). An unreachable or
 * timed-out database keeps its 503/504; refusals raised before the database ran anything pass unchanged.
 */
function callFailure(ctx: RestContext, routine: RoutineModel, error: unknown): unknown {
  if (
    error instanceof ApiError &&
    (error.family !== 'database' || error.code === 'SOURCE_UNAVAILABLE' || error.code === 'STATEMENT_TIMEOUT')
  )
    return error;
  ctx.log?.(
    `rest: unexpected error: stored ${routine.kind} '${routine.name}' failed: ${describeError(error)}`,
  );
  return new ApiError('REQUEST_FAILED', `Failed to call database stored ${routine.kind}.`, { cause: error });
}

function describeError(error: unknown): string {
  if (error instanceof ApiError && error.cause) return `${error.code}: ${describeError(error.cause)}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// ---- helpers ------------------------------------------------------------------------------------------

function unsupported(verb: Verb, resource: Resource, withName: boolean): ApiError {
  return new ApiError(
    'BAD_REQUEST',
    withName
      ? `${verb} requests are not currently supported by the '${resource}' service.`
      : `${verb} requests without a resource are not currently supported by the '${resource}' service.`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plainObject(value: unknown): Record<string, unknown> | null {
  return isObject(value) ? value : null;
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function ok(body: unknown): RestResponse {
  return { status: 200, body };
}
