// Key tuples for stitching related rows onto parents. Values are compared as strings, so an integer key in
// one database matches the same key held as a string (or bigint) in another.
import type { Row, Scalar } from '../ir/types.js';

const SEP = '\u0001';

export function keyString(tuple: readonly unknown[]): string {
  return tuple.length === 1 ? String(tuple[0]) : tuple.map(String).join(SEP);
}

/** The key tuple of a row under the given output keys; null when any part is null (it relates to nothing). */
export function rowKey(row: Row, aliases: readonly string[]): Scalar[] | null {
  const tuple: Scalar[] = [];
  for (const alias of aliases) {
    const value = row[alias];
    if (value === null || value === undefined) return null;
    tuple.push(value as Scalar);
  }
  return tuple;
}

/** Distinct non-null key tuples of `rows`, in first-seen order. */
export function distinctKeys(rows: readonly Row[], aliases: readonly string[]): Map<string, Scalar[]> {
  const keys = new Map<string, Scalar[]>();
  for (const row of rows) {
    const tuple = rowKey(row, aliases);
    if (tuple !== null) {
      const k = keyString(tuple);
      if (!keys.has(k)) keys.set(k, tuple);
    }
  }
  return keys;
}
