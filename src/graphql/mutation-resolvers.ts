// Resolvers of the Mutation type: arguments → write IR → execute-write (one transaction), then the rows the
// client selected are read back through the same read path as queries (after commit; before, for deletes;
// inside the transaction when event scripts run, which see those rows and may change the answer).
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { ApiError } from '../errors/index.js';
import type { ExecContext } from '../executor/context.js';
import { executeRead } from '../executor/execute-read.js';
import {
  executeDelete,
  executeInsert,
  executeUpdate,
  executeUpsert,
  keyFilter,
  type WriteResult,
} from '../executor/execute-write.js';
import { ensureColumns } from '../ir/select.js';
import type { Expr, ReadQuery, Row } from '../ir/types.js';
import type { InsertNode } from '../ir/write.js';
import type { EventVerb } from '../scripts/types.js';
import { mutateWithScripts, type MutationAnswer, type ReadOutcome } from './event-scripts.js';
import type { ModelIndex, TableEntry } from '../model/model-index.js';
import { enumValue } from './names.js';
import { insertNode, setColumns, upsertValues } from './mutation-to-ir.js';
import { mutationNames, writable, type MutationNames } from './mutation-sdl.js';
import type { GraphqlContext } from './resolvers.js';
import { subFields } from './selection.js';
import { primaryKeyFilter, readQuery, type Args } from './to-ir.js';
import { whereToExpr } from './where.js';

type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Args>;

export function buildMutationResolvers(
  index: ModelIndex,
  exec: (ctx: GraphqlContext) => ExecContext,
): Record<string, Resolver> {
  const resolvers: Record<string, Resolver> = {};
  for (const service of index.model.services) {
    for (const table of service.tables) {
      if (writable(table).length === 0) continue;
      const entry = index.entry(service.name, table.name);
      const m = mutationNames(service, table);
      const handlers: Record<keyof MutationNames, Resolver> = {} as Record<keyof MutationNames, Resolver>;
      // Each write runs with the table's event scripts (event-scripts.ts): they see `records` and may change
      // them, `run` writes what they left. The answer is read inside the work: with scripts that is inside the
      // transaction, before it ends.
      const write = <T>(
        ctx: GraphqlContext,
        args: Args,
        verb: EventVerb,
        data: string,
        records: Row[],
        run: (records: Row[], onExec: ExecContext) => Promise<WriteResult>,
        answer: (result: WriteResult, onExec: ExecContext) => Promise<MutationAnswer<T>>,
      ) =>
        mutateWithScripts(ctx, exec(ctx), entry, verb, args, data, records, async (given, onExec) => {
          const result = await run(given ?? [], onExec);
          return { keys: result.keys, answer: await answer(result, onExec) };
        });
      const insert = <T>(
        nodes: InsertNode[],
        ctx: GraphqlContext,
        args: Args,
        data: string,
        answer: (result: WriteResult, onExec: ExecContext) => Promise<MutationAnswer<T>>,
      ) =>
        write(
          ctx,
          args,
          'post',
          data,
          nodes.map((node) => node.values),
          (records, onExec) => {
            const rows = withRecords(nodes, records, service.name, table.name);
            return executeInsert({ kind: 'insert', service: service.name, table: table.name, rows }, onExec);
          },
          answer,
        );
      const update = <T>(
        where: Expr | null,
        ctx: GraphqlContext,
        args: Args,
        answer: (result: WriteResult, onExec: ExecContext) => Promise<MutationAnswer<T>>,
      ) =>
        write(
          ctx,
          args,
          'patch',
          'set',
          [setColumns(entry, args.set as Args)],
          ([set], onExec) =>
            executeUpdate(
              { kind: 'update', service: service.name, table: table.name, where, set: set ?? {} },
              onExec,
            ),
          answer,
        );
      // The rows a delete answers are read before it (`read`, the client's selection), inside its transaction.
      const remove = <T>(
        where: Expr | null,
        ctx: GraphqlContext,
        args: Args,
        read: ReadQuery | null,
        answer: (affected: number, rows: Row[]) => T,
      ) =>
        mutateWithScripts(ctx, exec(ctx), entry, 'delete', args, null, null, async (_r, onExec) => {
          const op = { kind: 'delete' as const, service: service.name, table: table.name, where };
          const result = await executeDelete(op, onExec, read);
          const rebuild = (rows: Row[]) => answer(result.affected, rows);
          const rows = read ? { rows: result.rows, select: read.select, rebuild } : undefined;
          return { keys: result.keys, answer: { value: rebuild(result.rows), rows } };
        });
      handlers.insertOne = async (_p, args, ctx, info) => {
        const nodes = [insertNode(index, entry, args.object as Args, [], 'object')];
        return insert(nodes, ctx, args, 'object', (result, onExec) =>
          readOne(index, entry, result, info, onExec),
        );
      };
      handlers.insertMany = async (_p, args, ctx, info) => {
        const nodes = (args.objects as Args[]).map((o, i) =>
          insertNode(index, entry, o, [], `objects[${i}]`),
        );
        return insert(nodes, ctx, args, 'objects', (result, onExec) =>
          manyResult(index, entry, result, info, onExec),
        );
      };
      handlers.updateMany = async (_p, args, ctx, info) => {
        return update(whereToExpr(index, entry, args.where as Args), ctx, args, (result, onExec) =>
          manyResult(index, entry, result, info, onExec),
        );
      };
      handlers.deleteMany = async (_p, args, ctx, info) => {
        const returning = subFields(info.fieldNodes, info).get('returning');
        const read = returning ? readQuery(index, entry, {}, returning, info) : null;
        return remove(whereToExpr(index, entry, args.where as Args), ctx, args, read, (affected, rows) => ({
          affectedRows: affected,
          returning: rows,
        }));
      };
      handlers.updateOne = async (_p, args, ctx, info) => {
        return update(primaryKeyFilter(entry, args), ctx, args, (result, onExec) =>
          readOne(index, entry, result, info, onExec),
        );
      };
      handlers.deleteOne = async (_p, args, ctx, info) => {
        const read = readQuery(index, entry, {}, info.fieldNodes, info);
        return remove(primaryKeyFilter(entry, args), ctx, args, read, (_n, rows) => rows[0] ?? null);
      };
      handlers.upsertOne = async (_p, args, ctx, info) => {
        const byEnum = new Map(table.fields.map((f) => [enumValue(f.graphqlName), f.name]));
        const values = upsertValues(entry, args.object as Args);
        const conflict = args.onConflict
          ? (args.onConflict as string[]).map((v) => byEnum.get(v) ?? v)
          : table.primaryKey;
        if (!isKey(table.primaryKey, conflict) && !table.uniqueKeys.some((key) => isKey(key, conflict))) {
          throw new ApiError(
            'VALIDATION_FAILED',
            `onConflict must name the primary key or a unique key of ${table.name}; ${conflict.join(', ')} is neither.`,
            { path: 'onConflict' },
          );
        }
        const updated = args.update
          ? (args.update as string[]).map((v) => byEnum.get(v) ?? v)
          : Object.keys(values).filter((column) => !conflict.includes(column));
        return write(
          ctx,
          args,
          'put',
          'object',
          [values],
          ([given], onExec) =>
            executeUpsert(
              {
                kind: 'upsert',
                service: service.name,
                table: table.name,
                values: given ?? values,
                conflict,
                update: updated,
              },
              onExec,
            ),
          (result, onExec) => readOne(index, entry, result, info, onExec),
        );
      };
      // Only the fields the schema has (a role's view may lack some verbs; keyless tables lack by-key forms).
      for (const [kind, name] of Object.entries(m) as [keyof MutationNames, string | null][]) {
        if (name) resolvers[name] = handlers[kind];
      }
    }
  }
  return resolvers;
}

/**
 * The insert nodes after a pre_process script changed the records: each node takes its record (nested writes
 * stay); records the script added become plain rows, records it removed are not written.
 */
function withRecords(nodes: InsertNode[], records: Row[], service: string, table: string): InsertNode[] {
  return records.map((values, i) => {
    const node = nodes[i];
    return node ? { ...node, values } : { service, table, values, parents: [], children: [], links: [] };
  });
}

/** Whether `columns` are exactly the columns of `key`, in any order. */
function isKey(key: readonly string[], columns: readonly string[]): boolean {
  return key.length > 0 && key.length === columns.length && key.every((column) => columns.includes(column));
}

/** The one row a single-row mutation wrote, read back with the client's selection; null when none. */
async function readOne(
  index: ModelIndex,
  entry: TableEntry,
  result: WriteResult,
  info: GraphQLResolveInfo,
  ctx: ExecContext,
): Promise<MutationAnswer<Row | null>> {
  const read = await readBack(index, entry, result, info.fieldNodes, info, ctx);
  const rebuild = (rows: Row[]) => rows[0] ?? null;
  return { value: rebuild(read.rows), rows: { ...read, rebuild } };
}

/** `{affectedRows, returning}`: the rows only when the client selected `returning`. */
async function manyResult(
  index: ModelIndex,
  entry: TableEntry,
  result: WriteResult,
  info: GraphQLResolveInfo,
  ctx: ExecContext,
): Promise<MutationAnswer<{ affectedRows: number; returning: Row[] }>> {
  const returning = subFields(info.fieldNodes, info).get('returning');
  const rebuild = (rows: Row[]) => ({ affectedRows: result.affected, returning: rows });
  if (!returning) return { value: rebuild([]) };
  const read = await readBack(index, entry, result, returning, info, ctx);
  return { value: rebuild(read.rows), rows: { ...read, rebuild } };
}

/** The written rows, read with the client's selection, in the order they were written. */
async function readBack(
  index: ModelIndex,
  entry: TableEntry,
  result: WriteResult,
  nodes: GraphQLResolveInfo['fieldNodes'],
  info: GraphQLResolveInfo,
  ctx: ExecContext,
): Promise<ReadOutcome> {
  const base: ReadQuery = readQuery(index, entry, {}, nodes, info);
  const { select, aliases } = ensureColumns(base.select, entry.table.primaryKey);
  // A table without a primary key has no way to find the rows just written again: none are returned.
  if (result.keys.length === 0 || entry.table.primaryKey.length === 0) return { rows: [], select };
  const rows = await executeRead({ ...base, select, where: keyFilter(entry.table, result.keys) }, ctx);
  const byKey = new Map(rows.map((row) => [aliases.map((a) => String(row[a])).join('\u0001'), row]));
  const ordered = result.keys
    .map((key) => byKey.get(key.map(String).join('\u0001')))
    .filter((row): row is Row => row !== undefined);
  return { rows: ordered, select };
}
