// One body record → column values and nested relation data (compat §5.3, §5.4, §8.6): keys naming a relation
// (case-insensitively) are nested writes, known columns are values, unknown keys are ignored; DF's item
// errors for missing or null required fields and missing ids, with its messages.
import { ApiError } from '../../errors/index.js';
import type { Row } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import type { FieldModel, RelationModel } from '../../model/types.js';
import { findField } from './read-params.js';

export interface RecordParts {
  values: Row;
  nested: { relation: RelationModel; value: unknown }[];
}

export function recordParts(entry: TableEntry, record: unknown): RecordParts {
  if (!record || typeof record !== 'object' || Array.isArray(record))
    throw itemError('Invalid record: expected a JSON object.');
  const parts: RecordParts = { values: {}, nested: [] };
  const document = entry.service.type === 'mongodb';
  for (const [key, value] of Object.entries(record as Row)) {
    // MongoDB would read such a key as an operator or a path (security.md T5): refused, not ignored.
    if (document && (key.startsWith('$') || key.includes('.')))
      throw itemError(`Invalid field name '${key}': field names may not start with '$' or contain '.'.`);
    const relation = entry.relationsByName.get(key.toLowerCase());
    if (relation) {
      parts.nested.push({ relation, value });
      continue;
    }
    const field = findField(entry, key);
    if (!field) continue; // unknown columns are silently ignored (§5.3)
    parts.values[field.name] = columnValue(field, value, document);
  }
  return parts;
}

const INTEGER_TYPES = new Set(['id', 'reference', 'integer', 'bigint']);
const NUMBER_TYPES = new Set(['decimal', 'double', 'float', 'money']);
const INTEGER_TEXT = /^\s*[-+]?\d+\s*$/;
const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** `document`: the service stores JSON values as they are (MongoDB), not as JSON text. */
function columnValue(field: FieldModel, value: unknown, document: boolean): unknown {
  if (value === null) return value;
  if (typeof value === 'object' && !Array.isArray(value) && 'expression' in value) {
    // DF inserts {"expression": …} as raw SQL; Junction never runs client SQL (compat Q21).
    throw itemError(`Expression values are not supported (field '${field.name}').`);
  }
  // SQLite would store any text in a numeric column: a value that is not a number is refused for every database.
  if (INTEGER_TYPES.has(field.type)) {
    const ok =
      typeof value === 'number'
        ? Number.isInteger(value)
        : typeof value === 'string' && INTEGER_TEXT.test(value);
    if (!ok) throw itemError(`Field '${field.name}' must be a valid integer.`);
  } else if (NUMBER_TYPES.has(field.type)) {
    const ok =
      typeof value === 'number'
        ? Number.isFinite(value)
        : typeof value === 'string' && NUMBER_TEXT.test(value);
    if (!ok) throw itemError(`Field '${field.name}' must be a valid number.`);
  }
  if (typeof value !== 'object') return value;
  if (field.type === 'json' || field.type === 'array') return document ? value : JSON.stringify(value);
  throw itemError(`Invalid value for field '${field.name}'.`);
}

/** Checks of a record to create, after belongs_to nested writes have filled their foreign keys. */
export function checkCreate(entry: TableEntry, values: Row, index: number, record: unknown): void {
  if (Object.keys(values).length === 0) throw itemError('No valid fields were found in record.');
  for (const field of entry.table.fields) {
    if (field.readOnly) continue;
    const value = values[field.name];
    if (
      field.isPrimaryKey &&
      !field.autoIncrement &&
      (value === undefined || value === null) &&
      field.default === null
    ) {
      throw itemError(`Required id field(s) not found in record ${index}: ${printR(record)}`);
    }
    if (value === undefined && field.required)
      throw itemError(`Required field '${field.name.toLowerCase()}' can not be NULL.`);
    if (value === null && !field.allowNull && !field.autoIncrement)
      throw itemError(`Field '${field.name.toLowerCase()}' can not be NULL.`);
  }
}

/** The id of a record to update or delete: every id field must be present (case-sensitive, §5.4). */
export function recordId(idFields: FieldModel[], record: unknown, index: number): Row {
  const row = (record ?? {}) as Row;
  const id: Row = {};
  for (const field of idFields) {
    if (row[field.name] === undefined || row[field.name] === null) {
      throw itemError(`Required id field(s) not found in record ${index}: ${printR(record)}`);
    }
    id[field.name] = row[field.name];
  }
  return id;
}

export function itemError(message: string, status: 400 | 404 = 400): ApiError {
  return new ApiError(status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message);
}

/** PHP's print_r of a flat record, as DF puts it in its "id field(s) not found" message. */
function printR(record: unknown): string {
  const entries = record && typeof record === 'object' ? Object.entries(record as Row) : [];
  const lines = entries.map(
    ([k, v]) => `    [${k}] => ${v === null ? '' : typeof v === 'object' ? 'Array' : String(v)}`,
  );
  return `Array\n(\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''})\n`;
}
