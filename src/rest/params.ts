// Query parameters with DreamFactory's conventions (compat §2.3): boolean words, aliases for `_table` requests
// (`select`→`fields`, `where`→`filter`, …), options read from the JSON body when the URL lacks them, and
// per-relation options in both `Rel.fields` and `Rel_fields` forms.

const ALIASES: Record<string, string[]> = {
  fields: ['select'],
  filter: ['where'],
  limit: ['top'],
  offset: ['skip'],
  order: ['sort', 'order_by'],
  group: ['group_by'],
};

/** Options DF also reads from the body of `_table/{table}` requests when the URL does not give them. */
const BODY_OPTIONS = new Set([
  'fields',
  'ids',
  'filter',
  'limit',
  'offset',
  'order',
  'group',
  'count_only',
  'params',
  'continue',
  'rollback',
]);

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 'y', 't']);

export class Params {
  constructor(
    private readonly query: URLSearchParams,
    private readonly body: Record<string, unknown> | null = null,
    private readonly tableRequest = false,
  ) {}

  /** The first of the name and its aliases present in the URL, else (for body options) in the body. */
  raw(name: string): unknown {
    const names = this.tableRequest ? [name, ...(ALIASES[name] ?? [])] : [name];
    for (const n of names) {
      const value = this.query.get(n);
      if (value !== null) return value;
    }
    if (this.body && this.tableRequest && BODY_OPTIONS.has(name)) {
      for (const n of names) if (this.body[n] !== undefined) return this.body[n];
    }
    return undefined;
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : String(value);
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** `true|1|yes|on|y|t` (any case) is true; anything else, an empty value included, is false. */
  bool(name: string): boolean {
    const value = this.raw(name);
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    return typeof value === 'string' && TRUE_WORDS.has(value.trim().toLowerCase());
  }

  /** A relation's option: `Album_by_ArtistId.fields` or `Album_by_ArtistId_fields` (PHP's rewrite of dots). */
  relation(relation: string, option: string): string | undefined {
    for (const key of [`${relation}.${option}`, `${relation}_${option}`]) {
      for (const [name, value] of this.query) if (name.toLowerCase() === key.toLowerCase()) return value;
    }
    return undefined;
  }

  /** Every URL parameter (for `_proc` calls by named query parameters). */
  entries(): [string, string][] {
    return [...this.query];
  }
}

export function isTrueWord(value: string): boolean {
  return TRUE_WORDS.has(value.trim().toLowerCase());
}
