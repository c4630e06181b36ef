// Select-list helpers: make sure the columns a stage needs (stitching keys, cursor values) are read,
// under hidden `__k_` output keys unless the client selected them already.
import type { ReadQuery, SelectItem } from './types.js';

/** Output keys under which `fields` can be read from the rows of `select` (adding hidden items if needed). */
export function ensureColumns(
  select: SelectItem[],
  fields: readonly string[],
): { select: SelectItem[]; aliases: string[] } {
  const extended = [...select];
  const aliases = fields.map((field) => {
    const existing = extended.find((item) => item.column === field);
    if (existing) return existing.as;
    const hidden = { column: field, as: `__k_${field}` };
    extended.push(hidden);
    return hidden.as;
  });
  return { select: extended, aliases };
}

/** Adds the local key columns of every relation and relation aggregate of `query`. */
export function withStitchKeys(query: ReadQuery): ReadQuery {
  let select = query.select;
  for (const rel of [...query.relations, ...query.relationAggregates]) {
    select = ensureColumns(select, rel.relation.fields).select;
  }
  return select === query.select ? query : { ...query, select };
}
