// Values in and out of a routine call (compat §11.2–11.3): a client's argument → the bound value of its
// parameter's type (anything that does not fit is a 400 here, never a database error); driver values → JSON;
// OUT values and scalar results → their simple type; DreamFactory's `returns` / `schema` conversions.
import { ApiError } from '../../errors/index.js';
import type { ParamModel, SimpleType } from '../../model/types.js';
import { parseDbType } from '../../model/simple-types.js';

/** Where an argument came from: JSON keeps its types; inline and URL values are always text. */
export type ArgumentOrigin = 'json' | 'text';

const INT_BITS: Record<string, number> = {
  tinyint: 8,
  smallint: 16,
  int2: 16,
  smallserial: 16,
  mediumint: 24,
  int: 32,
  integer: 32,
  int4: 32,
  serial: 32,
  serial4: 32,
};

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const TIME_TEXT = /^\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?(\s?([+-]\d{2}(:?\d{2})?|Z))?$/i;
const DATETIME_TEXT =
  /^(\d{4}-\d{2}-\d{2})([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(\s?([+-]\d{2}(:?\d{2})?|Z))?$/i;
const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TRUE_TEXT = new Set(['true', '1', 't', 'yes', 'y', 'on']);
const FALSE_TEXT = new Set(['false', '0', 'f', 'no', 'n', 'off']);

/**
 * A client's value for an IN/INOUT parameter → the value bound for it: numbers for integer and float types
 * (integers beyond 2^53 and decimals as their exact text), booleans, validated date/time/uuid text, JSON text,
 * strings within the parameter's length. null stays null; inline/URL text `null` or empty is null for every
 * type but the string ones. Anything else is a 400 naming the parameter.
 */
export function castArgument(param: ParamModel, value: unknown, origin: ArgumentOrigin): unknown {
  if (value === null || value === undefined) return null;
  const label = param.name !== '' ? param.name : `$${param.position}`;
  const bad = (what: string) => new ApiError('BAD_REQUEST', `Parameter '${label}' must be ${what}.`);
  if (typeof value === 'string' && value.includes('\u0000'))
    throw new ApiError('BAD_REQUEST', `Parameter '${label}' must not contain a NUL character.`);
  if (typeof value === 'string' && origin === 'text' && !isStringType(param.type)) {
    const text = value.trim().toLowerCase();
    if (text === '' || text === 'null') return null;
  }
  switch (param.type) {
    case 'id':
    case 'reference':
    case 'integer':
    case 'bigint':
      return integerArgument(param, value, bad);
    case 'decimal':
    case 'money':
    case 'float':
    case 'double': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value !== 'string' || !NUMBER_TEXT.test(value.trim())) throw bad('a valid number');
      const text = value.trim();
      return param.type === 'float' || param.type === 'double' ? Number(text) : text;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      const text = typeof value === 'string' ? value.trim().toLowerCase() : null;
      if (text !== null && TRUE_TEXT.has(text)) return true;
      if (text !== null && FALSE_TEXT.has(text)) return false;
      throw bad('a valid boolean');
    }
    case 'date':
      return checkedText(value, (t) => DATE_TEXT.test(t) && validDate(t), bad('a valid date (YYYY-MM-DD)'));
    case 'time':
      return checkedText(value, (t) => TIME_TEXT.test(t), bad('a valid time (HH:MM[:SS])'));
    case 'datetime':
    case 'timestamp':
    case 'timestamp_on_create':
    case 'timestamp_on_update':
      return checkedText(
        value,
        (t) => {
          const match = DATETIME_TEXT.exec(t);
          return match !== null && validDate(match[1] as string);
        },
        bad('a valid date and time (YYYY-MM-DD HH:MM:SS)'),
      );
    case 'uuid':
      return checkedText(value, (t) => UUID_TEXT.test(t), bad('a valid UUID'));
    case 'json':
      if (typeof value !== 'string') return JSON.stringify(value);
      try {
        JSON.parse(value);
      } catch {
        throw bad('valid JSON');
      }
      return value;
    case 'array':
      if (Array.isArray(value) || typeof value === 'string') return value;
      throw bad('an array');
    default: {
      // string, text, binary and types we know nothing more about: text.
      if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
      if (typeof value !== 'string') throw bad('a string');
      if (param.length !== null && param.length > 0 && [...value].length > param.length)
        throw new ApiError(
          'BAD_REQUEST',
          `Parameter '${label}' must be at most ${param.length} characters long.`,
        );
      return value;
    }
  }
}

function isStringType(type: SimpleType): boolean {
  return type === 'string' || type === 'text' || type === 'binary';
}

function integerArgument(param: ParamModel, value: unknown, bad: (what: string) => ApiError): unknown {
  let big: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) big = BigInt(value.trim());
  else throw bad('a valid integer');
  const { base } = parseDbType(param.dbType);
  const unsigned = /\bunsigned\b/i.test(param.dbType);
  const bits = INT_BITS[base] ?? 64;
  const min = unsigned ? 0n : -(2n ** BigInt(bits - 1));
  const max = unsigned ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - 1n;
  if (big < min || big > max) throw bad(`an integer between ${min} and ${max}`);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big.toString();
}

function checkedText(value: unknown, ok: (text: string) => boolean, error: ApiError): string {
  if (typeof value !== 'string' || !ok(value.trim())) throw error;
  return value.trim();
}

function validDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A driver value as JSON can carry it: binary as base64, bigint as text, a Date as `YYYY-MM-DD HH:MM:SS`. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '');
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setKey(out, key, jsonSafe(item));
    return out;
  }
  return value;
}

/** `out[key] = value` that stays an own property even for keys like `__proto__` (column names, wrappers). */
export function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A value → its simple type as DreamFactory sends it (OUT values, scalar function results): numbers for the
 * integer and decimal types (integers beyond 2^53 stay text), booleans, everything else as JSON-safe text.
 */
export function toClient(value: unknown, type: SimpleType | null): unknown {
  const safe = jsonSafe(value);
  if (safe === null || type === null) return safe;
  switch (type) {
    case 'id':
    case 'reference':
    case 'integer':
    case 'bigint': {
      if (typeof safe === 'string' && INTEGER_TEXT.test(safe.trim())) {
        const n = Number(safe);
        return Number.isSafeInteger(n) ? n : safe.trim();
      }
      return typeof safe === 'boolean' ? Number(safe) : numberOr(safe);
    }
    case 'decimal':
    case 'money':
    case 'float':
    case 'double':
      return typeof safe === 'boolean' ? Number(safe) : numberOr(safe);
    case 'boolean':
      if (typeof safe === 'boolean') return safe;
      if (typeof safe === 'number') return safe !== 0;
      if (typeof safe === 'string') return TRUE_TEXT.has(safe.trim().toLowerCase());
      return safe;
    default:
      return safe;
  }
}

function numberOr(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) return Number(value);
  return value;
}

/**
 * DreamFactory's DataFormatter::formatValue for `returns=` and `schema` types: `int|integer` → integer,
 * `decimal|double|float` → number, `bool|boolean` → boolean, `string` → text, `json` → the parsed value,
 * date and time types and unknown types → unchanged. null stays null (PHP would make 0, false or "").
 */
export function formatValue(value: unknown, type: string): unknown {
  const safe = jsonSafe(value);
  if (safe === null) return null;
  switch (type.trim().toLowerCase()) {
    case 'int':
    case 'integer': {
      const n = phpNumber(safe);
      return Number.isFinite(n) ? Math.trunc(n) : 0;
    }
    case 'decimal':
    case 'double':
    case 'float': {
      const n = phpNumber(safe);
      return Number.isFinite(n) ? n : 0;
    }
    case 'bool':
    case 'boolean':
      if (typeof safe === 'boolean') return safe;
      if (typeof safe === 'number') return safe !== 0;
      if (typeof safe === 'string') return ['1', 'true', 'on', 'yes'].includes(safe.trim().toLowerCase());
      return true;
    case 'string':
      return typeof safe === 'object' ? JSON.stringify(safe) : String(safe);
    case 'json':
      if (typeof safe !== 'string') return safe;
      try {
        return JSON.parse(safe) as unknown;
      } catch {
        return null;
      }
    default:
      return safe;
  }
}

/** PHP's intval/floatval reading: booleans are 1/0, text is read up to its first non-numeric character. */
function phpNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const match = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(value);
    return match ? Number(match[0]) : 0;
  }
  return Array.isArray(value) ? (value.length > 0 ? 1 : 0) : 1;
}
