// A legacy virtual foreign key (compat §9.2) sent on a field that exists, in a description that changes nothing
// of the column — DF's UI sent the field back as it read it, plus the `ref_*` properties — declares only the
// key: no DDL, which would rebuild the table for nothing and be refused when a key already uses the column.
import type { TableModel } from '../../model/types.js';
import { describeField } from './describe.js';
import { isRecord } from './parse-fields.js';

/** The description properties that make a column; what a client sends of them is compared, the rest ignored. */
const COLUMN_KEYS = [
  'type',
  'length',
  'precision',
  'scale',
  'default',
  'allow_null',
  'required',
  'is_unique',
  'is_index',
  'is_primary_key',
] as const;

/** Field items of a write on `table`, unchanged legacy key fields reduced to their key (no `type`: no DDL). */
export function keyOnlyWhenUnchanged(items: readonly unknown[], table: TableModel): unknown[] {
  return items.map((item) => {
    if (!isRecord(item) || item.is_virtual_foreign_key !== true || item.type === undefined) return item;
    const field = table.fields.find((f) => f.name === item.name);
    if (!field) return item;
    const described = describeField(field);
    const changes = COLUMN_KEYS.some(
      (key) => key in item && JSON.stringify(item[key]) !== JSON.stringify(described[key]),
    );
    if (changes) return item;
    return Object.fromEntries(
      Object.entries(item).filter(([key]) => !(COLUMN_KEYS as readonly string[]).includes(key)),
    );
  });
}
