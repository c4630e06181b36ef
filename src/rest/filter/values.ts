// Value text from a filter + its column → the bound value (compat §4.1 "Scalar value rule"): `{lookup}`
// substitution, `:param` replacement, one outer quote pair stripped (no unescaping), `(...)` rejected (Q21),
// then a typecast to the column's simple type.
import type { Scalar } from '../../ir/types.js';
import type { FieldModel } from '../../model/types.js';
import { filterErrors } from './messages.js';

export type Lookup = (name: string) => string | undefined;

export interface ValueContext {
  params: Record<string, unknown> | undefined;
  lookups: Lookup | undefined;
}

/** `{user.id}` → its value when the lookup knows it; unknown lookups stay as written. */
export function substituteLookups(text: string, lookups: Lookup | undefined): string {
  if (!lookups || !text.includes('{')) return text;
  return text.replace(/\{([^{}]*)\}/g, (whole, name: string) => lookups(name) ?? whole);
}

/** The scalar value rule for one value (an operand, or one item of an IN list). */
export function typeScalar(raw: string, field: FieldModel, ctx: ValueContext): Scalar {
  const text = substituteLookups(raw.trim(), ctx.lookups);
  if (text.startsWith(':') && ctx.params) {
    const key = Object.hasOwn(ctx.params, text) ? text : text.slice(1);
    if (Object.hasOwn(ctx.params, key)) return typeParam(text, ctx.params[key], field, ctx);
  }
  const first = text[0];
  if (text.length >= 2 && (first === "'" || first === '"') && text.endsWith(first)) {
    return typecast(text.slice(1, -1), field);
  }
  if (text.length >= 2 && first === '(' && text.endsWith(')')) throw filterErrors.functionCall();
  return typecast(text, field);
}

function typeParam(name: string, value: unknown, field: FieldModel, ctx: ValueContext): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return typecast(substituteLookups(value, ctx.lookups), field);
  if (typeof value === 'number' || typeof value === 'boolean') return typecast(value, field);
  throw filterErrors.badParam(name);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A string or a JSON scalar → the value bound for `field` (§4.1 step 4). */
export function typecast(value: string | number | boolean, field: FieldModel): Scalar {
  switch (field.type) {
    case 'id':
    case 'reference':
    case 'integer':
    case 'bigint':
      return toInteger(value, field);
    case 'decimal':
    case 'float':
    case 'double':
    case 'money':
      return toDecimal(value, field);
    case 'boolean':
      return toBoolean(value, field);
    default:
      return String(value);
  }
}

function toInteger(value: string | number | boolean, field: FieldModel): Scalar {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value !== 'string') throw filterErrors.notInteger(field.name);
  const text = value.trim();
  if (text === '' && field.allowNull) return null;
  if (!INTEGER.test(text)) throw filterErrors.notInteger(field.name);
  const n = Number(text);
  // Beyond 2^53 the digits are kept as text so a bigint compares exactly.
  return Number.isSafeInteger(n) ? n : text.replace(/^\+/, '');
}

/** Decimals keep their digits as text (`0.99` stays `'0.99'`; DreamFactory binds `0.990000`). */
function toDecimal(value: string | number | boolean, field: FieldModel): Scalar {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw filterErrors.notNumber(field.name);
  const text = value.trim();
  if (text === '' && field.allowNull) return null;
  if (!NUMBER.test(text)) throw filterErrors.notNumber(field.name);
  return text;
}

function toBoolean(value: string | number | boolean, field: FieldModel): Scalar {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  if (text === '' && field.allowNull) return null;
  throw filterErrors.notBoolean(field.name);
}
