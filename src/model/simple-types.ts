// Database type text → DreamFactory simple type (dreamfactory-compat.md §7.3). Dialect-agnostic on purpose:
// the table in §7.3 is written in terms of substrings, and every dialect's type names fit it.
import type { SimpleType } from './types.js';

const INTEGER_TYPES = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'serial',
  'smallserial',
  'int2',
  'int4',
  'serial4',
]);
const BIGINT_TYPES = new Set(['bigint', 'bigserial', 'serial8', 'int8', 'varint']);
const DECIMAL_TYPES = new Set(['decimal', 'numeric', 'percent']);
const ARRAY_TYPES = new Set(['array', 'map', 'set', 'list', 'tuple']);

interface ParsedType {
  /** Lower-cased, parameters and modifiers like `unsigned` removed: `int(11) unsigned` → `int`. */
  base: string;
  /** The first numeric parameter, when there is one: `tinyint(1)` → 1. */
  size: number | null;
  isArray: boolean;
}

export function parseDbType(dbType: string): ParsedType {
  const lower = dbType.trim().toLowerCase();
  const isArray = lower.endsWith('[]') || lower.startsWith('_');
  const params = /\(([^)]*)\)/.exec(lower);
  const firstParam = params?.[1]?.split(',')[0]?.trim() ?? '';
  const size = /^-?\d+$/.test(firstParam) ? Number(firstParam) : firstParam === 'max' ? -1 : null;
  const base = lower
    .replace(/\([^)]*\)/g, '')
    .replace(/\[\]$/, '')
    .replace(/\b(unsigned|signed|zerofill)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { base, size, isArray };
}

export function simpleTypeOf(dbType: string): SimpleType {
  const { base, size, isArray } = parseDbType(dbType);
  if (isArray || ARRAY_TYPES.has(base)) return 'array';
  if (base.includes('bool') || base === 'bit' || (size === 1 && (base === 'tinyint' || base === 'int'))) {
    return 'boolean';
  }
  if (INTEGER_TYPES.has(base)) return 'integer';
  if (BIGINT_TYPES.has(base)) return 'bigint';
  if (DECIMAL_TYPES.has(base)) return 'decimal';
  if (base.includes('double') || base === 'float8' || (base === 'float' && size !== null && size > 24)) {
    return 'double';
  }
  if (base === 'real' || base.includes('float')) return 'float';
  if (base.includes('money')) return 'money';
  if (base.includes('timestamp') || base === 'datetimeoffset') return 'timestamp';
  if (base.includes('datetime')) return 'datetime';
  if (base === 'date') return 'date';
  if (base.includes('time')) return 'time';
  if (base.includes('binary') || base.includes('blob') || base === 'bytea') return 'binary';
  if (base.includes('text') || base.includes('clob') || size === -1) return 'text';
  if (base === 'uuid') return 'uuid';
  if (base === 'json' || base === 'jsonb') return 'json';
  return 'string';
}

/** MongoDB's BSON type names (as introspect/mongodb records them) → simple types. */
const MONGO_TYPES: Record<string, SimpleType> = {
  objectid: 'string',
  string: 'string',
  int: 'integer',
  long: 'bigint',
  double: 'double',
  decimal: 'decimal',
  bool: 'boolean',
  date: 'timestamp',
  bindata: 'binary',
  object: 'json',
  array: 'json',
  mixed: 'json',
};

export function mongoSimpleType(dbType: string): SimpleType {
  return MONGO_TYPES[dbType] ?? 'json';
}

/** Types whose values can be compared across the two ends of a virtual foreign key. */
export function typeFamily(type: SimpleType): string {
  switch (type) {
    case 'id':
    case 'reference':
    case 'integer':
    case 'bigint':
      return 'integer';
    case 'decimal':
    case 'double':
    case 'float':
    case 'money':
      return 'number';
    case 'string':
    case 'text':
    case 'uuid':
      return 'string';
    case 'timestamp':
    case 'timestamp_on_create':
    case 'timestamp_on_update':
    case 'datetime':
      return 'datetime';
    default:
      return type;
  }
}
