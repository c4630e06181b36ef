// Model field → GraphQL scalar, and which operators and aggregates that scalar gets.
import type { FieldModel } from '../model/types.js';

export type ScalarName =
  | 'Int'
  | 'Float'
  | 'String'
  | 'Boolean'
  | 'BigInt'
  | 'Decimal'
  | 'DateTime'
  | 'Date'
  | 'Time'
  | 'JSON'
  | 'Bytes';

export function scalarOf(field: Pick<FieldModel, 'type' | 'dbType'>): ScalarName {
  switch (field.type) {
    case 'id':
    case 'reference':
    case 'integer':
      // An unsigned 32-bit column can exceed GraphQL's signed Int.
      return /unsigned/i.test(field.dbType) && /\bint\b|integer/i.test(field.dbType) ? 'BigInt' : 'Int';
    case 'bigint':
      return 'BigInt';
    case 'decimal':
    case 'money':
      return 'Decimal';
    case 'float':
    case 'double':
      return 'Float';
    case 'boolean':
      return 'Boolean';
    case 'timestamp':
    case 'timestamp_on_create':
    case 'timestamp_on_update':
    case 'datetime':
      return 'DateTime';
    case 'date':
      return 'Date';
    case 'time':
      return 'Time';
    case 'binary':
      return 'Bytes';
    case 'json':
    case 'array':
      return 'JSON';
    case 'uuid':
    case 'string':
    case 'text':
      return 'String';
  }
}

const NUMERIC = new Set<ScalarName>(['Int', 'Float', 'BigInt', 'Decimal']);
/** Every scalar a column can map to, in the order the schema declares their filter inputs. */
export const SCALAR_NAMES: ScalarName[] = [
  'Int',
  'Float',
  'String',
  'Boolean',
  'BigInt',
  'Decimal',
  'DateTime',
  'Date',
  'Time',
  'JSON',
  'Bytes',
];
/** JSON and binary values have no order. */
const ORDERABLE = new Set<ScalarName>(SCALAR_NAMES.filter((s) => s !== 'JSON' && s !== 'Bytes'));

export const isNumeric = (s: ScalarName): boolean => NUMERIC.has(s);
export const isOrderable = (s: ScalarName): boolean => ORDERABLE.has(s);

/** sum/avg results: exact types stay exact, integers widen so a sum cannot overflow Int. */
export function sumType(s: ScalarName): ScalarName {
  return s === 'Decimal' ? 'Decimal' : s === 'BigInt' ? 'BigInt' : 'Float';
}
export function avgType(s: ScalarName): ScalarName {
  return s === 'Decimal' || s === 'BigInt' ? 'Decimal' : 'Float';
}

/** Operators each filter input offers (the REST filter grammar's set, typed). */
export function filterOperators(s: ScalarName): string[] {
  if (s === 'JSON' || s === 'Bytes') return ['isNull'];
  if (s === 'Boolean') return ['eq', 'neq', 'isNull'];
  const base = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'isNull', 'between'];
  return s === 'String' ? [...base, 'like', 'notLike', 'ilike', 'contains', 'startsWith', 'endsWith'] : base;
}
