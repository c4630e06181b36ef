// Creating and updating one DreamFactory record with its nested relation data (compat §8.6): belongs_to
// objects first (they fill the foreign key), then the record, then has_many/has_one children and many_many
// links. Rows on another service go through that service (no shared transaction) and are logged so a
// rolled-back batch can remove what it created there (compat §8.7).
import { ApiError } from '../../errors/index.js';
import { equalsAll, recordOps, type RecordOps } from '../../executor/record-ops.js';
import { authorizeWrite } from '../../auth/authorize.js';
import type { AccessVerb } from '../../auth/types.js';
import type { Expr, Row } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import type { RelationModel } from '../../model/types.js';
import type { RestContext } from '../types.js';
import { checkCreate, itemError, recordParts, type RecordParts } from './record-values.js';

export interface WriteScope {
  ctx: RestContext;
  /** Operations on the request's own service (inside the batch transaction with rollback=true). */
  ops: RecordOps;
  allowRelatedDelete: boolean;
  /** Rows created on other services, newest last, for compensation when a rollback batch fails. */
  foreign: { ops: RecordOps; entry: TableEntry; key: Row }[];
}

/** The authorize stage for one table and verb: throws when denied, returns the role's row filter. */
export function guard(
  scope: WriteScope,
  entry: TableEntry,
  verb: AccessVerb,
  written: Row | string[],
): Expr | null {
  return authorizeWrite(scope.ctx.index, scope.ctx.principal, entry, verb, written);
}

/**
 * Every table a record's nested data would touch, checked before the first write: without rollback=true
 * nothing would undo a parent row written before a refused child (values are checked again when written).
 */
function precheck(scope: WriteScope, entry: TableEntry, parts: RecordParts): void {
  for (const { relation, value } of parts.nested) {
    const far = scope.ctx.index.target(relation);
    const items = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && typeof v === 'object');
    for (const item of items) {
      const farParts = recordParts(far, item);
      const existing = hasAll(farParts.values, far.table.primaryKey);
      guard(scope, far, existing ? 'PATCH' : 'POST', existing ? [] : Object.keys(farParts.values));
      if (relation.junction)
        guard(scope, scope.ctx.index.entry(relation.junction.service, relation.junction.table), 'POST', []);
      precheck(scope, far, farParts);
    }
  }
}

/** `where` narrowed by a role's row filter. */
export function within(where: Expr, filter: Expr | null): Expr {
  return filter === null ? where : { kind: 'and', items: [where, filter] };
}

function opsFor(scope: WriteScope, service: string): RecordOps {
  return service === scope.ctx.request.service.name
    ? scope.ops
    : recordOps(scope.ctx.exec.source(service), scope.ctx.exec);
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}

function hasAll(values: Row, columns: string[]): boolean {
  return columns.length > 0 && columns.every((c) => values[c] !== undefined && values[c] !== null);
}

/** Inserts a record with its nested data; returns the inserted row's key and relation columns. */
export async function createRecord(
  scope: WriteScope,
  entry: TableEntry,
  record: unknown,
  index: number,
  ops = scope.ops,
): Promise<Row> {
  const parts = recordParts(entry, record);
  precheck(scope, entry, parts);
  await applyParents(scope, parts);
  checkCreate(entry, parts.values, index, record);
  guard(scope, entry, 'POST', parts.values);
  const needed = [...new Set([...entry.table.primaryKey, ...parts.nested.flatMap((n) => n.relation.fields)])];
  const row = await ops.insert(entry.table, parts.values, needed);
  if (ops !== scope.ops) scope.foreign.push({ ops, entry, key: pick(row, entry.table.primaryKey) });
  await applyChildren(scope, entry, parts, row);
  return row;
}

/** Updates the record `where` identifies (404 when none) with its nested data; returns its key row. */
export async function updateRecord(
  scope: WriteScope,
  entry: TableEntry,
  where: Row,
  parts: RecordParts,
  idText: string,
): Promise<Row> {
  precheck(scope, entry, parts);
  await applyParents(scope, parts);
  const needed = [
    ...new Set([
      ...entry.table.primaryKey,
      ...parts.nested.flatMap((n) => n.relation.fields),
      ...Object.keys(where),
    ]),
  ];
  const changing = Object.keys(parts.values).filter((column) => !entry.table.primaryKey.includes(column));
  // A row outside the role's row filter is "not found", not "forbidden" (no oracle, compat §10.4).
  const allowed = guard(scope, entry, 'PATCH', Object.fromEntries(changing.map((c) => [c, parts.values[c]])));
  const [found] = await scope.ops.find(entry.table, within(equalsAll(where), allowed), needed, 1);
  if (!found) throw itemError(`Record with identifier '${idText}' not found.`, 404);
  const set = Object.fromEntries(
    Object.entries(parts.values).filter(
      ([column]) => !entry.table.primaryKey.includes(column) && entry.fields.get(column)?.type !== 'id',
    ),
  );
  if (Object.keys(set).length > 0)
    await scope.ops.update(
      entry.table,
      set,
      equalsAll(pick(found, entry.table.primaryKey.length > 0 ? entry.table.primaryKey : Object.keys(where))),
    );
  const row = { ...found, ...set };
  await applyChildren(scope, entry, parts, row);
  return row;
}

async function applyParents(scope: WriteScope, parts: RecordParts): Promise<void> {
  for (const { relation, value } of parts.nested) {
    if (relation.type !== 'belongs_to') continue;
    if (
      value === null ||
      value === undefined ||
      (typeof value === 'object' && Object.keys(value as object).length === 0)
    )
      continue;
    await wrapped('Failed to update belongs-to assignment.', 400, async () => {
      if (typeof value !== 'object' || Array.isArray(value))
        throw itemError('A belongs-to value must be one object.');
      const far = scope.ctx.index.target(relation);
      const ops = opsFor(scope, relation.refService);
      const farParts = recordParts(far, value);
      const key = far.table.primaryKey;
      if (!hasAll(farParts.values, key)) {
        const auto = key.length === 1 && far.fields.get(key[0] as string)?.autoIncrement;
        if (!auto)
          throw itemError(
            `Related record has no primary key value for '${key.join(', ') || relation.refFields.join(', ')}'.`,
          );
        const created = await createRecord(scope, far, value, 0, ops);
        relation.fields.forEach((f, i) => (parts.values[f] = created[relation.refFields[i] as string]));
        return;
      }
      const [existing] = await ops.find(far.table, equalsAll(pick(farParts.values, key)), key, 1);
      if (existing) {
        // An existing parent is updated, and the local key is NOT set from it (DF quirk Q19).
        await updateRecord(
          { ...scope, ops },
          far,
          pick(farParts.values, key),
          farParts,
          key.map((k) => String(farParts.values[k])).join(','),
        );
      } else {
        const created = await createRecord(scope, far, value, 0, ops);
        relation.fields.forEach((f, i) => (parts.values[f] = created[relation.refFields[i] as string]));
      }
    });
  }
}

async function applyChildren(
  scope: WriteScope,
  entry: TableEntry,
  parts: RecordParts,
  row: Row,
): Promise<void> {
  for (const { relation, value } of parts.nested) {
    if (relation.type === 'has_many' || relation.type === 'has_one') {
      await wrapped('Failed to update many to one assignment.', 400, () =>
        applyHasMany(scope, relation, value, row),
      );
    } else if (relation.type === 'many_many') {
      await wrapped('Failed to update many to one map assignment.', 500, () =>
        applyManyMany(scope, entry, relation, value, row),
      );
    }
  }
}

async function applyHasMany(
  scope: WriteScope,
  relation: RelationModel,
  value: unknown,
  parent: Row,
): Promise<void> {
  const far = scope.ctx.index.target(relation);
  const ops = opsFor(scope, relation.refService);
  const fk = Object.fromEntries(relation.refFields.map((f, i) => [f, parent[relation.fields[i] as string]]));
  if (
    relation.type === 'has_one' &&
    (value === null || (typeof value === 'object' && Object.keys(value as object).length === 0))
  ) {
    const current = await ops.find(far.table, equalsAll(fk), far.table.primaryKey);
    for (const child of current)
      await unlink(scope, ops, far, relation, pick(child, far.table.primaryKey), {});
    return;
  }
  const children = relation.type === 'has_one' ? [value] : value;
  if (!Array.isArray(children)) throw itemError('A has-many value must be a list of records.');
  const key = far.table.primaryKey;
  for (const child of children) {
    const childParts = recordParts(far, child);
    if (!hasAll(childParts.values, key)) {
      await createRecord(scope, far, { ...(child as Row), ...fk }, 0, ops);
      continue;
    }
    const id = pick(childParts.values, key);
    const unlinking = relation.refFields.some(
      (f) => Object.hasOwn(child as object, f) && (child as Row)[f] === null,
    );
    const others = Object.fromEntries(
      Object.entries(childParts.values).filter(([c]) => !key.includes(c) && !relation.refFields.includes(c)),
    );
    if (unlinking) {
      await unlink(scope, ops, far, relation, id, others);
      continue;
    }
    const allowed = guard(scope, far, 'PATCH', { ...others, ...fk });
    const [existing] = await ops.find(far.table, within(equalsAll(id), allowed), key, 1);
    if (existing) await ops.update(far.table, { ...others, ...fk }, within(equalsAll(id), allowed));
    else await createRecord(scope, far, { ...(child as Row), ...fk }, 0, ops);
  }
}

/** A child whose foreign key is set to null: deleted when allowed and the key cannot be null, else re-pointed at null. */
async function unlink(
  scope: WriteScope,
  ops: RecordOps,
  far: TableEntry,
  relation: RelationModel,
  id: Row,
  others: Row,
): Promise<void> {
  const notNull = relation.refFields.some((f) => far.fields.get(f)?.allowNull === false);
  if (notNull && scope.allowRelatedDelete) {
    await ops.delete(far.table, within(equalsAll(id), guard(scope, far, 'DELETE', [])));
    return;
  }
  const cleared = Object.fromEntries(relation.refFields.map((f) => [f, null]));
  const allowed = guard(scope, far, 'PATCH', { ...others, ...cleared });
  await ops.update(far.table, { ...others, ...cleared }, within(equalsAll(id), allowed));
}

async function applyManyMany(
  scope: WriteScope,
  entry: TableEntry,
  relation: RelationModel,
  value: unknown,
  parent: Row,
): Promise<void> {
  if (!Array.isArray(value)) throw itemError('A many-to-many value must be a list of records.');
  const junction = relation.junction;
  if (!junction) return;
  const far = scope.ctx.index.target(relation);
  const junctionEntry = scope.ctx.index.entry(junction.service, junction.table);
  const ops = opsFor(scope, relation.refService);
  const junctionOps = opsFor(scope, junction.service);
  const unlinkKey = `${entry.table.name}.${relation.fields[0]}`;
  for (const item of value) {
    const farParts = recordParts(far, item);
    let farRow: Row;
    if (!hasAll(farParts.values, relation.refFields)) {
      farRow = await createRecord(scope, far, item, 0, ops);
    } else {
      farRow = farParts.values;
      const others = Object.fromEntries(
        Object.entries(farParts.values).filter(([c]) => !far.table.primaryKey.includes(c)),
      );
      if (Object.keys(others).length > 0 && hasAll(farParts.values, far.table.primaryKey)) {
        const id = pick(farParts.values, far.table.primaryKey);
        const allowed = guard(scope, far, 'PATCH', others);
        const [existing] = await ops.find(far.table, within(equalsAll(id), allowed), far.table.primaryKey, 1);
        if (existing) await ops.update(far.table, others, within(equalsAll(id), allowed));
        else farRow = await createRecord(scope, far, item, 0, ops);
      }
    }
    const link: Row = {
      ...Object.fromEntries(junction.fields.map((f, i) => [f, parent[relation.fields[i] as string]])),
      ...Object.fromEntries(junction.refFields.map((f, i) => [f, farRow[relation.refFields[i] as string]])),
    };
    if (
      item &&
      typeof item === 'object' &&
      Object.hasOwn(item, unlinkKey) &&
      (item as Row)[unlinkKey] === null
    ) {
      await junctionOps.delete(
        junctionEntry.table,
        within(equalsAll(link), guard(scope, junctionEntry, 'DELETE', [])),
      );
      continue;
    }
    const [linked] = await junctionOps.find(junctionEntry.table, equalsAll(link), Object.keys(link), 1);
    if (!linked) {
      guard(scope, junctionEntry, 'POST', link);
      await junctionOps.insert(junctionEntry.table, link, []);
    }
  }
}

/** DF prefixes a nested failure with what it was doing: `Failed to update … assignment.\n<inner>`. */
async function wrapped(prefix: string, status: 400 | 500, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const inner =
      error instanceof ApiError && !['internal', 'config', 'model'].includes(error.family)
        ? error.message
        : 'The database could not run the request.';
    throw new ApiError(status === 500 ? 'REQUEST_FAILED' : 'BAD_REQUEST', `${prefix}\n${inner}`, {
      cause: error,
    });
  }
}
