// Resolvers of the Mutation type: arguments → write IR → execute-write (one transaction), then the rows the
// client selected are read back through the same read path as queries (after commit; before, for deletes).
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
import type { ReadQuery, Row } from '../ir/types.js';
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
      handlers.insertOne = async (_p, args, ctx, info) => {
        const op = {
          kind: 'insert' as const,
          service: service.name,
          table: table.name,
          rows: [insertNode(index, entry, args.object as Args, [], 'object')],
        };
        return readOne(index, entry, await executeInsert(op, exec(ctx)), info, exec(ctx));
      };
      handlers.insertMany = async (_p, args, ctx, info) => {
        const rows = (args.objects as Args[]).map((o, i) => insertNode(index, entry, o, [], `objects[${i}]`));
        const result = await executeInsert(
          { kind: 'insert', service: service.name, table: table.name, rows },
          exec(ctx),
        );
        return manyResult(index, entry, result, info, exec(ctx));
      };
      handlers.updateMany = async (_p, args, ctx, info) => {
        const op = {
          kind: 'update' as const,
          service: service.name,
          table: table.name,
          where: whereToExpr(index, entry, args.where as Args),
          set: setColumns(entry, args.set as Args),
        };
        return manyResult(index, entry, await executeUpdate(op, exec(ctx)), info, exec(ctx));
      };
      handlers.deleteMany = async (_p, args, ctx, info) => {
        const op = {
          kind: 'delete' as const,
          service: service.name,
          table: table.name,
          where: whereToExpr(index, entry, args.where as Args),
        };
        const returning = subFields(info.fieldNodes, info).get('returning');
        const result = await executeDelete(
          op,
          exec(ctx),
          returning ? readQuery(index, entry, {}, returning, info) : null,
        );
        return { affectedRows: result.affected, returning: result.rows };
      };
      handlers.updateOne = async (_p, args, ctx, info) => {
        const op = {
          kind: 'update' as const,
          service: service.name,
          table: table.name,
          where: primaryKeyFilter(entry, args),
          set: setColumns(entry, args.set as Args),
        };
        return readOne(index, entry, await executeUpdate(op, exec(ctx)), info, exec(ctx));
      };
      handlers.deleteOne = async (_p, args, ctx, info) => {
        const op = {
          kind: 'delete' as const,
          service: service.name,
          table: table.name,
          where: primaryKeyFilter(entry, args),
        };
        return (
          (await executeDelete(op, exec(ctx), readQuery(index, entry, {}, info.fieldNodes, info))).rows[0] ??
          null
        );
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
        const update = args.update
          ? (args.update as string[]).map((v) => byEnum.get(v) ?? v)
          : Object.keys(values).filter((column) => !conflict.includes(column));
        const op = {
          kind: 'upsert' as const,
          service: service.name,
          table: table.name,
          values,
          conflict,
          update,
        };
        return readOne(index, entry, await executeUpsert(op, exec(ctx)), info, exec(ctx));
      };
      // Only the fields the schema has (a role's view may lack some verbs; keyless tables lack by-key forms).
      for (const [kind, name] of Object.entries(m) as [keyof MutationNames, string | null][]) {
        if (name) resolvers[name] = handlers[kind];
      }
    }
  }
  return resolvers;
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
): Promise<Row | null> {
  return (await readBack(index, entry, result, info.fieldNodes, info, ctx))[0] ?? null;
}

async function manyResult(
  index: ModelIndex,
  entry: TableEntry,
  result: WriteResult,
  info: GraphQLResolveInfo,
  ctx: ExecContext,
) {
  const returning = subFields(info.fieldNodes, info).get('returning');
  return {
    affectedRows: result.affected,
    returning: returning ? await readBack(index, entry, result, returning, info, ctx) : [],
  };
}

/** The written rows, read with the client's selection, in the order they were written. */
async function readBack(
  index: ModelIndex,
  entry: TableEntry,
  result: WriteResult,
  nodes: GraphQLResolveInfo['fieldNodes'],
  info: GraphQLResolveInfo,
  ctx: ExecContext,
): Promise<Row[]> {
  // A table without a primary key has no way to find the rows just written again: none are returned.
  if (result.keys.length === 0 || entry.table.primaryKey.length === 0) return [];
  const base: ReadQuery = readQuery(index, entry, {}, nodes, info);
  const { select, aliases } = ensureColumns(base.select, entry.table.primaryKey);
  const rows = await executeRead({ ...base, select, where: keyFilter(entry.table, result.keys) }, ctx);
  const byKey = new Map(rows.map((row) => [aliases.map((a) => String(row[a])).join('\u0001'), row]));
  return result.keys
    .map((key) => byKey.get(key.map(String).join('\u0001')))
    .filter((row): row is Row => row !== undefined);
}
