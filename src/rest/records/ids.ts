// Record identifiers (compat §1.2, §3): which columns identify a record (`id_field` or the primary key), and
// client id text typecast to those columns' types, as DreamFactory does before it queries.
import { ApiError } from '../../errors/index.js';
import type { Expr, Scalar } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import type { FieldModel } from '../../model/types.js';
import type { Params } from '../params.js';
import { findField, splitList } from './read-params.js';

const INTEGER_TYPES = new Set(['id', 'reference', 'integer', 'bigint']);

export function idFields(entry: TableEntry, params: Params): FieldModel[] {
  const named = params.string('id_field');
  if (named !== undefined && named.trim() !== '') {
    const fields = splitList(named).map((name) => findField(entry, name));
    if (fields.some((f) => !f)) {
      throw new ApiError(
        'REQUEST_FAILED',
        `Failed to retrieve records from '${entry.table.name}'.\nIdentifying field(s) could not be determined.`,
      );
    }
    return fields as FieldModel[];
  }
  const key = entry.table.primaryKey.map((column) => entry.fields.get(column) as FieldModel);
  if (key.length === 0) {
    throw new ApiError(
      'REQUEST_FAILED',
      `Failed to retrieve records from '${entry.table.name}'.\nIdentifying field(s) could not be determined.`,
    );
  }
  return key;
}

/** Text from a URL or body → a value of the field's type; a non-number for an integer key is a 400. */
export function typedId(field: FieldModel, value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(field.type)) {
    const text = String(value).trim();
    if (!/^[-+]?\d+$/.test(text))
      throw new ApiError('BAD_REQUEST', `Field '${field.name}' must be a valid integer.`);
    return field.type === 'bigint' ? text : Number(text);
  }
  return typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
}

/**
 * One identifier → a filter. A single value on a composite key applies to every key column (compat Q23);
 * an object names each column.
 */
export function idFilter(fields: FieldModel[], id: unknown): Expr {
  const items: Expr[] = fields.map((field) => {
    const raw = id !== null && typeof id === 'object' ? (id as Record<string, unknown>)[field.name] : id;
    return { kind: 'compare', field: field.name, op: 'eq', value: typedId(field, raw) };
  });
  return items.length === 1 ? (items[0] as Expr) : { kind: 'and', items };
}

/** `ids` from the URL (comma list) or the body (array). */
export function idList(params: Params): unknown[] | undefined {
  const raw = params.raw('ids');
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) return raw;
  return splitList(String(raw));
}

export function idText(fields: FieldModel[], id: unknown): string {
  if (id !== null && typeof id === 'object')
    return fields.map((f) => String((id as Record<string, unknown>)[f.name])).join(',');
  return String(id);
}
