// The authorize stage: (IR, Principal) → IR. Every table a request reads — the root, every relation level,
// every table a `related` filter looks into — must be allowed for the verb; the role's row filters are
// ANDed into each read; hidden columns leave the output and may not be filtered, ordered or aggregated on
// (no oracles). REST and GraphQL both call this, so they cannot disagree about who sees what.
import { ApiError } from '../errors/index.js';
import type { AggregateQuery, Expr, OrderItem, ReadQuery, Row } from '../ir/types.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import { rowFilter, satisfies } from './row-filters.js';
import { isAllowed, matchingEntries } from './roles.js';
import type { AccessVerb, Principal, RoleAccessConfig } from './types.js';

type Who = Exclude<Principal, { kind: 'open' }>;

export function tableComponent(table: string): string {
  return `_table/${table}`;
}

/**
 * DreamFactory's answer when the role lacks access (compat §6.2, Q6): 401 when only an app key was given,
 * 403 naming the verb, component and service when a user is logged in (`component '…' of` left out for the
 * service root). The component is shown lower-cased, as DreamFactory does.
 */
export function denied(principal: Principal, verb: AccessVerb, service: string, component: string): ApiError {
  if (principal.kind !== 'user' && principal.kind !== 'external') {
    return new ApiError('UNAUTHORIZED', 'Unauthorized. User is not authenticated.');
  }
  const where = component === '' ? '' : `component '${component.toLowerCase()}' of `;
  return new ApiError(
    'FORBIDDEN',
    `Access Forbidden. ${verb} access to ${where}service '${service}' is not allowed by this user's role.`,
  );
}

/** The values row filters may look up (`{user.id}`, …); undefined makes the filter match nothing. */
export function principalLookup(who: Who): (name: string) => string | undefined {
  return (name) => {
    switch (name) {
      case 'role.name':
        return who.role.name;
      case 'app.name':
        return who.app?.name;
      case 'user.id':
        return who.kind === 'app' || who.user.id === null ? undefined : String(who.user.id);
      case 'user.email':
        return who.kind === 'app' ? undefined : (who.user.email ?? undefined);
      default:
        return undefined;
    }
  };
}

interface Rules {
  hidden: Set<string>;
  filter: Expr | null;
}

/** The role's rules for one table and verb; throws when the verb is not allowed there. */
export function tableRules(index: ModelIndex, who: Who, entry: TableEntry, verb: AccessVerb): Rules {
  const role = who.role;
  const service = entry.service.name;
  const component = tableComponent(entry.table.name);
  if (!isAllowed(role, service, component, verb)) throw denied(who, verb, service, component);
  const entries = matchingEntries(role, service, component).filter((e) => e.verbs.includes(verb));
  return { hidden: hiddenColumns(entry, entries), filter: rowFilter(entry, entries, principalLookup(who)) };
}

function hiddenColumns(entry: TableEntry, entries: RoleAccessConfig[]): Set<string> {
  const names = new Set(entries.flatMap((e) => e.hiddenFields.map((f) => f.toLowerCase())));
  return new Set(entry.table.fields.filter((f) => names.has(f.name.toLowerCase())).map((f) => f.name));
}

export function authorizeRead(index: ModelIndex, principal: Principal, query: ReadQuery): ReadQuery {
  if (principal.kind === 'open') return query;
  return readFor(index, principal, query);
}

function readFor(index: ModelIndex, role: Who, query: ReadQuery): ReadQuery {
  const entry = index.entry(query.service, query.table);
  const rules = tableRules(index, role, entry, 'GET');
  const where = guardExpr(index, role, entry, rules, query.where);
  guardOrder(rules, query.orderBy);
  const select = query.select.filter((item) => !rules.hidden.has(item.column));
  // Asking for hidden columns only (REST `fields=Composer`) is a denied field, not an empty SELECT (a 500).
  if (select.length === 0 && query.select.length > 0) throw hiddenField();
  return {
    ...query,
    select,
    where: and(where, rules.filter),
    relations: query.relations.map((read) => ({ ...read, query: readFor(index, role, read.query) })),
    relationAggregates: query.relationAggregates.map((agg) => ({
      ...agg,
      query: aggregateFor(index, role, agg.query),
    })),
  };
}

export function authorizeAggregate(
  index: ModelIndex,
  principal: Principal,
  query: AggregateQuery,
): AggregateQuery {
  if (principal.kind === 'open') return query;
  return aggregateFor(index, principal, query);
}

function aggregateFor(index: ModelIndex, role: Who, query: AggregateQuery): AggregateQuery {
  const entry = index.entry(query.service, query.table);
  const rules = tableRules(index, role, entry, 'GET');
  for (const column of [
    ...query.groupBy.map((g) => g.column),
    ...query.aggregates.flatMap((a) => (a.field ? [a.field] : [])),
  ]) {
    if (rules.hidden.has(column)) throw hiddenField();
  }
  guardOrder(rules, query.orderBy);
  return { ...query, where: and(guardExpr(index, role, entry, rules, query.where), rules.filter) };
}

/** A write to one table with this verb (nested writes call it once per table they touch). */
/**
 * A write to one table with this verb (nested writes call it once per table they touch). `written` is the
 * row being written (its values are checked against the role's row filters: a create must satisfy all of
 * them, an update those on the columns it sets — compat §10.4), or just the columns for deletes.
 * Returns the row filter, which updates and deletes AND into their WHERE.
 */
export function authorizeWrite(
  index: ModelIndex,
  principal: Principal,
  entry: TableEntry,
  requested: AccessVerb,
  written: Row | string[],
): Expr | null {
  if (principal.kind === 'open') return null;
  const verb = updateVerb(principal, entry, requested);
  const rules = tableRules(index, principal, entry, verb);
  const component = tableComponent(entry.table.name);
  const entries = matchingEntries(principal.role, entry.service.name, component).filter((e) =>
    e.verbs.includes(verb),
  );
  const writable = entries.some((e) => e.writableFields === null)
    ? null
    : new Set(entries.flatMap((e) => e.writableFields ?? []).map((f) => f.toLowerCase()));
  const columns = Array.isArray(written) ? written : Object.keys(written);
  for (const column of columns) {
    if (rules.hidden.has(column) || (writable && !writable.has(column.toLowerCase()))) throw hiddenField();
  }
  if (!Array.isArray(written) && rules.filter && !satisfies(rules.filter, written, verb !== 'POST'))
    throw hiddenField();
  return rules.filter;
}

/** DreamFactory treats PUT and PATCH alike for SQL (Q2): a role with either may update. */
function updateVerb(
  principal: Exclude<Principal, { kind: 'open' }>,
  entry: TableEntry,
  verb: AccessVerb,
): AccessVerb {
  if (verb !== 'PATCH' && verb !== 'PUT') return verb;
  const component = tableComponent(entry.table.name);
  if (isAllowed(principal.role, entry.service.name, component, verb)) return verb;
  const other = verb === 'PATCH' ? 'PUT' : 'PATCH';
  return isAllowed(principal.role, entry.service.name, component, other) ? other : verb;
}

function hiddenField(): ApiError {
  return new ApiError('FORBIDDEN', 'Denied access to some of the requested fields.');
}

function guardOrder(rules: Rules, order: OrderItem[]): void {
  if (order.some((item) => rules.hidden.has(item.field))) throw hiddenField();
}

/** Filters may not touch hidden columns, and a `related` condition needs read access to the far table. */
function guardExpr(
  index: ModelIndex,
  role: Who,
  entry: TableEntry,
  rules: Rules,
  expr: Expr | null,
): Expr | null {
  if (expr === null) return null;
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, items: expr.items.map((item) => guardExpr(index, role, entry, rules, item) as Expr) };
    case 'not':
      return { kind: 'not', item: guardExpr(index, role, entry, rules, expr.item) as Expr };
    case 'related': {
      const far = index.target(expr.relation);
      const farRules = tableRules(index, role, far, 'GET');
      const inner = guardExpr(index, role, far, farRules, expr.where);
      // Rows the role cannot see in the far table do not count as related rows either.
      return { ...expr, where: and(inner, farRules.filter) };
    }
    case 'keys':
      if (expr.fields.some((f) => rules.hidden.has(f))) throw hiddenField();
      return expr;
    case 'const':
      return expr;
    default:
      if (rules.hidden.has(expr.field)) throw hiddenField();
      return expr;
  }
}

function and(a: Expr | null, b: Expr | null): Expr | null {
  if (a === null) return b;
  if (b === null) return a;
  return { kind: 'and', items: [a, b] };
}
