// DreamFactory's `_schema` write bodies (table and field descriptions as §7.2 prints them, relationship objects
// as §9.1 declares them, legacy virtual foreign keys on fields as §9.2) → neutral drafts: names, simple types,
// lengths, nullability, defaults, keys. Only the shape is checked here; whether names and references fit the
// service is validate-change.ts's job.
import { ApiError } from '../../errors/index.js';
import {
  COLUMN_TYPES,
  REFERENTIAL_ACTIONS,
  type ColumnDef,
  type ColumnDefault,
  type ColumnType,
  type ReferentialAction,
} from '../../model/schema-change.js';

/** A column as the client described it; `ref` is resolved against the model later (and gives `refType`). */
export interface FieldDraft extends Omit<ColumnDef, 'refType'> {
  isPrimaryKey: boolean;
  ref: {
    table: string;
    field: string | null;
    onDelete: ReferentialAction | null;
    onUpdate: ReferentialAction | null;
  } | null;
}

export interface TableDraft {
  name: string;
  fields: FieldDraft[];
  primaryKey: string[] | null;
  related: RelationDraft[];
  /** Fields named only to declare a legacy virtual key (§9.2) on a column that exists: no DDL. */
  keyOnly: string[];
}

/** A relationship object (§9.1); only virtual ones can be declared over the API. */
export interface RelationDraft {
  type: 'belongs_to' | 'has_one' | 'has_many';
  field: string;
  /** 1-based position in the model's services (DF's id), or a service name; null: this service. */
  refService: number | string | null;
  refTable: string;
  refField: string;
}

/** Letters, digits and `_`, starting with a letter or `_`: safe on every database, quoted anyway. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '')
    throw invalid(`Invalid schema detected - no ${what} name given.`);
  if (!NAME.test(name))
    throw invalid(
      `Invalid ${what} name '${name}': use letters, digits and underscores (at most 63), starting with a letter or underscore.`,
    );
  return name;
}

/** `{"resource":[...]}`, a bare list, or (when `single`) one bare object → the list of items. */
export function itemsOf(body: unknown, what: string): Record<string, unknown>[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.resource)
      ? body.resource
      : isRecord(body) && Object.keys(body).length > 0
        ? [body]
        : null;
  if (!list || list.length === 0) throw invalid(`No data in ${what} request.`);
  return list.map((item, i) => {
    if (!isRecord(item)) throw invalid(`Invalid schema detected - item ${i + 1} is not an object.`);
    return item;
  });
}

/** A table description (`name` may come from the path instead). */
export function parseTable(item: Record<string, unknown>, pathName?: string): TableDraft {
  const name = checkName(pathName ?? item.name, 'table');
  const fieldList = item.field ?? item.fields;
  if (fieldList !== undefined && !Array.isArray(fieldList))
    throw invalid(`Invalid schema detected - 'field' of table '${name}' must be a list.`);
  const { fields, related: legacy, keyOnly } = tableOfFields(name, (fieldList ?? []) as unknown[]);
  const key = item.primary_key;
  let primaryKey: string[] | null = null;
  if (key !== undefined && key !== null) {
    const names = typeof key === 'string' ? key.split(',').map((k) => k.trim()) : key;
    if (!Array.isArray(names) || names.some((k) => typeof k !== 'string' || k === ''))
      throw invalid(`Invalid schema detected - 'primary_key' of table '${name}' must list field names.`);
    primaryKey = names as string[];
  }
  const relatedList = item.related ?? [];
  if (!Array.isArray(relatedList))
    throw invalid(`Invalid schema detected - 'related' of table '${name}' must be a list.`);
  const related = relatedList.map((r: unknown) => parseRelation(r));
  return { name, fields, primaryKey, related: [...related, ...legacy], keyOnly };
}

/**
 * Field descriptions of one table: their columns, and the virtual keys legacy fields declare (§9.2). A legacy
 * field without `type` only names a column (keyOnly); with one it is also created or changed like any field.
 */
export function tableOfFields(name: string, list: unknown[]): TableDraft {
  const draft: TableDraft = { name, fields: [], primaryKey: null, related: [], keyOnly: [] };
  for (const value of list) {
    const key = legacyKey(value, name);
    if (key && isRecord(value) && value.type === undefined) draft.keyOnly.push(key.field);
    else draft.fields.push(parseField(value, name));
    if (key) draft.related.push(key);
  }
  return draft;
}

/** `"is_virtual_foreign_key": true` on a field (DF 2.0–2.3) → the modern belongs_to relationship it means. */
function legacyKey(value: unknown, table: string): RelationDraft | null {
  if (!isRecord(value) || value.is_virtual_foreign_key !== true) return null;
  const name = checkName(value.name, 'field');
  const where = `field '${name}' of table '${table}'`;
  const refTable = value.ref_table;
  const refField = value.ref_field ?? value.ref_fields;
  if (typeof refTable !== 'string' || refTable === '' || typeof refField !== 'string' || refField === '')
    throw invalid(
      `Invalid schema detected - ${where} is a virtual foreign key: it needs 'ref_table' and 'ref_fields'.`,
    );
  // `is_foreign_ref_service: false` keeps the key in this service whatever a stale ref_service_id says.
  const foreign = value.is_foreign_ref_service !== false;
  return parseRelation({
    type: 'belongs_to',
    is_virtual: true,
    field: name,
    ref_service_id: foreign ? (value.ref_service_id ?? value.ref_service ?? null) : null,
    ref_table: refTable,
    ref_field: refField,
  });
}

export function parseField(value: unknown, table: string): FieldDraft {
  if (!isRecord(value))
    throw invalid(`Invalid schema detected - a field of table '${table}' is not an object.`);
  const name = checkName(value.name, 'field');
  const where = `field '${name}' of table '${table}'`;
  const type = value.type;
  if (typeof type !== 'string' || type === '')
    throw invalid(`Invalid schema detected - ${where} needs a 'type'.`);
  if (!(COLUMN_TYPES as readonly string[]).includes(type))
    throw invalid(
      `Invalid schema detected - ${where} has unknown type '${type}'. Known types: ${COLUMN_TYPES.join(', ')}.`,
    );
  const refTable = value.ref_table ?? null;
  const refField = value.ref_field ?? value.ref_fields ?? null;
  if (refTable !== null && typeof refTable !== 'string')
    throw invalid(`'ref_table' of ${where} must be a name.`);
  if (refField !== null && typeof refField !== 'string')
    throw invalid(`'ref_field' of ${where} must be a name.`);
  const virtual = value.is_virtual_foreign_key === true;
  if (virtual && type === 'reference')
    throw invalid(
      `Invalid schema detected - ${where} is a virtual foreign key: give its column type (e.g. integer or string), not 'reference'.`,
    );
  if (type === 'reference' && !refTable)
    throw invalid(`Invalid schema detected - ${where} is a reference but names no 'ref_table'.`);
  // A legacy virtual key's ref_* name the far end of a relationship (tableOfFields), not a database key.
  const wantsKey =
    !virtual &&
    (type === 'reference' || value.is_foreign_key === true || (refTable !== null && refTable !== ''));
  return {
    name,
    type: type as ColumnType,
    length: size(value.length, 'length', where),
    precision: size(value.precision, 'precision', where),
    scale: size(value.scale, 'scale', where, 0),
    // DF's default: a new column accepts null unless told otherwise (an id never does).
    allowNull: type !== 'id' && value.allow_null !== false && value.required !== true,
    default: parseDefault(value.default, where),
    isUnique: value.is_unique === true,
    isIndex: value.is_index === true,
    isPrimaryKey: type === 'id' || value.is_primary_key === true,
    ref:
      wantsKey && refTable
        ? {
            table: refTable,
            field: refField || null,
            onDelete: action(value.ref_on_delete, 'ref_on_delete', where),
            onUpdate: action(value.ref_on_update, 'ref_on_update', where),
          }
        : null,
  };
}

export function parseRelation(value: unknown): RelationDraft {
  if (!isRecord(value)) throw invalid('Invalid schema detected - a relationship is not an object.');
  const type = value.type;
  if (type === 'many_many')
    throw new ApiError(
      'NOT_SUPPORTED',
      'Virtual many_many relationships cannot be declared over the API; declare the two belongs_to keys of the junction table instead.',
    );
  if (type !== 'belongs_to' && type !== 'has_one' && type !== 'has_many')
    throw invalid('Invalid schema detected - invalid or missing type element.');
  if (value.is_virtual !== true)
    throw invalid(
      'Only virtual relationships ("is_virtual": true) can be added here; a real foreign key is a \'reference\' field.',
    );
  const text = (key: string): string => {
    const found = value[key];
    if (typeof found !== 'string' || found === '')
      throw invalid(`Invalid schema detected - the relationship needs '${key}'.`);
    if (found.includes(','))
      throw new ApiError(
        'NOT_SUPPORTED',
        'Virtual relationships over several fields cannot be declared over the API.',
      );
    return found;
  };
  const service = value.ref_service_id ?? value.ref_service ?? null;
  if (service !== null && typeof service !== 'number' && typeof service !== 'string')
    throw invalid("Invalid schema detected - 'ref_service_id' must be a service id.");
  return {
    type,
    field: text('field'),
    refService: service,
    refTable: text('ref_table'),
    refField: text('ref_field'),
  };
}

function parseDefault(value: unknown, where: string): ColumnDefault | null {
  if (value === undefined) return null;
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
    return { kind: 'value', value: value as string | number | boolean | null };
  const expression = isRecord(value) ? value.expression : undefined;
  if (typeof expression === 'string') {
    const upper = expression.trim().toUpperCase().replace(/\(\)$/, '');
    const known = upper === 'NOW' ? 'CURRENT_TIMESTAMP' : upper;
    if (known === 'CURRENT_TIMESTAMP' || known === 'CURRENT_DATE' || known === 'CURRENT_TIME')
      return { kind: 'expression', expression: known };
  }
  throw invalid(
    `Invalid default of ${where}: give a value, or {"expression": "CURRENT_TIMESTAMP"} (also CURRENT_DATE, CURRENT_TIME).`,
  );
}

function size(value: unknown, key: string, where: string, min = 1): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > 65_535)
    throw invalid(`Invalid '${key}' of ${where}: expected a whole number from ${min} to 65535.`);
  return number;
}

function action(value: unknown, key: string, where: string): ReferentialAction | null {
  if (value === undefined || value === null || value === '') return null;
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!(REFERENTIAL_ACTIONS as readonly string[]).includes(upper))
    throw invalid(`Invalid '${key}' of ${where}: expected one of ${REFERENTIAL_ACTIONS.join(', ')}.`);
  return upper as ReferentialAction;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(message: string): ApiError {
  return new ApiError('BAD_REQUEST', message);
}
