// Executor rows → DreamFactory's client values (compat §5.8): numbers for integer and decimal types, true/false
// for booleans, base64 for binary, dates as stored; hidden stitching keys (`__…`) dropped. The conversion plan
// is made once per query, then applied to every row.
import type { ReadQuery, Row } from '../../ir/types.js';
import type { ModelIndex } from '../../model/model-index.js';
import type { SimpleType } from '../../model/types.js';

type Convert = (value: unknown) => unknown;

interface Plan {
  columns: [string, Convert][];
  relations: [string, Plan][];
}

const asNumber: Convert = (v) =>
  v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v);
const asBoolean: Convert = (v) =>
  v === null || v === undefined ? null : v === true || v === 1 || v === '1' || v === 't' || v === 'true';
const asBase64: Convert = (v) =>
  Buffer.isBuffer(v) ? v.toString('base64') : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
const asStored: Convert = (v) =>
  v instanceof Date
    ? v
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '')
    : v;
const same: Convert = (v) => v;

function converter(type: SimpleType): Convert {
  switch (type) {
    case 'id':
    case 'reference':
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'money':
    case 'float':
    case 'double':
      return asNumber;
    case 'boolean':
      return asBoolean;
    case 'binary':
      return asBase64;
    case 'timestamp':
    case 'timestamp_on_create':
    case 'timestamp_on_update':
    case 'datetime':
    case 'date':
    case 'time':
      return asStored;
    default:
      return same;
  }
}

export function planFor(index: ModelIndex, query: ReadQuery): Plan {
  const entry = index.entry(query.service, query.table);
  return {
    columns: query.select
      .filter((item) => !item.as.startsWith('__'))
      .map((item) => [item.as, converter(entry.fields.get(item.column)?.type ?? 'string')]),
    relations: query.relations.map((read) => [read.as, planFor(index, read.query)]),
  };
}

export function applyPlan(plan: Plan, row: Row): Row {
  const out: Row = {};
  for (const [key, convert] of plan.columns) out[key] = convert(row[key]);
  for (const [key, sub] of plan.relations) {
    const value = row[key];
    out[key] = Array.isArray(value)
      ? value.map((r: Row) => applyPlan(sub, r))
      : value && typeof value === 'object'
        ? applyPlan(sub, value as Row)
        : value;
  }
  return out;
}

export function typecastRows(index: ModelIndex, query: ReadQuery, rows: Row[]): Row[] {
  const plan = planFor(index, query);
  return rows.map((row) => applyPlan(plan, row));
}
