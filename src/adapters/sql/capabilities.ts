// What each SQL dialect can do, as flags the shared compiler reads (DESIGN.md: no `if (client === …)`
// scattered through the code). Every dialect-specific choice of the compiler is one of these.
import type { Dialect } from '../../introspect/catalog.js';

export interface SqlCapabilities {
  /** `row_number() over (partition by …)` for per-parent limits (PostgreSQL, MySQL 8 / MariaDB 10.2+, SQLite 3.25+). */
  windowFunctions: boolean;
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

export const CAPABILITIES: Record<Exclude<Dialect, 'mongodb'>, SqlCapabilities> = {
  postgres: {
    windowFunctions: true,
    nullsOrdering: true,
    ilike: true,
    returning: true,
    maxBindParams: 65_000,
    rowValuesKeyword: '',
  },
  mysql: {
    windowFunctions: true,
    nullsOrdering: false,
    ilike: false,
    returning: false,
    maxBindParams: 60_000,
    rowValuesKeyword: '',
  },
  sqlite: {
    windowFunctions: true,
    nullsOrdering: true,
    ilike: false,
    returning: true,
    maxBindParams: 32_000,
    rowValuesKeyword: 'values ',
  },
};
