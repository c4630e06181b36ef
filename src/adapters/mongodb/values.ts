// Values across the MongoDB boundary. In: IR scalars and JSON bodies → BSON by the field's inferred type
// (a 24-hex string for an ObjectId field becomes an ObjectId, a date string for a date field a Date, …).
// Out: BSON → what the SQL adapters hand the executor (ObjectId as its hex string, Decimal128 and big Longs
// as strings, top-level Dates as Date, nested ones as ISO text), so both APIs format Mongo rows like SQL rows.
import { Binary, Decimal128, Double, Long, ObjectId } from 'mongodb';
import { ApiError } from '../../errors/index.js';
import type { Row } from '../../ir/types.js';

/** The BSON type names introspection records as a field's dbType (lower-cased, as RawColumn asks). */
export type MongoType =
  | 'objectid'
  | 'string'
  | 'int'
  | 'long'
  | 'double'
  | 'decimal'
  | 'bool'
  | 'date'
  | 'object'
  | 'array'
  | 'bindata'
  | 'mixed';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const INTEGER_TEXT = /^-?\d{1,20}$/;

/** A client-given scalar → the BSON value a field of `type` stores; values that do not fit stay as given. */
export function toBson(value: unknown, type: string | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'objectid':
      return typeof value === 'string' && OBJECT_ID.test(value) ? ObjectId.createFromHexString(value) : value;
    case 'date':
      return typeof value === 'string' && DATE_TEXT.test(value) ? parseDate(value) : value;
    case 'decimal':
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string'
        ? decimal(String(value))
        : value;
    case 'long':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return Long.fromNumber(value);
      return typeof value === 'string' && INTEGER_TEXT.test(value) ? Long.fromString(value) : value;
    case 'double':
      // The driver writes a whole JS number as Int32; a double field keeps its type.
      return typeof value === 'number' ? new Double(value) : value;
    case 'bindata':
      return typeof value === 'string' ? new Binary(Buffer.from(value, 'base64')) : value;
    default:
      // object, array, mixed and the plain scalar types: JSON as given, its keys checked.
      return safeDocumentValue(value);
  }
}

/** For filters: a value that may be stored either way matches both (`_id` "abc…" or ObjectId("abc…")). */
export function filterValues(value: unknown, type: string | undefined): unknown[] {
  const converted = toBson(value, type);
  if (type === 'mixed' && typeof value === 'string' && OBJECT_ID.test(value)) {
    return [value, ObjectId.createFromHexString(value)];
  }
  return [converted];
}

function parseDate(text: string): Date | string {
  // Text without a zone is UTC, the way dates come back out (toISOString).
  const iso = text.replace(' ', 'T');
  const zoned = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) || iso.length === 10 ? iso : `${iso}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? text : date;
}

function decimal(text: string): Decimal128 | string {
  try {
    return Decimal128.fromString(text);
  } catch {
    return text;
  }
}

/**
 * Embedded documents from a request: plain JSON only, with no key that MongoDB would read as an operator or a
 * path (`$…`, `a.b`) — the operator-injection rule (security.md T5) applied at every depth.
 */
export function safeDocumentValue(value: unknown, depth = 0): unknown {
  if (depth > 100) throw new ApiError('BAD_REQUEST', 'The value is nested too deeply.');
  if (Array.isArray(value)) return value.map((item) => safeDocumentValue(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const out: Row = {};
  for (const [key, item] of Object.entries(value)) {
    assertSafeKey(key);
    out[key] = safeDocumentValue(item, depth + 1);
  }
  return out;
}

export function assertSafeKey(key: string): void {
  // `__proto__` would set an object's prototype instead of a field when a document is copied.
  if (key.startsWith('$') || key.includes('.') || key.includes('\0') || key === '' || key === '__proto__') {
    throw new ApiError(
      'BAD_REQUEST',
      `Invalid field name ${JSON.stringify(key)}: MongoDB field names may not start with '$', contain '.' or be __proto__.`,
    );
  }
}

/** A document's top-level value → the executor's form. */
export function fromBson(value: unknown): unknown {
  if (value instanceof Date) return value;
  if (value instanceof Binary) return Buffer.from(value.buffer);
  return nested(value);
}

/** Inside embedded documents everything becomes JSON: dates as ISO text, binary as base64. */
function nested(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(nested);
  if (value instanceof Date) return value.toISOString();
  const bsonType = (value as { _bsontype?: string })._bsontype;
  switch (bsonType) {
    case 'ObjectId':
      return (value as ObjectId).toHexString();
    case 'Decimal128':
      return (value as Decimal128).toString();
    case 'Long': {
      const long = value as Long;
      return long.lessThanOrEqual(Long.fromNumber(Number.MAX_SAFE_INTEGER)) &&
        long.greaterThanOrEqual(Long.fromNumber(Number.MIN_SAFE_INTEGER))
        ? long.toNumber()
        : long.toString();
    }
    case 'Double':
    case 'Int32':
      return (value as { valueOf(): number }).valueOf();
    case 'Binary':
      return Buffer.from((value as Binary).buffer).toString('base64');
    case undefined:
      break;
    default:
      return String(value);
  }
  if (Buffer.isBuffer(value)) return value.toString('base64');
  const out: Row = {};
  // Defined, not assigned: a stored `__proto__` key stays a plain field of the copy.
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: nested(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
