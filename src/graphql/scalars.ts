// Custom scalars for precise database types. Output: values as the adapters return them (database text for
// dates, strings for big numbers) formatted for clients. Input: validated, then normalised to what every
// database compares correctly (e.g. `2009-01-01 00:00:00`, which SQLite's text dates sort as).
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function literalString(ast: ValueNode, name: string): string {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
  throw new GraphQLError(`${name} needs a string value.`);
}

function checked(name: string, pattern: RegExp, normalise: (s: string) => string = (s) => s) {
  return (value: unknown): string => {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== 'string' || !pattern.test(text)) {
      throw new GraphQLError(`${name} cannot represent ${JSON.stringify(value)}.`);
    }
    return normalise(text);
  };
}

const INTEGER = /^-?\d{1,20}$/;
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

const parseBigInt = checked('BigInt', INTEGER);
const parseDecimal = checked('Decimal', DECIMAL);
// `T` → space and no trailing `Z`: the form PostgreSQL, MySQL and SQLite's text dates all compare correctly.
const parseDateTime = checked('DateTime', DATE_TIME, (s) => s.replace('T', ' ').replace(/Z$/, ''));
const parseDate = checked('Date', DATE);
const parseTime = checked('Time', TIME);

function scalar(
  name: string,
  description: string,
  serialize: (v: unknown) => unknown,
  parse: (v: unknown) => unknown,
) {
  return new GraphQLScalarType({
    name,
    description,
    serialize,
    parseValue: parse,
    parseLiteral: (ast) => parse(literalString(ast, name)),
  });
}

/** `2009-01-01 00:00:00` → `2009-01-01T00:00:00`; `…+00` → `…+00:00`. */
export function formatDateTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  return text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
}

export const BigIntScalar = scalar(
  'BigInt',
  'A 64-bit integer, as a string so no digit is lost in JSON.',
  (v) => (typeof v === 'bigint' ? v.toString() : String(v)),
  parseBigInt,
);

export const DecimalScalar = scalar(
  'Decimal',
  'An exact decimal number (NUMERIC/DECIMAL), as a string so no digit is lost in JSON.',
  (v) => String(v),
  parseDecimal,
);

export const DateTimeScalar = scalar(
  'DateTime',
  'A date and time in ISO 8601 (`2009-01-01T00:00:00`, with an offset when the column stores one).',
  formatDateTime,
  parseDateTime,
);

export const DateScalar = scalar(
  'Date',
  'A calendar date, `YYYY-MM-DD`.',
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v)),
  parseDate,
);

export const TimeScalar = scalar('Time', 'A time of day, `HH:MM:SS`.', (v) => String(v), parseTime);

export const BytesScalar = new GraphQLScalarType({
  name: 'Bytes',
  description: 'Binary data, base64-encoded.',
  serialize: (v) =>
    Buffer.isBuffer(v)
      ? v.toString('base64')
      : v instanceof Uint8Array
        ? Buffer.from(v).toString('base64')
        : String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
      throw new GraphQLError('Bytes needs a base64 string.');
    return Buffer.from(v, 'base64');
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Bytes needs a base64 string.');
    return Buffer.from(ast.value, 'base64');
  },
});

function jsonLiteral(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => jsonLiteral(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, jsonLiteral(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('Not a JSON value.');
  }
}

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (JSON/JSONB columns, arrays).',
  // SQLite and some MySQL setups hand JSON back as text; clients get the value, not a string of it.
  serialize: (v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  parseValue: (v) => v,
  parseLiteral: jsonLiteral,
});

export const SCALARS = {
  BigInt: BigIntScalar,
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Time: TimeScalar,
  Bytes: BytesScalar,
  JSON: JsonScalar,
};
