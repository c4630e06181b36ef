// The caller's access to a table, as DreamFactory reports it in listings and `_schema` (`access` masks) and
// as the router checks it before any handler runs (compat §10.2–10.3).
import { denied } from '../auth/authorize.js';
import { allowedVerbs, componentOf, isAllowed, verbMask } from '../auth/roles.js';
import type { TableModel } from '../model/types.js';
import type { RestContext } from './types.js';

/** GET on views, all five verbs on tables, narrowed to what the role allows on `{resource}/{table}`. */
export function accessFor(
  ctx: RestContext,
  table: TableModel,
  resource: '_table' | '_schema' = '_table',
): number {
  const base = table.isView ? 1 : 31;
  const { principal } = ctx;
  if (principal.kind === 'open') return base;
  return base & verbMask(allowedVerbs(principal.role, ctx.request.service.name, `${resource}/${table.name}`));
}

/** The access check DF runs before the service: the role must allow the verb on the path's component. */
export function checkComponent(ctx: RestContext): void {
  const { principal } = ctx;
  if (principal.kind === 'open') return;
  const { verb, service, path } = ctx.request;
  // `_table/Album/5` is checked as `_table/album/5`; a wildcard `_table/album/*` covers it (§10.3).
  const component = componentOf(path);
  if (!isAllowed(principal.role, service.name, component, verb))
    throw denied(principal, verb, service.name, component);
}
