// A target's answer → one canonical tree, so Junction (GraphQL and REST), PostGraphile and the baseline
// compare value for value: connection `nodes` unwrapped, field names camelCased with PostGraphile's
// `By<Key>` suffix dropped (albumByAlbumId → album), decimals as numbers, timestamps with a `T` and without a
// zero fraction. REST answers: the rows are `resource` (or the record itself for a get by key), the key
// columns DF adds for matching relations are dropped (query.rest.added), and DF relation names become the
// GraphQL ones: `album_by_album_id` (one record) → album, `invoice_line_by_invoice_id` (a list) → invoiceLines.
import type { TargetKind } from './targets.js';
import type { WorkloadQuery } from './queries.js';

export type Canonical = null | boolean | number | string | Canonical[] | { [key: string]: Canonical };

const DECIMAL = /^-?\d+(\.\d+)?$/;
const TIMESTAMP = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?$/;
const DF_RELATION = /^(.+?)_by_/;

/** The rows a target answered, canonical; throws with the errors when the answer has none. */
export function canonicalRows(kind: TargetKind, query: WorkloadQuery, answer: unknown): Canonical {
  if (kind === 'junction-rest') return canonicalRest(query, answer);
  const body = answer as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (body.errors?.length || !body.data) {
    throw new Error(`answer has errors: ${JSON.stringify(body.errors ?? body).slice(0, 800)}`);
  }
  const raw =
    kind === 'junction'
      ? (body.data.chinook as Record<string, unknown> | undefined)?.[query.junctionField]
      : body.data[query.postgraphileField];
  let rows = canonical(raw);
  // PostGraphile walks the junction table: playlistTracks[].track → tracks[].
  if (query.id === 'e' && kind === 'postgraphile' && Array.isArray(rows)) {
    rows = rows.map((playlist) => {
      const { playlistTracks, ...rest } = playlist as Record<string, Canonical>;
      const tracks = (playlistTracks as Canonical[]).map(
        (link) => (link as Record<string, Canonical>).track!,
      );
      return { ...rest, tracks };
    });
  }
  return rows;
}

function canonical(value: unknown): Canonical {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === 'nodes') return canonical(entries[0]![1]);
    const out: Record<string, Canonical> = {};
    for (const [key, inner] of entries) out[fieldName(key)] = canonical(inner);
    return out;
  }
  if (typeof value === 'string') {
    if (DECIMAL.test(value)) return Number(value);
    const stamp = TIMESTAMP.exec(value);
    if (stamp) {
      const fraction = (stamp[3] ?? '').replace(/0+$/, '');
      const time = `${stamp[1]}T${stamp[2]}`;
      return fraction ? `${time}.${fraction}` : time;
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return String(value);
}

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function fieldName(key: string): string {
  return camelCase(key).replace(/By[A-Z][A-Za-z0-9]*$/, '');
}

/** A DreamFactory REST answer → the canonical tree of the GraphQL answers. */
function canonicalRest(query: WorkloadQuery, answer: unknown): Canonical {
  const body = answer as { resource?: unknown; error?: unknown } | null;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || body.error !== undefined) {
    throw new Error(`answer is not a record or a resource list: ${JSON.stringify(body).slice(0, 800)}`);
  }
  const raw = Array.isArray(body.resource) ? body.resource : body;
  const rows = Array.isArray(raw) ? raw : [raw];
  for (const row of rows) for (const path of query.rest.added) drop(row, path.split('.'));
  return canonical(restNames(raw));
}

/** Deletes the key at `path` (REST keys, through relation records and lists) from a row. */
function drop(value: unknown, path: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) drop(item, path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) delete record[key];
  else drop(record[key], rest);
}

/** DF relation names → GraphQL field names: `album_by_album_id` → album, `track_by_album_id` (a list) → tracks. */
function restNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restNames);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const relation = DF_RELATION.exec(key);
    const name = relation ? camelCase(relation[1]!) + (Array.isArray(inner) ? 's' : '') : key;
    out[name] = restNames(inner);
  }
  return out;
}

/** Where two canonical trees differ: up to `max` lines `path: expected … got …`. */
export function diff(expected: Canonical, actual: Canonical, max = 12): string[] {
  const out: string[] = [];
  const walk = (a: Canonical, b: Canonical, path: string) => {
    if (out.length >= max) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push(`${path}: expected ${a.length} rows, got ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i]!, b[i]!, `${path}[${i}]`);
      return;
    }
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!(key in b)) out.push(`${path}.${key}: missing`);
        else if (!(key in a)) out.push(`${path}.${key}: unexpected field`);
        else walk(a[key]!, b[key]!, `${path}.${key}`);
      }
      return;
    }
    if (a !== b) out.push(`${path}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
  };
  walk(expected, actual, '$');
  return out;
}

/** Objects per nesting level (a top-level object counts as one), to check against the spec's row counts. */
export function levels(rows: Canonical): number[] {
  const counts: number[] = [];
  const walk = (value: Canonical, depth: number) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth);
    } else if (isObject(value)) {
      counts[depth] = (counts[depth] ?? 0) + 1;
      for (const inner of Object.values(value)) walk(inner, depth + 1);
    }
  };
  walk(rows, 0);
  return counts;
}

function isObject(value: Canonical): value is { [key: string]: Canonical } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
