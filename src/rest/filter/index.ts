// DreamFactory filter string + table + params (+ lookups) → IR where-expression, or null for a blank filter
// (compat §4). The one entry point of the REST filter grammar.
import type { Expr } from '../../ir/types.js';
import type { TableEntry } from '../../model/model-index.js';
import type { FieldModel } from '../../model/types.js';
import { MAX_FILTER_LENGTH, filterErrors } from './messages.js';
import { FilterParser } from './parser.js';
import { tokenize } from './tokens.js';
import type { Lookup } from './values.js';

export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from './messages.js';
export type { Lookup } from './values.js';

/**
 * Parses a DreamFactory `filter`. `params` holds `:name` values (keys with or without the colon).
 * `lookups`, when given, resolves `{user.id}`-style names inside values; unknown names stay as written.
 * Every problem is an ApiError BAD_REQUEST with DreamFactory's message.
 */
export function parseFilter(
  text: string,
  entry: TableEntry,
  params?: Record<string, unknown>,
  lookups?: Lookup,
): Expr | null {
  if (text.length > MAX_FILTER_LENGTH) throw filterErrors.tooLong();
  if (text.trim() === '') return null;
  const fields = fieldResolver(entry);
  return new FilterParser(text, tokenize(text), { field: fields, params, lookups }).parse();
}

const resolvers = new WeakMap<TableEntry, (name: string) => FieldModel | undefined>();

/** Field names are case-insensitive; an exact match wins over a case-insensitive one. */
function fieldResolver(entry: TableEntry): (name: string) => FieldModel | undefined {
  let resolve = resolvers.get(entry);
  if (!resolve) {
    const lower = new Map<string, FieldModel>();
    for (const field of entry.table.fields) {
      if (!lower.has(field.name.toLowerCase())) lower.set(field.name.toLowerCase(), field);
    }
    resolve = (name) => entry.fields.get(name) ?? lower.get(name.toLowerCase());
    resolvers.set(entry, resolve);
  }
  return resolve;
}
