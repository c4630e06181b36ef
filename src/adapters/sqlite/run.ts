// A compiled statement → rows, on one better-sqlite3 database. Prepared statements are cached per
// connection; booleans become 1/0 (SQLite has no boolean to bind).
import type Database from 'better-sqlite3';
import type { RunResult } from '../sql/run.js';
import type { Statement } from '../sql/sql-text.js';

const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_CACHED = 2000;

export function runSqlite(conn: Database.Database, statement: Statement): RunResult {
  let cache = prepared.get(conn);
  if (!cache) {
    cache = new Map();
    prepared.set(conn, cache);
  }
  let stmt = cache.get(statement.text);
  if (!stmt) {
    stmt = conn.prepare(statement.text);
    if (cache.size < MAX_CACHED) cache.set(statement.text, stmt);
  }
  const values = statement.bindings.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  if (stmt.reader) {
    const rows = stmt.all(...values) as Record<string, unknown>[];
    return { rows, count: rows.length };
  }
  return { rows: [], count: stmt.run(...values).changes };
}
