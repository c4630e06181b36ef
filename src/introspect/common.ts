// Helpers every dialect's introspection shares: type-parameter parsing, stable ordering, grouping rows.
import type { RawColumn, RawTable } from './catalog.js';

type TypeParams = Pick<RawColumn, 'length' | 'precision' | 'scale'>;

const NO_PARAMS: TypeParams = { length: null, precision: null, scale: null };

/**
 * Reads the numbers in a printed type: `varchar(160)` → length 160; `numeric(10,2)` → precision 10, scale 2;
 * `timestamp(3) without time zone` → precision 3; `int(11)` → length 11 (display width, as DreamFactory reads it).
 */
export function parseTypeParams(dbType: string): TypeParams {
  const match = /^([a-z_][a-z0-9_ ]*?)\s*\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)/.exec(dbType.toLowerCase());
  if (!match) return NO_PARAMS;
  const [, name = '', first = '', second] = match;
  const a = Number(first);
  const b = second === undefined ? null : Number(second);
  if (/^(decimal|numeric|dec|fixed|number)$/.test(name)) return { length: null, precision: a, scale: b ?? 0 };
  if (/float|double|real/.test(name)) return { length: null, precision: a, scale: b };
  if (/^(time|timestamp|datetime|interval)\b/.test(name)) return { length: null, precision: a, scale: null };
  return { length: a, precision: null, scale: null };
}

/** Lower-cases a printed type, but not quoted literals inside it (MySQL `enum('Yes','No')`). */
export function lowerType(dbType: string): string {
  return dbType.replace(/'(?:[^']|'')*'|[^']+/g, (part) =>
    part.startsWith("'") ? part : part.toLowerCase(),
  );
}

/** Case-insensitive by name, then case-sensitive, so `album` and `Album` keep a fixed order. */
export function sortTables(tables: RawTable[]): RawTable[] {
  return tables.sort((a, b) => {
    const ai = a.name.toLowerCase();
    const bi = b.name.toLowerCase();
    if (ai !== bi) return ai < bi ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Groups rows by a key, keeping the rows' order inside each group. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/** The upper-case referential action names RawForeignKey promises. */
export function normaliseRule(rule: string | null | undefined): string {
  const upper = (rule ?? '').trim().toUpperCase();
  return upper === '' ? 'NO ACTION' : upper;
}
