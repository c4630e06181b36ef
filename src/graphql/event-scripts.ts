// GraphQL fields → the event scripts of the REST operation they mirror, so one script serves both APIs:
// a table's list and by-key fields are `{service}._table.{table}.get`, inserts `.post`, updates `.patch`,
// upserts `.put`, deletes `.delete`. Scripts see records keyed by column name (not GraphQL field names) and
// the field's other arguments as parameters. A mutation runs with its scripts in its one transaction.
import { ApiError } from '../errors/index.js';
import type { ExecContext } from '../executor/context.js';
import type { Row, SelectItem } from '../ir/types.js';
import type { TableEntry } from '../model/model-index.js';
import { aroundOperation, hasScripts, type Operation } from '../scripts/operation.js';
import type { EventVerb } from '../scripts/types.js';
import { publicHeaders } from '../rest/scripted.js';
import type { GraphqlContext } from './resolvers.js';
import type { Args } from './to-ir.js';

/** Rows read for a list or by-key field, with the selection that keyed them (response key → column). */
export interface ReadOutcome {
  rows: Row[];
  select: SelectItem[];
}

/** What an operation works on: a table (`_table/Album`) or a routine (`_proc/refresh`). */
interface Target {
  service: string;
  resource: string[];
  table: string | null;
}

const tableTarget = (entry: TableEntry): Target => ({
  service: entry.service.name,
  resource: ['_table', entry.table.name],
  table: entry.table.name,
});

function operation(
  ctx: GraphqlContext,
  target: Target,
  verb: EventVerb,
  parameters: Args,
  payload: unknown,
): Operation {
  const request = (ctx as { request?: Request }).request;
  return {
    api: 'graphql',
    ...target,
    id: null,
    verb,
    request: {
      method: verb.toUpperCase(),
      parameters,
      payload,
      headers: request ? publicHeaders(request.headers) : {},
    },
  };
}

const listens = (ctx: GraphqlContext, target: Target, verb: EventVerb) =>
  hasScripts(ctx.scripts, { ...target, verb });

/**
 * A read with the table's get scripts: pre_process may change the arguments; post_process sees
 * `{resource:[records]}` and what it leaves there is what the field answers (a changed value, a record
 * removed; columns the client did not select are not sent).
 */
export async function readWithScripts(
  ctx: GraphqlContext,
  exec: ExecContext,
  entry: TableEntry,
  args: Args,
  read: (args: Args, exec: ExecContext) => Promise<ReadOutcome>,
): Promise<Row[]> {
  if (!listens(ctx, tableTarget(entry), 'get')) return (await read(args, exec)).rows;
  let select: SelectItem[] = [];
  const originals = new WeakMap<object, Row>();
  const result = await aroundOperation(
    ctx.scripts,
    operation(ctx, tableTarget(entry), 'get', { ...args }, null),
    exec,
    { transactional: false },
    async (request, onExec) => {
      const outcome = await read(request.parameters as Args, onExec);
      select = outcome.select;
      return { status: 200, content: { resource: toRecords(outcome.rows, select, originals) } };
    },
  );
  return fromRecords(result.content, select, originals, entry);
}

/** Aggregates and connections: pre_process only (there is no list of records to show post_process). */
export function withPreScripts<T>(
  ctx: GraphqlContext,
  exec: ExecContext,
  entry: TableEntry,
  args: Args,
  work: (args: Args, exec: ExecContext) => Promise<T>,
): Promise<T> {
  return preScriptsOnly(ctx, exec, tableTarget(entry), 'get', args, null, (request, onExec) =>
    work(request.parameters as Args, onExec),
  );
}

/**
 * Routine calls fire `{service}._proc.{name}.post` (`_func…`; `.get` for a read-only function's query
 * field), pre_process only: the script sees and may change `payload.params`, the values by parameter name.
 */
export function routineWithScripts<T>(
  ctx: GraphqlContext,
  exec: ExecContext,
  target: { service: string; component: string; verb: EventVerb },
  values: Args,
  call: (values: Args, exec: ExecContext) => Promise<T>,
): Promise<T> {
  const where = { service: target.service, resource: target.component.split('/'), table: null };
  return preScriptsOnly(ctx, exec, where, target.verb, {}, { params: values }, (request, onExec) => {
    const params = (request.payload as { params?: unknown } | null)?.params;
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new ApiError(
        'SCRIPT_FAILED',
        `A script for ${target.service}.${where.resource.join('.')} left no {"params":{…}} to call with.`,
      );
    return call(params as Args, onExec);
  });
}

async function preScriptsOnly<T>(
  ctx: GraphqlContext,
  exec: ExecContext,
  target: Target,
  verb: EventVerb,
  parameters: Args,
  payload: unknown,
  work: (request: Operation['request'], exec: ExecContext) => Promise<T>,
): Promise<T> {
  if (!listens(ctx, target, verb))
    return work(operation(ctx, target, verb, parameters, payload).request, exec);
  let value: T | undefined;
  await aroundOperation(
    ctx.scripts,
    operation(ctx, target, verb, { ...parameters }, payload),
    exec,
    { transactional: false, post: false },
    async (request, onExec) => {
      value = await work(request, onExec);
      return { status: 200, content: null };
    },
  );
  return value as T;
}

/** What a mutation answers, and the rows in it: what post_process sees and may change. */
export interface MutationAnswer<T> {
  value: T;
  /** The rows the answer holds (read back with the client's selection) and how to rebuild it from changed
   * ones; absent when the answer holds no rows (`affectedRows` alone). */
  rows?: ReadOutcome & { rebuild: (rows: Row[]) => T };
}

/**
 * A mutation with its scripts, all in one transaction: pre_process sees the records to write
 * (`{resource:[…]}` by column; null for deletes) and the other arguments, and the write uses what it left.
 * post_process sees the rows the answer holds, by column (as DreamFactory's `fields=` answer would), or the
 * written rows' keys when the client selected none (DreamFactory's default answer): changing those records
 * changes the answer; throwing rolls the write back.
 */
export async function mutateWithScripts<T>(
  ctx: GraphqlContext,
  exec: ExecContext,
  entry: TableEntry,
  verb: EventVerb,
  args: Args,
  dataArgument: string | null,
  records: Row[] | null,
  work: (
    records: Row[] | null,
    exec: ExecContext,
  ) => Promise<{ keys: unknown[][]; answer: MutationAnswer<T> }>,
): Promise<T> {
  if (!listens(ctx, tableTarget(entry), verb)) return (await work(records, exec)).answer.value;
  const parameters = Object.fromEntries(Object.entries(args).filter(([key]) => key !== dataArgument));
  let answer: MutationAnswer<T> | undefined;
  const originals = new WeakMap<object, Row>();
  const result = await aroundOperation(
    ctx.scripts,
    operation(ctx, tableTarget(entry), verb, parameters, records === null ? null : { resource: records }),
    exec,
    { transactional: true },
    async (request, onExec) => {
      const done = await work(records === null ? null : recordsOf(request.payload, entry), onExec);
      answer = done.answer;
      if (answer.rows)
        return {
          status: 200,
          content: { resource: toRecords(answer.rows.rows, answer.rows.select, originals) },
        };
      const { primaryKey } = entry.table;
      const keys = done.keys.map((key) => Object.fromEntries(primaryKey.map((c, i) => [c, key[i]])));
      return { status: 200, content: { resource: keys } };
    },
  );
  const done = answer as MutationAnswer<T>;
  if (!done.rows) return done.value;
  return done.rows.rebuild(fromRecords(result.content, done.rows.select, originals, entry));
}

function toRecords(rows: Row[], select: SelectItem[], originals: WeakMap<object, Row>): Row[] {
  return rows.map((row) => {
    const record: Row = {};
    for (const { column, as } of select) record[column] = row[as];
    originals.set(record, row);
    return record;
  });
}

function fromRecords(
  content: unknown,
  select: SelectItem[],
  originals: WeakMap<object, Row>,
  entry: TableEntry,
): Row[] {
  const records = recordsOf(content, entry);
  return records.map((record) => {
    const row: Row = { ...(originals.get(record) ?? {}) };
    for (const { column, as } of select) row[as] = record[column] ?? null;
    return row;
  });
}

/** `{resource:[…]}` as a script must leave it; anything else is the script's bug, reported as such. */
function recordsOf(content: unknown, entry: TableEntry): Row[] {
  const list = (content as { resource?: unknown } | null)?.resource;
  if (!Array.isArray(list) || list.some((r) => typeof r !== 'object' || r === null || Array.isArray(r)))
    throw new ApiError(
      'SCRIPT_FAILED',
      `A script for ${entry.service.name}._table.${entry.table.name} left no {"resource":[records]} to use.`,
    );
  return list as Row[];
}
