// The program of a statement process: owns one better-sqlite3 connection and runs the statements its parent
// sends, one at a time (protocol.ts). A separate process because better-sqlite3 is synchronous and SQLite cannot
// be interrupted from outside its thread: killing the process is what really stops a runaway statement, and
// the operating system then releases its file locks (SQLite rolls an unfinished transaction back from its
// journal). Plain JavaScript run with `node -e`, so the process starts in tens of milliseconds whether
// Junction runs from dist/ or from sources (tsx would add a TypeScript loader to every start).

/** CommonJS source; `DRIVER` is replaced by the absolute path of better-sqlite3. */
const SOURCE = String.raw`
'use strict';
// What ps and top show instead of this whole program.
process.title = 'junction-sqlite';
const Database = require(DRIVER);
const MAX_CACHED = 2000;
const prepared = new Map();
let db = null;

const send = (message) => process.send(message);
const asError = (e) => ({
  code: e && typeof e.code === 'string' ? e.code : undefined,
  message: e && typeof e.message === 'string' ? e.message : String(e),
});

function open(request) {
  try {
    db = new Database(request.filename, { readonly: request.readonly });
    for (const pragma of request.pragmas) db.pragma(pragma);
    send({ ready: true });
  } catch (error) {
    send({ ready: false, error: asError(error) });
  }
}

function run(request) {
  try {
    let stmt = prepared.get(request.sql);
    if (!stmt) {
      stmt = db.prepare(request.sql);
      if (prepared.size < MAX_CACHED) prepared.set(request.sql, stmt);
    }
    if (stmt.reader) {
      // Rows as arrays plus one list of names: far less to serialise than one object per row.
      const rows = stmt.raw(true).all(...request.bindings);
      const columns = stmt.columns().map((c) => c.name);
      send({ id: request.id, reader: true, columns, rows, changes: 0, lastInsertRowid: 0 });
      return;
    }
    const result = stmt.run(...request.bindings);
    send({ id: request.id, reader: false, columns: [], rows: [], changes: result.changes, lastInsertRowid: result.lastInsertRowid });
  } catch (error) {
    send({ id: request.id, error: asError(error) });
  }
}

process.on('message', (message) => (db ? run(message) : open(message)));
// The parent is gone (crash, kill): nothing left to answer to; closing rolls back an open transaction.
process.on('disconnect', () => {
  if (db) db.close();
  process.exit(0);
});
`;

export function statementProcessSource(driverPath: string): string {
  return SOURCE.replace('DRIVER', JSON.stringify(driverPath));
}
