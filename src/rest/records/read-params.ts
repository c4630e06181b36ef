// DreamFactory read parameters (compat §3, §8.4) → pieces of a ReadQuery: `fields` → select, `order` →
// OrderItems, `related` (+ per-relation options) → RelationReads with DF's global limit, `limit` → the
// max-records rule. Unknown names get DF's 400 messages.
import { ApiError } from '../../errors/index.js';
import type { Expr, OrderItem, ReadQuery, RelationRead, SelectItem } from '../../ir/types.js';
import type { ModelIndex, TableEntry } from '../../model/model-index.js';
import type { FieldModel } from '../../model/types.js';
import { isTrueWord, type Params } from '../params.js';

/** Case-insensitive column lookup (output keys use the real names). */
export function findField(entry: TableEntry, name: string): FieldModel | undefined {
  const exact = entry.fields.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  return entry.table.fields.find((f) => f.name.toLowerCase() === lower);
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `fields`: absent or `*` → every column; empty → the primary key; otherwise the named columns. */
export function selectFor(entry: TableEntry, fields: string | undefined): SelectItem[] {
  const all = () => entry.table.fields.map((f) => ({ column: f.name, as: f.name }));
  if (fields === undefined || fields.trim() === '*') return all();
  if (fields.trim() === '') {
    const key =
      entry.table.primaryKey.length > 0 ? entry.table.primaryKey : entry.table.fields.map((f) => f.name);
    return key.map((column) => ({ column, as: column }));
  }
  const items: SelectItem[] = [];
  for (const name of splitList(fields)) {
    if (name === '*') return all();
    const field = findField(entry, name);
    if (!field) throw new ApiError('BAD_REQUEST', `Invalid field requested: ${name}`);
    if (!items.some((i) => i.column === field.name)) items.push({ column: field.name, as: field.name });
  }
  return items;
}

const ORDER_ITEM = /^(\S+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i;

/** `col [ASC|DESC] [NULLS FIRST|LAST], …`, strict (compat Q21: never raw SQL). */
export function orderFor(entry: TableEntry, order: string | undefined): OrderItem[] {
  if (order === undefined || order.trim() === '') return [];
  if (/[;()]|sleep\s*\(/i.test(order))
    throw new ApiError('BAD_REQUEST', 'Invalid order by clause in request.');
  return splitList(order).map((part) => {
    const match = ORDER_ITEM.exec(part.replace(/\s+/g, ' '));
    if (!match) throw new ApiError('BAD_REQUEST', 'Invalid order by clause in request.');
    const field = findField(entry, match[1] as string);
    if (!field) throw new ApiError('BAD_REQUEST', `Invalid field '${match[1]}' in order by clause.`);
    const item: OrderItem = {
      field: field.name,
      direction: (match[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc',
    };
    if (match[3]) item.nulls = match[3].toLowerCase() as 'first' | 'last';
    return item;
  });
}

/** Stable paging without an `order`: the primary key ascending (compat §5.9). */
export function defaultOrder(entry: TableEntry): OrderItem[] {
  return entry.table.primaryKey.map((field) => ({ field, direction: 'asc' as const }));
}

/** §3.1: a limit that is absent, below 1 or above the service's max becomes the max (and `needLimit`). */
export function limitFor(params: Params, max: number): { limit: number; needLimit: boolean } {
  const raw = params.string('limit');
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (raw !== undefined && raw.trim() !== '' && !Number.isFinite(value)) {
    throw new ApiError('BAD_REQUEST', `Invalid value for limit: '${raw}'.`);
  }
  if (!Number.isFinite(value) || value < 1 || value > max) return { limit: max, needLimit: true };
  return { limit: Math.floor(value), needLimit: false };
}

export function offsetFor(params: Params): number {
  const raw = params.string('offset');
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ApiError('BAD_REQUEST', `Invalid value for offset: '${raw}'.`);
  return Math.floor(value);
}

/** How far `related` may reach in one request (limits.rest): levels, and relations over all levels. */
export interface RelatedLimits {
  relatedDepth: number;
  relatedWidth: number;
}

/**
 * `related=A,B` or `*`: relation reads attached under their canonical names. DF's related limit covers all
 * parents together (Q9), and a missing has_one is `[]` while a missing belongs_to is null (Q10).
 * Extensions (absent in DF, so requests without them behave as in DF): `{rel}.related` nests relations
 * (options of nested ones are keyed by the dotted path, `A.B.fields`), `{rel}.filter`, `{rel}.offset`, and
 * `{rel}.per_parent=true` to apply limit/offset to each parent row. More levels than `relatedDepth` or more
 * relations than `relatedWidth` (all levels, `*` counting each) is a 400.
 */
export function relatedFor(
  index: ModelIndex,
  entry: TableEntry,
  params: Params,
  max: number,
  parseFilter: FilterParser,
  limits: RelatedLimits,
): RelationRead[] {
  const walk: RelatedWalk = { index, params, max, parseFilter, limits, relations: 0 };
  return relatedLevel(walk, entry, params.string('related'), '', 0);
}

interface RelatedWalk {
  index: ModelIndex;
  params: Params;
  max: number;
  parseFilter: FilterParser;
  limits: RelatedLimits;
  /** Relations read so far, all levels together. */
  relations: number;
}

function relatedLevel(
  walk: RelatedWalk,
  entry: TableEntry,
  related: string | undefined,
  path: string,
  depth: number,
): RelationRead[] {
  const { index, params, max, parseFilter, limits } = walk;
  if (related === undefined || related.trim() === '') return [];
  if (depth >= limits.relatedDepth)
    throw new ApiError(
      'BAD_REQUEST',
      `Related records can be nested at most ${limits.relatedDepth} levels deep.`,
    );
  const names =
    related.trim() === '*'
      ? entry.table.relations.filter((r) => r.name).map((r) => r.name as string)
      : splitList(related);
  const reads: RelationRead[] = [];
  for (const name of names) {
    const relation = entry.relationsByName.get(name.toLowerCase());
    if (!relation || reads.some((r) => r.relation === relation)) continue; // unknown names are ignored (§3)
    if (++walk.relations > limits.relatedWidth)
      throw new ApiError(
        'BAD_REQUEST',
        `A request can read at most ${limits.relatedWidth} related tables (all related levels together).`,
      );
    const key = `${path}${relation.name as string}`;
    const option = (o: string) => params.relation(key, o);
    const far = index.target(relation);
    const limitText = option('limit');
    const limit = limitText && Number(limitText) >= 1 ? Math.min(Math.floor(Number(limitText)), max) : max;
    const filter = option('filter');
    // `?? ''`: an absent `{rel}.related` must not fall back to the default (the top-level `related`).
    const nested = relatedLevel(walk, far, option('related') ?? '', `${key}.`, depth + 1);
    const query: ReadQuery = {
      service: relation.refService,
      table: relation.refTable,
      select: withRelationKeys(selectFor(far, option('fields')), nested),
      where: filter ? parseFilter(filter, far) : null,
      orderBy: orderFor(far, option('order')),
      limit,
      offset: offsetOf(option('offset')),
      relations: nested,
      relationAggregates: [],
    };
    const perParent = option('per_parent');
    reads.push({
      as: relation.name as string,
      relation,
      query,
      limitScope: perParent !== undefined && isTrueWord(perParent) ? 'perParent' : 'global',
      emptySingle: relation.type === 'has_one' ? [] : null,
    });
  }
  return reads;
}

export type FilterParser = (text: string, entry: TableEntry) => Expr | null;

function offsetOf(text: string | undefined): number {
  const value = text === undefined ? 0 : Number(text);
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** DF adds each relation's local key column to a restricted `fields` list, and it shows in the output. */
export function withRelationKeys(select: SelectItem[], reads: RelationRead[]): SelectItem[] {
  const out = [...select];
  for (const read of reads) {
    for (const column of read.relation.fields)
      if (!out.some((s) => s.column === column)) out.push({ column, as: column });
  }
  return out;
}
