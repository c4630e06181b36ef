// Config virtualForeignKeys + the services' tables → extra `virtual` relations on both ends (belongs_to on
// the referencing table, has_many or has_one on the referenced one), tagged crossService when the two ends
// live in different databases. Every reference and type is checked; problems are collected, not thrown.
import type { FieldRef, VirtualForeignKeyConfig } from '../config/types.js';
import { ApiError } from '../errors/index.js';
import { isKeyOf } from './relations.js';
import { typeFamily } from './simple-types.js';
import type { FieldModel, RelationModel, ServiceModel, TableModel } from './types.js';

export function addVirtualKeys(
  services: ServiceModel[],
  keys: VirtualForeignKeyConfig[],
  problems: ApiError[],
  warnings: string[],
): void {
  keys.forEach((key, index) => {
    const path = `virtualForeignKeys[${index}]`;
    const from = resolve(services, key.from, `${path}.from`, problems);
    const to = resolve(services, key.to, `${path}.to`, problems);
    if (!from || !to) return;
    if (key.from.fields.length !== key.to.fields.length) {
      problems.push(new ApiError('MODEL_INVALID', 'from and to name different numbers of fields', { path }));
      return;
    }
    const mismatch = from.fields.findIndex(
      (f, i) => typeFamily(f.type) !== typeFamily(to.fields[i]?.type ?? f.type),
    );
    if (mismatch >= 0) {
      const a = from.fields[mismatch] as FieldModel;
      const b = to.fields[mismatch] as FieldModel;
      problems.push(
        new ApiError(
          'MODEL_INVALID',
          `type mismatch: ${describe(key.from, a)} is ${a.type} (${a.dbType}) but ${describe(key.to, b)} is ${b.type} (${b.dbType})`,
          { path },
        ),
      );
      return;
    }
    if (duplicatesConstraint(from.table, key)) {
      warnings.push(
        `${path}: ${refText(key.from)} → ${refText(key.to)} is already a foreign key constraint; ignored`,
      );
      return;
    }
    const crossService = key.from.service !== key.to.service;
    const source = virtualKeySource(key);
    const common = {
      name: null,
      graphqlName: null,
      kind: 'virtual' as const,
      crossService,
      junction: null,
      onUpdate: null,
      onDelete: null,
      source,
    };
    from.table.relations.push({
      ...common,
      type: 'belongs_to',
      fields: key.from.fields,
      refService: key.to.service,
      refTable: key.to.table,
      refFields: key.to.fields,
    } satisfies RelationModel);
    to.table.relations.push({
      ...common,
      type: isKeyOf(keyView(from.table), key.from.fields) ? 'has_one' : 'has_many',
      fields: key.to.fields,
      refService: key.from.service,
      refTable: key.from.table,
      refFields: key.from.fields,
    } satisfies RelationModel);
  });
}

interface Resolved {
  table: TableModel;
  fields: FieldModel[];
}

function resolve(
  services: ServiceModel[],
  ref: FieldRef,
  path: string,
  problems: ApiError[],
): Resolved | null {
  const service = services.find((s) => s.name === ref.service);
  if (!service) {
    problems.push(new ApiError('MODEL_INVALID', `unknown service '${ref.service}'`, { path }));
    return null;
  }
  const table = service.tables.find((t) => t.name === ref.table);
  if (!table) {
    problems.push(
      new ApiError(
        'MODEL_INVALID',
        `table '${ref.table}' not found in service '${ref.service}'${hint(
          ref.table,
          service.tables.map((t) => t.name),
        )}`,
        { path },
      ),
    );
    return null;
  }
  const fields: FieldModel[] = [];
  for (const name of ref.fields) {
    const field = table.fields.find((f) => f.name === name);
    if (!field) {
      problems.push(
        new ApiError(
          'MODEL_INVALID',
          `field '${name}' not found in ${ref.service}.${ref.table}${hint(
            name,
            table.fields.map((f) => f.name),
          )}`,
          { path },
        ),
      );
      return null;
    }
    fields.push(field);
  }
  return { table, fields };
}

/** `did you mean 'Track'?` when only case or separators differ, or one name starts the other. */
function hint(wanted: string, names: string[]): string {
  const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const key = squash(wanted);
  const close = names.find((n) => squash(n) === key) ?? names.find((n) => squash(n).startsWith(key));
  return close ? ` (did you mean '${close}'?)` : '';
}

function duplicatesConstraint(table: TableModel, key: VirtualForeignKeyConfig): boolean {
  return table.relations.some(
    (r) =>
      r.type === 'belongs_to' &&
      r.kind === 'constraint' &&
      key.from.service === key.to.service &&
      r.refTable === key.to.table &&
      r.fields.join() === key.from.fields.join() &&
      r.refFields.join() === key.to.fields.join(),
  );
}

function keyView(table: TableModel) {
  return { primaryKey: table.primaryKey, uniqueKeys: table.uniqueKeys.map((columns) => ({ columns })) };
}

/** The `source` tag of the two relations a virtual key produces (how `_schema` finds the key to remove). */
export function virtualKeySource(key: VirtualForeignKeyConfig): string {
  return `virtual:${refText(key.from)}->${refText(key.to)}`;
}

function refText(ref: FieldRef): string {
  return `${ref.service}.${ref.table}.${ref.fields.join('+')}`;
}

function describe(ref: FieldRef, field: FieldModel): string {
  return `${ref.service}.${ref.table}.${field.name}`;
}
