// TableModel / FieldModel / RelationModel → DreamFactory's `_schema` description objects (compat §7.2, §9.1),
// with DF's key order. Two forms: `schema` (as `GET /_schema/{table}` sends it, with `alias` keys) and `alias`
// (the `include_schema` meta form: no `alias` keys, names replaced by aliases — we have none yet).
import { dfLabel } from '../../model/df-names.js';
import type { ModelIndex } from '../../model/model-index.js';
import { parseDbType } from '../../model/simple-types.js';
import type { FieldModel, RelationModel, ServiceModel, TableModel } from '../../model/types.js';

export type DescribeForm = 'schema' | 'alias';

const FIXED_LENGTH_TYPES = new Set(['char', 'nchar', 'character', 'bpchar', 'binary']);

/** The bare object of `GET /_schema/{table}`; `access` is the numeric verb mask (31 = all CRUD). */
/** The keys every table description starts with (`_schema/{t}` and the `_table?fields=*` summaries). */
export function tableHead(table: TableModel): Record<string, unknown> {
  return {
    name: table.name,
    label: table.label,
    description: table.description,
    native: [],
    plural: table.plural,
    is_view: table.isView,
  };
}

export function describeTable(
  index: ModelIndex,
  service: ServiceModel,
  table: TableModel,
  access: number,
  form: DescribeForm = 'schema',
): Record<string, unknown> {
  return withAlias(form, {
    ...tableHead(table),
    primary_key: table.primaryKey,
    name_field: null,
    field: table.fields.map((field) => describeField(field, form)),
    related: table.relations
      .filter((relation) => relation.name !== null)
      .map((relation) => describeRelation(index, relation, form)),
    constraints: describeConstraints(service, table),
    access,
  });
}

/**
 * The `include_schema` meta form (§7.2 last bullet): no `alias` keys; `access` is the caller's verb mask on
 * the table (src/rest/access.ts accessFor: the role's verbs, GET only on views).
 */
export function describeTableAlias(
  index: ModelIndex,
  service: ServiceModel,
  table: TableModel,
  access: number,
): Record<string, unknown> {
  return describeTable(index, service, table, access, 'alias');
}

export function describeField(field: FieldModel, form: DescribeForm = 'schema'): Record<string, unknown> {
  return withAlias(form, {
    name: field.name,
    label: field.label,
    description: field.description,
    native: [],
    type: field.type,
    db_type: field.dbType,
    length: field.length,
    precision: field.precision,
    scale: field.scale,
    default: field.default,
    required: field.required,
    allow_null: field.allowNull,
    fixed_length: FIXED_LENGTH_TYPES.has(parseDbType(field.dbType).base),
    supports_multibyte: field.type === 'string' || field.type === 'text',
    auto_increment: field.autoIncrement,
    is_primary_key: field.isPrimaryKey,
    is_unique: field.isUnique,
    is_index: field.isIndex,
    is_foreign_key: field.isForeignKey,
    ref_table: field.refTable,
    ref_field: field.refField,
    ref_on_update: null,
    ref_on_delete: null,
    picklist: null,
    validation: null,
    db_function: null,
    is_virtual: false,
    is_aggregate: false,
  });
}

/** A relation DF exposes (non-null `name`); service ids are 1-based positions in the model's service list. */
export function describeRelation(
  index: ModelIndex,
  relation: RelationModel,
  form: DescribeForm = 'schema',
): Record<string, unknown> {
  const name = relation.name ?? '';
  const junction = relation.junction;
  return withAlias(form, {
    name,
    label: dfLabel(name),
    description: null,
    native: [],
    type: relation.type,
    field: relation.fields.join(','),
    is_virtual: relation.kind === 'virtual',
    ref_service_id: serviceId(index, relation.refService),
    ref_table: relation.refTable,
    ref_field: relation.refFields.join(','),
    ref_on_update: relation.onUpdate,
    ref_on_delete: relation.onDelete,
    junction_service_id: junction ? serviceId(index, junction.service) : null,
    junction_table: junction?.table ?? null,
    junction_field: junction ? junction.fields.join(',') : null,
    junction_ref_field: junction ? junction.refFields.join(',') : null,
    always_fetch: false,
    flatten: false,
    flatten_drop_prefix: false,
  });
}

/** DF's numeric service id; ours is the service's 1-based position in the model (null when unknown). */
export function serviceId(index: ModelIndex, service: string): number | null {
  const position = index.model.services.findIndex((s) => s.name === service);
  return position < 0 ? null : position + 1;
}

/** Foreign keys (from the constraint relations) then the primary key as `primary`, keyed lower-cased. */
function describeConstraints(service: ServiceModel, table: TableModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const relation of table.relations) {
    if (relation.kind !== 'constraint' || relation.type !== 'belongs_to') continue;
    const key = relation.source.toLowerCase();
    if (key in out) continue;
    out[key] = {
      constraint_type: 'FOREIGN KEY',
      table_name: table.name,
      column_name: columns(relation.fields),
      referenced_table_name:
        relation.refService === service.name
          ? relation.refTable
          : `${relation.refService}.${relation.refTable}`,
      referenced_column_name: columns(relation.refFields),
      update_rule: relation.onUpdate,
      delete_rule: relation.onDelete,
    };
  }
  if (table.primaryKey.length > 0 && !('primary' in out)) {
    out.primary = {
      constraint_type: 'PRIMARY KEY',
      table_name: table.name,
      column_name: columns(table.primaryKey),
      referenced_table_name: null,
      referenced_column_name: null,
      update_rule: null,
      delete_rule: null,
    };
  }
  return out;
}

/** DF lists one column as a string and a composite key's columns as an array. */
function columns(names: string[]): string | string[] {
  return names.length === 1 ? (names[0] as string) : names;
}

function withAlias(form: DescribeForm, body: Record<string, unknown>): Record<string, unknown> {
  return form === 'schema' ? { alias: null, ...body } : body;
}
