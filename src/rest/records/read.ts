// GET /_table/{table}[/{id}] (and POST-tunnelled GET) → IR reads → DreamFactory envelopes (compat §3, §5.1):
// by id (bare record), by ids (wrapped, in ids order, batch error for a missing one), by body records, or by
// filter with DF's max-records rule and automatic meta.count/meta.next, count_only, as_list, group.
import { DEFAULT_LIMITS } from '../../config/limits-schema.js';
import type { RestLimits } from '../../config/types.js';
import { dfItemError } from '../../errors/encode-df.js';
import { ApiError } from '../../errors/index.js';
import { executeAggregate, executeCount, executeRead } from '../../executor/execute-read.js';
import type { AggregateItem, Expr, ReadQuery, Row, Scalar } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import { accessFor } from '../access.js';
import { parseFilter } from '../filter/index.js';
import { describeTableAlias } from '../schema/describe.js';
import type { RestContext, RestResponse } from '../types.js';
import { idFields, idFilter, idList, idText } from './ids.js';
import {
  defaultOrder,
  findField,
  limitFor,
  offsetFor,
  orderFor,
  relatedFor,
  selectFor,
  splitList,
  withRelationKeys,
  type FilterParser,
} from './read-params.js';
import { typecastRows } from './typecast.js';

/** The request's REST limits (the server's, else the defaults). */
export function restLimits(ctx: RestContext): RestLimits {
  return ctx.limits ?? DEFAULT_LIMITS.rest;
}

export function filterParser(ctx: RestContext): FilterParser {
  const raw = ctx.request.params.raw('params');
  const bound = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  // The grammar refuses more than MAX_FILTER_LENGTH itself; the configured limit may only be lower.
  const maxLength = restLimits(ctx).maxFilterLength;
  return (text, entry) => {
    if (text.length > maxLength)
      throw new ApiError('BAD_REQUEST', `Invalid filter request: longer than ${maxLength} characters.`);
    return parseFilter(text, entry, bound);
  };
}

/** The base read of the table with `fields` and `related` applied; where/order/limit are set by the caller. */
export function baseRead(ctx: RestContext, entry: TableEntry): ReadQuery {
  const { params } = ctx.request;
  const max = entry.service.maxRecords;
  const related = relatedFor(ctx.index, entry, params, max, filterParser(ctx), restLimits(ctx));
  return {
    service: entry.service.name,
    table: entry.table.name,
    select: withRelationKeys(selectFor(entry, params.string('fields')), related),
    where: null,
    orderBy: [],
    limit: null,
    offset: 0,
    relations: related,
    relationAggregates: [],
  };
}

export async function readById(ctx: RestContext, entry: TableEntry, id: string): Promise<RestResponse> {
  const fields = idFields(entry, ctx.request.params);
  const query = { ...baseRead(ctx, entry), where: idFilter(fields, id), limit: 1 };
  const [row] = await executeRead(query, ctx.exec);
  if (!row) throw new ApiError('NOT_FOUND', `Record with identifier '${id}' not found.`);
  return { status: 200, body: typecastRows(ctx.index, query, [row])[0] };
}

/** Records by identifiers, in the order asked; a missing one makes the whole answer a batch error. */
export async function readByIds(ctx: RestContext, entry: TableEntry, ids: unknown[]): Promise<RestResponse> {
  const maxIds = restLimits(ctx).maxIds;
  if (ids.length > maxIds)
    throw new ApiError('BAD_REQUEST', `Too many ids in one request (at most ${maxIds}).`);
  const fields = idFields(entry, ctx.request.params);
  const filters = ids.map((id) => idFilter(fields, id));
  const base = baseRead(ctx, entry);
  const { select, keyOf } = withIdColumns(
    base,
    fields.map((f) => f.name),
  );
  // One row-value IN over all ids (not an OR per id: SQLite refuses an expression 1000 ORs deep).
  const where: Expr = {
    kind: 'keys',
    fields: fields.map((f) => f.name),
    keys: filters.map(idTuple),
    negate: false,
  };
  const query = { ...base, select, where };
  const rows = ids.length === 0 ? [] : await executeRead(query, ctx.exec);
  const byId = new Map(rows.map((row) => [keyOf(row), row]));
  const typedRows = typecastRows(ctx.index, query, rows);
  const typed = new Map(rows.map((row, i) => [row, typedRows[i]]));
  const found = filters.map((filter) => byId.get(idKey(filter)));
  const missing = found.flatMap((row, i) => (row ? [] : [i]));
  if (missing.length === 0)
    return { status: 200, body: { resource: found.map((row) => typed.get(row as Row)) } };
  throw new ApiError('BATCH_ERROR', 'Batch Error: Not all requested records could be retrieved.', {
    details: {
      dfCode: 1000,
      context: {
        error: missing,
        resource: found.map((row, i) =>
          row
            ? typed.get(row)
            : dfItemError(
                new ApiError('NOT_FOUND', `Record with identifier '${idText(fields, ids[i])}' not found.`),
              ),
        ),
      },
    },
  });
}

/** Makes sure the id columns are read and gives a key function that matches idKey(). */
function withIdColumns(query: ReadQuery, columns: string[]) {
  const select = [...query.select];
  const aliases = columns.map((column) => {
    const found = select.find((s) => s.column === column);
    if (found) return found.as;
    select.push({ column, as: `__id_${column}` });
    return `__id_${column}`;
  });
  return { select, keyOf: (row: Row) => aliases.map((a) => String(row[a])).join('\u0001') };
}

function idTuple(filter: Expr): Scalar[] {
  const compares = filter.kind === 'and' ? filter.items : [filter];
  return compares.map((c) => (c.kind === 'compare' ? c.value : null));
}

function idKey(filter: Expr): string {
  return idTuple(filter).map(String).join('\u0001');
}

/** GET with a filter (or none): §3.1's limit/count/meta rules. */
export async function readByFilter(ctx: RestContext, entry: TableEntry): Promise<RestResponse> {
  const { params } = ctx.request;
  const max = entry.service.maxRecords;
  const filterValue = params.raw('filter');
  // A JSON-object filter is ignored for SQL services (compat Q15).
  const where = typeof filterValue === 'string' ? filterParser(ctx)(filterValue, entry) : null;
  const group = params.string('group');
  if (group !== undefined && group.trim() !== '') return readGrouped(ctx, entry, where, group);
  const { limit, needLimit } = limitFor(params, max);
  const offset = offsetFor(params);
  const includeCount = params.bool('include_count');
  const countQuery = { service: entry.service.name, table: entry.table.name, where };
  if (params.bool('count_only')) return { status: 200, body: await executeCount(countQuery, ctx.exec) };
  // Every parameter is checked before the first statement: a bad `fields` or `order` runs no count.
  const order = orderFor(entry, params.string('order'));
  const base = baseRead(ctx, entry);
  const count = includeCount || needLimit ? await executeCount(countQuery, ctx.exec) : null;
  const asList = params.bool('as_list');
  const listField = asList ? (findField(entry, params.string('id_field') ?? 'name') ?? null) : null;
  const query: ReadQuery = {
    ...base,
    select:
      listField && !base.select.some((s) => s.column === listField.name)
        ? [...base.select, { column: listField.name, as: listField.name }]
        : base.select,
    where,
    orderBy: order.length > 0 ? order : defaultOrder(entry),
    limit,
    offset,
  };
  const rows = count === 0 ? [] : typecastRows(ctx.index, query, await executeRead(query, ctx.exec));
  // DF's as_list lists the id_field (default `name`, compat Q16): a table without one gives an empty list.
  const resource = asList ? (listField ? rows.map((r) => r[listField.name]) : []) : rows;
  const meta: Record<string, unknown> = {};
  if (count !== null && (includeCount || (needLimit && count > max))) meta.count = count;
  if (count !== null && (includeCount || needLimit) && count - offset > limit) meta.next = offset + limit;
  if (params.bool('include_schema'))
    meta.schema = describeTableAlias(ctx.index, entry.service, entry.table, accessFor(ctx, entry.table));
  return { status: 200, body: Object.keys(meta).length > 0 ? { resource, meta } : { resource } };
}

const AGGREGATE = /^(sum|avg|min|max|count)\s*\(\s*(\*|[^()\s]+)\s*\)$/i;

/** `group=col,…` with `fields` of group columns and SUM(col)/AVG/MIN/MAX/COUNT(*) (DF 2026+ form). */
async function readGrouped(
  ctx: RestContext,
  entry: TableEntry,
  where: Expr | null,
  group: string,
): Promise<RestResponse> {
  const { params } = ctx.request;
  const groupBy = splitList(group).map((name) => {
    const field = findField(entry, name);
    if (!field) throw new ApiError('BAD_REQUEST', `Invalid or unknown field '${name}' in group by clause.`);
    return { column: field.name, as: field.name };
  });
  const aggregates: AggregateItem[] = [];
  for (const name of splitList(params.string('fields') ?? '')) {
    const match = AGGREGATE.exec(name);
    if (!match) {
      const field = findField(entry, name);
      if (!field) throw new ApiError('BAD_REQUEST', `Invalid field requested: ${name}`);
      if (!groupBy.some((g) => g.column === field.name))
        throw new ApiError(
          'BAD_REQUEST',
          `Field '${field.name}' must be in the group by clause or aggregated.`,
        );
      continue;
    }
    const fn = (match[1] as string).toLowerCase() as AggregateItem['fn'];
    const target = match[2] === '*' ? null : findField(entry, match[2] as string);
    if (match[2] !== '*' && !target) throw new ApiError('BAD_REQUEST', `Invalid field requested: ${name}`);
    aggregates.push({
      fn,
      field: target?.name ?? null,
      as: target ? `${fn.toUpperCase()}_${target.name}` : 'COUNT_ALL',
    });
  }
  const { limit } = limitFor(params, entry.service.maxRecords);
  const rows = await executeAggregate(
    {
      service: entry.service.name,
      table: entry.table.name,
      where,
      groupBy,
      aggregates,
      orderBy: orderFor(entry, params.string('order')),
      limit,
      offset: offsetFor(params),
    },
    ctx.exec,
  );
  const numeric = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    status: 200,
    body: {
      resource: rows.map((row) => ({
        ...row,
        ...Object.fromEntries(aggregates.map((a) => [a.as, numeric(row[a.as])])),
      })),
    },
  };
}

/** GET: `{id}` > `ids` > body records > filter (compat §3 resolution order). */
export async function handleGet(
  ctx: RestContext,
  entry: TableEntry,
  id: string | undefined,
): Promise<RestResponse> {
  if (id !== undefined) return readById(ctx, entry, id);
  const ids = idList(ctx.request.params);
  if (ids !== undefined) return readByIds(ctx, entry, ids);
  const records = bodyRecords(ctx.request.body);
  if (records !== null && records.length > 0) {
    const fields = idFields(entry, ctx.request.params);
    return readByIds(
      ctx,
      entry,
      // A record gives its key column(s); a bare value (`[1, 3]`) is an id itself.
      records.map((r) =>
        r === null || typeof r !== 'object' || fields.length > 1
          ? r
          : r[(fields[0] as { name: string }).name],
      ),
    );
  }
  return readByFilter(ctx, entry);
}

/** A record list in a body: `{"resource":[…]}` or a bare array; null when the body is something else. */
export function bodyRecords(body: unknown): Row[] | null {
  if (Array.isArray(body)) return body as Row[];
  if (body && typeof body === 'object' && Array.isArray((body as { resource?: unknown }).resource))
    return (body as { resource: Row[] }).resource;
  return null;
}
