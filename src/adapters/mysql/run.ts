// A compiled statement → rows, on one mysql2 connection (the callback API knex opens). Values are sent with
// the statement and escaped by the driver; the connection's type settings (dates as text, …) apply.
import type { RunResult } from '../sql/run.js';
import type { Statement } from '../sql/sql-text.js';

interface MysqlConnection {
  query(
    options: { sql: string; values: unknown[] },
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

export function runMysql(conn: MysqlConnection, statement: Statement): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    conn.query({ sql: statement.text, values: statement.bindings }, (error, result) => {
      if (error) reject(error);
      else if (Array.isArray(result))
        resolve({ rows: result as Record<string, unknown>[], count: result.length });
      else resolve({ rows: [], count: (result as { affectedRows?: number }).affectedRows ?? 0 });
    });
  });
}
