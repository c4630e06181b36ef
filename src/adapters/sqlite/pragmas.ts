// The settings every Junction SQLite connection runs with, wherever it lives (this process for `:memory:`, a
// statement process for files): one list, so both kinds of connection behave the same.
import type Database from 'better-sqlite3';

/** Longest wait for another process's lock before a statement fails with SQLITE_BUSY (→ 503). */
export const MAX_BUSY_TIMEOUT_MS = 5000;

/**
 * The busy timeout must end before the statement timeout, or a locked file would be reported as a slow
 * statement (504) instead of an unavailable source (503): half the statement budget, at most 5 s.
 */
export function busyTimeoutFor(statementMs: number): number {
  return Math.max(1, Math.min(MAX_BUSY_TIMEOUT_MS, Math.floor(statementMs / 2)));
}

export function sqlitePragmas(busyTimeoutMs: number): string[] {
  return [
    // SQLite enforces foreign keys only when asked, per connection.
    'foreign_keys = ON',
    // Wait for another process's write lock instead of failing at once with SQLITE_BUSY.
    `busy_timeout = ${Math.floor(busyTimeoutMs)}`,
  ];
}

export function applyPragmas(db: Database.Database, busyTimeoutMs: number): void {
  for (const pragma of sqlitePragmas(busyTimeoutMs)) db.pragma(pragma);
}
