// The authorize stage: (IR, Principal) → IR. Every table a request reads — the root, every relation level,
// every table a `related` filter looks into — must be allowed for the verb; the role's row filters are
// ANDed into each read; hidden columns leave the output and may not be filtered, ordered or aggregated on
// (no oracles). REST and GraphQL both call this, so they cannot disagree about who sees what.
import { ApiError } from '../errors/index.js';
import type { AggregateQuery, Expr, OrderItem, ReadQuery } from '../ir/types.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import { rowFilter } from './row-filters.js';
import { isAllowed, matchingEntries } from './roles.js';
import type { AccessVerb, Principal, RoleAccessConfig } from './types.js';

type Who = Extract<Principal, { kind: 'app' }>;

export function tableComponent(table: string): string {
  return `_table/${table}`;
}

/** DreamFactory's answer when a role lacks access and no user is logged in (compat §6.2, Q6). */
export function denied(): ApiError {
  return new ApiError('UNAUTHORIZED', 'Unauthorized. User is not authenticated.');
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
  if (!isAllowed(role, service, component, verb)) throw denied();
  const entries = matchingEntries(role, service, component).filter((e) => e.verbs.includes(verb));
  const lookup = (name: string) =>
    name === 'role.name' ? role.name : name === 'app.name' ? who.app.name : undefined;
  return { hidden: hiddenColumns(entry, entries), filter: rowFilter(entry, entries, lookup) };
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
  return {
    ...query,
    select: query.select.filter((item) => !rules.hidden.has(item.column)),
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
export function authorizeWrite(
  index: ModelIndex,
  principal: Principal,
  entry: TableEntry,
  verb: AccessVerb,
  columns: Iterable<string>,
): Expr | null {
  if (principal.kind === 'open') return null;
  const rules = tableRules(index, principal, entry, verb);
  const component = tableComponent(entry.table.name);
  const entries = matchingEntries(principal.role, entry.service.name, component).filter((e) =>
    e.verbs.includes(verb),
  );
  const writable = entries.some((e) => e.writableFields === null)
    ? null
    : new Set(entries.flatMap((e) => e.writableFields ?? []).map((f) => f.toLowerCase()));
  for (const column of columns) {
    if (rules.hidden.has(column) || (writable && !writable.has(column.toLowerCase()))) throw hiddenField();
  }
  return rules.filter;
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
