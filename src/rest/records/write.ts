// POST/PUT/PATCH/DELETE on `/_table/{table}[/{id}]` (compat §5): records, ids, filter and id forms, run as
// DreamFactory batches — stop at the first failure (default), `continue`, or `rollback` (one transaction) —
// with DF's batch error envelope, and `fields`/`related` re-reads of what was written.
import { authorizeWrite } from '../../auth/authorize.js';
import type { AccessVerb } from '../../auth/types.js';
import { dfItemError } from '../../errors/encode-df.js';
import { ApiError } from '../../errors/index.js';
import { executeRead } from '../../executor/execute-read.js';
import { equalsAll, recordOps, type RecordOps } from '../../executor/record-ops.js';
import type { Expr, Row } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import type { FieldModel } from '../../model/types.js';
import type { RestContext, RestResponse } from '../types.js';
import { idFields, idFilter, idList, idText, typedId } from './ids.js';
import { createRecord, guard, updateRecord, within, type WriteScope } from './nested.js';
import { baseRead, bodyRecords, filterParser } from './read.js';
import { withRelationKeys } from './read-params.js';
import { recordId, recordParts } from './record-values.js';
import { typecastRows } from './typecast.js';

type Verbed = 'created' | 'updated' | 'deleted';
type Work = (scope: WriteScope, item: unknown, index: number) => Promise<Row>;

const NO_RECORDS =
  'No record(s) detected in request. Please make sure record(s) are wrapped in a \'resource\' tag. Example: {"resource":[{"record":1},{"record":2}]}';

export async function handleWrite(
  ctx: RestContext,
  entry: TableEntry,
  id: string | undefined,
): Promise<RestResponse> {
  const { verb, params, body } = ctx.request;
  if (entry.table.isView)
    throw new ApiError(
      'BAD_REQUEST',
      `Table '${entry.table.name}' is a view; its records cannot be changed.`,
    );
  if (params.bool('rollback') && params.bool('continue')) {
    throw new ApiError(
      'BAD_REQUEST',
      'Rollback and continue operations can not be requested at the same time.',
    );
  }
  const fields = idFields(entry, params);
  if (verb === 'POST') {
    if (id !== undefined)
      throw new ApiError('BAD_REQUEST', 'Create record by identifier not currently supported.');
    const records = bodyRecords(body);
    if (!records) throw new ApiError('BAD_REQUEST', NO_RECORDS);
    return batch(ctx, entry, fields, records, 'created', (scope, record, i) =>
      createRecord(scope, entry, record, i),
    );
  }
  if (verb === 'PUT' || verb === 'PATCH') return update(ctx, entry, fields, id);
  return remove(ctx, entry, fields, id);
}

async function update(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  id: string | undefined,
): Promise<RestResponse> {
  const { params, body } = ctx.request;
  if (id !== undefined) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new ApiError('BAD_REQUEST', 'No record detected in request.');
    return single(ctx, entry, fields, (scope) =>
      updateRecord(scope, entry, whereValues(fields, id), recordParts(entry, body), id),
    );
  }
  const ids = idList(params);
  const records = bodyRecords(body);
  const filter = params.raw('filter');
  if (ids !== undefined || typeof filter === 'string') {
    const changes = records?.[0];
    if (!changes) throw new ApiError('BAD_REQUEST', NO_RECORDS);
    if (ids !== undefined) {
      return batch(ctx, entry, fields, ids, 'updated', (scope, one) =>
        updateRecord(
          scope,
          entry,
          whereValues(fields, one),
          recordParts(entry, changes),
          idText(fields, one),
        ),
      );
    }
    return updateByFilter(ctx, entry, fields, filter as string, changes);
  }
  if (!records) throw new ApiError('BAD_REQUEST', NO_RECORDS);
  return batch(ctx, entry, fields, records, 'updated', (scope, record, i) => {
    const key = recordId(fields, record, i);
    return updateRecord(scope, entry, key, recordParts(entry, record), Object.values(key).join(','));
  });
}

/** One UPDATE for the filter, then the same filter read again for the answer (compat Q17). */
async function updateByFilter(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  filter: string,
  changes: Row,
): Promise<RestResponse> {
  const where = filterParser(ctx)(filter, entry) ?? ({ kind: 'const', value: true } as Expr);
  const parts = recordParts(entry, changes);
  const set = Object.fromEntries(
    Object.entries(parts.values).filter(([c]) => !entry.table.primaryKey.includes(c)),
  );
  const allowed = writeFilter(ctx, entry, 'PATCH', set);
  if (Object.keys(set).length > 0)
    await recordOps(ctx.exec.source(entry.service.name), ctx.exec).update(
      entry.table,
      set,
      within(where, allowed),
    );
  return { status: 200, body: { resource: await answerRows(ctx, entry, fields, where, null) } };
}

async function remove(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  id: string | undefined,
): Promise<RestResponse> {
  const { params, body } = ctx.request;
  const deleteOne = async (scope: WriteScope, where: Row, text: string): Promise<Row> => {
    const allowed = guard(scope, entry, 'DELETE', []);
    const [found] = await scope.ops.find(
      entry.table,
      within(equalsAll(where), allowed),
      [...new Set([...entry.table.primaryKey, ...fields.map((f) => f.name)])],
      1,
    );
    if (!found) throw new ApiError('NOT_FOUND', `Record with identifier '${text}' not found.`);
    await scope.ops.delete(entry.table, within(equalsAll(where), allowed));
    return found;
  };
  if (id !== undefined)
    return single(ctx, entry, fields, (scope) => deleteOne(scope, whereValues(fields, id), id), true);
  const ids = idList(params);
  if (ids !== undefined)
    return batch(
      ctx,
      entry,
      fields,
      ids,
      'deleted',
      (scope, one) => deleteOne(scope, whereValues(fields, one), idText(fields, one)),
      true,
    );
  const records = bodyRecords(body);
  if (records) {
    return batch(
      ctx,
      entry,
      fields,
      records,
      'deleted',
      (scope, record, i) => {
        const key = recordId(fields, record, i);
        return deleteOne(scope, key, Object.values(key).join(','));
      },
      true,
    );
  }
  const filter = params.raw('filter');
  if (typeof filter === 'string') {
    const where = filterParser(ctx)(filter, entry);
    if (!where) throw new ApiError('BAD_REQUEST', 'Filter for delete request can not be empty.');
    return deleteByFilter(ctx, entry, fields, where);
  }
  if (params.bool('force')) {
    // DF: with role filters a truncate becomes a filtered delete.
    const allowed = writeFilter(ctx, entry, 'DELETE', []);
    await recordOps(ctx.exec.source(entry.service.name), ctx.exec).delete(
      entry.table,
      allowed ?? { kind: 'const', value: true },
    );
    return { status: 200, body: { success: true } };
  }
  throw new ApiError('BAD_REQUEST', 'No filter or records given for delete request.');
}

/** Selects the matching keys (up to max records), answers with them (read before deleting), deletes them. */
async function deleteByFilter(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  where: Expr,
): Promise<RestResponse> {
  const source = ctx.exec.source(entry.service.name);
  return source.transaction(async (tx) => {
    const ops = recordOps(tx, ctx.exec);
    const key = entry.table.primaryKey.length > 0 ? entry.table.primaryKey : fields.map((f) => f.name);
    const rows = await ops.find(
      entry.table,
      within(where, writeFilter(ctx, entry, 'DELETE', [])),
      key,
      entry.service.maxRecords,
    );
    if (rows.length === 0) return { status: 200, body: { resource: [] } };
    const keys: Expr = {
      kind: 'keys',
      fields: key,
      keys: rows.map((r) => key.map((c) => r[c] as string)),
      negate: false,
    };
    const answer = await answerRows(
      {
        ...ctx,
        exec: {
          ...ctx.exec,
          loaders: new Map(),
          source: (s) => (s === entry.service.name ? tx : ctx.exec.source(s)),
        },
      },
      entry,
      fields,
      keys,
      null,
    );
    await ops.delete(entry.table, keys);
    return { status: 200, body: { resource: answer } };
  });
}

function writeFilter(
  ctx: RestContext,
  entry: TableEntry,
  verb: AccessVerb,
  written: Row | string[],
): Expr | null {
  return authorizeWrite(ctx.index, ctx.principal, entry, verb, written);
}

function whereValues(fields: FieldModel[], id: unknown): Row {
  return Object.fromEntries(
    fields.map((f) => [f.name, typedId(f, id !== null && typeof id === 'object' ? (id as Row)[f.name] : id)]),
  );
}

/** `/_table/T/{id}`: the batch machinery with one item, re-throwing that item's own error (compat §5.6). */
async function single(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  work: (scope: WriteScope) => Promise<Row>,
  readFirst = false,
): Promise<RestResponse> {
  const ops = recordOps(ctx.exec.source(entry.service.name), ctx.exec);
  const scope: WriteScope = {
    ctx,
    ops,
    allowRelatedDelete: ctx.request.params.bool('allow_related_delete'),
    foreign: [],
  };
  const before =
    readFirst && wantsRows(ctx) ? await preRead(ctx, entry, fields, [ctx.request.path[2]]) : null;
  // With rollback=true the record and its nested writes are one transaction (compat §8.7), as in batch().
  if (ctx.request.params.bool('rollback')) await assertCanRollback(ctx, entry.service.name);
  const run = ctx.request.params.bool('rollback')
    ? ctx.exec
        .source(entry.service.name)
        .transaction((tx) => work({ ...scope, ops: recordOps(tx, ctx.exec) }))
        .catch(async (error: unknown) => {
          await compensate(scope);
          throw error;
        })
    : work(scope);
  const row = await run.catch((error: unknown) => {
    throw singleError(error);
  });
  const [answer] = before ?? (await answer_(ctx, entry, fields, [row]));
  return { status: 200, body: answer ?? null };
}

/** DB failures on a single-record endpoint are DF's 500 with the SQLSTATE as code; the text stays ours. */
function singleError(error: unknown): unknown {
  if (
    !(error instanceof ApiError) ||
    error.family !== 'database' ||
    error.code === 'SOURCE_UNAVAILABLE' ||
    error.code === 'STATEMENT_TIMEOUT'
  )
    return error;
  const cause = error.cause as { code?: string; sqlState?: string } | undefined;
  return new ApiError('REQUEST_FAILED', error.message, {
    cause: error,
    details: { dfCode: cause?.sqlState ?? cause?.code ?? 500 },
  });
}

async function batch(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  items: unknown[],
  verbed: Verbed,
  work: Work,
  readFirst = false,
): Promise<RestResponse> {
  if (items.length > MAX_BATCH)
    throw new ApiError('BAD_REQUEST', `Too many records in one request (at most ${MAX_BATCH}).`);
  const { params } = ctx.request;
  const rollback = params.bool('rollback');
  const keepGoing = params.bool('continue');
  const before = readFirst && wantsRows(ctx) ? await preRead(ctx, entry, fields, items) : null;
  const outcomes: unknown[] = [];
  const failed: number[] = [];
  const written: Row[] = [];
  // The database could not be reached or took too long: not a fault of any record.
  let unavailable: ApiError | undefined;
  const scopeFor = (ops: RecordOps): WriteScope => ({
    ctx,
    ops,
    allowRelatedDelete: params.bool('allow_related_delete'),
    foreign: [],
  });
  const loop = async (scope: WriteScope) => {
    for (let i = 0; i < items.length; i += 1) {
      try {
        const row = await work(scope, items[i], i);
        written.push(row);
        outcomes.push(idRow(ctx, entry, fields, row));
      } catch (error) {
        if (isAvailability(error)) unavailable ??= error;
        failed.push(i);
        outcomes.push(dfItemError(error));
        if (!keepGoing) return;
      }
    }
  };
  if (rollback) {
    await assertCanRollback(ctx, entry.service.name);
    const scope = scopeFor(recordOps(ctx.exec.source(entry.service.name), ctx.exec));
    await ctx.exec
      .source(entry.service.name)
      .transaction(async (tx) => {
        scope.ops = recordOps(tx, ctx.exec);
        await loop(scope);
        if (failed.length > 0) throw ROLLED_BACK;
      })
      .catch(async (error: unknown) => {
        if (error !== ROLLED_BACK) throw error;
        await compensate(scope);
      });
  } else {
    await loop(scopeFor(recordOps(ctx.exec.source(entry.service.name), ctx.exec)));
  }
  // Nothing is stored (rolled back, or nothing written yet): the client should retry the whole request, so it
  // gets the 503/504 with Retry-After rather than a batch error it would read as a problem with its records.
  if (unavailable && (rollback || written.length === 0)) throw unavailable;
  if (failed.length > 0) {
    throw new ApiError(
      'BATCH_ERROR',
      `Batch Error: Not all requested records could be ${verbed}.${rollback ? ' All changes rolled back.' : ''}`,
      {
        details: { dfCode: 1000, context: { error: failed, resource: outcomes } },
      },
    );
  }
  return { status: 200, body: { resource: before ?? (await answer_(ctx, entry, fields, written)) } };
}

const MAX_BATCH = 10_000;

function isAvailability(error: unknown): error is ApiError {
  return (
    error instanceof ApiError && (error.code === 'SOURCE_UNAVAILABLE' || error.code === 'STATEMENT_TIMEOUT')
  );
}
const ROLLED_BACK = new Error('batch rolled back');

/** Removes rows a failed rollback batch created on other services (they had no share in its transaction). */
async function compensate(scope: WriteScope): Promise<void> {
  for (const { ops, entry, key } of scope.foreign.reverse()) {
    await ops.delete(entry.table, equalsAll(key)).catch(() => 0);
  }
}

function wantsRows(ctx: RestContext): boolean {
  return ctx.request.params.has('fields') || ctx.request.params.has('related');
}

function idRow(ctx: RestContext, entry: TableEntry, fields: FieldModel[], row: Row): Row {
  const query = {
    ...baseRead(ctx, entry),
    select: fields.map((f) => ({ column: f.name, as: f.name })),
    relations: [],
  };
  return typecastRows(ctx.index, query, [row])[0] as Row;
}

/** What a write answers: the id fields, or with `fields`/`related` the rows read again, in input order. */
async function answer_(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  rows: Row[],
): Promise<Row[]> {
  if (!wantsRows(ctx)) return rows.map((row) => idRow(ctx, entry, fields, row));
  const keys = rows.map((row) => fields.map((f) => row[f.name] as string));
  const found = await answerRows(
    ctx,
    entry,
    fields,
    { kind: 'keys', fields: fields.map((f) => f.name), keys, negate: false },
    fields,
  );
  return found;
}

/** Rows matching `where` with the request's fields/related; `orderBy` ids keeps the input order. */
async function answerRows(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  where: Expr,
  keepOrder: FieldModel[] | null,
): Promise<Row[]> {
  const base = baseRead(ctx, entry);
  const ids = fields.map((f) => ({ column: f.name, as: f.name }));
  // Without `fields` a write answers with the id fields only, `related` adding its relations (§5.2, §8.6).
  const select = !wantsRows(ctx)
    ? ids
    : ctx.request.params.has('fields')
      ? base.select
      : withRelationKeys(ids, base.relations);
  const hidden = fields
    .filter((f) => !select.some((s) => s.column === f.name))
    .map((f) => ({ column: f.name, as: `__id_${f.name}` }));
  const query = {
    ...base,
    select: [...select, ...hidden],
    where,
    orderBy: entry.table.primaryKey.map((field) => ({ field, direction: 'asc' as const })),
    limit: entry.service.maxRecords,
  };
  const rows = await executeRead(query, ctx.exec);
  const typed = typecastRows(ctx.index, query, rows);
  if (!keepOrder || where.kind !== 'keys') return typed;
  const alias = (f: FieldModel) => select.find((s) => s.column === f.name)?.as ?? `__id_${f.name}`;
  const position = new Map(where.keys.map((k, i) => [k.map(String).join('\u0001'), i]));
  const order = rows.map(
    (row) => position.get(keepOrder.map((f) => String(row[alias(f)])).join('\u0001')) ?? 0,
  );
  return typed
    .map((row, i) => ({ row, at: order[i] ?? 0 }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.row);
}

/** DELETE with fields/related answers with the rows as they were before deletion (compat §5.2). */
async function preRead(
  ctx: RestContext,
  entry: TableEntry,
  fields: FieldModel[],
  items: unknown[],
): Promise<Row[]> {
  const filters = items.map((item) =>
    idFilter(fields, item !== null && typeof item === 'object' ? item : item),
  );
  return answerRows(ctx, entry, fields, { kind: 'or', items: filters }, null);
}

/** rollback=true promises all-or-nothing: refused up front where the database cannot keep that promise. */
async function assertCanRollback(ctx: RestContext, service: string): Promise<void> {
  const source = ctx.exec.source(service);
  if (source.canRollback === undefined || (await source.canRollback())) return;
  throw new ApiError(
    'BAD_REQUEST',
    `rollback=true needs multi-document transactions, which service '${service}' cannot run (its MongoDB ` +
      'server is not a replica set member). Send the request without rollback, or run MongoDB as a replica set.',
  );
}
