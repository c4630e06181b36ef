// What each SQL dialect can do, as flags the shared compiler reads (DESIGN.md: no `if (client === …)`
// scattered through the code), plus how it quotes identifiers and writes placeholders.
import type { Dialect } from '../../introspect/catalog.js';

export interface SqlCapabilities {
  /** `row_number() over (partition by …)` for per-parent limits (PostgreSQL, MySQL 8 / MariaDB 10.2+, SQLite 3.25+). */
  windowFunctions: boolean;
  /** `CROSS JOIN LATERAL (… LIMIT n)`: per-parent limits that read only n rows per parent (PostgreSQL). */
  lateral: boolean;
  /** `col = ANY(?)` with one array parameter, so a key list of any length is the same prepared statement. */
  arrayParams: boolean;
  /** `ORDER BY x NULLS FIRST|LAST`; otherwise emulated with `x IS NULL`. */
  nullsOrdering: boolean;
  /** A native case-insensitive LIKE (`ILIKE`); otherwise `lower(x) LIKE lower(?)`. */
  ilike: boolean;
  /** `INSERT … RETURNING`. */
  returning: boolean;
  /** Bound parameters one statement may carry; key lists are split to stay below it. */
  maxBindParams: number;
  /** How a list of row values is written after IN: `((1, 2), …)`, or SQLite's `(values (1, 2), …)`. */
  rowValuesKeyword: '' | 'values ';
}

export interface SqlDialect {
  caps: SqlCapabilities;
  /** Quotes one identifier whole (dots, quotes and spaces stay inside it). */
  quote(name: string): string;
  /** The placeholder for the n-th (1-based) bound value. */
  placeholder(n: number): string;
}

const doubleQuoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const backQuoted = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export const DIALECTS: Record<Exclude<Dialect, 'mongodb'>, SqlDialect> = {
  postgres: {
    caps: {
      windowFunctions: true,
      lateral: true,
      arrayParams: true,
      nullsOrdering: true,
      ilike: true,
      returning: true,
      maxBindParams: 65_000,
      rowValuesKeyword: '',
    },
    quote: doubleQuoted,
    placeholder: (n) => `$${n}`,
  },
  mysql: {
    caps: {
      windowFunctions: true,
      lateral: false,
      arrayParams: false,
      nullsOrdering: false,
      ilike: false,
      returning: false,
      maxBindParams: 60_000,
      rowValuesKeyword: '',
    },
    quote: backQuoted,
    placeholder: () => '?',
  },
  sqlite: {
    caps: {
      windowFunctions: true,
      lateral: false,
      arrayParams: false,
      nullsOrdering: true,
      ilike: false,
      returning: true,
      maxBindParams: 32_000,
      rowValuesKeyword: 'values ',
    },
    quote: doubleQuoted,
    placeholder: () => '?',
  },
};

/** Kept for code that only needs the flags. */
export const CAPABILITIES = {
  postgres: DIALECTS.postgres.caps,
  mysql: DIALECTS.mysql.caps,
  sqlite: DIALECTS.sqlite.caps,
};
