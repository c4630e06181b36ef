// Parsed `_schema` drafts + the model → a SchemaChange the adapters can run, or a 4xx before any statement:
// unknown or duplicate names, references to tables or fields that do not exist, drops of what a key still
// uses. Everything is checked here first because MySQL commits each DDL statement on its own.
import type { VirtualForeignKeyConfig } from '../../config/types.js';
import { ApiError } from '../../errors/index.js';
import type { ModelIndex } from '../../model/model-index.js';
import type {
  AlterTableDef,
  ColumnDef,
  ForeignKeyDef,
  ReferenceType,
  TableDef,
} from '../../model/schema-change.js';
import type { FieldModel, ServiceModel, TableModel } from '../../model/types.js';
import type { FieldDraft, RelationDraft, TableDraft } from './parse-fields.js';

/** Tables a request creates, visible to the references and relationships of the same request. */
type Pending = Map<string, TableDraft>;

/** A table with the fields it will have once the request's DDL ran: what relationships may name. */
export interface PendingTable {
  name: string;
  fields: { name: string }[];
}

export function planCreate(service: ServiceModel, drafts: TableDraft[]): TableDef[] {
  refuseMongo(service);
  const pending: Pending = new Map();
  for (const draft of drafts) {
    const existing = lookup(service, draft.name);
    if (existing) throw conflict(`Table '${existing.name}' already exists in service '${service.name}'.`);
    if (pending.has(draft.name.toLowerCase()))
      throw invalid(`Table '${draft.name}' is defined twice in the request.`);
    pending.set(draft.name.toLowerCase(), draft);
  }
  return drafts.map((draft) => {
    const [untyped] = draft.keyOnly;
    if (untyped !== undefined)
      throw invalid(`Invalid schema detected - field '${untyped}' of table '${draft.name}' needs a 'type'.`);
    if (draft.fields.length === 0) throw invalid(`Table '${draft.name}' needs at least one field.`);
    uniqueNames(
      draft.fields.map((f) => f.name),
      draft.name,
    );
    const ids = draft.fields.filter((f) => f.type === 'id');
    if (ids.length > 1) throw invalid(`Table '${draft.name}' has more than one field of type 'id'.`);
    const primaryKey = draft.primaryKey ?? draft.fields.filter((f) => f.isPrimaryKey).map((f) => f.name);
    for (const key of primaryKey)
      if (!draft.fields.some((f) => f.name === key))
        throw invalid(`Primary key field '${key}' is not a field of table '${draft.name}'.`);
    if (ids.length === 1 && (primaryKey.length !== 1 || primaryKey[0] !== ids[0]?.name))
      throw invalid(`The 'id' field of table '${draft.name}' must be its whole primary key.`);
    const { columns, foreignKeys } = columnsOf(service, draft.name, draft.fields, pending);
    return { name: draft.name, columns, primaryKey, foreignKeys };
  });
}

/** Fields of `table` that exist change; new ones are added. */
export function planAlter(service: ServiceModel, table: TableModel, drafts: FieldDraft[]): AlterTableDef {
  refuseMongo(service);
  refuseView(table);
  uniqueNames(
    drafts.map((f) => f.name),
    table.name,
  );
  const add: FieldDraft[] = [];
  const change: FieldDraft[] = [];
  for (const draft of drafts) {
    const field = table.fields.find((f) => f.name.toLowerCase() === draft.name.toLowerCase());
    if (!field) {
      if (draft.type === 'id' || draft.isPrimaryKey)
        throw invalid(`A primary key cannot be added to the existing table '${table.name}'.`);
      add.push(draft);
      continue;
    }
    if (field.name !== draft.name)
      throw conflict(
        `Field '${field.name}' already exists in table '${table.name}' (names differ only in case).`,
      );
    const used = keyUses(table, field.name);
    if (used) throw conflict(`Field '${field.name}' of table '${table.name}' cannot be changed: ${used}.`);
    if (draft.type === 'id' || draft.isPrimaryKey || draft.ref)
      throw invalid(`Field '${field.name}' cannot become a key; add a new field instead.`);
    change.push(draft);
  }
  const added = columnsOf(service, table.name, add, new Map());
  const changed = columnsOf(service, table.name, change, new Map());
  return { table: table.name, add: added.columns, change: changed.columns, foreignKeys: added.foreignKeys };
}

/** Legacy virtual keys without a `type` (TableDraft.keyOnly) can only go on columns that exist. */
export function checkKeyOnly(table: TableModel, names: readonly string[]): void {
  for (const name of names)
    if (!table.fields.some((f) => f.name === name))
      throw invalid(
        `Field '${name}' does not exist in table '${table.name}': give its 'type' to add it with its virtual foreign key.`,
      );
}

/** Refuses to drop a table another table's foreign key or any virtual relationship still uses. */
export function checkDropTable(service: ServiceModel, table: TableModel): void {
  refuseMongo(service);
  refuseView(table);
  const users = new Set<string>();
  for (const other of service.tables) {
    if (other.name === table.name) continue;
    for (const r of other.relations)
      if (r.kind === 'constraint' && r.type === 'belongs_to' && r.refTable === table.name)
        users.add(other.name);
  }
  if (users.size > 0)
    throw conflict(
      `Table '${table.name}' is referenced by a foreign key of ${[...users].map((u) => `'${u}'`).join(', ')}; drop or change those first.`,
    );
  const virtual = table.relations.find((r) => r.kind === 'virtual');
  if (virtual)
    throw conflict(
      `Table '${table.name}' is part of the virtual relationship '${virtual.name ?? virtual.source}'; delete it first (_schema/${table.name}/_related/{name}).`,
    );
}

export function checkDropField(service: ServiceModel, table: TableModel, name: string): FieldModel {
  refuseMongo(service);
  refuseView(table);
  const field = table.fields.find((f) => f.name === name);
  if (!field) throw new ApiError('NOT_FOUND', `No requested fields found in table '${table.name}'.`);
  if (table.fields.length === 1)
    throw invalid(`Field '${name}' is the only field of table '${table.name}'; drop the table instead.`);
  const used = keyUses(table, name);
  if (used) throw conflict(`Field '${name}' of table '${table.name}' cannot be dropped: ${used}.`);
  return field;
}

/**
 * Relationship objects declared on `table` → virtual keys (a belongs_to points from this table, a has_many or
 * has_one from the far table to this one). Fields may belong to tables the same request creates.
 */
export function planRelations(
  index: ModelIndex,
  service: ServiceModel,
  table: string,
  drafts: RelationDraft[],
  known: readonly VirtualForeignKeyConfig[],
  pending: PendingTable[] = [],
): VirtualForeignKeyConfig[] {
  const planned: VirtualForeignKeyConfig[] = [];
  for (const draft of drafts) {
    const far = serviceOf(index, service, draft.refService);
    const here = endOf(service, table, draft.field, pending);
    const there = endOf(far, draft.refTable, draft.refField, far === service ? pending : []);
    const key = draft.type === 'belongs_to' ? { from: here, to: there } : { from: there, to: here };
    const same = (k: VirtualForeignKeyConfig) => JSON.stringify(k) === JSON.stringify(key);
    if (known.some(same) || planned.some(same))
      throw conflict(`The virtual relationship ${text(key.from)} → ${text(key.to)} already exists.`);
    const constraint =
      key.from.service === key.to.service &&
      lookup(service, key.from.table)?.relations.some(
        (r) =>
          r.kind === 'constraint' &&
          r.type === 'belongs_to' &&
          r.refTable === key.to.table &&
          r.fields.join() === key.from.fields.join(),
      );
    if (constraint) throw conflict(`${text(key.from)} → ${text(key.to)} is already a foreign key.`);
    planned.push(key);
  }
  return planned;
}

function columnsOf(
  service: ServiceModel,
  table: string,
  drafts: FieldDraft[],
  pending: Pending,
): { columns: ColumnDef[]; foreignKeys: ForeignKeyDef[] } {
  const foreignKeys: ForeignKeyDef[] = [];
  const columns = drafts.map((draft): ColumnDef => {
    let refType: ReferenceType | null = null;
    if (draft.ref) {
      const target = referenced(service, draft, table, pending);
      refType = target.refType;
      foreignKeys.push({
        column: draft.name,
        refTable: target.table,
        refField: target.field,
        onDelete: draft.ref.onDelete,
        onUpdate: draft.ref.onUpdate,
      });
    }
    return {
      name: draft.name,
      type: draft.type,
      length: draft.length,
      precision: draft.precision,
      scale: draft.scale,
      allowNull: draft.allowNull,
      default: draft.default,
      isUnique: draft.isUnique,
      isIndex: draft.isIndex,
      refType: draft.type === 'reference' ? refType : null,
    };
  });
  return { columns, foreignKeys };
}

/** The table and field a reference points at: the far table's primary key unless `ref_field` names one. */
function referenced(
  service: ServiceModel,
  draft: FieldDraft,
  table: string,
  pending: Pending,
): { table: string; field: string; refType: ReferenceType } {
  const ref = draft.ref as NonNullable<FieldDraft['ref']>;
  const where = `Field '${draft.name}' of table '${table}'`;
  const created = pending.get(ref.table.toLowerCase());
  if (created) {
    const key = created.primaryKey ?? created.fields.filter((f) => f.isPrimaryKey).map((f) => f.name);
    const name = ref.field ?? (key.length === 1 ? key[0] : undefined);
    const field = created.fields.find((f) => f.name === name);
    if (!field)
      throw invalid(
        `${where} references field '${name ?? '?'}', which table '${created.name}' does not have.`,
      );
    if (!(key.length === 1 && key[0] === field.name) && !field.isUnique)
      throw invalid(`${where} must reference the primary key or a unique field of '${created.name}'.`);
    const refType: ReferenceType =
      field.type === 'id' ? { kind: 'id' } : { kind: 'column', dbType: '', simpleType: field.type };
    return { table: created.name, field: field.name, refType };
  }
  const target = lookup(service, ref.table);
  if (!target || target.isView)
    throw invalid(
      `${where} references table '${ref.table}', which does not exist in service '${service.name}'.`,
    );
  const name = ref.field ?? (target.primaryKey.length === 1 ? target.primaryKey[0] : undefined);
  const field = target.fields.find((f) => f.name === name);
  if (!field)
    throw invalid(`${where} references field '${name ?? '?'}', which table '${target.name}' does not have.`);
  const isKey =
    (target.primaryKey.length === 1 && target.primaryKey[0] === field.name) ||
    target.uniqueKeys.some((k) => k.length === 1 && k[0] === field.name);
  if (!isKey) throw invalid(`${where} must reference the primary key or a unique field of '${target.name}'.`);
  return {
    table: target.name,
    field: field.name,
    refType: { kind: 'column', dbType: field.dbType, simpleType: field.type },
  };
}

function endOf(service: ServiceModel, tableName: string, fieldName: string, pending: PendingTable[]) {
  const draft = pending.find((t) => t.name.toLowerCase() === tableName.toLowerCase());
  if (draft) {
    if (!draft.fields.some((f) => f.name === fieldName))
      throw invalid(`Field '${fieldName}' not found in table '${draft.name}' of service '${service.name}'.`);
    return { service: service.name, table: draft.name, fields: [fieldName] };
  }
  const table = lookup(service, tableName);
  if (!table) throw invalid(`Table '${tableName}' not found in service '${service.name}'.`);
  if (!table.fields.some((f) => f.name === fieldName))
    throw invalid(`Field '${fieldName}' not found in table '${table.name}' of service '${service.name}'.`);
  return { service: service.name, table: table.name, fields: [fieldName] };
}

function serviceOf(index: ModelIndex, here: ServiceModel, ref: number | string | null): ServiceModel {
  if (ref === null) return here;
  const services = index.model.services;
  const found =
    typeof ref === 'number'
      ? services[ref - 1]
      : (services.find((s) => s.name.toLowerCase() === ref.toLowerCase()) ??
        (/^\d+$/.test(ref) ? services[Number(ref) - 1] : undefined));
  if (!found) throw invalid(`Service '${ref}' named by 'ref_service_id' does not exist.`);
  return found;
}

/** Why a field cannot change or go: a key or a relationship uses it; null when nothing does. */
function keyUses(table: TableModel, field: string): string | null {
  if (table.primaryKey.includes(field)) return 'it is part of the primary key';
  const relation = table.relations.find(
    (r) => r.fields.includes(field) || r.junction?.fields.includes(field),
  );
  if (relation)
    return relation.kind === 'virtual'
      ? `the virtual relationship '${relation.name ?? relation.source}' uses it; delete that first`
      : 'a foreign key uses it';
  return null;
}

export function lookup(service: ServiceModel, name: string): TableModel | undefined {
  return (
    service.tables.find((t) => t.name === name) ??
    service.tables.find((t) => t.name.toLowerCase() === name.toLowerCase())
  );
}

function uniqueNames(names: string[], table: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) throw invalid(`Field '${name}' appears twice in table '${table}'.`);
    seen.add(name.toLowerCase());
  }
}

function refuseMongo(service: ServiceModel): void {
  if (service.type === 'mongodb')
    throw new ApiError(
      'NOT_SUPPORTED',
      `Service '${service.name}' is MongoDB: collections are created by writing to them, not through _schema.`,
    );
}

function refuseView(table: TableModel): void {
  if (table.isView) throw invalid(`'${table.name}' is a view; views cannot be changed through _schema.`);
}

function text(ref: { service: string; table: string; fields: string[] }): string {
  return `${ref.service}.${ref.table}.${ref.fields.join('+')}`;
}

function conflict(message: string): ApiError {
  return new ApiError('SCHEMA_CONFLICT', message);
}

function invalid(message: string): ApiError {
  return new ApiError('BAD_REQUEST', message);
}
