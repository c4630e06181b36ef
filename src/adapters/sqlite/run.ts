// A compiled statement → rows, on one SQLite connection: a better-sqlite3 database on this thread (`:memory:`)
// or a statement process (remote.ts, every file database). Prepared statements are cached per connection;
// booleans become 1/0 (SQLite has no boolean to bind).
import type Database from 'better-sqlite3';
import type { RunResult } from '../sql/run.js';
import type { Statement } from '../sql/sql-text.js';
import { SqliteRemote } from './remote.js';

const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_CACHED = 2000;

export function runSqlite(
  conn: Database.Database | SqliteRemote,
  statement: Statement,
): RunResult | Promise<RunResult> {
  const values = statement.bindings.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  if (conn instanceof SqliteRemote) {
    return conn
      .run(statement.text, values)
      .then((reply) =>
        reply.reader ? { rows: reply.rows, count: reply.rows.length } : { rows: [], count: reply.changes },
      );
  }
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
  if (stmt.reader) {
    const rows = stmt.all(...values) as Record<string, unknown>[];
    return { rows, count: rows.length };
  }
  return { rows: [], count: stmt.run(...values).changes };
}
