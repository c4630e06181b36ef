// IR Expr → a MongoDB query document. Only operators this file writes ever reach the server: field names come
// from the model and are checked again here, values are BSON values (never documents a client wrote), and
// `like` patterns become escaped, anchored regular expressions. Comparisons follow SQL where the two differ:
// `neq`, `notIn` and `notLike` do not match documents whose field is null or missing; `not` is MongoDB's `$nor`.
import type { Document, Filter } from 'mongodb';
import { ApiError } from '../../errors/index.js';
import type { Expr, MatchOp, Scalar } from '../../ir/types.js';
import { assertSafeKey, filterValues } from './values.js';

/** A table's field → its inferred BSON type (values are converted to it). */
export type FieldTypes = ReadonlyMap<string, string>;

const NOTHING: Filter<Document> = { _id: { $in: [] } };
const COMPARE = { eq: '$eq', neq: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' } as const;

export function compileFilter(expr: Expr | null, types: FieldTypes): Filter<Document> {
  return expr === null ? {} : filter(expr, types);
}

function filter(expr: Expr, types: FieldTypes): Filter<Document> {
  switch (expr.kind) {
    case 'and':
      return expr.items.length === 0 ? {} : { $and: expr.items.map((item) => filter(item, types)) };
    case 'or':
      return expr.items.length === 0 ? NOTHING : { $or: expr.items.map((item) => filter(item, types)) };
    case 'not':
      return { $nor: [filter(expr.item, types)] };
    case 'const':
      return expr.value ? {} : NOTHING;
    case 'compare':
      return compare(field(expr.field), expr.op, expr.value, types.get(expr.field));
    case 'between': {
      const type = types.get(expr.field);
      return { [field(expr.field)]: { $gte: one(expr.low, type), $lte: one(expr.high, type) } };
    }
    case 'isNull':
      // `null` matches a null and a missing field alike: both are SQL's NULL here.
      return { [field(expr.field)]: expr.isNull ? null : { $ne: null } };
    case 'in': {
      const name = field(expr.field);
      const values = expr.values.flatMap((v) => filterValues(v, types.get(expr.field)));
      return expr.negate
        ? { $and: [{ [name]: { $nin: values } }, notNull(name)] }
        : { [name]: { $in: values } };
    }
    case 'keys':
      return keysFilter(expr.fields, expr.keys, expr.negate, types);
    case 'match':
      return match(field(expr.field), expr.op, expr.value, expr.caseInsensitive);
    case 'related':
      // The executor resolves these into `keys` first: MongoDB cannot join inside a find.
      throw new ApiError('INTERNAL', 'related filter reached the MongoDB compiler unresolved');
  }
}

/** Rows whose key tuple is one of `keys`; a NULL in a key never matches, as in a SQL join. */
export function keysFilter(
  fields: string[],
  keys: Scalar[][],
  negate: boolean,
  types: FieldTypes,
): Filter<Document> {
  const complete = keys.filter((key) => key.every((v) => v !== null));
  let matched: Filter<Document>;
  if (fields.length === 1) {
    const name = field(fields[0] as string);
    const values = complete.flatMap((key) => filterValues(key[0], types.get(fields[0] as string)));
    matched = { [name]: { $in: values } };
  } else {
    matched =
      complete.length === 0
        ? NOTHING
        : {
            $or: complete.map((key) => ({
              $and: fields.map((f, i) => ({ [field(f)]: { $in: filterValues(key[i], types.get(f)) } })),
            })),
          };
  }
  if (!negate) return matched;
  return { $and: [{ $nor: [matched] }, ...fields.map((f) => notNull(field(f)))] };
}

function compare(name: string, op: keyof typeof COMPARE, value: Scalar, type: string | undefined) {
  if (value === null) {
    // As in SQL: `= null` means "is null", `<> null` "is not null"; ordering against null matches nothing.
    return op === 'eq' ? { [name]: null } : op === 'neq' ? notNull(name) : NOTHING;
  }
  const values = filterValues(value, type);
  if (op === 'eq') return { [name]: { $in: values } };
  if (op === 'neq') return { $and: [{ [name]: { $nin: values } }, notNull(name)] };
  return { [name]: { [COMPARE[op]]: values[0] } };
}

function one(value: Scalar, type: string | undefined): unknown {
  return filterValues(value, type)[0];
}

function notNull(name: string): Filter<Document> {
  return { [name]: { $ne: null } };
}

/**
 * LIKE (`%`, `_`, `\` escapes the next character) or a plain substring → an anchored regex, escaped. The end
 * anchor is "no character follows" rather than `$`, which would also match before a final newline.
 */
function match(name: string, op: MatchOp, value: string, insensitive: boolean): Filter<Document> {
  let body: string;
  switch (op) {
    case 'contains':
      body = `.*${escapeRegex(value)}.*`;
      break;
    case 'startsWith':
      body = `${escapeRegex(value)}.*`;
      break;
    case 'endsWith':
      body = `.*${escapeRegex(value)}`;
      break;
    default:
      body = likeToRegex(value);
  }
  const regex = { $regex: `^${body}${END}`, $options: op === 'ilike' || insensitive ? 'is' : 's' };
  // `$nor` of the positive match: no RegExp object (BSON cannot carry every pattern as one), same meaning.
  if (op === 'notLike') return { $and: [{ $nor: [{ [name]: regex }] }, notNull(name)] };
  return { [name]: regex };
}

const END = '(?![\\s\\S])';
/**
 * Each `%` is a backtracking `.*`: a pattern with many of them can keep a regex engine busy for minutes on a
 * long value (`%a%a%a…%x`). Runs of `%` collapse to one; more than this many are refused.
 */
export const MAX_LIKE_WILDCARDS = 10;

export function likeToRegex(pattern: string): string {
  let out = '';
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined)
        throw new ApiError('BAD_REQUEST', 'Invalid LIKE pattern: it ends with the escape character \\.');
      out += escapeRegex(next);
      i++;
    } else if (ch === '%') {
      if (out.endsWith('.*')) continue;
      out += '.*';
      wildcards++;
    } else if (ch === '_') out += '.';
    else out += escapeRegex(ch);
  }
  if (wildcards > MAX_LIKE_WILDCARDS) {
    throw new ApiError(
      'BAD_REQUEST',
      `Invalid LIKE pattern: at most ${MAX_LIKE_WILDCARDS} % wildcards are allowed on a MongoDB service.`,
    );
  }
  return out;
}

/** Regex metacharacters escaped; NUL written as `\x00` (a pattern cannot carry a raw NUL). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&').replace(/\0/g, '\\x00');
}

/** A model field name as a query key: never an operator, never a path into a sub-document. */
export function field(name: string): string {
  assertSafeKey(name);
  return name;
}
