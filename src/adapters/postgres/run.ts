// A compiled statement → rows, on one pg client. Statements are prepared once per connection under a stable
// name (PostgreSQL then skips parsing and planning); their texts do not grow with key lists (`= any($1)`).
import type pg from 'pg';
import type { RunResult } from '../sql/run.js';
import type { Statement } from '../sql/sql-text.js';

/** Text → statement name, process-wide; names are never reused for another text. */
const names = new Map<string, string>();
let counter = 0;
const MAX_NAMED = 5000;
const MAX_TEXT = 8000;

export async function runPostgres(conn: pg.ClientBase, statement: Statement): Promise<RunResult> {
  let name = names.get(statement.text);
  if (name === undefined && names.size < MAX_NAMED && statement.text.length <= MAX_TEXT) {
    counter += 1;
    name = `j${counter}`;
    names.set(statement.text, name);
  }
  const result = await conn.query(
    name === undefined
      ? { text: statement.text, values: statement.bindings }
      : { name, text: statement.text, values: statement.bindings },
  );
  return { rows: result.rows, count: result.rowCount ?? 0 };
}
