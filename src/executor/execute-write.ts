// Write IR → statements inside one transaction on the target service: nested inserts in dependency order
// (parents, the row, children, junction links), updates and deletes by the primary keys their filter matched
// (so the rows reported are exactly the rows changed), upserts. Any failure rolls everything back.
import { authorizeWrite } from '../auth/authorize.js';
import { ApiError } from '../errors/index.js';
import type { Expr, ReadQuery, Row, Scalar } from '../ir/types.js';
import type { DeleteOp, InsertNode, InsertOp, UpdateOp, UpsertOp } from '../ir/write.js';
import type { TableModel } from '../model/types.js';
import type { ExecContext } from './context.js';
import { GENERATED_ID, type DataSource } from './data-source.js';
import { executeRead } from './execute-read.js';
import { resolveFilters } from './resolve-filters.js';

export interface WriteResult {
  /** Primary-key tuples of the rows written, in order. */
  keys: Scalar[][];
  affected: number;
  /** Rows read inside the transaction before a delete (what the client asked to get back). */
  rows: Row[];
}

export function keyFilter(table: TableModel, keys: Scalar[][]): Expr {
  return { kind: 'keys', fields: table.primaryKey, keys, negate: false };
}

/** The authorize stage for a nested insert: POST on every table it creates rows in, PATCH where it adopts. */
function authorizeInsert(node: InsertNode, ctx: ExecContext): void {
  const entry = ctx.index.entry(node.service, node.table);
  authorizeWrite(ctx.index, ctx.principal, entry, 'POST', Object.keys(node.values));
  // The values themselves are checked in insertNode, once parents have filled the foreign keys.
  for (const parent of node.parents) if (parent.create) authorizeInsert(parent.create, ctx);
  for (const child of node.children) {
    child.create.forEach((c) => authorizeInsert(c, ctx));
    if (child.connect.length > 0)
      authorizeWrite(
        ctx.index,
        ctx.principal,
        ctx.index.target(child.relation),
        'PATCH',
        child.relation.refFields,
      );
  }
  for (const link of node.links) {
    link.create.forEach((c) => authorizeInsert(c, ctx));
    const junction = link.relation.junction;
    if (junction)
      authorizeWrite(ctx.index, ctx.principal, ctx.index.entry(junction.service, junction.table), 'POST', [
        ...junction.fields,
        ...junction.refFields,
      ]);
  }
}

export async function executeInsert(op: InsertOp, ctx: ExecContext): Promise<WriteResult> {
  for (const node of op.rows) authorizeInsert(node, ctx);
  const table = ctx.index.table(op.service, op.table);
  return ctx.source(op.service).transaction(async (tx) => {
    const keys: Scalar[][] = [];
    for (const node of op.rows) {
      const row = await insertNode(node, tx, ctx);
      keys.push(table.primaryKey.map((column) => row[column] as Scalar));
    }
    return { keys, affected: keys.length, rows: [] };
  });
}

async function insertNode(node: InsertNode, tx: DataSource, ctx: ExecContext): Promise<Row> {
  const table = ctx.index.table(node.service, node.table);
  const values: Row = { ...node.values };
  for (const parent of node.parents) {
    const rel = parent.relation;
    const source = parent.create ? await insertNode(parent.create, tx, ctx) : (parent.connect ?? {});
    rel.fields.forEach((field, i) => {
      values[field] = source[rel.refFields[i] as string] ?? null;
    });
  }
  const needed = unique([
    ...table.primaryKey,
    ...node.children.flatMap((c) => c.relation.fields),
    ...node.links.flatMap((l) => l.relation.fields),
  ]);
  authorizeWrite(ctx.index, ctx.principal, ctx.index.entry(node.service, node.table), 'POST', values);
  const row = await insertRow(tx, ctx, table, values, needed);
  for (const child of node.children) {
    const rel = child.relation;
    const fk = Object.fromEntries(rel.refFields.map((f, i) => [f, row[rel.fields[i] as string]]));
    for (const create of child.create)
      await insertNode({ ...create, values: { ...create.values, ...fk } }, tx, ctx);
    for (const key of child.connect) await adopt(tx, ctx, rel.refTable, key, fk);
  }
  for (const link of node.links) {
    const rel = link.relation;
    const junction = rel.junction;
    if (!junction) continue;
    const farKeys: Row[] = [...link.connect];
    for (const create of link.create) farKeys.push(await insertNode(create, tx, ctx));
    const junctionRows = farKeys.map((far) => ({
      ...Object.fromEntries(junction.fields.map((f, i) => [f, row[rel.fields[i] as string]])),
      ...Object.fromEntries(junction.refFields.map((f, i) => [f, far[rel.refFields[i] as string]])),
    }));
    await tx.insert(junction.table, junctionRows, [], ctx.stats);
  }
  return row;
}

/** Inserts one row and returns at least the `needed` columns (generated keys included). */
export async function insertRow(
  tx: DataSource,
  ctx: ExecContext,
  table: TableModel,
  values: Row,
  needed: string[],
): Promise<Row> {
  const [result] = await tx.insert(table.name, [values], needed, ctx.stats);
  const row: Row = { ...values, ...(result ?? {}) };
  const generated = table.fields.find((f) => f.autoIncrement);
  if (result && GENERATED_ID in result) {
    delete row[GENERATED_ID];
    if (generated && (row[generated.name] === undefined || row[generated.name] === null))
      row[generated.name] = result[GENERATED_ID];
  }
  const missing = needed.filter((column) => row[column] === undefined);
  if (missing.length === 0) return row;
  if (table.primaryKey.some((column) => row[column] === undefined || row[column] === null)) {
    throw new ApiError('INTERNAL', `cannot read back the key of the row inserted into ${table.name}`);
  }
  const [read] = await tx.read(
    {
      service: '',
      table: table.name,
      select: missing.map((column) => ({ column, as: column })),
      where: keyFilter(table, [table.primaryKey.map((column) => row[column] as Scalar)]),
      orderBy: [],
      limit: 1,
      offset: 0,
      relations: [],
      relationAggregates: [],
    },
    ctx.stats,
  );
  return { ...row, ...(read ?? {}) };
}

/** `connect` on a has-many: point an existing child at the new parent; a missing child is an error. */
async function adopt(tx: DataSource, ctx: ExecContext, childTable: string, key: Row, fk: Row): Promise<void> {
  const where: Expr = {
    kind: 'and',
    items: Object.entries(key).map(([field, value]) => ({
      kind: 'compare',
      field,
      op: 'eq',
      value: value as Scalar,
    })),
  };
  const changed = await tx.update(childTable, fk, where, ctx.stats);
  if (changed === 0)
    throw new ApiError('NOT_FOUND', `No ${childTable} record matches ${JSON.stringify(key)} to connect.`);
}

/** Primary keys of the rows matching `where` (inside the transaction). */
async function matchingKeys(
  tx: DataSource,
  ctx: ExecContext,
  table: TableModel,
  where: Expr | null,
): Promise<Scalar[][]> {
  const rows = await tx.read(
    {
      service: '',
      table: table.name,
      select: table.primaryKey.map((column, i) => ({ column, as: `k${i}` })),
      where,
      orderBy: table.primaryKey.map((field) => ({ field, direction: 'asc' as const })),
      limit: null,
      offset: 0,
      relations: [],
      relationAggregates: [],
    },
    ctx.stats,
  );
  return rows.map((row) => table.primaryKey.map((_, i) => row[`k${i}`] as Scalar));
}

function requireKey(table: TableModel, what: string): void {
  if (table.primaryKey.length === 0) {
    throw new ApiError('NOT_SUPPORTED', `${what} needs a primary key, and ${table.name} has none.`);
  }
}

export async function executeUpdate(op: UpdateOp, ctx: ExecContext): Promise<WriteResult> {
  const table = ctx.index.table(op.service, op.table);
  requireKey(table, 'Updating');
  if (Object.keys(op.set).length === 0)
    throw new ApiError('BAD_REQUEST', 'Nothing to update: set at least one field.');
  // Only rows the role can see can change: its row filter joins the client's.
  const allowed = authorizeWrite(
    ctx.index,
    ctx.principal,
    ctx.index.entry(op.service, op.table),
    'PATCH',
    op.set,
  );
  const where = await resolveFilters(both(op.where, allowed), ctx);
  return ctx.source(op.service).transaction(async (tx) => {
    const keys = await matchingKeys(tx, ctx, table, where);
    if (keys.length > 0) await tx.update(table.name, op.set, keyFilter(table, keys), ctx.stats);
    // A `set` that changes key columns moves the rows: report them under their new keys.
    const moved = keys.map((key) =>
      table.primaryKey.map((column, i) =>
        op.set[column] !== undefined ? (op.set[column] as Scalar) : (key[i] as Scalar),
      ),
    );
    return { keys: moved, affected: keys.length, rows: [] };
  });
}

/** Deletes what `where` matches; `returning` (if any) is read inside the transaction, before the delete. */
export async function executeDelete(
  op: DeleteOp,
  ctx: ExecContext,
  returning: ReadQuery | null,
): Promise<WriteResult> {
  const table = ctx.index.table(op.service, op.table);
  requireKey(table, 'Deleting');
  const allowed = authorizeWrite(
    ctx.index,
    ctx.principal,
    ctx.index.entry(op.service, op.table),
    'DELETE',
    [],
  );
  const where = await resolveFilters(both(op.where, allowed), ctx);
  return ctx.source(op.service).transaction(async (tx) => {
    const keys = await matchingKeys(tx, ctx, table, where);
    if (keys.length === 0) return { keys, affected: 0, rows: [] };
    const inTx: ExecContext = {
      ...ctx,
      loaders: new Map(),
      source: (s) => (s === op.service ? tx : ctx.source(s)),
    };
    const rows = returning ? await executeRead({ ...returning, where: keyFilter(table, keys) }, inTx) : [];
    await tx.delete(table.name, keyFilter(table, keys), ctx.stats);
    return { keys, affected: keys.length, rows };
  });
}

export async function executeUpsert(op: UpsertOp, ctx: ExecContext): Promise<WriteResult> {
  const table = ctx.index.table(op.service, op.table);
  requireKey(table, 'Upserting');
  const entry = ctx.index.entry(op.service, op.table);
  authorizeWrite(ctx.index, ctx.principal, entry, 'POST', op.values);
  authorizeWrite(
    ctx.index,
    ctx.principal,
    entry,
    'PATCH',
    Object.fromEntries(op.update.map((c) => [c, op.values[c]])),
  );
  const missing = op.conflict.filter(
    (column) => op.values[column] === undefined || op.values[column] === null,
  );
  if (missing.length > 0)
    throw new ApiError('BAD_REQUEST', `An upsert needs values for ${missing.join(', ')} (the conflict key).`);
  return ctx.source(op.service).transaction(async (tx) => {
    await tx.upsert(table.name, op.values, op.conflict, op.update, ctx.stats);
    const where: Expr = {
      kind: 'and',
      items: op.conflict.map((field) => ({
        kind: 'compare',
        field,
        op: 'eq',
        value: op.values[field] as Scalar,
      })),
    };
    const keys = await matchingKeys(tx, ctx, table, where);
    return { keys, affected: keys.length, rows: [] };
  });
}

function both(a: Expr | null, b: Expr | null): Expr | null {
  return a === null ? b : b === null ? a : { kind: 'and', items: [a, b] };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
